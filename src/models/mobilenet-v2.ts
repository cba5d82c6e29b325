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

/**
 * One bottleneck row of MobileNet V2's Table 2, `(t, c, n, s)`.
 *
 * @example
 * ```ts
 * const row = MobileNetV2RowSchema.parse({ t: 6, c: 24, n: 2, s: 2 });
 * ```
 *
 * @category MobileNet V2
 */
export const MobileNetV2RowSchema = z.strictObject({
  /** t: expansion factor of the first 1x1 convolution. */
  t: positiveInt().describe('expansion factor of the first 1x1 convolution'),
  /** c: output channels, before alpha. */
  c: positiveInt().describe('output channels, before alpha'),
  /** n: number of blocks. */
  n: positiveInt().describe('number of blocks'),
  /** s: stride of the first block (the others have stride 1): 1 or 2. */
  s: stride.describe('stride of the first block (the others have stride 1)'),
});
/**
 * One parsed row of MobileNet V2's table.
 *
 * @example
 * ```ts
 * const rows: MobileNetV2Row[] = parseConfig(MobileNetV2OptionsSchema, {}).architecture.blocks;
 * rows.reduce((blocks, row) => blocks + row.n, 0); // 17
 * ```
 *
 * @useDeclaredType
 * @category MobileNet V2
 */
export type MobileNetV2Row = z.output<typeof MobileNetV2RowSchema>;

/**
 * MobileNet V2's architecture: Table 2's stem, bottleneck rows and head. Table 2 is
 * `mobilenetV2Paper` in `architectures/mobilenet-v2.ts`, the default.
 *
 * @example
 * ```ts
 * const small = MobileNetV2ArchitectureSchema.parse({
 *   stem: { filters: 16, stride: 2 },
 *   blocks: [{ t: 1, c: 16, n: 1, s: 1 }, { t: 6, c: 24, n: 2, s: 2 }, { t: 6, c: 32, n: 2, s: 2 }],
 *   head: { filters: 256 },
 * });
 * const model = mobilenetV2({ architecture: small, inputShape: [96, 96, 3], numClasses: 2 });
 * ```
 *
 * @category MobileNet V2
 */
export const MobileNetV2ArchitectureSchema = z.strictObject({
  /** Table 2's first `conv2d` (3x3). */
  stem: z.strictObject({
    /** Filters of the 3x3 stem convolution, before alpha. */
    filters: positiveInt().describe('filters of the 3x3 stem convolution, before alpha'),
    /** Stride of the stem convolution: 1 or 2. */
    stride: stride.describe('stride of the stem convolution'),
  }),
  /** The bottleneck rows, in order ({@link MobileNetV2RowSchema}). */
  blocks: z.array(MobileNetV2RowSchema).min(1, { error: 'must list at least one row' }),
  /** Table 2's `conv2d 1x1` before the pooling; alpha widens it but never narrows it. */
  head: z.strictObject({
    /** Filters of the 1x1 head convolution. */
    filters: positiveInt().describe('filters of the 1x1 head convolution'),
  }),
});
/**
 * MobileNet V2's architecture as parsed.
 *
 * @example
 * ```ts
 * const table: MobileNetV2Architecture = parseConfig(MobileNetV2OptionsSchema, {}).architecture;
 * table.head.filters; // 1280
 * ```
 *
 * @useDeclaredType
 * @category MobileNet V2
 */
export type MobileNetV2Architecture = z.output<typeof MobileNetV2ArchitectureSchema>;
/**
 * MobileNet V2's architecture as written: what `architecture` takes.
 *
 * @example
 * ```ts
 * const table: MobileNetV2ArchitectureInput = { stem: { filters: 32, stride: 2 }, blocks: [{ t: 1, c: 16, n: 1, s: 1 }], head: { filters: 128 } };
 * ```
 *
 * @useDeclaredType
 * @category MobileNet V2
 */
export type MobileNetV2ArchitectureInput = z.input<typeof MobileNetV2ArchitectureSchema>;

/**
 * Options of {@link mobilenetV2}, as a zod schema: the shared options (defaults: `numClasses`
 * 1000, `inputShape` [224, 224, 3], `dropout` 0) plus `architecture` and `alpha`. Field by field in
 * {@link MobileNetV2Options}.
 *
 * @example
 * ```ts
 * parseConfig(MobileNetV2OptionsSchema, { alpha: 1.4 }).alpha; // 1.4
 * ```
 *
 * @category MobileNet V2
 */
export const MobileNetV2OptionsSchema = modelOptionsSchema(
  // Keras's MobileNetV2 has no dropout; torchvision's has 0.2 before the classifier.
  { numClasses: 1000, inputShape: [224, 224, 3], dropout: 0 },
  {
    /** The stem, the `(t, c, n, s)` rows and the head ({@link MobileNetV2ArchitectureInput}); defaults to Table 2. */
    architecture: MobileNetV2ArchitectureSchema.default(mobilenetV2Paper as MobileNetV2Architecture).describe('the stem, bottleneck rows and head'),
    /** Width multiplier; widths are then rounded to multiples of 8 ({@link makeDivisible}). Default 1; Keras's weights exist for 0.35, 0.5, 0.75, 1, 1.3, 1.4. */
    alpha: positiveNumber().default(1).describe('width multiplier'),
  },
);
/**
 * Options of {@link mobilenetV2}, every one optional: the shared options with MobileNet V2's
 * defaults (`numClasses` 1000, `inputShape` [224, 224, 3], `dropout` 0) and its own.
 *
 * @example
 * ```ts
 * const options: MobileNetV2Options = { alpha: 1.4, dropout: 0.2 }; // torchvision puts 0.2 before its classifier
 * ```
 *
 * @useDeclaredType
 * @category MobileNet V2
 */
