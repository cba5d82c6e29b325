/**
 * MobileNet V1 (Howard et al. 2017): a full 3x3 convolution, then 13 depthwise-separable
 * convolutions read from Table 1 (`architectures/mobilenet-v1.ts`), then global pooling and a 1x1
 * convolution as the classifier.
 *
 * Follows Keras Applications' `keras.applications.MobileNet` layer for layer, by name and by
 * number, so that Keras's ImageNet weights load by name: conv (no bias) -> BatchNormalization
 * (Keras defaults: epsilon 1e-3, momentum 0.99) -> ReLU(max 6), glorot-uniform kernels.
 */
import { z } from 'zod';
import { mobilenetV1Paper } from '../../architectures/mobilenet-v1.js';
import { convBnAct } from '../blocks/conv-bn-act.js';
import { poolFeatures } from '../blocks/classifier.js';
import { positiveInt, positiveNumber } from '../config.js';
import { ConfigError } from '../errors.js';
import { glorotUniform, zeros } from '../init.js';
import type { Net, NetGraph } from '../net/net.js';
import { modelOptionsSchema } from '../options.js';
import type { tf } from '../tf.js';
import { buildModel, type ModelDefinition } from './model-definition.js';

const stride = z.literal([1, 2], { error: 'must be 1 or 2' });

/**
 * One depthwise-separable row of MobileNet V1's Table 1: the depthwise stride and the pointwise
 * filters (at alpha 1).
 *
 * @example
 * ```ts
 * const row = MobileNetV1RowSchema.parse({ stride: 2, filters: 128 }); // Conv dw / s2, then Conv / s1, 1x1x64x128
 * ```
 *
 * @category MobileNet V1
 */
export const MobileNetV1RowSchema = z.strictObject({
  /** Stride of the 3x3 depthwise convolution: 1 or 2. */
  stride: stride.describe('stride of the 3x3 depthwise convolution'),
  /** Filters of the 1x1 pointwise convolution, before alpha. */
  filters: positiveInt().describe('filters of the 1x1 pointwise convolution, before alpha'),
});
/**
 * One parsed row of MobileNet V1's table.
 *
 * @example
 * ```ts
 * const last: MobileNetV1Row = parseConfig(MobileNetV1OptionsSchema, {}).architecture.rows.at(-1)!; // { stride: 1, filters: 1024 }
 * ```
 *
 * @useDeclaredType
 * @category MobileNet V1
 */
export type MobileNetV1Row = z.output<typeof MobileNetV1RowSchema>;

/**
 * MobileNet V1's architecture: the stem convolution and the depthwise-separable rows, in order.
 * Table 1 is `mobilenetV1Paper` in `architectures/mobilenet-v1.ts`, the default.
 *
 * @example
 * ```ts
 * const shallow = MobileNetV1ArchitectureSchema.parse({
 *   stem: { filters: 32, stride: 2 },
 *   rows: [{ stride: 1, filters: 64 }, { stride: 2, filters: 128 }, { stride: 2, filters: 256 }],
 * });
 * const model = mobilenetV1({ architecture: shallow, inputShape: [96, 96, 3], numClasses: 2 });
 * ```
 *
 * @category MobileNet V1
 */
export const MobileNetV1ArchitectureSchema = z.strictObject({
  /** The first, full 3x3 convolution (Table 1's `Conv / s2, 3x3x3x32`). */
  stem: z.strictObject({
    /** Filters of the 3x3 stem convolution, before alpha. */
    filters: positiveInt().describe('filters of the 3x3 stem convolution, before alpha'),
    /** Stride of the stem convolution: 1 or 2. */
    stride: stride.describe('stride of the stem convolution'),
  }),
  /** The depthwise-separable rows, in order ({@link MobileNetV1RowSchema}). */
  rows: z.array(MobileNetV1RowSchema).min(1, { error: 'must list at least one row' }),
});
/**
 * MobileNet V1's architecture as parsed.
 *
 * @example
 * ```ts
 * const table: MobileNetV1Architecture = parseConfig(MobileNetV1OptionsSchema, {}).architecture;
 * table.rows.length; // 13
 * ```
 *
 * @useDeclaredType
 * @category MobileNet V1
 */
