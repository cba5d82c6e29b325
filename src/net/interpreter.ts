/**
 * The one interpreter of a {@link Net} description. Every layer is made here, once per call, from
 * its spec; what happens to it then depends on the handles: symbolic tensors apply it (building
 * the model), shapes ask the layer's own `computeOutputShape` (the plan). So the plan and the
 * model come from the same layers and cannot disagree.
 */
import { explainConvOutputSize } from '../conv-arithmetic.js';
import { type InitContext, type InitSpec, makeInitializer, seededConfig } from '../init.js';
import { GroupedConv2D } from '../layers/grouped-conv2d.js';
import { tf } from '../tf.js';
import { BatchNormalization } from '../wasm/batch-normalization.js';
import { Conv2D } from '../wasm/conv2d.js';
import type { Activation, BatchNormSpec, ConvSpec, CustomLayerSpec, DenseSpec, DepthwiseSpec, Net, PlannedLayer, PoolSpec, Shape } from './net.js';

/** What a handle type needs: an input, its shape, and applying a layer to some handles. */
interface Handles<T> {
  input(shape: Shape, name: string): T;
  shape(x: T): Shape;
  apply(layer: tf.layers.Layer, inputs: T[]): T;
}

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

/** A description that contradicts itself (adding maps of different shapes...): which layer, and why. */
export class ShapeMismatchError extends Error {
  constructor(
    readonly layer: string,
    readonly detail: string,
  ) {
    super(`layer '${layer}': ${detail}`);
    this.name = 'ShapeMismatchError';
  }
}

/** Building: layers applied to symbolic tensors. */
const symbolicHandles: Handles<tf.SymbolicTensor> = {
  input: (shape, name) => tf.input({ shape: [...shape], name }),
  shape: (x) => x.shape.slice(1) as number[],
  apply: (layer, inputs) => layer.apply(inputs.length === 1 ? inputs[0] : inputs) as tf.SymbolicTensor,
};

const CONV_KINDS: Record<string, string> = {
  Conv2D: 'conv',
  GroupedConv2D: 'conv',
  PartialConv2D: 'conv',
  DepthwiseConv2D: 'depthwise conv',
  MaxPooling2D: 'max pool',
  AveragePooling2D: 'average pool',
  SubSampling2D: 'subsampling',
};

const first = (value: unknown): number => (Array.isArray(value) ? Number(value[0]) : Number(value));

/** Why `layer` would output `out` from `input`: the conv arithmetic of the first axis that reaches zero. */
function explainEmptyOutput(layer: tf.layers.Layer, input: Shape, out: Shape): string {
  const kind = CONV_KINDS[layer.getClassName()];
  const config = layer.getConfig();
  const kernel = first(config.kernelSize ?? config.poolSize);
  if (kind && Number.isFinite(kernel)) {
    const axis = out[0] < 1 ? 0 : 1;
    const stride = first(config.strides ?? config.poolSize ?? 1);
    const padding = (config.padding ?? 'valid') as 'same' | 'valid';
    const args = { size: input[axis], kernel, stride, padding, dilation: first(config.dilationRate ?? 1) };
    return `a ${axis === 0 ? 'height' : 'width'} of ${explainConvOutputSize(args)} (${kind} ${kernel}x${kernel}, stride ${stride}, '${padding}' padding, on ${input[0]}x${input[1]})`;
  }
  return `shape [${out.join(', ')}] (${layer.getClassName()} on ${input.join('x')})`;
}

/** Planning: each layer's output shape by its own rule, recorded in order, and checked. */
class ShapeHandles implements Handles<Shape> {
  readonly layers: PlannedLayer[] = [];

  /** `spatialOverride` replaces the input's height and width (to search for a size that works). */
  constructor(private readonly spatialOverride?: readonly [number, number]) {}

  input(shape: Shape, name: string): Shape {
    const actual = this.spatialOverride ? [...this.spatialOverride, ...shape.slice(2)] : shape;
    this.layers.push({ name, type: 'InputLayer', outputShape: actual });
    return actual;
  }

  shape(x: Shape): Shape {
    return x;
  }

