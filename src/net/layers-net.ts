import { type InitContext, type InitSpec, makeInitializer, seededConfig } from '../init.js';
import { BatchNormalization } from '../layers/batch-normalization.js';
import { Conv2D } from '../layers/conv2d.js';
import { GroupedConv2D } from '../layers/grouped-conv2d.js';
import { tf } from '../tf.js';
import type {
  Activation,
  BatchNormSpec,
  ConvSpec,
  CustomLayerSpec,
  DenseSpec,
  DepthwiseSpec,
  Net,
  PoolSpec,
  Shape,
} from './net.js';

type Symbolic = tf.SymbolicTensor;

/** PyTorch's default bias rule needs the fan-in of the weight beside it. */
function biasSpec(spec: InitSpec | undefined, fanIn: number): InitSpec {
  if (!spec) return { kind: 'zeros' };
  return spec.kind === 'torchDefault' && spec.fanIn === undefined ? { kind: 'torchDefault', fanIn } : spec;
}

/** Runs a description with tfjs-layers, creating the real model. */
export class LayersNet implements Net<Symbolic> {
  constructor(private readonly init: InitContext) {}

  private initializer(spec: InitSpec, weightName: string) {
    return makeInitializer(spec, weightName, this.init);
  }

  private apply(layer: tf.layers.Layer, x: Symbolic | Symbolic[]): Symbolic {
    return layer.apply(x) as Symbolic;
  }

  shape(x: Symbolic): Shape {
    return x.shape.slice(1) as number[];
  }

  input(shape: Shape, name: string): Symbolic {
    return tf.input({ shape: [...shape], name });
  }

  conv2d(x: Symbolic, spec: ConvSpec): Symbolic {
    const groups = spec.groups ?? 1;
    const inChannels = this.shape(x)[2];
    const fanIn = spec.kernelSize * spec.kernelSize * (inChannels / groups);
    const kernelInit = spec.kernelInit;
    const biasInit = biasSpec(spec.biasInit, fanIn);
    if (groups > 1) {
      const layer = new GroupedConv2D({
        name: spec.name,
        filters: spec.filters,
        kernelSize: spec.kernelSize,
        strides: spec.strides,
        padding: spec.padding,
        groups,
        useBias: spec.useBias,
        activation: spec.activation,
        kernelInitializer: seededConfig(kernelInit, `${spec.name}/kernel`, this.init),
        biasInitializer: seededConfig(biasInit, `${spec.name}/bias`, this.init),
      });
      return this.apply(layer, x);
    }
    return this.apply(
      new Conv2D({
        name: spec.name,
        filters: spec.filters,
        kernelSize: spec.kernelSize,
        strides: spec.strides ?? 1,
        padding: spec.padding ?? 'valid',
        dilationRate: spec.dilation ?? 1,
        useBias: spec.useBias ?? true,
        activation: spec.activation,
        kernelInitializer: this.initializer(kernelInit, `${spec.name}/kernel`),
        biasInitializer: this.initializer(biasInit, `${spec.name}/bias`),
      }),
      x,
    );
  }

  depthwiseConv2d(x: Symbolic, spec: DepthwiseSpec): Symbolic {
    const fanIn = spec.kernelSize * spec.kernelSize;
    return this.apply(
      tf.layers.depthwiseConv2d({
        name: spec.name,
        kernelSize: spec.kernelSize,
        strides: spec.strides ?? 1,
        padding: spec.padding ?? 'valid',
        depthMultiplier: spec.depthMultiplier ?? 1,
        useBias: spec.useBias ?? true,
        depthwiseInitializer: this.initializer(spec.kernelInit, `${spec.name}/depthwise_kernel`),
        biasInitializer: this.initializer(biasSpec(spec.biasInit, fanIn), `${spec.name}/bias`),
      }),
      x,
    );
  }

  batchNorm(x: Symbolic, spec: BatchNormSpec): Symbolic {
    return this.apply(
      new BatchNormalization({ name: spec.name, axis: -1, epsilon: spec.epsilon, momentum: spec.momentum ?? 0.99 }),
      x,
    );
  }

  activation(x: Symbolic, fn: Activation, name: string): Symbolic {
    if (fn === 'relu6') return this.apply(tf.layers.reLU({ name, maxValue: 6 }), x);
    return this.apply(tf.layers.activation({ name, activation: fn }), x);
  }

  zeroPad(x: Symbolic, padding: number | readonly [readonly [number, number], readonly [number, number]], name: string): Symbolic {
    const amounts: [[number, number], [number, number]] =
      typeof padding === 'number' ? [[padding, padding], [padding, padding]] : [[...padding[0]], [...padding[1]]] as [[number, number], [number, number]];
    return this.apply(tf.layers.zeroPadding2d({ name, padding: amounts }), x);
  }

  maxPool(x: Symbolic, spec: PoolSpec): Symbolic {
    return this.apply(
      tf.layers.maxPooling2d({ name: spec.name, poolSize: spec.poolSize, strides: spec.strides ?? spec.poolSize, padding: spec.padding ?? 'valid' }),
      x,
    );
  }

  avgPool(x: Symbolic, spec: PoolSpec): Symbolic {
    return this.apply(
      tf.layers.averagePooling2d({ name: spec.name, poolSize: spec.poolSize, strides: spec.strides ?? spec.poolSize, padding: spec.padding ?? 'valid' }),
      x,
    );
  }

  globalPool(x: Symbolic, kind: 'avg' | 'max', name: string): Symbolic {
    const layer = kind === 'avg' ? tf.layers.globalAveragePooling2d({ name }) : tf.layers.globalMaxPooling2d({ name });
    return this.apply(layer, x);
  }

  flatten(x: Symbolic, name: string): Symbolic {
    return this.apply(tf.layers.flatten({ name }), x);
  }

  dense(x: Symbolic, spec: DenseSpec): Symbolic {
    const fanIn = this.shape(x).at(-1)!;
    return this.apply(
      tf.layers.dense({
        name: spec.name,
        units: spec.units,
        activation: spec.activation,
        useBias: spec.useBias ?? true,
        kernelInitializer: this.initializer(spec.kernelInit, `${spec.name}/kernel`),
        biasInitializer: this.initializer(biasSpec(spec.biasInit, fanIn), `${spec.name}/bias`),
      }),
      x,
    );
  }

  dropout(x: Symbolic, rate: number, name: string): Symbolic {
    return this.apply(tf.layers.dropout({ name, rate }), x);
  }

  reshape(x: Symbolic, shape: Shape, name: string): Symbolic {
    return this.apply(tf.layers.reshape({ name, targetShape: [...shape] }), x);
  }

  add(xs: Symbolic[], name: string): Symbolic {
    return this.apply(tf.layers.add({ name }), xs);
  }

  concat(xs: Symbolic[], name: string): Symbolic {
    return this.apply(tf.layers.concatenate({ name, axis: -1 }), xs);
  }

  custom(x: Symbolic | Symbolic[], spec: CustomLayerSpec): Symbolic {
    return this.apply(spec.create(this.init), x);
  }
}
