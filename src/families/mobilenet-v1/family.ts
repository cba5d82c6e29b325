/**
 * MobileNet V1: Howard, Zhu, Chen, Kalenichenko, Wang, Weyand, Andreetto, Adam, "MobileNets:
 * Efficient Convolutional Neural Networks for Mobile Vision Applications", 2017, Table 1
 * (https://arxiv.org/abs/1704.04861).
 *
 * Keras Applications' `MobileNet` layer for layer, by name and by number (so its ImageNet weights
 * load by name): conv (no bias) -> BatchNormalization (Keras's epsilon 1e-3, momentum 0.99) ->
 * ReLU6, glorot-uniform kernels. Departures from the printed paper, shared with Keras and the
 * authors' TF-Slim code: the last depthwise row has stride 1 (Table 1 prints s2, but its sizes say
 * 7x7 in and out); ReLU6 instead of ReLU; a stride-2 block pads one row and column at the
 * bottom/right, then 'valid'; the fully connected classifier is a 1x1 convolution on the pooled
 * 1x1 map (the same numbers), after a reshape and a dropout of 1e-3 (Keras's default).
 */
import { z } from 'zod';
import { kerasBatchNorm } from '../../blocks/batch-norm.js';
import { poolFeatures } from '../../blocks/classifier.js';
import { convBnAct } from '../../blocks/conv-bn-act.js';
import { positiveInt, positiveNumber, strideOneOrTwo } from '../../config.js';
import { glorotUniform, zeros } from '../../init.js';
import type { Net, NetGraph } from '../../net/net.js';
import { modelOptionsSchema } from '../../options.js';
import { defineFamily } from '../family.js';
import { stagesByStride } from '../stages.js';
import { kerasTf } from '../preprocessing.js';
// Unused in the code: in scope, it makes the builders' declarations name their return type
// tf.LayersModel (@tensorflow/tfjs) rather than import it from tfjs-layers, not a dependency.
import type { tf } from '../../tf.js';

/**
 * MobileNet V1's architecture: the stem convolution and the depthwise-separable rows (a 3x3
 * depthwise conv's stride and the following 1x1 pointwise conv's filters, at alpha 1).
 *
 * @category MobileNet V1
 */
export const MobileNetV1ArchitectureSchema = z.strictObject({
  /** The first, full 3x3 convolution (Table 1's `Conv / s2, 3x3x3x32`). */
  stem: z.strictObject({
    /** Filters of the 3x3 stem convolution, before alpha. */
    filters: positiveInt(),
    /** Stride of the stem convolution: 1 or 2. */
    stride: strideOneOrTwo(),
  }),
  /** The depthwise-separable rows, in order. */
  rows: z
    .array(
      z.strictObject({
        /** Stride of the 3x3 depthwise convolution: 1 or 2. */
        stride: strideOneOrTwo(),
        /** Filters of the 1x1 pointwise convolution, before alpha. */
        filters: positiveInt(),
      }),
    )
    .min(1, { error: 'must list at least one row' }),
});

/**
 * MobileNet V1's architecture as written.
 *
 * @category MobileNet V1
 */
export type MobileNetV1ArchitectureInput = z.input<typeof MobileNetV1ArchitectureSchema>;

/** Table 1: `Conv / s2, 3x3x3x32`, then 13 pairs of `Conv dw / s` and `Conv / s1` (the last printed s2, see above). */
const table1: MobileNetV1ArchitectureInput = {
  stem: { filters: 32, stride: 2 }, // 224x224x3 -> 112x112x32
  rows: [
    { stride: 1, filters: 64 }, // -> 112x112x64
    { stride: 2, filters: 128 }, // -> 56x56x128
    { stride: 1, filters: 128 },
    { stride: 2, filters: 256 }, // -> 28x28x256
    { stride: 1, filters: 256 },
    { stride: 2, filters: 512 }, // -> 14x14x512
    { stride: 1, filters: 512 }, // "5x"
    { stride: 1, filters: 512 },
    { stride: 1, filters: 512 },
    { stride: 1, filters: 512 },
    { stride: 1, filters: 512 },
    { stride: 2, filters: 1024 }, // -> 7x7x1024
    { stride: 1, filters: 1024 }, // printed "s2"
  ],
};