  apply(layer: tf.layers.Layer, inputs: Shape[]): Shape {
    const batched = inputs.map((shape) => [null, ...shape]);
    let out: Shape;
    try {
      out = (layer.computeOutputShape(batched.length === 1 ? batched[0] : batched) as number[]).slice(1);
    } catch (error) {
      throw new ShapeMismatchError(layer.name, error instanceof Error ? error.message : String(error));
    }
    if (out.some((size) => size < 1)) throw new SpatialSizeError(layer.name, explainEmptyOutput(layer, inputs[0], out));
    this.layers.push({ name: layer.name, type: layer.getClassName(), outputShape: out });
    return out;
  }
}

/** PyTorch's default bias rule needs the fan-in of the weight beside it. */
function biasSpec(spec: InitSpec | undefined, fanIn: number): InitSpec {
  if (!spec) return { kind: 'zeros' };
  return spec.kind === 'torchDefault' && spec.fanIn === undefined ? { kind: 'torchDefault', fanIn } : spec;
}

/** A {@link Net} that makes each layer from its spec and hands it to `handles`. */
class NetInterpreter<T> implements Net<T> {
  constructor(
    private readonly handles: Handles<T>,
    private readonly init: InitContext,
  ) {}

  private initializer(spec: InitSpec, weightName: string) {
    return makeInitializer(spec, weightName, this.init);
  }

  shape(x: T): Shape {
    return this.handles.shape(x);
  }

  input(shape: Shape, name: string): T {
    return this.handles.input(shape, name);
  }

  conv2d(x: T, spec: ConvSpec): T {
    const { name, filters, kernelSize, groups = 1 } = spec;
    const inChannels = this.shape(x)[2];
    if (inChannels % groups !== 0 || filters % groups !== 0) {
      throw new ShapeMismatchError(name, `groups (${groups}) must divide both ${inChannels} input channels and ${filters} filters`);
    }
    const common = { name, filters, kernelSize, strides: spec.strides ?? 1, padding: spec.padding ?? 'valid', useBias: spec.useBias ?? true, activation: spec.activation };
    const biasInit = biasSpec(spec.biasInit, kernelSize * kernelSize * (inChannels / groups));
    const layer =
      groups > 1
        ? new GroupedConv2D({
            ...common,
            groups,
            dilationRate: spec.dilation ?? 1,
            kernelInitializer: seededConfig(spec.kernelInit, `${name}/kernel`, this.init),
            biasInitializer: seededConfig(biasInit, `${name}/bias`, this.init),
          })
        : new Conv2D({
            ...common,
            dilationRate: spec.dilation ?? 1,
            kernelInitializer: this.initializer(spec.kernelInit, `${name}/kernel`),
            biasInitializer: this.initializer(biasInit, `${name}/bias`),
          });
    return this.handles.apply(layer, [x]);
  }

  depthwiseConv2d(x: T, spec: DepthwiseSpec): T {
    const layer = tf.layers.depthwiseConv2d({
      name: spec.name,
      kernelSize: spec.kernelSize,
      strides: spec.strides ?? 1,
      padding: spec.padding ?? 'valid',
      depthMultiplier: spec.depthMultiplier ?? 1,
      useBias: spec.useBias ?? true,
      depthwiseInitializer: this.initializer(spec.kernelInit, `${spec.name}/depthwise_kernel`),
      biasInitializer: this.initializer(biasSpec(spec.biasInit, spec.kernelSize * spec.kernelSize), `${spec.name}/bias`),
    });
    return this.handles.apply(layer, [x]);
  }

  batchNorm(x: T, spec: BatchNormSpec): T {
    return this.handles.apply(new BatchNormalization({ name: spec.name, axis: -1, epsilon: spec.epsilon, momentum: spec.momentum ?? 0.99 }), [x]);
  }

  activation(x: T, fn: Activation, name: string): T {
    const layer = fn === 'relu6' ? tf.layers.reLU({ name, maxValue: 6 }) : tf.layers.activation({ name, activation: fn });
    return this.handles.apply(layer, [x]);
  }

