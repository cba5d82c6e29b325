/**
 * MobileNet V2: Sandler, Howard, Zhu, Zhmoginov, Chen, "MobileNetV2: Inverted Residuals and Linear
 * Bottlenecks", CVPR 2018, Table 2 (https://arxiv.org/abs/1801.04381): a 3x3 stem, inverted
 * residual blocks looped over Table 2's `(t, c, n, s)` rows, a 1x1 head convolution, global pooling
 * and a dense classifier.
 *
 * Keras Applications' `MobileNetV2` layer for layer, by name (so its ImageNet weights load by name),
 * in two variants that compute as their library does: `keras` (the default) and `torchvision`. As
 * both, departing from the paper's text: channels are `alpha` times the table's, rounded to
 * multiples of 8; the head's 1280 channels are widened by alpha > 1 but never narrowed (after the
 * paper's Section 6.1); the first block has no expansion layer (t = 1).
 */
import { z } from 'zod';
import { torchBatchNorm } from '../../blocks/batch-norm.js';
import { poolAndClassify } from '../../blocks/classifier.js';
import { applyPaddingMode, convBnAct } from '../../blocks/conv-bn-act.js';
import { correctPad } from '../../blocks/correct-pad.js';
import { makeDivisible } from '../../blocks/make-divisible.js';
import { positiveInt, positiveNumber, rate, strideOneOrTwo } from '../../config.js';
import { glorotUniform, heNormalFanOut, zeros, type InitSpec } from '../../init.js';
import type { Net, NetGraph } from '../../net/net.js';
import { modelOptionsSchema, variantOption } from '../../options.js';
import { defineFamily } from '../family.js';
import { stagesByStride } from '../stages.js';
import { kerasTf, torchvisionImagenet } from '../preprocessing.js';
import { mobilenetV2TorchvisionNames } from './torchvision.js';
// Unused in the code: in scope, it makes the builders' declarations name their return type
// tf.LayersModel (@tensorflow/tfjs) rather than import it from tfjs-layers, not a dependency.
import type { tf } from '../../tf.js';

/**
 * MobileNet V2's architecture: Table 2's stem, bottleneck rows `(t, c, n, s)` and head.
 *
 * @category MobileNet V2
 */
export const MobileNetV2ArchitectureSchema = z.strictObject({
  /** Table 2's first `conv2d` (3x3). */
  stem: z.strictObject({
    /** Filters of the 3x3 stem convolution, before alpha. */
    filters: positiveInt(),
    /** Stride of the stem convolution: 1 or 2. */
    stride: strideOneOrTwo(),
  }),
  /** The bottleneck rows, in order. */
  blocks: z
    .array(
      z.strictObject({
        /** t: expansion factor of the first 1x1 convolution. */
        t: positiveInt(),
        /** c: output channels, before alpha. */
        c: positiveInt(),
        /** n: number of blocks. */
        n: positiveInt(),
        /** s: stride of the first block (the others have stride 1): 1 or 2. */
        s: strideOneOrTwo(),
      }),
    )
    .min(1, { error: 'must list at least one row' }),
  /** Table 2's `conv2d 1x1` before the pooling; alpha widens it but never narrows it. */
  head: z.strictObject({
    /** Filters of the 1x1 head convolution. */
    filters: positiveInt(),
  }),
});

/**
 * MobileNet V2's architecture as written.
 *
 * @category MobileNet V2
 */
export type MobileNetV2ArchitectureInput = z.input<typeof MobileNetV2ArchitectureSchema>;

/** Table 2: the stem, the `(t, c, n, s)` rows and the head, at alpha 1. */
const table2: MobileNetV2ArchitectureInput = {
  stem: { filters: 32, stride: 2 }, // conv2d, 32, s2: 224^2x3 -> 112^2x32
  blocks: [
    { t: 1, c: 16, n: 1, s: 1 }, // -> 112^2x16
    { t: 6, c: 24, n: 2, s: 2 }, // -> 56^2x24
    { t: 6, c: 32, n: 3, s: 2 }, // -> 28^2x32
    { t: 6, c: 64, n: 4, s: 2 }, // -> 14^2x64
    { t: 6, c: 96, n: 3, s: 1 }, // -> 14^2x96
    { t: 6, c: 160, n: 3, s: 2 }, // -> 7^2x160
    { t: 6, c: 320, n: 1, s: 1 }, // -> 7^2x320
  ],
  head: { filters: 1280 }, // conv2d 1x1, 1280: 7^2x320 -> 7^2x1280
};

/**
 * How a MobileNet V2 variant pads, normalises and initialises.
 *
 * @category MobileNet V2
 */