export type MobileNetV1Architecture = z.output<typeof MobileNetV1ArchitectureSchema>;
/**
 * MobileNet V1's architecture as written: what `architecture` takes.
 *
 * @example
 * ```ts
 * const table: MobileNetV1ArchitectureInput = { stem: { filters: 16, stride: 2 }, rows: [{ stride: 2, filters: 32 }] };
 * ```
 *
 * @useDeclaredType
 * @category MobileNet V1
 */
export type MobileNetV1ArchitectureInput = z.input<typeof MobileNetV1ArchitectureSchema>;

/**
 * Options of {@link mobilenetV1}, as a zod schema: the shared options (defaults: `numClasses` 1000,
 * `inputShape` [224, 224, 3], `dropout` 1e-3) plus `architecture`, `alpha`, `depthMultiplier`.
 * Field by field in {@link MobileNetV1Options}.
 *
 * @example
 * ```ts
 * parseConfig(MobileNetV1OptionsSchema, { alpha: 0.25 }).depthMultiplier; // 1
 * ```
 *
 * @category MobileNet V1
 */
export const MobileNetV1OptionsSchema = modelOptionsSchema(
  // Keras's MobileNet defaults its dropout to 1e-3.
  { numClasses: 1000, inputShape: [224, 224, 3], dropout: 1e-3 },
  {
    /** The stem and the depthwise-separable rows ({@link MobileNetV1ArchitectureInput}); defaults to Table 1. */
    architecture: MobileNetV1ArchitectureSchema.default(mobilenetV1Paper as MobileNetV1Architecture).describe('the stem and the depthwise-separable rows'),
    /** Width multiplier: every layer has `int(filters * alpha)` filters (Keras's rounding). Default 1; the paper's are 1, 0.75, 0.5, 0.25. */
    alpha: positiveNumber().default(1).describe('width multiplier'),
    /** Channels each depthwise convolution makes per input channel (Keras's `depth_multiplier`). Default 1. */
    depthMultiplier: positiveInt().default(1).describe('depthwise channels per input channel'),
  },
);
/**
 * Options of {@link mobilenetV1}, every one optional: the shared options with MobileNet V1's
 * defaults (`numClasses` 1000, `inputShape` [224, 224, 3], `dropout` 1e-3, Keras's) and its own.
 *
 * @example
 * ```ts
 * const options: MobileNetV1Options = { alpha: 0.75, inputShape: [192, 192, 3] }; // the paper's 0.75 MobileNet-192
 * ```
 *
 * @useDeclaredType
 * @category MobileNet V1
 */
export type MobileNetV1Options = z.input<typeof MobileNetV1OptionsSchema>;
type MobileNetV1Config = z.output<typeof MobileNetV1OptionsSchema>;

/** Keras's BatchNormalization defaults, which its MobileNet V1 keeps. */
const batchNorm = { epsilon: 1e-3, momentum: 0.99 };

/**
 * A width scaled by alpha as Keras's MobileNet V1 scales it: `int(filters * alpha)`, truncated (V1
 * has no divisibility rounding). A multiplier so small that a layer would have no filter is an error.
 */
function scaledWidth(filters: number, alpha: number, layer: string): number {
  const width = Math.floor(filters * alpha);
  if (width < 1) throw new ConfigError('alpha', `gives layer '${layer}' int(${filters} * ${alpha}) = ${width} filters, it needs at least 1, received ${alpha}`);
  return width;
}