/** Keras's width rule, `int(filters * alpha)` (no divisibility rounding in V1). */
const scaledWidth = (filters: number, alpha: number) => Math.floor(filters * alpha);

const MobileNetV1OptionsSchema = modelOptionsSchema(
  { numClasses: 1000, inputShape: [224, 224, 3], dropout: 1e-3 },
  {
    /** The stem and the depthwise-separable rows ({@link MobileNetV1ArchitectureInput}); default Table 1. */
    architecture: MobileNetV1ArchitectureSchema.default(table1),
    /** Width multiplier: every layer has `int(filters * alpha)` filters. Default 1; the paper's are 1, 0.75, 0.5, 0.25. */
    alpha: positiveNumber().default(1),
    /** Channels each depthwise convolution makes per input channel (Keras's `depth_multiplier`). Default 1. */
    depthMultiplier: positiveInt().default(1),
  },
).superRefine(({ architecture, alpha }, context) => {
  const widths = [{ layer: 'conv1', filters: architecture.stem.filters }, ...architecture.rows.map((row, i) => ({ layer: `conv_pw_${i + 1}`, filters: row.filters }))];
  const empty = widths.find(({ filters }) => scaledWidth(filters, alpha) < 1);
  if (empty) {
    const rule = `gives layer '${empty.layer}' int(${empty.filters} * ${alpha}) = ${scaledWidth(empty.filters, alpha)} filters, it needs at least 1`;
    context.addIssue({ code: 'custom', path: ['alpha'], message: rule, input: alpha });
  }
});

/**
 * Options of {@link mobilenetV1}: `alpha` (1), `depthMultiplier` (1), `architecture` (Table 1), and
 * the shared options with MobileNet V1's defaults (`numClasses` 1000, `inputShape` [224, 224, 3],
 * `dropout` 1e-3, Keras's).
 *
 * @useDeclaredType
 * @category MobileNet V1
 */
export type MobileNetV1Options = z.input<typeof MobileNetV1OptionsSchema>;
type MobileNetV1Config = z.output<typeof MobileNetV1OptionsSchema>;

/**
 * One depthwise-separable convolution (Figure 3 right): 3x3 depthwise conv -> BN -> ReLU6, then
 * 1x1 pointwise conv -> BN -> ReLU6, named as Keras names block `blockId`: `conv_pad_i` (stride 2
 * only), `conv_dw_i`, `_bn`, `_relu`, `conv_pw_i`, `_bn`, `_relu`.
 *
 * @category MobileNet V1
 */
export function depthwiseSeparableBlock<T>(net: Net<T>, x: T, row: { stride: 1 | 2; filters: number }, options: { blockId: number; alpha: number; depthMultiplier: number }): T {
  const id = options.blockId;
  // Stride 2 pads one row and column at the bottom/right whatever the parity, then 'valid':
  // Keras's ZeroPadding2D(((0, 1), (0, 1))), which on odd sizes is not TF's 'same'.
  let y = row.stride === 2 ? net.zeroPad(x, [[0, 1], [0, 1]], `conv_pad_${id}`) : x;
  y = net.depthwiseConv2d(y, {
    name: `conv_dw_${id}`,
    kernelSize: 3,
    strides: row.stride,
    padding: row.stride === 1 ? 'same' : 'valid',
    depthMultiplier: options.depthMultiplier,
    useBias: false,
    kernelInit: glorotUniform,
  });
  y = net.batchNorm(y, { name: `conv_dw_${id}_bn`, ...kerasBatchNorm });
  y = net.activation(y, 'relu6', `conv_dw_${id}_relu`);
  return convBnAct(net, y, {
    names: { conv: `conv_pw_${id}`, bn: `conv_pw_${id}_bn`, activation: `conv_pw_${id}_relu` },
    filters: scaledWidth(row.filters, options.alpha),
    kernelSize: 1,
    padding: 'same',
    activation: 'relu6',
    batchNorm: kerasBatchNorm,
    kernelInit: glorotUniform,
  });
}

