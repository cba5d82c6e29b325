/**
 * The vocabulary a family's builder is written in.
 *
 * A family describes its network once, as calls on a {@link Net}. The same description runs twice:
 * first on a `ShapeNet`, which only does the conv arithmetic, records the shape every layer
 * will have and rejects a config that cannot work (before a single weight is allocated); then on a
 * `LayersNet`, which creates the tfjs-layers model. One description, so the shape plan can
 * never drift from the model.
 */
import type { InitContext, InitSpec } from '../init.js';
import type { tf } from '../tf.js';

/**
 * An activation by name. `relu6` is Keras's `ReLU(max_value=6)` layer (the MobileNets').
 *
 * @example
 * ```ts
 * const y = net.activation(x, 'relu6', 'conv1_relu');
 * ```
 *
 * @category Net
 */
export type Activation = 'relu' | 'relu6' | 'tanh' | 'sigmoid' | 'softmax' | 'linear';

/**
 * Per-example shape, without the batch axis: `[height, width, channels]` or `[units]`.
 *
 * @example
 * ```ts
 * const [height, width, channels]: Shape = net.shape(x);
 * ```
 *
 * @category Net
 */
export type Shape = readonly number[];

/**
 * A 2-D convolution for {@link Net.conv2d} (a Keras `Conv2D`, or a {@link GroupedConv2D} when
 * `groups` > 1).
 *
 * @example
 * ```ts
 * x = net.conv2d(x, { name: 'conv1', filters: 64, kernelSize: 3, padding: 'same', activation: 'relu', kernelInit: { kind: 'torchDefault' } });
 * ```
 *
 * @category Net
 */
export interface ConvSpec {
  /** Layer name (and weight-name prefix: `<name>/kernel`, `<name>/bias`). */
  name: string;
  /** Output channels. */
  filters: number;
  /** Square kernel size. */
  kernelSize: number;
  /** Stride. Default 1. */
  strides?: number;
  /** Only TF's two paddings: where a model needs symmetric padding it says so with {@link Net.zeroPad}. Default `'valid'`. */
  padding?: 'same' | 'valid';
  /** Dilation rate. Default 1. */
  dilation?: number;
  /** Grouped convolution (AlexNet's two GPUs): the kernel is `[k, k, in / groups, filters]`. Default 1. */
  groups?: number;
  /** Whether the layer has a bias. Default true. */
  useBias?: boolean;
  /** Fused activation; `relu6` is a layer of its own (Keras's `ReLU`), use {@link Net.activation}. Default `'linear'`. */
  activation?: Exclude<Activation, 'relu6'>;
  /** Initialisation of the kernel. */
  kernelInit: InitSpec;
  /** Initialisation of the bias. Default zeros. */
  biasInit?: InitSpec;
}

/**
 * A depthwise convolution for {@link Net.depthwiseConv2d} (Keras's `DepthwiseConv2D`): one
 * `kernelSize` x `kernelSize` filter per input channel (times `depthMultiplier`).
 *
 * @example
 * ```ts
 * y = net.depthwiseConv2d(y, { name: 'conv_dw_1', kernelSize: 3, padding: 'same', useBias: false, kernelInit: { kind: 'torchDefault' } });
 * ```
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
  /** Whether the layer has a bias. Default true. */
  useBias?: boolean;
  /** Initialisation of the depthwise kernel. */
  kernelInit: InitSpec;
  /** Initialisation of the bias. Default zeros. */
  biasInit?: InitSpec;
}

/**
 * Batch normalisation for {@link Net.batchNorm} (Keras's `BatchNormalization`, over the channels;
 * gamma starts at 1, beta at 0).
 *
 * @example
 * ```ts
 * x = net.batchNorm(x, { name: 'conv1_bn', epsilon: 1e-5, momentum: 0.9 }); // PyTorch's BatchNorm2d defaults
 * ```
 *
 * @category Net
 */
export interface BatchNormSpec {
  /** Layer name. */
  name: string;
  /** Keras's default 1e-3; PyTorch's 1e-5. */
  epsilon: number;
  /** Keras convention (weight of the old statistic): PyTorch's momentum 0.1 is 0.9 here. Default 0.99 (Keras's). */
  momentum?: number;
}