export type MobileNetV2Options = z.input<typeof MobileNetV2OptionsSchema>;
type MobileNetV2Config = z.output<typeof MobileNetV2OptionsSchema>;

const batchNorm = { epsilon: 1e-3, momentum: 0.999 };

/**
 * One inverted residual block for {@link invertedResidualBlock}: Table 2's row with its own stride
 * (`s` of the row's first block, else 1).
 *
 * @example
 * ```ts
 * const block: InvertedResidualRow = { t: 6, c: 24, s: 2 };
 * ```
 *
 * @category MobileNet V2
 */
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
 *
 * @example
 * ```ts
 * invertedResidualPrefix(0); // 'expanded_conv_'
 * invertedResidualPrefix(3); // 'block_3_'
 * ```
 *
 * @category MobileNet V2
 */
export function invertedResidualPrefix(blockId: number): string {
  return blockId === 0 ? 'expanded_conv_' : `block_${blockId}_`;
}

/**
 * An inverted residual with a linear bottleneck (Sandler et al., "MobileNetV2: Inverted Residuals
 * and Linear Bottlenecks", https://arxiv.org/abs/1801.04381, Table 1 and Figure 4): 1x1 expand to
 * t times the input channels -> BN -> ReLU6, 3x3 depthwise (stride s) -> BN -> ReLU6, 1x1 linear
 * projection -> BN, and an identity shortcut when the shapes allow it (stride 1, same channels).
 * No biases; BN epsilon 1e-3, momentum 0.999 (Keras's). Works on any {@link Net}.
 *
 * Named as Keras names block `blockId` (prefix {@link invertedResidualPrefix}): `{prefix}expand`,
 * `_expand_BN`, `_expand_relu`, `{prefix}pad` (stride 2, Keras's {@link correctPad}),
 * `{prefix}depthwise`, `_depthwise_BN`, `_depthwise_relu`, `{prefix}project`, `_project_BN`,
 * `{prefix}add`.
 *
 * The projection has `makeDivisible(int(c * alpha), 8)` channels, exactly as Keras computes it.
 * Keras leaves out the expansion of its block 0 whatever the table says; here it is left out when
 * t = 1 (an expansion by 1 is a plain 1x1 conv the paper does not have). With Table 2 the two agree.
 *
 * @param row - Expansion t, output channels c (before alpha), this block's stride s.
 * @param options - Keras's block number (from 0) and the width multiplier.
 *
 * @example
 * ```ts
 * x = invertedResidualBlock(net, x, { t: 6, c: 24, s: 2 }, { blockId: 1, alpha: 1 }); // block_1_expand ... block_1_project_BN
 * ```
 *
 * @category MobileNet V2
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

/**
 * MobileNet V2's registry entry (`mobilenetV2`).
 *
 * @example
 * ```ts
 * planModel(mobilenetV2Definition, { includeTop: false }).at(-1)?.outputShape; // [7, 7, 1280]
 * ```
 *
 * @category MobileNet V2
 */
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
 * Paper: Sandler, Howard, Zhu, Zhmoginov, Chen, "MobileNetV2: Inverted Residuals and Linear
 * Bottlenecks", CVPR 2018, Table 2 (https://arxiv.org/abs/1801.04381).
 *
 * A 3x3 stem, the {@link invertedResidualBlock}s looped over Table 2's `(t, c, n, s)` rows, the
 * 1x1 head convolution, global average pooling and a dense classifier, layer for layer as Keras's
 * `MobileNetV2` (so its ImageNet weights load by name). Channels are `alpha` times the table's,
 * rounded to multiples of 8 ({@link makeDivisible}). As Keras, departing from the paper's text:
 * the head's 1280 channels are widened by alpha > 1 but never narrowed (Keras, after Section
 * 6.1); the first block has no expansion layer (t = 1 in Table 2); stride-2 blocks pad with
 * {@link correctPad} then 'valid'. No dropout by default (torchvision has 0.2).
 *
 * Options (all optional, see {@link MobileNetV2Options}): `alpha` (1), `architecture` (Table 2),
 * and the shared `numClasses` (1000), `inputShape` ([224, 224, 3]), `includeTop` (true),
 * `pooling`, `classifierActivation` ('softmax'), `dropout` (0), `seed` (random), `initialize`
 * (true).
 *
 * Layer names (Keras's): `Conv1`, `bn_Conv1`, `Conv1_relu`, `expanded_conv_*`, `block_<i>_*`
 * (see {@link invertedResidualBlock}), `Conv_1`, `Conv_1_bn`, `out_relu`,
 * `global_average_pooling2d`, `dropout`, `predictions`.
 *
 * @example
 * ```ts
 * const model = mobilenetV2({ alpha: 0.5, inputShape: [128, 128, 3], numClasses: 10 });
 * ```
 *
 * @category MobileNet V2
 */
export function mobilenetV2(options: MobileNetV2Options = {}): tf.LayersModel {
  return buildModel(mobilenetV2Definition, options);
}