function describeMobileNetV1<T>(net: Net<T>, config: MobileNetV1Config): NetGraph<T> {
  const { architecture, alpha } = config;
  const input = net.input(config.inputShape, 'input');
  // Keras's stem is a 'same' convolution (no explicit padding layer, unlike its blocks).
  let x = convBnAct(net, input, {
    names: { conv: 'conv1', bn: 'conv1_bn', activation: 'conv1_relu' },
    filters: scaledWidth(architecture.stem.filters, alpha),
    kernelSize: 3,
    strides: architecture.stem.stride,
    padding: 'same',
    activation: 'relu6',
    batchNorm: kerasBatchNorm,
    kernelInit: glorotUniform,
  });
  architecture.rows.forEach((row, index) => {
    x = depthwiseSeparableBlock(net, x, row, { blockId: index + 1, alpha, depthMultiplier: config.depthMultiplier });
  });
  if (!config.includeTop) return { inputs: [input], outputs: [config.pooling ? poolFeatures(net, x, config.pooling) : x] };
  // The classifier is a 1x1 conv on the pooled map, as in Keras's weights ([1, 1, C, classes]).
  // Keras pools with keepdims; tfjs-layers has none, so a Reshape to [1, 1, C] follows, named
  // `reshape_1` as Keras named that reshape before keepdims existed (no weights either way).
  const channels = net.shape(x)[2];
  x = net.globalPool(x, 'avg', 'global_average_pooling2d');
  x = net.reshape(x, [1, 1, channels], 'reshape_1');
  if (config.dropout > 0) x = net.dropout(x, config.dropout, 'dropout');
  x = net.conv2d(x, { name: 'conv_preds', filters: config.numClasses, kernelSize: 1, padding: 'same', useBias: true, kernelInit: glorotUniform, biasInit: zeros });
  x = net.reshape(x, [config.numClasses], 'reshape_2');
  return { inputs: [input], outputs: [net.activation(x, config.classifierActivation, 'predictions')] };
}

/**
 * MobileNet V1's family: one model, Table 1.
 *
 * @category MobileNet V1
 */
export const mobilenetV1Family = defineFamily({
  name: 'mobilenetV1',
  paper: {
    title: 'MobileNets: Efficient Convolutional Neural Networks for Mobile Vision Applications',
    authors: 'Howard, Zhu, Chen, Kalenichenko, Wang, Weyand, Andreetto, Adam',
    year: 2017,
    url: 'https://arxiv.org/abs/1704.04861',
  },
  table: 'Table 1',
  schema: MobileNetV1OptionsSchema,
  describe: describeMobileNetV1,
  models: { mobilenetV1: { table: 'Table 1' } },
  sources: { keras: { preprocessing: kerasTf } },
  stages: ({ architecture }) =>
    stagesByStride([{ block: 'conv1', stride: architecture.stem.stride }, ...architecture.rows.map((row, i) => ({ block: `conv_pw_${i + 1}`, stride: row.stride }))], 1),
});

/**
 * MobileNet V1 with Keras Applications' layer names: 4,253,864 parameters at alpha 1 with 1000
 * classes. The width multiplier is `alpha`; the resolution multiplier is the `inputShape`.
 *
 * @example
 * ```ts
 * const model = mobilenetV1({ alpha: 0.5, inputShape: [160, 160, 3], numClasses: 10 });
 * ```
 *
 * @category MobileNet V1
 */
export const mobilenetV1 = mobilenetV1Family.definitions.mobilenetV1.build;