/**
 * Max or average pooling for {@link Net.maxPool} and {@link Net.avgPool}.
 *
 * @example
 * ```ts
 * x = net.maxPool(x, { name: 'block1_pool', poolSize: 2, strides: 2 });
 * ```
 *
 * @category Net
 */
export interface PoolSpec {
  /** Layer name. */
  name: string;
  /** Square window size. */
  poolSize: number;
  /** Stride. Default `poolSize` (Keras's default). */
  strides?: number;
  /** TF padding. Default `'valid'`. */
  padding?: 'same' | 'valid';
}

/**
 * A fully connected layer for {@link Net.dense} (Keras's `Dense`).
 *
 * @example
 * ```ts
 * x = net.dense(x, { name: 'fc1', units: 4096, activation: 'relu', kernelInit: { kind: 'torchDefault' } });
 * ```
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
  /** Whether the layer has a bias. Default true. */
  useBias?: boolean;
  /** Initialisation of the kernel. */
  kernelInit: InitSpec;
  /** Initialisation of the bias. Default zeros. */
  biasInit?: InitSpec;
}

/**
 * A layer this vocabulary has no word for (LRN, LeNet's RBF output...), for {@link Net.custom}:
 * how to create it, and its output shape by its own arithmetic, so that the shape plan covers it
 * without building it.
 *
 * @example
 * ```ts
 * x = net.custom(x, {
 *   name: 'lrn1',
 *   type: 'LocalResponseNormalization',
 *   create: () => new LocalResponseNormalization({ name: 'lrn1', size: 5, k: 2, alpha: 1e-4, beta: 0.75 }),
 *   outputShape: ([shape]) => shape,
 * });
 * ```
 *
 * @category Net
 */
export interface CustomLayerSpec {
  /** Layer name. */
  name: string;
  /** The layer class, as the summary and the shape plan report it. */
  type: string;
  /** Creates the layer, seeding its weights from `init`; called only when the model is really built. */
  create: (init: InitContext) => tf.layers.Layer;
  /** Its output shape, from its input shapes, by the layer's own arithmetic. */
  outputShape: (inputShapes: Shape[]) => Shape;
}

/**
 * A layer as the shape plan predicts it ({@link planModel}): its name, class and per-example
 * output shape, before anything is built.
 *
 * @example
 * ```ts
 * const last: PlannedLayer = planModel(resnet18Definition, {}).at(-1)!;
 * // { name: 'predictions', type: 'Dense', outputShape: [1000] }
 * ```
 *
 * @category Net
 */
export interface PlannedLayer {
  /** The layer's name, as the built model will have it. */
  name: string;
  /** The layer class (`Conv2D`, `BatchNormalization`, a custom layer's `type`). */
  type: string;
  /** Per-example output shape. */
  outputShape: Shape;
}

/**
 * The vocabulary a family's network is written in: operations on a handle `T`, which is a shape
 * while planning (the conv arithmetic checks every layer before any weight exists) and a symbolic
 * tensor while building (the tfjs-layers model). The blocks ({@link convBnAct},
 * {@link basicBlock}, {@link inceptionModule}...) are functions of a `Net`, so they run on both.
 * Every layer gets an explicit name: it is the weights' key.
 *
 * @example
 * ```ts
 * // A network of your own, planned and built from one description:
 * const describe: NetDescription<CommonOptions> = (net, config) => {
 *   const input = net.input(config.inputShape, 'input');
 *   let x = convBnAct(net, input, {
 *     names: { conv: 'stem_conv', bn: 'stem_bn', activation: 'stem_relu' },
 *     filters: 32, kernelSize: 3, strides: 2, padding: 'symmetric', activation: 'relu',
 *     batchNorm: { epsilon: 1e-5, momentum: 0.9 }, kernelInit: { kind: 'torchDefault' },
 *   });
 *   x = basicBlock(net, x, { name: 'conv2_block1', filters: 32 });
 *   return { inputs: [input], outputs: [poolAndClassify(net, x, config, { pool: 'avg_pool', classifier: 'predictions' }, { kernel: { kind: 'torchDefault' }, bias: { kind: 'torchDefault' } })] };
 * };
 * const tiny: ModelDefinition = {
 *   name: 'tiny',
 *   schema: modelOptionsSchema({ numClasses: 10, inputShape: [32, 32, 3], dropout: 0 }, {}),
 *   describe,
 *   paper: { title: 'Deep Residual Learning for Image Recognition', authors: 'He, Zhang, Ren, Sun', year: 2016, url: 'https://arxiv.org/abs/1512.03385', table: 'Figure 2' },
 * };
 * const model = buildModel(tiny, {});
 * ```
 *
 * @typeParam T - The handle: a shape while planning, a `tf.SymbolicTensor` while building.
 * @category Net
 */
