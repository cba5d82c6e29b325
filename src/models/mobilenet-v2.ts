/**
 * MobileNet V2 (Sandler et al. 2018): a 3x3 stem, inverted residual blocks looped over Table 2's
 * `(t, c, n, s)` rows (`architectures/mobilenet-v2.ts`), a 1x1 head convolution, global pooling and
 * a dense classifier.
 *
 * Follows Keras Applications' `keras.applications.MobileNetV2` layer for layer, by name and by
 * number, so that Keras's ImageNet weights load by name: BatchNormalization with epsilon 1e-3 and
 * momentum 0.999, ReLU(max 6), glorot-uniform kernels, channels rounded to multiples of 8.
 */
import { z } from 'zod';
import { mobilenetV2Paper } from '../../architectures/mobilenet-v2.js';
import { poolAndClassify } from '../blocks/classifier.js';
import { convBnAct } from '../blocks/conv-bn-act.js';
import { correctPad } from '../blocks/correct-pad.js';
import { makeDivisible } from '../blocks/make-divisible.js';
import { positiveInt, positiveNumber } from '../config.js';
import { glorotUniform, zeros } from '../init.js';
import type { Net, NetGraph } from '../net/net.js';
import { modelOptionsSchema } from '../options.js';
import type { tf } from '../tf.js';
import { buildModel, type ModelDefinition } from './model-definition.js';

const stride = z.literal([1, 2], { error: 'must be 1 or 2' });

/** One bottleneck row of Table 2. */
export const MobileNetV2RowSchema = z.strictObject({
  t: positiveInt().describe('expansion factor of the first 1x1 convolution'),
  c: positiveInt().describe('output channels, before alpha'),
  n: positiveInt().describe('number of blocks'),
  s: stride.describe('stride of the first block (the others have stride 1)'),
});
export type MobileNetV2Row = z.output<typeof MobileNetV2RowSchema>;

/** MobileNet V2's architecture: Table 2's stem, bottleneck rows and head. */
export const MobileNetV2ArchitectureSchema = z.strictObject({
  /** Table 2's first `conv2d` (3x3). */
  stem: z.strictObject({
    filters: positiveInt().describe('filters of the 3x3 stem convolution, before alpha'),
    stride: stride.describe('stride of the stem convolution'),
  }),
  blocks: z.array(MobileNetV2RowSchema).min(1, { error: 'must list at least one row' }),
  /** Table 2's `conv2d 1x1` before the pooling; alpha widens it but never narrows it. */
  head: z.strictObject({ filters: positiveInt().describe('filters of the 1x1 head convolution') }),
});
export type MobileNetV2Architecture = z.output<typeof MobileNetV2ArchitectureSchema>;
export type MobileNetV2ArchitectureInput = z.input<typeof MobileNetV2ArchitectureSchema>;

/** Options of {@link mobilenetV2}. */
export const MobileNetV2OptionsSchema = modelOptionsSchema(
  // Keras's MobileNetV2 has no dropout; torchvision's has 0.2 before the classifier.
  { numClasses: 1000, inputShape: [224, 224, 3], dropout: 0 },
  {
    /** The stem, the `(t, c, n, s)` rows and the head; defaults to Table 2. */
    architecture: MobileNetV2ArchitectureSchema.default(mobilenetV2Paper as MobileNetV2Architecture).describe('the stem, bottleneck rows and head'),
    /** Width multiplier; widths are then rounded to multiples of 8 (Keras's `_make_divisible`). */
    alpha: positiveNumber().default(1).describe('width multiplier'),
  },
);
export type MobileNetV2Options = z.input<typeof MobileNetV2OptionsSchema>;
type MobileNetV2Config = z.output<typeof MobileNetV2OptionsSchema>;

const batchNorm = { epsilon: 1e-3, momentum: 0.999 };

/** One inverted residual block: Table 2's row with its own stride (`s` of the row's first block, else 1). */
export interface InvertedResidualRow {
  /** Expansion factor. */
  t: number;
  /** Output channels before alpha. */
  c: number;
  /** This block's stride. */
  s: 1 | 2;
}

/**
 * Keras's block prefix: its first block is `expanded_conv_`, the others `block_{id}_`.
 */
export function invertedResidualPrefix(blockId: number): string {
  return blockId === 0 ? 'expanded_conv_' : `block_${blockId}_`;
}

/**
 * An inverted residual with a linear bottleneck (Sandler et al., Table 1 and Figure 4): 1x1 expand
 * to t times the input channels, 3x3 depthwise, 1x1 linear projection, and an identity shortcut
 * when the shapes allow it. Named as Keras names block `blockId`.
 *
 * The projection has `makeDivisible(int(c * alpha), 8)` channels, exactly as Keras computes it.
 * Keras leaves out the expansion of its block 0 whatever the table says; here it is left out when
 * t = 1 (an expansion by 1 is a plain 1x1 conv the paper does not have). With Table 2 the two agree.
 */
