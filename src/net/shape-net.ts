import { convOutputSize, explainConvOutputSize } from '../conv-arithmetic.js';
import type {
  Activation,
  BatchNormSpec,
  ConvSpec,
  CustomLayerSpec,
  DenseSpec,
  DepthwiseSpec,
  Net,
  PlannedLayer,
  PoolSpec,
  Shape,
} from './net.js';

/** A layer whose output would have no pixels: which layer, and the arithmetic that says so. */
export class SpatialSizeError extends Error {
  constructor(
    readonly layer: string,
    readonly arithmetic: string,
  ) {
    super(`layer '${layer}' would output ${arithmetic}`);
    this.name = 'SpatialSizeError';
  }
}

/** An inconsistency inside a description (mismatched shapes at an add or a concat). */
export class ShapeMismatchError extends Error {
  constructor(layer: string, detail: string) {
    super(`layer '${layer}': ${detail}`);
    this.name = 'ShapeMismatchError';
  }
}

function product(shape: Shape): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Runs a description on shapes alone: the conv arithmetic of every layer, recorded in order. No
 * tensor is created, so it costs microseconds and can run before anything is built.
 */
export class ShapeNet implements Net<Shape> {
  readonly layers: PlannedLayer[] = [];

  /** `spatialOverride` replaces the input's height and width (to search for a size that works). */
  constructor(private readonly spatialOverride?: readonly [number, number]) {}

  private record(name: string, type: string, outputShape: Shape): Shape {
    this.layers.push({ name, type, outputShape });
    return outputShape;
  }

  private spatial(x: Shape, name: string, kind: string, kernel: number, strides: number, padding: 'same' | 'valid', dilation = 1): [number, number] {
    const out = [0, 1].map((axis) => {
      const args = { size: x[axis], kernel, stride: strides, padding, dilation };
      const size = convOutputSize(args);
      if (size < 1) {
        const axisName = axis === 0 ? 'height' : 'width';
        throw new SpatialSizeError(
          name,
          `a ${axisName} of ${explainConvOutputSize(args)} (${kind} ${kernel}x${kernel}, stride ${strides}, '${padding}' padding, on ${x[0]}x${x[1]})`,
        );
      }
      return size;
    });
    return [out[0], out[1]];
  }

  shape(x: Shape): Shape {
    return x;
  }

  input(shape: Shape, name: string): Shape {
    const actual = this.spatialOverride ? [this.spatialOverride[0], this.spatialOverride[1], ...shape.slice(2)] : shape;
    return this.record(name, 'InputLayer', actual);
  }

  conv2d(x: Shape, spec: ConvSpec): Shape {
    const groups = spec.groups ?? 1;
    if (x[2] % groups !== 0 || spec.filters % groups !== 0) {
      throw new ShapeMismatchError(spec.name, `groups (${groups}) must divide both ${x[2]} input channels and ${spec.filters} filters`);
    }
    const [h, w] = this.spatial(x, spec.name, 'conv', spec.kernelSize, spec.strides ?? 1, spec.padding ?? 'valid', spec.dilation);
    return this.record(spec.name, groups > 1 ? 'GroupedConv2D' : 'Conv2D', [h, w, spec.filters]);
  }

  depthwiseConv2d(x: Shape, spec: DepthwiseSpec): Shape {
    const [h, w] = this.spatial(x, spec.name, 'depthwise conv', spec.kernelSize, spec.strides ?? 1, spec.padding ?? 'valid');
    return this.record(spec.name, 'DepthwiseConv2D', [h, w, x[2] * (spec.depthMultiplier ?? 1)]);
  }

  batchNorm(x: Shape, spec: BatchNormSpec): Shape {
    return this.record(spec.name, 'BatchNormalization', x);
  }

  activation(x: Shape, fn: Activation, name: string): Shape {
    return this.record(name, fn === 'relu6' ? 'ReLU' : 'Activation', x);
  }

  zeroPad(x: Shape, padding: number | readonly [readonly [number, number], readonly [number, number]], name: string): Shape {
    const [[top, bottom], [left, right]] = typeof padding === 'number' ? [[padding, padding], [padding, padding]] : padding;
    return this.record(name, 'ZeroPadding2D', [x[0] + top + bottom, x[1] + left + right, x[2]]);
  }

  maxPool(x: Shape, spec: PoolSpec): Shape {
    const [h, w] = this.spatial(x, spec.name, 'max pool', spec.poolSize, spec.strides ?? spec.poolSize, spec.padding ?? 'valid');
    return this.record(spec.name, 'MaxPooling2D', [h, w, x[2]]);
  }

  avgPool(x: Shape, spec: PoolSpec): Shape {
    const [h, w] = this.spatial(x, spec.name, 'average pool', spec.poolSize, spec.strides ?? spec.poolSize, spec.padding ?? 'valid');
    return this.record(spec.name, 'AveragePooling2D', [h, w, x[2]]);
  }

  globalPool(x: Shape, kind: 'avg' | 'max', name: string): Shape {
    return this.record(name, kind === 'avg' ? 'GlobalAveragePooling2D' : 'GlobalMaxPooling2D', [x[x.length - 1]]);
  }

  flatten(x: Shape, name: string): Shape {
    return this.record(name, 'Flatten', [product(x)]);
  }

  dense(x: Shape, spec: DenseSpec): Shape {
    return this.record(spec.name, 'Dense', [...x.slice(0, -1), spec.units]);
  }

  dropout(x: Shape, _rate: number, name: string): Shape {
    return this.record(name, 'Dropout', x);
  }

  reshape(x: Shape, shape: Shape, name: string): Shape {
    if (product(x) !== product(shape)) {
      throw new ShapeMismatchError(name, `cannot reshape [${x.join(', ')}] to [${shape.join(', ')}]`);
    }
    return this.record(name, 'Reshape', shape);
  }

  add(xs: Shape[], name: string): Shape {
    const first = xs[0].join('x');
    const other = xs.find((x) => x.join('x') !== first);
    if (other) throw new ShapeMismatchError(name, `cannot add ${first} and ${other.join('x')}`);
    return this.record(name, 'Add', xs[0]);
  }

  concat(xs: Shape[], name: string): Shape {
    const spatial = xs[0].slice(0, -1).join('x');
    const other = xs.find((x) => x.slice(0, -1).join('x') !== spatial);
    if (other) throw new ShapeMismatchError(name, `cannot concatenate ${xs[0].join('x')} and ${other.join('x')}`);
    const channels = xs.reduce((sum, x) => sum + x[x.length - 1], 0);
    return this.record(name, 'Concatenate', [...xs[0].slice(0, -1), channels]);
  }

  custom(x: Shape | Shape[], spec: CustomLayerSpec): Shape {
    const inputs = (Array.isArray(x[0]) ? x : [x]) as Shape[];
    const out = spec.outputShape(inputs);
    if (out.some((size) => size < 1)) {
      throw new SpatialSizeError(spec.name, `shape [${out.join(', ')}] (${spec.type} on ${inputs.map((s) => s.join('x')).join(', ')})`);
    }
    return this.record(spec.name, spec.type, out);
  }
}