/**
 * One depthwise-separable convolution of MobileNet V1 (Howard et al., "MobileNets: Efficient
 * Convolutional Neural Networks for Mobile Vision Applications", https://arxiv.org/abs/1704.04861,
 * Figure 3 right, Table 1): 3x3 depthwise conv -> BN -> ReLU6, then 1x1 pointwise conv
 * (`int(filters * alpha)` filters) -> BN -> ReLU6. No biases; BN epsilon 1e-3, momentum 0.99.
 * Works on any {@link Net}.
 *
 * Named as Keras names block `blockId`: `conv_pad_i` (stride 2 only), `conv_dw_i` -> `_bn` ->
 * `_relu`, `conv_pw_i` -> `_bn` -> `_relu`. Departures from the paper, as in Keras and the
 * authors' TF-Slim code: ReLU6 where Figure 3 says ReLU; a stride-2 block pads one row and column
 * at the bottom/right, then 'valid'.
 *
 * @param row - The depthwise stride and the pointwise filters before alpha.
 * @param options - Keras's block number (from 1), the width multiplier, the depth multiplier.
 *
 * @example
 * ```ts
 * x = depthwiseSeparableBlock(net, x, { stride: 2, filters: 128 }, { blockId: 2, alpha: 1, depthMultiplier: 1 });
 * ```
 *
 * @category MobileNet V1
 */
export function depthwiseSeparableBlock<T>(
  net: Net<T>,
  x: T,
  row: MobileNetV1Row,
  options: { blockId: number; alpha: number; depthMultiplier: number },
): T {
  const id = options.blockId;
  // depthwise. Stride 2 pads one row and column at the bottom/right, whatever the parity, then
  // 'valid': Keras's ZeroPadding2D(((0, 1), (0, 1))), which on odd sizes is not TF's 'same'.
  let y = x;
  if (row.stride === 2) y = net.zeroPad(y, [[0, 1], [0, 1]], `conv_pad_${id}`);
  y = net.depthwiseConv2d(y, {
    name: `conv_dw_${id}`,
    kernelSize: 3,
    strides: row.stride,
    padding: row.stride === 1 ? 'same' : 'valid',
    depthMultiplier: options.depthMultiplier,
    useBias: false,
    kernelInit: glorotUniform,
  });
  y = net.batchNorm(y, { name: `conv_dw_${id}_bn`, ...batchNorm });
  y = net.activation(y, 'relu6', `conv_dw_${id}_relu`);
  // pointwise
  return convBnAct(net, y, {
    names: { conv: `conv_pw_${id}`, bn: `conv_pw_${id}_bn`, activation: `conv_pw_${id}_relu` },
    filters: scaledWidth(row.filters, options.alpha, `conv_pw_${id}`),
    kernelSize: 1,
    padding: 'same',
    activation: 'relu6',
    batchNorm,
    kernelInit: glorotUniform,
  });
}

function describeMobileNetV1<T>(net: Net<T>, config: MobileNetV1Config): NetGraph<T> {
  const { architecture, alpha } = config;
  const input = net.input(config.inputShape, 'input');
  // Keras's stem is a 'same' convolution (no explicit padding layer, unlike its blocks).
  let x = convBnAct(net, input, {
    names: { conv: 'conv1', bn: 'conv1_bn', activation: 'conv1_relu' },
    filters: scaledWidth(architecture.stem.filters, alpha, 'conv1'),
    kernelSize: 3,
    strides: architecture.stem.stride,
    padding: 'same',
    activation: 'relu6',
    batchNorm,
    kernelInit: glorotUniform,
  });
  architecture.rows.forEach((row, index) => {
    x = depthwiseSeparableBlock(net, x, row, { blockId: index + 1, alpha, depthMultiplier: config.depthMultiplier });
  });

  if (!config.includeTop) {
    const output = config.pooling ? poolFeatures(net, x, config.pooling) : x;
    return { inputs: [input], outputs: [output] };
  }
  // The classifier is a 1x1 convolution on the pooled 1x1 map (Table 1's FC, as the authors'
  // TF-Slim code and Keras write it), so its kernel is [1, 1, C, classes] as in Keras's weights.
  // Keras pools with keepdims=True; tfjs-layers has no keepdims, so a Reshape to [1, 1, C] follows
  // the pooling, named `reshape_1` as the same reshape was in Keras before keepdims existed. Neither
  // has weights, so loading by name is unaffected.
  const channels = net.shape(x)[2];
  x = net.globalPool(x, 'avg', 'global_average_pooling2d');
  x = net.reshape(x, [1, 1, channels], 'reshape_1');
  if (config.dropout > 0) x = net.dropout(x, config.dropout, 'dropout');
  x = net.conv2d(x, { name: 'conv_preds', filters: config.numClasses, kernelSize: 1, padding: 'same', useBias: true, kernelInit: glorotUniform, biasInit: zeros });
  x = net.reshape(x, [config.numClasses], 'reshape_2');
  const output = net.activation(x, config.classifierActivation, 'predictions');
  return { inputs: [input], outputs: [output] };
}