  zeroPad(x: T, padding: number | readonly [readonly [number, number], readonly [number, number]], name: string): T {
    const [[top, bottom], [left, right]] = typeof padding === 'number' ? [[padding, padding], [padding, padding]] : padding;
    return this.handles.apply(tf.layers.zeroPadding2d({ name, padding: [[top, bottom], [left, right]] }), [x]);
  }

  maxPool(x: T, spec: PoolSpec): T {
    const { name, poolSize, strides = poolSize, padding = 'valid' } = spec;
    return this.handles.apply(tf.layers.maxPooling2d({ name, poolSize, strides, padding }), [x]);
  }

  avgPool(x: T, spec: PoolSpec): T {
    const { name, poolSize, strides = poolSize, padding = 'valid' } = spec;
    return this.handles.apply(tf.layers.averagePooling2d({ name, poolSize, strides, padding }), [x]);
  }

  globalPool(x: T, kind: 'avg' | 'max', name: string): T {
    return this.handles.apply(kind === 'avg' ? tf.layers.globalAveragePooling2d({ name }) : tf.layers.globalMaxPooling2d({ name }), [x]);
  }

  flatten(x: T, name: string): T {
    return this.handles.apply(tf.layers.flatten({ name }), [x]);
  }

  dense(x: T, spec: DenseSpec): T {
    const fanIn = this.shape(x).at(-1)!;
    const layer = tf.layers.dense({
      name: spec.name,
      units: spec.units,
      activation: spec.activation,
      useBias: spec.useBias ?? true,
      kernelInitializer: this.initializer(spec.kernelInit, `${spec.name}/kernel`),
      biasInitializer: this.initializer(biasSpec(spec.biasInit, fanIn), `${spec.name}/bias`),
    });
    return this.handles.apply(layer, [x]);
  }

  dropout(x: T, rate: number, name: string): T {
    return this.handles.apply(tf.layers.dropout({ name, rate }), [x]);
  }

  reshape(x: T, shape: Shape, name: string): T {
    return this.handles.apply(tf.layers.reshape({ name, targetShape: [...shape] }), [x]);
  }

  add(xs: T[], name: string): T {
    // tfjs-layers' Add would broadcast a 1 against any size; a residual sum must match exactly.
    const shapes = xs.map((x) => this.shape(x).join('x'));
    const other = shapes.find((shape) => shape !== shapes[0]);
    if (other) throw new ShapeMismatchError(name, `cannot add ${shapes[0]} and ${other}`);
    return this.handles.apply(tf.layers.add({ name }), xs);
  }

  concat(xs: T[], name: string): T {
    const spatial = xs.map((x) => this.shape(x).slice(0, -1).join('x'));
    const other = xs.findIndex((_, i) => spatial[i] !== spatial[0]);
    if (other > 0) throw new ShapeMismatchError(name, `cannot concatenate ${this.shape(xs[0]).join('x')} and ${this.shape(xs[other]).join('x')}`);
    return this.handles.apply(tf.layers.concatenate({ name, axis: -1 }), xs);
  }

  custom(x: T, spec: CustomLayerSpec): T {
    return this.handles.apply(spec.create(this.init), [x]);
  }
}

/** Planning draws no random number: initialisers are made (the layers are the builder's) but never run. */
const PLANNING: InitContext = { seed: 0, random: false };

/**
 * A {@link Net} on shapes: runs a description without building anything, recording every layer's
 * name, class and output shape in `layers`. An empty output is a `SpatialSizeError`.
 *
 * @category Net
 */
export class ShapeNet extends NetInterpreter<Shape> {
  /** Every layer so far, in order. */
  readonly layers: PlannedLayer[];

  /** @param spatialOverride - Replaces the input's height and width (to search for a size that works). */
  constructor(spatialOverride?: readonly [number, number]) {
    const handles = new ShapeHandles(spatialOverride);
    super(handles, PLANNING);
    this.layers = handles.layers;
  }
}

/**
 * A {@link Net} on symbolic tensors: runs a description as tfjs-layers calls, for `tf.model`.
 *
 * @category Net
 */
export class LayersNet extends NetInterpreter<tf.SymbolicTensor> {
  /** @param init - The model's seed, and whether weights are drawn at random. */
  constructor(init: InitContext) {
    super(symbolicHandles, init);
  }
}
