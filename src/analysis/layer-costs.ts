/**
 * What one layer call costs, and how it widens the receptive field.
 *
 * The headline count is torchvision's (the "GFLOPS" column of its model table, which is in fact
 * multiply-accumulates): the multiply-adds of convolutions (standard, depthwise, grouped,
 * separable, transposed) and dense layers, nothing else. Every other operation is counted apart,
 * as `otherOps`, following ptflops where it has a rule, so that a user can add them or not:
 * - bias add: one op per output element (ptflops folds it into the conv; we keep it apart);
 * - BatchNormalization: one op per element, two when it has a scale or an offset (ptflops);
 * - activations (layers, or fused into a conv or dense): one op per output element, linear none;
 * - pooling, local or global: one op per input element (ptflops);
 * - element-wise merges: n - 1 ops per output element for n inputs (Average: n, the division);
 * - LRN over n channels: 2n + 4 ops per element (no tool publishes a rule; ours is in its cost);
 * - concatenation, padding, cropping, flatten, reshape, dropout (inference): none, they only move
 *   or keep data.
 * Layers this module does not know count nothing and are reported, never silently skipped. A
 * custom layer can report its own cost ({@link CountableLayer}) or be given one by class name
 * ({@link registerLayerCost}).
 */
import { adaptiveBins } from '../layers/adaptive-avg-pool2d.js';
import type { tf } from '../tf.js';

/**
 * How a layer maps input positions to output positions, for the receptive field.
 *
 * @category Analysis
 */
export type SpatialWindow =
  /** Each output position sees the same position of its input(s): activations, BN, merges, dense on a map. */
  | {
      /** Pointwise. */
      kind: 'pointwise';
    }
  /** A sliding window: convolutions and pooling. One entry per spatial axis. */
  | {
      /** A sliding window. */
      kind: 'window';
      /** Kernel (or pool) size per spatial axis. */
      kernel: number[];
      /** Stride per spatial axis. */
      stride: number[];
      /** Dilation per spatial axis. */
      dilation: number[];
    }
  /** A transposed convolution: the output grid is `stride` times finer. */
  | {
      /** Transposed. */
      kind: 'transposed';
      /** Kernel size per spatial axis. */
      kernel: number[];
      /** Stride (upsampling factor) per spatial axis. */
      stride: number[];
    }
  /** Every output sees the whole input: global pooling, flatten. */
  | {
      /** Global. */
      kind: 'global';
    };

/**
 * The cost of one call of a layer, for one example: what a {@link CostRule} returns.
 *
 * @category Analysis
 */
export interface LayerCost {
  /** Multiply-accumulates of convolutions and dense layers (the headline count). */
  macs: number;
  /** Every other arithmetic operation (bias, BN, activations, pooling...; ptflops' rules where it has one). */
  otherOps: number;
  /** How the layer widens the receptive field. */
  window: SpatialWindow;
}

/**
 * What a {@link CostRule} gets: the layer, its config, and its per-example shapes (batch axis
 * removed).
 *
 * @category Analysis
 */
export interface CostContext {
  /** The layer. */
  layer: tf.layers.Layer;
  /** Its `getConfig()`. */
  config: tf.serialization.ConfigDict;
  /** Its input shapes, per example. */
  inputShapes: number[][];
  /** Its output shapes, per example. */
  outputShapes: number[][];
}

/**
 * A cost rule for one layer class, for {@link registerLayerCost}.
 *
 * @category Analysis
 */
export type CostRule = (context: CostContext) => LayerCost;

/**
 * Methods a custom layer may define so that the counters and the summary know its cost. Shapes
 * are per example (no batch axis).
 *
 * @category Analysis
 */
export interface CountableLayer {
  /** Multiply-accumulates of one call (the headline count). */
  countMacs(inputShapes: number[][], outputShape: number[]): number;
  /** Other operations of one call; 0 if absent. */
  countOtherOps?(inputShapes: number[][], outputShape: number[]): number;
  /** How it widens the receptive field; pointwise if absent. */
  receptiveWindow?(): SpatialWindow;
}

const POINTWISE: SpatialWindow = { kind: 'pointwise' };
const GLOBAL: SpatialWindow = { kind: 'global' };
const FREE: LayerCost = { macs: 0, otherOps: 0, window: POINTWISE };