export interface Net<T> {
  /** The per-example shape of `x`. */
  shape(x: T): Shape;
  /** The model's input, of per-example `shape`. */
  input(shape: Shape, name: string): T;
  /** A 2-D convolution; see {@link ConvSpec}. */
  conv2d(x: T, spec: ConvSpec): T;
  /** A depthwise convolution; see {@link DepthwiseSpec}. */
  depthwiseConv2d(x: T, spec: DepthwiseSpec): T;
  /** Batch normalisation over the channels; see {@link BatchNormSpec}. */
  batchNorm(x: T, spec: BatchNormSpec): T;
  /** An activation layer of its own (for an activation after a batch norm, or `relu6`). */
  activation(x: T, fn: Activation, name: string): T;
  /** Zero padding, `[[top, bottom], [left, right]]` or the same amount on every side. */
  zeroPad(x: T, padding: number | readonly [readonly [number, number], readonly [number, number]], name: string): T;
  /** Max pooling; see {@link PoolSpec}. */
  maxPool(x: T, spec: PoolSpec): T;
  /** Average pooling; see {@link PoolSpec}. */
  avgPool(x: T, spec: PoolSpec): T;
  /** Global average or max pooling: `[h, w, c]` to `[c]`. */
  globalPool(x: T, kind: 'avg' | 'max', name: string): T;
  /** Flattens a map to a vector (row-major, channels last, as Keras). */
  flatten(x: T, name: string): T;
  /** A fully connected layer; see {@link DenseSpec}. */
  dense(x: T, spec: DenseSpec): T;
  /** Dropout at `rate` (active in training only). */
  dropout(x: T, rate: number, name: string): T;
  /** Reshape to per-example `shape` (same number of elements). */
  reshape(x: T, shape: Shape, name: string): T;
  /** Element-wise sum of same-shaped inputs (a residual connection). */
  add(xs: T[], name: string): T;
  /** Concatenation along the channels (an Inception module's branches). */
  concat(xs: T[], name: string): T;
  /** A layer of your own; see {@link CustomLayerSpec}. */
  custom(x: T | T[], spec: CustomLayerSpec): T;
}

/**
 * What a family's description returns: its inputs and outputs (several outputs for GoogLeNet's
 * auxiliary heads).
 *
 * @example
 * ```ts
 * const graph: NetGraph<tf.SymbolicTensor> = { inputs: [input], outputs: [logits] };
 * ```
 *
 * @typeParam T - The handle, as in {@link Net}.
 * @category Net
 */
export interface NetGraph<T> {
  /** The model's inputs. */
  inputs: T[];
  /** The model's outputs, main output first. */
  outputs: T[];
}

/**
 * A family's network, described once for both interpreters: a function of a {@link Net} and the
 * parsed options. See {@link Net} for a complete example.
 *
 * @example
 * ```ts
 * const describe: NetDescription<CommonOptions> = (net, config) => {
 *   const input = net.input(config.inputShape, 'input');
 *   const x = net.flatten(input, 'flatten');
 *   return { inputs: [input], outputs: [net.dense(x, { name: 'predictions', units: config.numClasses, activation: config.classifierActivation, kernelInit: { kind: 'torchDefault' } })] };
 * };
 * ```
 *
 * @typeParam C - The parsed options (the schema's output type).
 * @category Net
 */
export type NetDescription<C> = <T>(net: Net<T>, config: C) => NetGraph<T>;