export interface MobileNetV2Style {
  /**
   * How the stride-2 convolutions (the stem, and each stride-2 depthwise) pad: `keras`, TF's way
   * (the stem 'same', the blocks Keras's `correct_pad`: the odd pixel at the bottom/right), or
   * `symmetric`, PyTorch's `k // 2` on every side.
   */
  stridedPadding: 'keras' | 'symmetric';
  /** BatchNorm after every conv. */
  batchNorm: { epsilon: number; momentum: number };
  /** Initialisation of every conv. */
  kernelInit: InitSpec;
  /** Initialisation of the classifier. */
  classifierInit: { kernel: InitSpec; bias: InitSpec };
  /** Dropout before the classifier, by default. */
  dropout: number;
}

/**
 * The variants' styles. torchvision's MobileNet V2 differs from Keras's in exactly two ways that
 * change its numbers, both measured against the real torchvision: it pads every stride-2 conv by
 * one pixel on all sides, and its BatchNorm epsilon is 1e-5 (Keras: 1e-3). Its init (kaiming
 * fan-out convs, N(0, 0.01) classifier) and its dropout of 0.2 change only training.
 *
 * @category MobileNet V2
 */
export const mobilenetV2Styles = {
  keras: {
    stridedPadding: 'keras',
    batchNorm: { epsilon: 1e-3, momentum: 0.999 },
    kernelInit: glorotUniform,
    classifierInit: { kernel: glorotUniform, bias: zeros },
    dropout: 0,
  },
  torchvision: {
    stridedPadding: 'symmetric',
    batchNorm: torchBatchNorm,
    kernelInit: heNormalFanOut,
    classifierInit: { kernel: { kind: 'normal', std: 0.01 }, bias: zeros },
    dropout: 0.2,
  },
} as const satisfies Record<string, MobileNetV2Style>;

const MobileNetV2OptionsSchema = modelOptionsSchema(
  { numClasses: 1000, inputShape: [224, 224, 3], dropout: 0 },
  {
    /** 'keras' (default; loads Keras Applications' weights) or 'torchvision' (pads and normalises as torchvision does; loads its weights). */
    variant: variantOption(mobilenetV2Styles, "'keras' or 'torchvision'"),
    /** Dropout before the classifier: by default the variant's (0 Keras, 0.2 torchvision). */
    dropout: rate().optional(),
    /** The stem, the `(t, c, n, s)` rows and the head ({@link MobileNetV2ArchitectureInput}); default Table 2. */
    architecture: MobileNetV2ArchitectureSchema.default(table2),
    /** Width multiplier, then rounded to multiples of 8. Default 1; Keras's weights exist for 0.35, 0.5, 0.75, 1, 1.3, 1.4. */
    alpha: positiveNumber().default(1),
  },
).transform((options) => ({ ...options, dropout: options.dropout ?? mobilenetV2Styles[options.variant].dropout }));

/**
 * Options of {@link mobilenetV2}: `variant` ('keras'), `alpha` (1), `architecture` (Table 2), and
 * the shared options with MobileNet V2's defaults (`numClasses` 1000, `inputShape` [224, 224, 3],
 * `dropout` 0 Keras / 0.2 torchvision).
 *
 * @useDeclaredType
 * @category MobileNet V2
 */
export type MobileNetV2Options = z.input<typeof MobileNetV2OptionsSchema>;
type MobileNetV2Config = z.output<typeof MobileNetV2OptionsSchema>;

/** Keras's block prefix: its first block is `expanded_conv_`, the others `block_{id}_`. */
const blockPrefix = (blockId: number) => (blockId === 0 ? 'expanded_conv_' : `block_${blockId}_`);

/**
 * An inverted residual with a linear bottleneck (Table 1, Figure 4): 1x1 expand to t times the
 * input channels -> BN -> ReLU6, 3x3 depthwise (stride s) -> BN -> ReLU6, 1x1 linear projection ->
 * BN, and an identity shortcut when stride 1 keeps the channels. Named as Keras names block
 * `blockId`: `{prefix}expand`, `_expand_BN`, `_expand_relu`, `{prefix}pad`, `{prefix}depthwise`,
 * `_depthwise_BN`, `_depthwise_relu`, `{prefix}project`, `_project_BN`, `{prefix}add`. The
 * expansion is left out when t = 1 (Keras leaves out block 0's whatever the table says; with
 * Table 2 the two agree).
 *
 * @category MobileNet V2
 */
