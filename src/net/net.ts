/**
 * The vocabulary a family's network is written in. A family describes its network once, as calls
 * on a {@link Net}; the same description is run twice, by one interpreter with two kinds of
 * handle (`./interpreter.ts`): on shapes, where each layer's own output-shape rule checks every
 * layer before a weight exists, and on symbolic tensors, which builds the tfjs-layers model. The
 * layers are made in one place for both, so the plan cannot drift from the model.
 */
import type { InitContext, InitSpec } from '../init.js';
import type { tf } from '../tf.js';

/**
 * An activation by name. `relu6` is Keras's `ReLU(max_value=6)` layer (the MobileNets').
 *
 * @category Net
 */
export type Activation = 'relu' | 'relu6' | 'tanh' | 'sigmoid' | 'softmax' | 'linear';

/**
 * Per-example shape, without the batch axis: `[height, width, channels]` or `[units]`.
 *
 * @category Net
 */
export type Shape = readonly number[];

/**
 * A 2-D convolution: a Keras `Conv2D`, or a {@link GroupedConv2D} when `groups` > 1.
 *
 * @category Net
 */
export interface ConvSpec {
  /** Layer name, and so the weights' prefix (`<name>/kernel`, `<name>/bias`). */
  name: string;
  /** Output channels. */
  filters: number;
  /** Square kernel size. */
  kernelSize: number;
  /** Stride. Default 1. */
  strides?: number;
  /** TF's two paddings only: symmetric padding is an explicit {@link Net.zeroPad}. Default `'valid'`. */
  padding?: 'same' | 'valid';
  /** Dilation rate. Default 1. */
  dilation?: number;
  /** Grouped convolution (AlexNet's two GPUs): the kernel is `[k, k, in / groups, filters]`. Default 1. */
  groups?: number;
  /** Default true. */
  useBias?: boolean;
  /** Fused activation; `relu6` is a layer of its own, see {@link Net.activation}. Default `'linear'`. */
  activation?: Exclude<Activation, 'relu6'>;
  /** Initialisation of the kernel. */
  kernelInit: InitSpec;
  /** Initialisation of the bias. Default zeros. */
  biasInit?: InitSpec;
}

/**
 * A depthwise convolution (Keras's `DepthwiseConv2D`): one filter per input channel (times
 * `depthMultiplier`).
 *
 * @category Net
 */
export interface DepthwiseSpec {
  /** Layer name. */
  name: string;
  /** Square kernel size. */
  kernelSize: number;
  /** Stride. Default 1. */
  strides?: number;
  /** TF padding. Default `'valid'`. */
  padding?: 'same' | 'valid';
  /** Output channels per input channel. Default 1. */
  depthMultiplier?: number;
  /** Default true. */
  useBias?: boolean;
  /** Initialisation of the depthwise kernel. */
  kernelInit: InitSpec;
  /** Initialisation of the bias. Default zeros. */
  biasInit?: InitSpec;
}

/**
 * Batch normalisation over the channels (gamma starts at 1, beta at 0).
 *
 * @category Net
 */
export interface BatchNormSpec {
  /** Layer name. */
  name: string;
  /** Keras's default 1e-3; PyTorch's 1e-5. */
  epsilon: number;
  /** Keras's convention, the weight of the old statistic: PyTorch's momentum 0.1 is 0.9 here. Default 0.99. */
  momentum?: number;
}

/**
 * Max or average pooling.
 *
 * @category Net
 */
export interface PoolSpec {
  /** Layer name. */
  name: string;
  /** Square window size. */
  poolSize: number;
  /** Stride. Default `poolSize`. */
  strides?: number;
  /** TF padding. Default `'valid'`. */
  padding?: 'same' | 'valid';
}

/**
 * A fully connected layer (Keras's `Dense`).
 *
 * @category Net
 */
export interface DenseSpec {
  /** Layer name. */
  name: string;
  /** Output units. */
  units: number;
  /** Fused activation. Default `'linear'`. */
  activation?: Exclude<Activation, 'relu6'>;
  /** Default true. */
  useBias?: boolean;
  /** Initialisation of the kernel. */
  kernelInit: InitSpec;
  /** Initialisation of the bias. Default zeros. */
  biasInit?: InitSpec;
}

/**
 * A layer this vocabulary has no word for (LRN, LeNet's RBF output...): how to make it. Its output
 * shape is its own `computeOutputShape`, for the plan as for the model.
 *
 * @category Net
 */
export interface CustomLayerSpec {
  /** Makes the layer, seeding its weights from `init`. */
  create: (init: InitContext) => tf.layers.Layer;
}

/**
 * A layer as the shape plan predicts it, before anything is built.
 *
 * @category Net
 */
export interface PlannedLayer {
  /** The layer's name, as the built model will have it. */
  name: string;
  /** The layer class (`Conv2D`, `BatchNormalization`, a custom layer's class name). */
  type: string;
  /** Per-example output shape. */
  outputShape: Shape;
}

/**
 * The operations a network is described with, on a handle `T`: a shape while planning, a symbolic
 * tensor while building. Blocks are functions of a `Net`, so they run on both. Every layer gets an
 * explicit name: it is the weights' key.
 *
 * @typeParam T - The handle: a shape while planning, a `tf.SymbolicTensor` while building.
 * @category Net
 */
export interface Net<T> {
  /** The per-example shape of `x`. */
  shape(x: T): Shape;
  /** The model's input, of per-example `shape`. */
  input(shape: Shape, name: string): T;
  /** A 2-D convolution. */
  conv2d(x: T, spec: ConvSpec): T;
  /** A depthwise convolution. */
  depthwiseConv2d(x: T, spec: DepthwiseSpec): T;
  /** Batch normalisation over the channels. */
  batchNorm(x: T, spec: BatchNormSpec): T;
  /** An activation layer of its own (after a batch norm, or `relu6`). */
  activation(x: T, fn: Activation, name: string): T;
  /** Zero padding, `[[top, bottom], [left, right]]` or the same amount on every side. */
  zeroPad(x: T, padding: number | readonly [readonly [number, number], readonly [number, number]], name: string): T;
  /** Max pooling. */
  maxPool(x: T, spec: PoolSpec): T;
  /** Average pooling. */
  avgPool(x: T, spec: PoolSpec): T;
  /** Global average or max pooling: `[h, w, c]` to `[c]`. */
  globalPool(x: T, kind: 'avg' | 'max', name: string): T;
  /** Flattens a map to a vector (row-major, channels last, as Keras). */
  flatten(x: T, name: string): T;
  /** A fully connected layer. */
  dense(x: T, spec: DenseSpec): T;
  /** Dropout at `rate` (active in training only). */
  dropout(x: T, rate: number, name: string): T;
  /** Reshape to per-example `shape` (same number of elements). */
  reshape(x: T, shape: Shape, name: string): T;
  /** Element-wise sum of same-shaped inputs (a residual connection). */
  add(xs: T[], name: string): T;
  /** Concatenation along the channels (an Inception module's branches). */
  concat(xs: T[], name: string): T;
  /** A layer of your own. */
  custom(x: T, spec: CustomLayerSpec): T;
}

/**
 * What a description returns: its inputs and outputs (main output first).
 *
 * @category Net
 */
export interface NetGraph<T> {
  /** The model's inputs. */
  inputs: T[];
  /** The model's outputs, main output first. */
  outputs: T[];
}

/**
 * A network, described once for both runs: a function of a {@link Net} and the parsed options.
 *
 * @typeParam C - The parsed options.
 * @category Net
 */
export type NetDescription<C> = <T>(net: Net<T>, config: C) => NetGraph<T>;