export function invertedResidualBlock<T>(net: Net<T>, x: T, row: InvertedResidualRow, options: { blockId: number; alpha: number }): T {
  const prefix = invertedResidualPrefix(options.blockId);
  const inChannels = net.shape(x)[2];
  const outChannels = makeDivisible(Math.floor(row.c * options.alpha), 8);
  let y = x;
  // expand
  if (row.t !== 1) {
    y = convBnAct(net, y, {
      names: { conv: `${prefix}expand`, bn: `${prefix}expand_BN`, activation: `${prefix}expand_relu` },
      filters: row.t * inChannels,
      kernelSize: 1,
      padding: 'same',
      activation: 'relu6',
      batchNorm,
      kernelInit: glorotUniform,
    });
  }
  // depthwise. Stride 2: Keras's correct_pad then 'valid', which gives ceil(n / 2) like 'same'.
  if (row.s === 2) y = net.zeroPad(y, correctPad(net.shape(y), 3), `${prefix}pad`);
  y = net.depthwiseConv2d(y, {
    name: `${prefix}depthwise`,
    kernelSize: 3,
    strides: row.s,
    padding: row.s === 1 ? 'same' : 'valid',
    useBias: false,
    kernelInit: glorotUniform,
  });
  y = net.batchNorm(y, { name: `${prefix}depthwise_BN`, ...batchNorm });
  y = net.activation(y, 'relu6', `${prefix}depthwise_relu`);
  // project: linear, no activation (the paper's linear bottleneck)
  y = convBnAct(net, y, {
    names: { conv: `${prefix}project`, bn: `${prefix}project_BN` },
    filters: outChannels,
    kernelSize: 1,
    padding: 'same',
    activation: null,
    batchNorm,
    kernelInit: glorotUniform,
  });
  if (row.s === 1 && inChannels === outChannels) y = net.add([x, y], `${prefix}add`);
  return y;
}

function describeMobileNetV2<T>(net: Net<T>, config: MobileNetV2Config): NetGraph<T> {
  const { architecture, alpha } = config;
  const input = net.input(config.inputShape, 'input');
  // stem: Keras rounds 32 * alpha directly (no int() first, unlike the blocks), 'same' padding.
  let x = convBnAct(net, input, {
    names: { conv: 'Conv1', bn: 'bn_Conv1', activation: 'Conv1_relu' },
    filters: makeDivisible(architecture.stem.filters * alpha, 8),
    kernelSize: 3,
    strides: architecture.stem.stride,
    padding: 'same',
    activation: 'relu6',
    batchNorm,
    kernelInit: glorotUniform,
  });
  let blockId = 0;
  for (const row of architecture.blocks) {
    for (let repeat = 0; repeat < row.n; repeat++) {
      x = invertedResidualBlock(net, x, { t: row.t, c: row.c, s: repeat === 0 ? row.s : 1 }, { blockId, alpha });
      blockId++;
    }
  }
  // head: "no alpha applied to last conv" (Keras, after the paper's Section 6.1) below alpha 1.
  const headFilters = alpha > 1 ? makeDivisible(architecture.head.filters * alpha, 8) : architecture.head.filters;
  x = convBnAct(net, x, {
    names: { conv: 'Conv_1', bn: 'Conv_1_bn', activation: 'out_relu' },
    filters: headFilters,
    kernelSize: 1,
    padding: 'valid',
    activation: 'relu6',
    batchNorm,
    kernelInit: glorotUniform,
  });
  const output = poolAndClassify(net, x, config, { pool: 'global_average_pooling2d', dropout: 'dropout', classifier: 'predictions' }, { kernel: glorotUniform, bias: zeros });
  return { inputs: [input], outputs: [output] };
}

export const mobilenetV2Definition: ModelDefinition<typeof MobileNetV2OptionsSchema> = {
  name: 'mobilenetV2',
  schema: MobileNetV2OptionsSchema,
  describe: describeMobileNetV2,
  paper: {
    title: 'MobileNetV2: Inverted Residuals and Linear Bottlenecks',
    authors: 'Sandler, Howard, Zhu, Zhmoginov, Chen',
    year: 2018,
    url: 'https://arxiv.org/abs/1801.04381',
    table: 'Table 2',
  },
};

/**
 * MobileNet V2 with Keras Applications' layer names: 3,538,984 parameters at alpha 1 with 1000
 * classes.
 *
 * @example
 * ```ts
 * const model = mobilenetV2({ alpha: 0.5, inputShape: [128, 128, 3], numClasses: 10 });
 * ```
 */
export function mobilenetV2(options: MobileNetV2Options = {}): tf.LayersModel {
  return buildModel(mobilenetV2Definition, options);
}