/**
 * MobileNet V1's registry entry (`mobilenetV1`).
 *
 * @example
 * ```ts
 * planModel(mobilenetV1Definition, { inputShape: [128, 128, 3], includeTop: false }).at(-1)?.outputShape; // [4, 4, 1024]
 * ```
 *
 * @category MobileNet V1
 */
export const mobilenetV1Definition: ModelDefinition<typeof MobileNetV1OptionsSchema> = {
  name: 'mobilenetV1',
  schema: MobileNetV1OptionsSchema,
  describe: describeMobileNetV1,
  paper: {
    title: 'MobileNets: Efficient Convolutional Neural Networks for Mobile Vision Applications',
    authors: 'Howard, Zhu, Chen, Kalenichenko, Wang, Weyand, Andreetto, Adam',
    year: 2017,
    url: 'https://arxiv.org/abs/1704.04861',
    table: 'Table 1',
  },
};

/**
 * MobileNet V1 with Keras Applications' layer names: 4,253,864 parameters at alpha 1 with 1000
 * classes.
 *
 * Paper: Howard, Zhu, Chen, Kalenichenko, Wang, Weyand, Andreetto, Adam, "MobileNets: Efficient
 * Convolutional Neural Networks for Mobile Vision Applications", 2017, Table 1
 * (https://arxiv.org/abs/1704.04861).
 *
 * A full 3x3 stem convolution, the 13 {@link depthwiseSeparableBlock}s of Table 1, global average
 * pooling and the classifier, layer for layer as Keras's `MobileNet` (so its ImageNet weights load
 * by name). The width multiplier is `alpha`; the resolution multiplier is the `inputShape`.
 * Departures from the printed paper, shared with Keras and the authors' TF-Slim code: the last
 * depthwise row has stride 1 (Table 1 prints s2, but its sizes say 7x7 in and out); ReLU6 instead
 * of ReLU; the fully connected classifier is a 1x1 convolution on the pooled 1x1 map (the same
 * numbers), preceded by a reshape and a dropout of 1e-3 (Keras's default).
 *
 * Options (all optional, see {@link MobileNetV1Options}): `alpha` (1), `depthMultiplier` (1),
 * `architecture` (Table 1), and the shared `numClasses` (1000), `inputShape` ([224, 224, 3]),
 * `includeTop` (true), `pooling`, `classifierActivation` ('softmax'), `dropout` (1e-3), `seed`
 * (random), `initialize` (true).
 *
 * Layer names (Keras's): `conv1`, `conv1_bn`, `conv1_relu`, `conv_dw_<i>`/`conv_pw_<i>` (see
 * {@link depthwiseSeparableBlock}), `global_average_pooling2d`, `reshape_1`, `dropout`,
 * `conv_preds`, `reshape_2`, `predictions`.
 *
 * @example
 * ```ts
 * const model = mobilenetV1({ alpha: 0.5, inputShape: [160, 160, 3], numClasses: 10 });
 * ```
 *
 * @category MobileNet V1
 */
export function mobilenetV1(options: MobileNetV1Options = {}): tf.LayersModel {
  return buildModel(mobilenetV1Definition, options);
}
