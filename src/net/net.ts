/**
 * The vocabulary a family's builder is written in.
 *
 * A family describes its network once, as calls on a {@link Net}. The same description runs twice:
 * first on a {@link ShapeNet}, which only does the conv arithmetic, records the shape every layer
 * will have and rejects a config that cannot work (before a single weight is allocated); then on a
 * {@link LayersNet}, which creates the tfjs-layers model. One description, so the shape plan can
 * never drift from the model.
 */
import type { InitContext, InitSpec } from '../init.js';
import type { tf } from '../tf.js';

/** An activation by name. `relu6` is Keras's `ReLU(max_value=6)` layer. */
export type Activation = 'relu' | 'relu6' | 'tanh' | 'sigmoid' | 'softmax' | 'linear';

/** Per-example shape, without the batch axis: `[height, width, channels]` or `[units]`. */
export type Shape = readonly number[];

export interface ConvSpec {
  name: string;
  filters: number;
  kernelSize: number;
  strides?: number;
  /** Only TF's two paddings: where a model needs symmetric padding it says so with {@link Net.zeroPad}. */
  padding?: 'same' | 'valid';
  dilation?: number;
  /** Grouped convolution (AlexNet's two GPUs): the kernel is `[k, k, in / groups, filters]`. */
  groups?: number;
  useBias?: boolean;
  /** Fused activation; `relu6` is a layer of its own (Keras's `ReLU`), use {@link Net.activation}. */
  activation?: Exclude<Activation, 'relu6'>;
  kernelInit: InitSpec;
  biasInit?: InitSpec;
}

export interface DepthwiseSpec {
  name: string;
  kernelSize: number;
  strides?: number;
  padding?: 'same' | 'valid';
  depthMultiplier?: number;
  useBias?: boolean;
  kernelInit: InitSpec;
  biasInit?: InitSpec;
}

export interface BatchNormSpec {
  name: string;
  /** Keras's default 1e-3; PyTorch's 1e-5. */
  epsilon: number;
  /** Keras convention (weight of the old statistic): PyTorch's momentum 0.1 is 0.9 here. */
  momentum?: number;
}

export interface PoolSpec {
  name: string;
  poolSize: number;
  strides?: number;
  padding?: 'same' | 'valid';
}

export interface DenseSpec {
  name: string;
  units: number;
  activation?: Exclude<Activation, 'relu6'>;
  useBias?: boolean;
  kernelInit: InitSpec;
  biasInit?: InitSpec;
}

/** A layer this vocabulary has no word for (LRN, LeNet's RBF output...). */
export interface CustomLayerSpec {
  name: string;
  /** The layer class, as the summary reports it. */
  type: string;
  /** Creates the layer, seeding its weights from `init`; called only when the model is really built. */
  create: (init: InitContext) => tf.layers.Layer;
  /** Its output shape, from its input shapes, by the layer's own arithmetic. */
  outputShape: (inputShapes: Shape[]) => Shape;
}

/** The layer a {@link ShapeNet} predicted: its name, class and per-example output shape. */
export interface PlannedLayer {
  name: string;
  type: string;
  outputShape: Shape;
}

/** Operations on a handle `T`: a shape while planning, a symbolic tensor while building. */
export interface Net<T> {
  /** The per-example shape of `x`. */
  shape(x: T): Shape;
  input(shape: Shape, name: string): T;
  conv2d(x: T, spec: ConvSpec): T;
  depthwiseConv2d(x: T, spec: DepthwiseSpec): T;
  batchNorm(x: T, spec: BatchNormSpec): T;
  activation(x: T, fn: Activation, name: string): T;
  /** Zero padding, `[[top, bottom], [left, right]]` or the same amount on every side. */
  zeroPad(x: T, padding: number | readonly [readonly [number, number], readonly [number, number]], name: string): T;
  maxPool(x: T, spec: PoolSpec): T;
  avgPool(x: T, spec: PoolSpec): T;
  globalPool(x: T, kind: 'avg' | 'max', name: string): T;
  flatten(x: T, name: string): T;
  dense(x: T, spec: DenseSpec): T;
  dropout(x: T, rate: number, name: string): T;
  reshape(x: T, shape: Shape, name: string): T;
  add(xs: T[], name: string): T;
  concat(xs: T[], name: string): T;
  custom(x: T | T[], spec: CustomLayerSpec): T;
}

/** What a family's description returns: its inputs and outputs. */
export interface NetGraph<T> {
  inputs: T[];
  outputs: T[];
}

/** A family's network, described once for both interpreters. */
export type NetDescription<C> = <T>(net: Net<T>, config: C) => NetGraph<T>;