export function invertedResidualBlock<T>(
  net: Net<T>,
  x: T,
  row: { t: number; c: number; s: 1 | 2 },
  options: { blockId: number; alpha: number },
  style: MobileNetV2Style = mobilenetV2Styles.keras,
): T {
  const prefix = blockPrefix(options.blockId);
  const inChannels = net.shape(x)[2];
  const outChannels = makeDivisible(Math.floor(row.c * options.alpha), 8);
  const unit = { kernelSize: 1, padding: 'same', batchNorm: style.batchNorm, kernelInit: style.kernelInit } as const;
  let y = x;
  if (row.t !== 1) {
    y = convBnAct(net, y, { ...unit, names: { conv: `${prefix}expand`, bn: `${prefix}expand_BN`, activation: `${prefix}expand_relu` }, filters: row.t * inChannels, activation: 'relu6' });
  }
  // depthwise. Stride 2 in Keras's style: correct_pad then 'valid', which gives ceil(n / 2) like 'same'.
  let padding: 'same' | 'valid' = 'same';
  if (row.s === 2 && style.stridedPadding === 'keras') [y, padding] = [net.zeroPad(y, correctPad(net.shape(y), 3), `${prefix}pad`), 'valid'];
  else if (row.s === 2) [y, padding] = applyPaddingMode(net, y, 'symmetric', { kernelSize: 3, strides: 2, padName: `${prefix}pad` });
  y = net.depthwiseConv2d(y, { name: `${prefix}depthwise`, kernelSize: 3, strides: row.s, padding, useBias: false, kernelInit: style.kernelInit });
  y = net.batchNorm(y, { name: `${prefix}depthwise_BN`, ...style.batchNorm });
  y = net.activation(y, 'relu6', `${prefix}depthwise_relu`);
  // project: linear (the paper's linear bottleneck)
  y = convBnAct(net, y, { ...unit, names: { conv: `${prefix}project`, bn: `${prefix}project_BN` }, filters: outChannels, activation: null });
  return row.s === 1 && inChannels === outChannels ? net.add([x, y], `${prefix}add`) : y;
}

function describeMobileNetV2<T>(net: Net<T>, config: MobileNetV2Config): NetGraph<T> {
  const style = mobilenetV2Styles[config.variant];
  const { architecture, alpha } = config;
  const input = net.input(config.inputShape, 'input');
  // stem: Keras rounds 32 * alpha directly (no int() first, unlike the blocks), 'same' padding.
  let x = convBnAct(net, input, {
    names: { conv: 'Conv1', bn: 'bn_Conv1', activation: 'Conv1_relu' },
    filters: makeDivisible(architecture.stem.filters * alpha, 8),
    kernelSize: 3,
    strides: architecture.stem.stride,
    padding: style.stridedPadding === 'keras' ? 'same' : 'symmetric',
    activation: 'relu6',
    batchNorm: style.batchNorm,
    kernelInit: style.kernelInit,
  });
  let blockId = 0;
  for (const row of architecture.blocks) {
    for (let repeat = 0; repeat < row.n; repeat++) {
      x = invertedResidualBlock(net, x, { t: row.t, c: row.c, s: repeat === 0 ? row.s : 1 }, { blockId, alpha }, style);
      blockId++;
    }
  }
  // head: "no alpha applied to last conv" (Keras) below alpha 1.
  const headFilters = alpha > 1 ? makeDivisible(architecture.head.filters * alpha, 8) : architecture.head.filters;
  x = convBnAct(net, x, {
    names: { conv: 'Conv_1', bn: 'Conv_1_bn', activation: 'out_relu' },
    filters: headFilters,
    kernelSize: 1,
    padding: 'valid',
    activation: 'relu6',
    batchNorm: style.batchNorm,
    kernelInit: style.kernelInit,
  });
  const output = poolAndClassify(net, x, config, { pool: 'global_average_pooling2d', dropout: 'dropout', classifier: 'predictions' }, style.classifierInit);
  return { inputs: [input], outputs: [output] };
}

/**
 * MobileNet V2's family: one model, Table 2.
 *
 * @category MobileNet V2
 */
export const mobilenetV2Family = defineFamily({
  name: 'mobilenetV2',
  paper: { title: 'MobileNetV2: Inverted Residuals and Linear Bottlenecks', authors: 'Sandler, Howard, Zhu, Zhmoginov, Chen', year: 2018, url: 'https://arxiv.org/abs/1801.04381' },
  table: 'Table 2',
  schema: MobileNetV2OptionsSchema,
  describe: describeMobileNetV2,
  models: { mobilenetV2: { table: 'Table 2' } },
  sources: {
    torchvision: { variant: 'torchvision', names: mobilenetV2TorchvisionNames, preprocessing: torchvisionImagenet },
    keras: { preprocessing: kerasTf },
  },
  // timm's feature_info: the last block before each stride-2 block, and the last block (not the head).
  stages: ({ architecture }) => {
    const blocks = architecture.blocks.flatMap((row) => Array.from({ length: row.n }, (_, repeat) => (repeat === 0 ? row.s : 1)));
    return stagesByStride([{ block: 'Conv1', stride: architecture.stem.stride }, ...blocks.map((stride, id) => ({ block: blockPrefix(id).slice(0, -1), stride }))], 1);
  },
});

/**
 * MobileNet V2 with Keras Applications' layer names: 3,538,984 parameters at alpha 1 with 1000
 * classes.
 *
 * @example
 * ```ts
 * const model = mobilenetV2({ alpha: 0.5, inputShape: [128, 128, 3], numClasses: 10 });
 * ```
 *
 * @category MobileNet V2
 */
export const mobilenetV2 = mobilenetV2Family.definitions.mobilenetV2.build;