export function elements(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** `value` (a number or one per axis) as one number per axis. */
function perAxis(value: unknown, rank: number, fallback: number): number[] {
  if (Array.isArray(value)) return value.length === rank ? value.map(Number) : Array.from({ length: rank }, () => Number(value[0] ?? fallback));
  return Array.from({ length: rank }, () => (typeof value === 'number' ? value : fallback));
}

/** The number of positions of a feature map: its elements over its channels. */
function positions(shape: readonly number[], config: tf.serialization.ConfigDict): number {
  const channels = config.dataFormat === 'channelsFirst' ? shape[0] : shape[shape.length - 1];
  return elements(shape) / channels;
}

/** The shape of a layer's weight called `suffix` (`kernel`, `depthwise_kernel`...). */
function weightShape(layer: tf.layers.Layer, suffix: string): number[] {
  const weight = layer.weights.find((w) => w.originalName.split('/').at(-1) === suffix);
  if (!weight) throw new Error(`layer '${layer.name}' (${layer.getClassName()}) has no weight '${suffix}'`);
  return weight.shape as number[];
}

/** Ops of an activation fused into a layer: one per output element unless linear. */
function fusedActivationOps(config: tf.serialization.ConfigDict, outputElements: number): number {
  const activation = config.activation;
  return activation === undefined || activation === null || activation === 'linear' ? 0 : outputElements;
}

function biasOps(config: tf.serialization.ConfigDict, outputElements: number): number {
  return config.useBias === false ? 0 : outputElements;
}

/** The sliding window of a conv or pooling layer, from its config. */
function slidingWindow(config: tf.serialization.ConfigDict, spatialRank: number, sizeKey: 'kernelSize' | 'poolSize'): SpatialWindow {
  const kernel = perAxis(config[sizeKey], spatialRank, 1);
  // Keras: pooling strides default to the pool size.
  const stride = perAxis(config.strides ?? (sizeKey === 'poolSize' ? kernel : 1), spatialRank, 1);
  return { kind: 'window', kernel, stride, dilation: perAxis(config.dilationRate, spatialRank, 1) };
}

function spatialRankOf(context: CostContext): number {
  return context.outputShapes[0].length - 1;
}

/** Conv1D/2D/3D and the grouped conv: every output position multiplies the whole kernel. */
const convolution: CostRule = (context) => {
  const out = context.outputShapes[0];
  const kernel = weightShape(context.layer, 'kernel');
  return {
    macs: elements(kernel) * positions(out, context.config),
    otherOps: biasOps(context.config, elements(out)) + fusedActivationOps(context.config, elements(out)),
    window: slidingWindow(context.config, spatialRankOf(context), 'kernelSize'),
  };
};

/** Depthwise: kernel [k, k, in, multiplier], one output channel per (input channel, multiplier). */
const depthwise: CostRule = (context) => {
  const out = context.outputShapes[0];
  return {
    macs: elements(weightShape(context.layer, 'depthwise_kernel')) * positions(out, context.config),
    otherOps: biasOps(context.config, elements(out)) + fusedActivationOps(context.config, elements(out)),
    window: slidingWindow(context.config, spatialRankOf(context), 'kernelSize'),
  };
};

/** Separable: the depthwise part, then a 1x1 conv, both at the output's positions. */
const separable: CostRule = (context) => {
  const out = context.outputShapes[0];
  const perPosition = elements(weightShape(context.layer, 'depthwise_kernel')) + elements(weightShape(context.layer, 'pointwise_kernel'));
  return {
    macs: perPosition * positions(out, context.config),
    otherOps: biasOps(context.config, elements(out)) + fusedActivationOps(context.config, elements(out)),
    window: slidingWindow(context.config, spatialRankOf(context), 'kernelSize'),
  };
};

/** Transposed: every input position scatters the whole kernel (ptflops counts the same). */
const transposed: CostRule = (context) => {
  const out = context.outputShapes[0];
  const rank = spatialRankOf(context);
  return {
    macs: elements(weightShape(context.layer, 'kernel')) * positions(context.inputShapes[0], context.config),
    otherOps: biasOps(context.config, elements(out)) + fusedActivationOps(context.config, elements(out)),
    window: { kind: 'transposed', kernel: perAxis(context.config.kernelSize, rank, 1), stride: perAxis(context.config.strides, rank, 1) },
  };
};

/** Dense on [..., in]: kernel [in, units] at every leading position. */
const dense: CostRule = (context) => {
  const input = context.inputShapes[0];
  const out = context.outputShapes[0];
  return {
    macs: elements(weightShape(context.layer, 'kernel')) * (elements(input) / input[input.length - 1]),
    otherOps: biasOps(context.config, elements(out)) + fusedActivationOps(context.config, elements(out)),
    window: POINTWISE,
  };
};

const batchNorm: CostRule = ({ config, outputShapes }) => ({
  macs: 0,
  otherOps: elements(outputShapes[0]) * (config.center === false && config.scale === false ? 1 : 2),
  window: POINTWISE,
});

const perOutputElement: CostRule = ({ outputShapes }) => ({ macs: 0, otherOps: elements(outputShapes[0]), window: POINTWISE });

const activationLayer: CostRule = ({ config, outputShapes }) => ({
  macs: 0,
  otherOps: fusedActivationOps(config, elements(outputShapes[0])),
  window: POINTWISE,
});

const pooling: CostRule = (context) => ({
  macs: 0,
  otherOps: elements(context.inputShapes[0]),
  window: slidingWindow(context.config, spatialRankOf(context), 'poolSize'),
});

const globalPooling: CostRule = ({ inputShapes }) => ({ macs: 0, otherOps: elements(inputShapes[0]), window: GLOBAL });

const merge: CostRule = ({ inputShapes, outputShapes }) => ({
  macs: 0,
  otherOps: (inputShapes.length - 1) * elements(outputShapes[0]),
  window: POINTWISE,
});

const average: CostRule = ({ inputShapes, outputShapes }) => ({ macs: 0, otherOps: inputShapes.length * elements(outputShapes[0]), window: POINTWISE });

/** LeNet-5's trainable subsampling: a window sum per output, times a coefficient, plus a bias. */
const subsampling: CostRule = (context) => {
  const out = elements(context.outputShapes[0]);
  return {
    macs: 0,
    otherOps: elements(context.inputShapes[0]) + 2 * out + fusedActivationOps(context.config, out),
    window: slidingWindow(context.config, spatialRankOf(context), 'poolSize'),
  };
};

/**
 * LeNet-5's Euclidean RBF output: Σ_j (x_j - w_ij)² per unit, a multiply-add per weight like the
 * dense layer it stands in for; the subtractions go to the other ops.
 */
const euclideanRbf: CostRule = (context) => {
  const weights = elements(weightShape(context.layer, 'centers'));
  return { macs: weights, otherOps: weights + fusedActivationOps(context.config, elements(context.outputShapes[0])), window: POINTWISE };
};

/** LRN over n channels: per element, n squares summed (2n), k + α·sum (2), the power and the division (2). */
const localResponseNorm: CostRule = ({ config, outputShapes }) => ({
  macs: 0,
  otherOps: elements(outputShapes[0]) * (2 * Number(config.size) + 4),
  window: POINTWISE,
});

/** PyTorch's adaptive average pool: bins of (at most) ceil-sized windows, a fractional step on average. */
const adaptivePooling: CostRule = ({ inputShapes, outputShapes }) => {
  const spatialIn = inputShapes[0].slice(0, -1);
  const spatialOut = outputShapes[0].slice(0, -1);
  const kernel = spatialIn.map((size, axis) => Math.max(...adaptiveBins(size, spatialOut[axis]).map(([start, end]) => end - start)));
  const stride = spatialIn.map((size, axis) => size / spatialOut[axis]);
  return {
    macs: 0,
    otherOps: elements(inputShapes[0]),
    window: { kind: 'window', kernel, stride, dilation: kernel.map(() => 1) },
  };
};

const free: CostRule = () => FREE;
const freeGlobal: CostRule = () => ({ macs: 0, otherOps: 0, window: GLOBAL });

const rules = new Map<string, CostRule>([
  ['InputLayer', free],
  ['Conv1D', convolution],
  ['Conv2D', convolution],
  ['Conv3D', convolution],
  ['GroupedConv2D', convolution],
  ['DepthwiseConv2D', depthwise],
  ['SeparableConv2D', separable],
  ['Conv2DTranspose', transposed],
  ['Conv3DTranspose', transposed],
  ['Dense', dense],
  ['BatchNormalization', batchNorm],
  ['Activation', activationLayer],
  ['ReLU', perOutputElement],
  ['LeakyReLU', perOutputElement],
  ['PReLU', perOutputElement],
  ['ELU', perOutputElement],
  ['ThresholdedReLU', perOutputElement],
  ['Softmax', perOutputElement],
  ['Rescaling', ({ outputShapes }) => ({ macs: 0, otherOps: 2 * elements(outputShapes[0]), window: POINTWISE })],
  ['MaxPooling1D', pooling],
  ['MaxPooling2D', pooling],
  ['MaxPooling3D', pooling],
  ['AveragePooling1D', pooling],
  ['AveragePooling2D', pooling],
  ['AveragePooling3D', pooling],
  ['GlobalAveragePooling1D', globalPooling],
  ['GlobalAveragePooling2D', globalPooling],
  ['GlobalMaxPooling1D', globalPooling],
  ['GlobalMaxPooling2D', globalPooling],
  ['Add', merge],
  ['Multiply', merge],
  ['Maximum', merge],
  ['Minimum', merge],
  ['Average', average],
  ['Concatenate', free],
  ['ZeroPadding2D', free],
  ['Cropping2D', free],
  ['Dropout', free],
  ['SpatialDropout1D', free],
  ['GaussianDropout', free],
  ['GaussianNoise', free],
  ['AlphaDropout', free],
  ['Flatten', freeGlobal],
  ['Reshape', freeGlobal],
  ['Permute', freeGlobal],
  // The zoo's own layers (src/layers). The partial conv's kernel holds only the connected pairs,
  // so its MACs are LeNet's connections, as the paper counts them.
  ['PartialConv2D', convolution],
  ['SubSampling2D', subsampling],
  ['ScaledTanh', perOutputElement],
  ['EuclideanRBF', euclideanRbf],
  ['LocalResponseNormalization', localResponseNorm],
  ['AdaptiveAveragePooling2D', adaptivePooling],
]);

/**
 * Gives the counters a cost rule for a layer class they do not know (a custom layer you cannot
 * add {@link CountableLayer} methods to). A class that already has a rule is refused.
 *
 * @category Analysis
 */
export function registerLayerCost(className: string, rule: CostRule): void {
  if (rules.has(className)) throw new Error(`registerLayerCost: layer class '${className}' already has a cost rule`);
  rules.set(className, rule);
}

/** Whether a layer class has a cost rule. */
export function hasLayerCost(className: string): boolean {
  return rules.has(className);
}

function isCountable(layer: tf.layers.Layer): layer is tf.layers.Layer & CountableLayer {
  return typeof (layer as Partial<CountableLayer>).countMacs === 'function';
}

/** A cost, or why there is none. */
export type CostResult = { counted: true; cost: LayerCost } | { counted: false; reason: string; cost: LayerCost };

/** The cost of one call of `layer` on these per-example shapes. */
export function layerCost(layer: tf.layers.Layer, inputShapes: readonly (readonly (number | null)[])[], outputShapes: readonly (readonly (number | null)[])[]): CostResult {
  const type = layer.getClassName();
  if ([...inputShapes, ...outputShapes].some((shape) => shape.some((size) => size === null))) {
    return { counted: false, reason: 'its input size is not fixed (a dimension is null)', cost: FREE };
  }
  const ins = inputShapes as number[][];
  const outs = outputShapes as number[][];
  if (isCountable(layer)) {
    return {
      counted: true,
      cost: {
        macs: layer.countMacs(ins, outs[0]),
        otherOps: layer.countOtherOps?.(ins, outs[0]) ?? 0,
        window: layer.receptiveWindow?.() ?? POINTWISE,
      },
    };
  }
  const rule = rules.get(type);
  if (!rule) return { counted: false, reason: `no cost rule for layer class '${type}'`, cost: FREE };
  return { counted: true, cost: rule({ layer, config: layer.getConfig(), inputShapes: ins, outputShapes: outs }) };
}
