/**
 * GoogLeNet (Inception v1): Szegedy et al. 2015, "Going Deeper with Convolutions"
 * (arXiv:1409.4842). The architecture is Table 1, kept as data in `architectures/googlenet.ts`.
 *
 * Two variants build the same table:
 *
 * - `torchvision` (default): numerically faithful to `torchvision.models.googlenet`, so its
 *   weights can be loaded. Every convolution is torchvision's BasicConv2d: conv (no bias) -> batch
 *   norm (eps 1e-3) -> ReLU, with PyTorch's symmetric padding k // 2. Max pools use `ceil_mode=True`
 *   (reproduced exactly, see {@link ceilModeMaxPool}); the "#5x5" branch is a 3x3 conv and maxpool4
 *   is 2x2 (both in the torchvision table); the auxiliary heads are AdaptiveAvgPool2d(4, 4) ->
 *   BasicConv2d 1x1 128 -> fc 2048 -> 1024 + ReLU -> dropout 0.7 -> fc -> classes; the main head
 *   is global average pooling -> dropout 0.2 -> fc. torchvision's `transform_input` (re-normalising
 *   ImageNet inputs for the weights ported from TensorFlow) is not applied: inputs go in as given.
 *   Initialisation as torchvision's: conv and linear weights N(0, 0.01) (see `torchvisionWeight`),
 *   linear biases PyTorch's default, batch norm gamma 1 and beta 0.
 *
 * - `paper`: the network of the paper, without batch normalisation (it came later, Ioffe & Szegedy
 *   2015). Convolutions have biases and a ReLU ("All the convolutions, including those inside the
 *   Inception modules, use rectified linear activation", Section 5), with TF 'same' padding (the
 *   "(S)" of Figure 3); the "#5x5" branch is a true 5x5 conv; the stem has the two LRN layers of
 *   Figure 3 (no weights); max pools are 3x3/2 'same'. The auxiliary classifiers follow Section 5:
 *   5x5/3 average pool ('valid', 14x14 -> 4x4 at 224), 1x1 conv 128 + ReLU, FC 1024 + ReLU,
 *   dropout 0.7, linear -> classes. The main head is average pooling -> dropout 0.4 -> linear. The
 *   paper gives no initialisation; this variant uses BVLC Caffe's `bvlc_googlenet`: "xavier"
 *   (uniform, variance 1 / fanIn) weights, biases 0.2, classifier biases 0.
 *   Departure: Table 1's "avg pool 7x7/1" is global average pooling here, the same at 224x224 (a
 *   7x7 map) and still 1024 features at any other input size.
 *
 * With `auxLogits: true` (training) the model has three outputs, `[main, aux1, aux2]` (aux1 after
 * inception 4a, aux2 after 4d); {@link withoutAuxHeads} gives the inference model (main output
 * only) sharing the same layers and weights. The default is `false`: the one-output model that
 * torchvision's pretrained GoogLeNet is, and that every other builder of the zoo returns.
 *
 * Layer names follow torchvision's module paths with '_' for '.', plus the functional ops torchvision
 * does not name:
 *   input
 *   {conv}_conv, {conv}_bn (torchvision only), {conv}_relu    a BasicConv2d, e.g. conv1_conv
 *   {conv}_pad                                               ZeroPadding2D for PyTorch's padding, where 'same' differs
 *   maxpool1..maxpool4 (+ maxpoolN_pad)                      stage max pools (see ceilModeMaxPool)
 *   norm1, norm2                                             LRN (paper only; Caffe's pool1/norm1, conv2/norm2)
 *   inception3a_branch1_{conv,bn,relu}                       1x1
 *   inception3a_branch2_0_*, inception3a_branch2_1_*         1x1 reduce, 3x3
 *   inception3a_branch3_0_*, inception3a_branch3_1_*         1x1 reduce, "5x5"
 *   inception3a_branch4_0, inception3a_branch4_1_*           3x3/1 max pool, 1x1 pool projection
 *   inception3a_concat                                       the module's output
 *   aux1_pool, aux1_conv_{conv,bn,relu}, aux1_flatten, aux1_fc1, aux1_dropout, aux1_fc2   (and aux2_*)
 *   avgpool, dropout, fc                                     the main head (fc is the main output)
 */
import { z } from 'zod';
import { googlenetPaper, googlenetTorchvision } from '../../architectures/googlenet.js';
import { convBnAct } from '../blocks/conv-bn-act.js';
import { poolAndClassify, poolFeatures } from '../blocks/classifier.js';
import { positiveInt, positiveNumber, rate } from '../config.js';
import { convOutputSize, paddingAmounts, poolOutputSize } from '../conv-arithmetic.js';
import type { InitSpec } from '../init.js';
import { AdaptiveAveragePooling2D } from '../layers/adaptive-avg-pool2d.js';
import { LocalResponseNormalization } from '../layers/lrn.js';
import type { CustomLayerSpec, Net, NetGraph } from '../net/net.js';
import { classifierActivations, modelOptionsSchema } from '../options.js';
import { tf } from '../tf.js';
import { buildModel, type ModelDefinition } from './model-definition.js';

// ---- The architecture table (Table 1) as a schema. ----

const layerName = z.string().regex(/^[a-z][a-z0-9_]*$/, { error: 'must be a lower-case layer name' });
const oddPositiveInt = (why: string) => positiveInt().refine((n) => n % 2 === 1, { error: `must be an odd positive integer (${why})` });
const oddKernel = () => oddPositiveInt("PyTorch pads k // 2 on each side, which keeps the size only for odd k");

/**
 * One row of GoogLeNet's Table 1 (plus Figure 3's LRN layers and Section 5's auxiliary
 * classifiers): a stem convolution, a max pool, an LRN, an Inception module, or an auxiliary head.
 *
 * @example
 * ```ts
 * const row = GoogLeNetRowSchema.parse({ type: 'inception', name: 'inception3a', ch1x1: 64, ch3x3red: 96, ch3x3: 128, ch5x5red: 16, ch5x5: 32, poolProj: 32 });
 * ```
 *
 * @category GoogLeNet
 */
export const GoogLeNetRowSchema = z.discriminatedUnion(
  'type',
  [
    /** A convolution of the stem (a BasicConv2d in torchvision). */
    z.strictObject({
      /** A stem convolution ({@link basicConv}). */
      type: z.literal('conv'),
      /** Name prefix (`conv1`: layers `conv1_conv`, `conv1_bn`, `conv1_relu`). */
      name: layerName,
      /** Output channels. */
      filters: positiveInt(),
      /** Square kernel size, odd (PyTorch pads k // 2 on each side). */
      kernelSize: oddKernel(),
      /** Stride. */
      strides: positiveInt(),
    }),
    /** A max pool between stages. */
    z.strictObject({
      /** A max pool (ceil mode in torchvision's variant, see {@link ceilModeMaxPool}; 'same' in the paper's). */
      type: z.literal('maxPool'),
      /** Layer name (`maxpool1`). */
      name: layerName,
      /** Square window size. */
      poolSize: positiveInt(),
      /** Stride. */
      strides: positiveInt(),
    }),
    /** Local response normalisation; `alpha` multiplies the raw sum of squares (see {@link LocalResponseNormalization}). */
    z.strictObject({
      /** Local response normalisation. */
      type: z.literal('lrn'),
      /** Layer name (`norm1`). */
      name: layerName,
      /** Channels in the sum, odd. */
      size: oddPositiveInt('the window is centred on the channel'),
      /** Multiplies the raw sum of squares (Caffe's alpha divided by `size`). */
      alpha: positiveNumber(),
      /** The exponent. */
      beta: positiveNumber(),
      /** The additive constant. */
      k: positiveNumber(),
    }),
    /** An Inception module: Table 1's six columns. */
    z.strictObject({
      /** An Inception module ({@link inceptionModule}). */
      type: z.literal('inception'),
      /** Name prefix (`inception3a`). */
      name: layerName,
      /** Table 1's "#1x1": filters of the 1x1 branch. */
      ch1x1: positiveInt(),
      /** Table 1's "#3x3 reduce": the 1x1 before the 3x3. */
      ch3x3red: positiveInt(),
      /** Table 1's "#3x3". */
      ch3x3: positiveInt(),
      /** Table 1's "#5x5 reduce": the 1x1 before the "5x5". */
      ch5x5red: positiveInt(),
      /** Table 1's "#5x5" (a 3x3 in torchvision, see `ch5x5KernelSize`). */
      ch5x5: positiveInt(),
      /** Table 1's "pool proj": the 1x1 after the 3x3 max pool. */
      poolProj: positiveInt(),
    }),
    /** An auxiliary classifier on the current feature map (Section 5): 1x1 conv `filters`, FC `units`. */
    z.strictObject({
      /** An auxiliary classifier ({@link auxiliaryHead}), built only with `auxLogits: true`. */
      type: z.literal('auxHead'),
      /** Name prefix (`aux1`). */
      name: layerName,
      /** Filters of its 1x1 conv (Section 5: 128). */
      filters: positiveInt(),
      /** Units of its hidden FC layer (Section 5: 1024). */
      units: positiveInt(),
    }),
  ],
  { error: "must be a row with type 'conv', 'maxPool', 'lrn', 'inception' or 'auxHead'" },
);
/**
 * One parsed row of GoogLeNet's table.
 *
 * @example
 * ```ts
 * const rows: GoogLeNetRow[] = parseConfig(GoogLeNetOptionsSchema, {}).architecture.layers;
 * rows.filter((row) => row.type === 'inception').length; // 9
 * ```
 *
 * @useDeclaredType
 * @category GoogLeNet
 */
export type GoogLeNetRow = z.output<typeof GoogLeNetRowSchema>;

/**
 * GoogLeNet's architecture: Table 1's rows in order, and the kernel of the "#5x5" branch. Row
 * names must be unique. The tables are `googlenetTorchvision` and `googlenetPaper` in
 * `architectures/googlenet.ts`, the variants' defaults.
 *
 * @example
 * ```ts
 * // torchvision's GoogLeNet with the paper's true 5x5 branches:
 * const table = parseConfig(GoogLeNetOptionsSchema, {}).architecture;
 * const model = googlenet({ architecture: GoogLeNetArchitectureSchema.parse({ ...table, ch5x5KernelSize: 5 }) });
 * ```
 *
 * @category GoogLeNet
 */
export const GoogLeNetArchitectureSchema = z
  .strictObject({
    /** Table 1's rows, in order ({@link GoogLeNetRowSchema}). */
    layers: z.array(GoogLeNetRowSchema).min(1, { error: 'must list at least one row' }),
    /** Kernel of the branch Table 1 calls #5x5: 5 in the paper, 3 in torchvision (pytorch/vision#906). */
    ch5x5KernelSize: oddKernel(),
  })
  .superRefine((architecture, context) => {
    const seen = new Map<string, number>();
    architecture.layers.forEach((row, index) => {
      const first = seen.get(row.name);
      if (first !== undefined) {
        context.addIssue({ code: 'custom', path: ['layers', index, 'name'], message: `must be unique (layers.${first} is also named '${row.name}')`, input: row.name });
      }
      seen.set(row.name, index);
    });
  });
/**
 * A GoogLeNet architecture as parsed.
 *
 * @example
 * ```ts
 * const table: GoogLeNetArchitecture = parseConfig(GoogLeNetOptionsSchema, { variant: 'paper' }).architecture;
 * table.ch5x5KernelSize; // 5
 * ```
 *
 * @useDeclaredType
 * @category GoogLeNet
 */
export type GoogLeNetArchitecture = z.output<typeof GoogLeNetArchitectureSchema>;
/**
 * A GoogLeNet architecture as written: what `architecture` takes.
 *
 * @example
 * ```ts
 * const stem: GoogLeNetArchitectureInput = {
 *   ch5x5KernelSize: 3,
 *   layers: [
 *     { type: 'conv', name: 'conv1', filters: 64, kernelSize: 7, strides: 2 },
 *     { type: 'inception', name: 'inception3a', ch1x1: 64, ch3x3red: 96, ch3x3: 128, ch5x5red: 16, ch5x5: 32, poolProj: 32 },
 *   ],
 * };
 * ```
 *
 * @useDeclaredType
 * @category GoogLeNet
 */
export type GoogLeNetArchitectureInput = z.input<typeof GoogLeNetArchitectureSchema>;

// ---- Options. ----

/**
 * GoogLeNet's variants: `torchvision` (the default) and `paper`.
 *
 * @example
 * ```ts
 * const models = googlenetVariants.map((variant) => googlenet({ variant, initialize: false }));
 * ```
 *
 * @category GoogLeNet
 */
export const googlenetVariants = ['torchvision', 'paper'] as const;
/**
 * A GoogLeNet variant: `'torchvision'` or `'paper'`.
 *
 * @example
 * ```ts
 * const variant: GoogLeNetVariant = 'paper';
 * ```
 *
 * @category GoogLeNet
 */
export type GoogLeNetVariant = (typeof googlenetVariants)[number];

/**
 * Options of {@link googlenet}, as a zod schema: the shared options (defaults: `numClasses` 1000,
 * `inputShape` [224, 224, 3]) plus `variant`, `auxLogits`, `auxDropout`, `dropout` (the variant's)
 * and `architecture`. Field by field in {@link GoogLeNetOptions}.
 *
 * @example
 * ```ts
 * parseConfig(GoogLeNetOptionsSchema, { variant: 'paper' }).dropout; // 0.4
 * ```
 *
 * @category GoogLeNet
 */
export const GoogLeNetOptionsSchema = modelOptionsSchema(
  { numClasses: 1000, inputShape: [224, 224, 3], dropout: 0.2 },
  {
    /** 'torchvision' (the default: BN, ceil-mode pools, 3x3 "5x5" branch; loads torchvision's weights) or 'paper'. */
    variant: z
      .enum(googlenetVariants, { error: "must be 'torchvision' or 'paper'" })
      .default('torchvision')
      .describe("'torchvision' (numerically faithful to torchvision) or 'paper' (Szegedy et al. 2015 as published)"),
    /** Add the two auxiliary classifiers as extra outputs `[main, aux1, aux2]` (for training). Default false. Needs `includeTop`. */
    auxLogits: z.boolean({ error: 'must be true or false' }).default(false).describe('add the auxiliary classifiers as outputs 2 and 3'),
    /** Dropout rate in the auxiliary classifiers. Default 0.7 (Section 5: 70%). */
    auxDropout: rate().default(0.7).describe('dropout rate in the auxiliary classifiers'),
    /** Dropout before the main classifier: by default 0.2 (torchvision) or 0.4 (paper, Table 1). */
    dropout: rate().optional().describe('dropout rate before the classifier (default 0.2 torchvision, 0.4 paper)'),
    /** The rows ({@link GoogLeNetArchitectureInput}); by default the variant's own (`googlenetTorchvision` or `googlenetPaper` in `architectures/googlenet.ts`). */
    architecture: GoogLeNetArchitectureSchema.optional().describe('the architecture table'),
  },
)
  .superRefine((options, context) => {
    if (options.auxLogits && !options.includeTop) {
      context.addIssue({ code: 'custom', path: ['auxLogits'], message: 'only applies when includeTop is true (the auxiliary heads are classifiers)', input: true });
    }
    if (options.auxLogits && options.architecture && !options.architecture.layers.some((row) => row.type === 'auxHead')) {
      context.addIssue({ code: 'custom', path: ['auxLogits'], message: "needs at least one 'auxHead' row in the architecture", input: true });
    }
  })
  .transform((options) => ({
    ...options,
    /** Dropout before the main classifier: as given, else the variant's (0.2 torchvision, 0.4 paper). */
    dropout: options.dropout ?? (options.variant === 'paper' ? 0.4 : 0.2),
    /** The rows: as given, else the variant's table. */
    architecture: options.architecture ?? ((options.variant === 'paper' ? googlenetPaper : googlenetTorchvision) as GoogLeNetArchitecture),
  }));
/**
 * Options of {@link googlenet}, every one optional: the shared options with GoogLeNet's defaults
 * (`numClasses` 1000, `inputShape` [224, 224, 3], `dropout` 0.2 torchvision / 0.4 paper) and its
 * own.
 *
 * @example
 * ```ts
 * const options: GoogLeNetOptions = { auxLogits: true, auxDropout: 0.5, numClasses: 200 };
 * ```
 *
 * @useDeclaredType
 * @category GoogLeNet
 */
export type GoogLeNetOptions = z.input<typeof GoogLeNetOptionsSchema>;
/**
 * GoogLeNet's options as parsed: every default filled in, `dropout` and `architecture` resolved
 * from the variant.
 *
 * @example
 * ```ts
 * const config: GoogLeNetConfig = parseModelOptions(googlenetDefinition, {});
 * config.architecture.ch5x5KernelSize; // 3
 * ```
 *
 * @useDeclaredType
 * @category GoogLeNet
 */
export type GoogLeNetConfig = z.output<typeof GoogLeNetOptionsSchema>;

// ---- Initialisation. ----

/**
 * torchvision: `trunc_normal_(w, std=0.01, a=-2, b=2)` for every conv and linear weight. torch's
 * bounds a and b are absolute values, not multiples of std: ±2 is ±200 standard deviations, so
 * nothing is ever truncated and the distribution is N(0, 0.01). (Our `truncatedNormal` cuts at ±2σ,
 * which would be a different distribution.)
 */
const torchvisionWeight: InitSpec = { kind: 'normal', std: 0.01 };
/** torchvision leaves linear biases at PyTorch's default, uniform(±1/sqrt(fanIn)). */
const torchvisionLinearBias: InitSpec = { kind: 'torchDefault' };
/** BVLC Caffe's "xavier" filler: uniform(±sqrt(3 / fanIn)). */
const caffeXavier: InitSpec = { kind: 'varianceScaling', scale: 1, mode: 'fanIn', distribution: 'uniform' };
/** bvlc_googlenet's bias for convolutions and hidden FC layers. */
const caffeBias: InitSpec = { kind: 'constant', value: 0.2 };
const zeroBias: InitSpec = { kind: 'zeros' };

/** Batch norm of torchvision's BasicConv2d: eps 0.001, PyTorch momentum 0.1 (Keras 0.9). */
const basicConvBatchNorm = { epsilon: 1e-3, momentum: 0.9 };

// ---- Blocks. ----

/**
 * How GoogLeNet's blocks are built: the variant's conventions, and the kernel of the "#5x5" branch.
 *
 * @example
 * ```ts
 * const paperWith3x3: GoogLeNetBlockStyle = { variant: 'paper', ch5x5KernelSize: 3 };
 * ```
 *
 * @category GoogLeNet
 */
export interface GoogLeNetBlockStyle {
  /** torchvision's conventions (BasicConv2d with BN, no bias; PyTorch's padding) or the paper's (conv with bias, 'same', ReLU). */
  variant: GoogLeNetVariant;
  /** Kernel of the "#5x5" branch: 5 in the paper, 3 in torchvision. */
  ch5x5KernelSize: number;
}

/**
 * torchvision's block style: BasicConv2d, and a 3x3 "#5x5" branch (pytorch/vision#906).
 *
 * @example
 * ```ts
 * x = inceptionModule(net, x, row, 'inception3a', torchvisionStyle);
 * ```
 *
 * @category GoogLeNet
 */
export const torchvisionStyle: GoogLeNetBlockStyle = { variant: 'torchvision', ch5x5KernelSize: 3 };
/**
 * The paper's block style: convolutions with biases and 'same' padding, a true 5x5 branch.
 *
 * @example
 * ```ts
 * x = inceptionModule(net, x, row, 'inception3a', paperStyle);
 * ```
 *
 * @category GoogLeNet
 */
export const paperStyle: GoogLeNetBlockStyle = { variant: 'paper', ch5x5KernelSize: 5 };

/**
 * One convolution with its ReLU, named `{prefix}_conv`, `{prefix}_bn`, `{prefix}_relu`:
 * torchvision's BasicConv2d (conv without bias, BN with epsilon 1e-3, ReLU, symmetric padding
 * k // 2, weights N(0, 0.01)), or the paper's conv with bias and 'same' padding then ReLU (Caffe's
 * "xavier" weights, biases 0.2).
 *
 * @param spec - Name prefix, filters, square kernel size, stride (default 1).
 * @param variant - Whose conventions.
 *
 * @example
 * ```ts
 * x = basicConv(net, x, { prefix: 'conv1', filters: 64, kernelSize: 7, strides: 2 }, 'torchvision');
 * ```
 *
 * @category GoogLeNet
 */
export function basicConv<T>(
  net: Net<T>,
  x: T,
  spec: { prefix: string; filters: number; kernelSize: number; strides?: number },
  variant: GoogLeNetVariant,
): T {
  const { prefix, filters, kernelSize, strides } = spec;
  if (variant === 'torchvision') {
    return convBnAct(net, x, {
      names: { conv: `${prefix}_conv`, bn: `${prefix}_bn`, activation: `${prefix}_relu`, pad: `${prefix}_pad` },
      filters,
      kernelSize,
      strides,
      padding: 'symmetric',
      activation: 'relu',
      batchNorm: basicConvBatchNorm,
      kernelInit: torchvisionWeight,
    });
  }
  const y = net.conv2d(x, { name: `${prefix}_conv`, filters, kernelSize, strides, padding: 'same', useBias: true, kernelInit: caffeXavier, biasInit: caffeBias });
  return net.activation(y, 'relu', `${prefix}_relu`);
}

/**
 * PyTorch's `MaxPool2d(poolSize, strides, padding=0, ceil_mode=True)`, which TF has no option for.
 * The output size torchvision gets is {@link poolOutputSize} with `ceilMode`; it is reproduced by:
 * - 'valid' where that equals the floor-mode size (the last window fits anyway);
 * - else 'same' where TF's 'same' gives that size and pads only at the bottom/right: TF's max pool
 *   ignores its padding, exactly as PyTorch's ceil mode ignores the part of the last window that
 *   hangs past the edge;
 * - else explicit zero padding at the bottom/right, then 'valid'. Exact because every max pool of
 *   GoogLeNet follows a ReLU: its inputs are >= 0, so a padded zero never exceeds the window's true
 *   maximum, and ceil mode never keeps a window that lies wholly in the padding.
 * For GoogLeNet's 3x3/2 and 2x2/2 pools the first two cases always suffice; the third is for tables
 * with other pool geometry.
 *
 * @example
 * ```ts
 * x = ceilModeMaxPool(net, x, { name: 'maxpool1', poolSize: 3, strides: 2 }); // 112x112 -> 56x56, as torchvision
 * ```
 *
 * @category GoogLeNet
 */
export function ceilModeMaxPool<T>(net: Net<T>, x: T, spec: { name: string; poolSize: number; strides: number }): T {
  const { name, poolSize: kernel, strides: stride } = spec;
  const sizes = net.shape(x).slice(0, 2);
  const target = sizes.map((size) => poolOutputSize({ size, kernel, stride, padding: 0, ceilMode: true }));
  if (sizes.every((size, axis) => convOutputSize({ size, kernel, stride, padding: 'valid' }) === target[axis])) {
    return net.maxPool(x, { name, poolSize: kernel, strides: stride, padding: 'valid' });
  }
  const sameFits = sizes.every(
    (size, axis) =>
      convOutputSize({ size, kernel, stride, padding: 'same' }) === target[axis] && paddingAmounts({ size, kernel, stride, padding: 'same' })[0] === 0,
  );
  if (sameFits) return net.maxPool(x, { name, poolSize: kernel, strides: stride, padding: 'same' });
  const [bottom, right] = sizes.map((size, axis) => Math.max((target[axis] - 1) * stride + kernel - size, 0));
  const padded = net.zeroPad(x, [[0, bottom], [0, right]], `${name}_pad`);
  return net.maxPool(padded, { name, poolSize: kernel, strides: stride, padding: 'valid' });
}

/**
 * The fields of an Inception row: Table 1's six columns, in torchvision's argument names.
 *
 * @example
 * ```ts
 * const inception3a: InceptionColumns = { ch1x1: 64, ch3x3red: 96, ch3x3: 128, ch5x5red: 16, ch5x5: 32, poolProj: 32 };
 * ```
 *
 * @useDeclaredType
 * @category GoogLeNet
 */
export type InceptionColumns = Pick<Extract<GoogLeNetRow, { type: 'inception' }>, 'ch1x1' | 'ch3x3red' | 'ch3x3' | 'ch5x5red' | 'ch5x5' | 'poolProj'>;

/**
 * An Inception module (Szegedy et al., "Going Deeper with Convolutions",
 * https://arxiv.org/abs/1409.4842, Figure 2b): four branches concatenated along the channels, in
 * torchvision's order: 1x1; 1x1 reduce then 3x3; 1x1 reduce then "5x5"; 3x3/1 max pool then 1x1
 * pool projection. Each convolution is a {@link basicConv} of the style's variant. Works on any
 * {@link Net}.
 *
 * Departure from the paper in torchvision's style (the default): the "5x5" branch is a 3x3
 * convolution (pytorch/vision#906), kept because torchvision's weights have it; `paperStyle` builds
 * the true 5x5. Output channels: ch1x1 + ch3x3 + ch5x5 + poolProj. Layers are named
 * `{prefix}_branch1_*`, `{prefix}_branch2_0_*`, `_branch2_1_*`, `{prefix}_branch3_0_*`,
 * `_branch3_1_*`, `{prefix}_branch4_0`, `_branch4_1_*`, `{prefix}_concat`.
 *
 * @param row - Table 1's six columns.
 * @param prefix - Name prefix (`inception3a`).
 * @param style - The variant's conventions. Default {@link torchvisionStyle}.
 *
 * @example
 * ```ts
 * x = inceptionModule(net, x, { ch1x1: 64, ch3x3red: 96, ch3x3: 128, ch5x5red: 16, ch5x5: 32, poolProj: 32 }, 'inception3a'); // 256 channels
 * ```
 *
 * @category GoogLeNet
 */
export function inceptionModule<T>(net: Net<T>, x: T, row: InceptionColumns, prefix: string, style: GoogLeNetBlockStyle = torchvisionStyle): T {
  const { variant } = style;
  // branch 1: 1x1
  const branch1 = basicConv(net, x, { prefix: `${prefix}_branch1`, filters: row.ch1x1, kernelSize: 1 }, variant);
  // branch 2: 1x1 reduce -> 3x3
  let branch2 = basicConv(net, x, { prefix: `${prefix}_branch2_0`, filters: row.ch3x3red, kernelSize: 1 }, variant);
  branch2 = basicConv(net, branch2, { prefix: `${prefix}_branch2_1`, filters: row.ch3x3, kernelSize: 3 }, variant);
  // branch 3: 1x1 reduce -> "5x5" (3x3 in torchvision, a known bug kept for its weights:
  // https://github.com/pytorch/vision/issues/906)
  let branch3 = basicConv(net, x, { prefix: `${prefix}_branch3_0`, filters: row.ch5x5red, kernelSize: 1 }, variant);
  branch3 = basicConv(net, branch3, { prefix: `${prefix}_branch3_1`, filters: row.ch5x5, kernelSize: style.ch5x5KernelSize }, variant);
  // branch 4: 3x3/1 max pool -> 1x1 pool projection. torchvision's MaxPool2d(3, 1, padding=1,
  // ceil_mode=True) pads with -inf (padding never wins a max) and ceil mode changes nothing at
  // stride 1 (out = n); TF's 'same' at stride 1 pads one pixel on each side and ignores it in the
  // max: the same numbers. The paper's "MaxPool 3x3+1(S)" is this 'same' pool by definition.
  let branch4 = net.maxPool(x, { name: `${prefix}_branch4_0`, poolSize: 3, strides: 1, padding: 'same' });
  branch4 = basicConv(net, branch4, { prefix: `${prefix}_branch4_1`, filters: row.poolProj, kernelSize: 1 }, variant);
  return net.concat([branch1, branch2, branch3, branch4], `${prefix}_concat`);
}

/**
 * PyTorch's `AdaptiveAvgPool2d((outputSize, outputSize))` as a custom layer of the {@link Net}
 * vocabulary (an {@link AdaptiveAveragePooling2D}). Any map to `outputSize` x `outputSize`.
 *
 * @example
 * ```ts
 * y = net.custom(x, adaptiveAvgPool2dSpec('aux1_pool', 4)); // torchvision's auxiliary heads
 * ```
 *
 * @category GoogLeNet
 */
export function adaptiveAvgPool2dSpec(name: string, outputSize: number): CustomLayerSpec {
  return {
    name,
    type: 'AdaptiveAveragePooling2D',
    create: () => new AdaptiveAveragePooling2D({ name, outputSize: [outputSize, outputSize] }),
    outputShape: ([shape]) => [outputSize, outputSize, shape[2]],
  };
}

/**
 * Options of {@link auxiliaryHead}.
 *
 * @example
 * ```ts
 * const options: AuxiliaryHeadOptions = { prefix: 'aux1', numClasses: 1000, dropout: 0.7, classifierActivation: 'softmax' };
 * ```
 *
 * @category GoogLeNet
 */
export interface AuxiliaryHeadOptions {
  /** Layer-name prefix, `aux1` or `aux2`. */
  prefix: string;
  /** Classes of its output. */
  numClasses: number;
  /** Dropout after the first FC layer (Section 5: 0.7); 0 leaves the layer out. */
  dropout: number;
  /** Activation of its output. */
  classifierActivation: (typeof classifierActivations)[number];
  /** Filters of the 1x1 conv. Default 128 (Section 5). */
  filters?: number;
  /** Units of the hidden FC layer. Default 1024 (Section 5). */
  units?: number;
  /** The variant's conventions. Default {@link torchvisionStyle}. */
  style?: GoogLeNetBlockStyle;
}

/**
 * An auxiliary classifier (Section 5; torchvision's InceptionAux). The pooling is the variant's:
 * - torchvision: AdaptiveAvgPool2d(4, 4). On the 14x14 map of a 224 input its bins are
 *   [0,4), [3,7), [7,11), [10,14) (overlapping), which is NOT the paper's 5x5/3 average pool
 *   ([0,5), [3,8), ...), and it gives 4x4 at any input size, so fc1 always has 4 * 4 * 128 = 2048
 *   inputs.
 * - paper: 5x5/3 average pool, 'valid' ("AveragePool 5x5+3(V)", Figure 3): 4x4 at 224; at other
 *   sizes the map, and so fc1's fan-in, changes, as in the paper's own network.
 * torchvision flattens NCHW (channel-major) and this flattens NHWC: the same count, but a weight
 * converter must permute fc1's input rows.
 *
 * Layers: `{prefix}_pool`, `{prefix}_conv_*` (a {@link basicConv}), `{prefix}_flatten`,
 * `{prefix}_fc1` (ReLU), `{prefix}_dropout`, `{prefix}_fc2` (the output).
 *
 * @example
 * ```ts
 * const aux1 = auxiliaryHead(net, x, { prefix: 'aux1', numClasses: 1000, dropout: 0.7, classifierActivation: 'softmax' });
 * ```
 *
 * @category GoogLeNet
 */
export function auxiliaryHead<T>(net: Net<T>, x: T, options: AuxiliaryHeadOptions): T {
  const { prefix, style = torchvisionStyle, filters = 128, units = 1024 } = options;
  const torchvision = style.variant === 'torchvision';
  let y = torchvision
    ? net.custom(x, adaptiveAvgPool2dSpec(`${prefix}_pool`, 4))
    : net.avgPool(x, { name: `${prefix}_pool`, poolSize: 5, strides: 3, padding: 'valid' });
  y = basicConv(net, y, { prefix: `${prefix}_conv`, filters, kernelSize: 1 }, style.variant);
  y = net.flatten(y, `${prefix}_flatten`);
  y = net.dense(y, {
    name: `${prefix}_fc1`,
    units,
    activation: 'relu',
    kernelInit: torchvision ? torchvisionWeight : caffeXavier,
    biasInit: torchvision ? torchvisionLinearBias : caffeBias,
  });
  if (options.dropout > 0) y = net.dropout(y, options.dropout, `${prefix}_dropout`);
  return net.dense(y, {
    name: `${prefix}_fc2`,
    units: options.numClasses,
    activation: options.classifierActivation,
    kernelInit: torchvision ? torchvisionWeight : caffeXavier,
    biasInit: torchvision ? torchvisionLinearBias : zeroBias,
  });
}

/** LRN as a custom layer of the Net vocabulary (it keeps the shape). */
function lrnSpec(row: Extract<GoogLeNetRow, { type: 'lrn' }>): CustomLayerSpec {
  const { name, size, alpha, beta, k } = row;
  return {
    name,
    type: 'LocalResponseNormalization',
    create: () => new LocalResponseNormalization({ name, size, alpha, beta, k }),
    outputShape: ([shape]) => shape,
  };
}

// ---- The network. ----

function describeGoogLeNet<T>(net: Net<T>, config: GoogLeNetConfig): NetGraph<T> {
  const { variant, architecture } = config;
  const style: GoogLeNetBlockStyle = { variant, ch5x5KernelSize: architecture.ch5x5KernelSize };
  const torchvision = variant === 'torchvision';
  const input = net.input(config.inputShape, 'input');
  let x = input;
  const auxOutputs: T[] = [];
  for (const row of architecture.layers) {
    switch (row.type) {
      case 'conv':
        x = basicConv(net, x, { prefix: row.name, filters: row.filters, kernelSize: row.kernelSize, strides: row.strides }, variant);
        break;
      case 'maxPool':
        x = torchvision
          ? ceilModeMaxPool(net, x, { name: row.name, poolSize: row.poolSize, strides: row.strides })
          : net.maxPool(x, { name: row.name, poolSize: row.poolSize, strides: row.strides, padding: 'same' });
        break;
      case 'lrn':
        x = net.custom(x, lrnSpec(row));
        break;
      case 'inception':
        x = inceptionModule(net, x, row, row.name, style);
        break;
      case 'auxHead':
        // Built here, in the order of the table; x itself goes on unchanged.
        if (config.includeTop && config.auxLogits) {
          auxOutputs.push(
            auxiliaryHead(net, x, {
              prefix: row.name,
              numClasses: config.numClasses,
              dropout: config.auxDropout,
              classifierActivation: config.classifierActivation,
              filters: row.filters,
              units: row.units,
              style,
            }),
          );
        }
        break;
    }
  }
  if (!config.includeTop) return { inputs: [input], outputs: [config.pooling ? poolFeatures(net, x, config.pooling) : x] };
  // torchvision: AdaptiveAvgPool2d((1, 1)) = global average pooling, dropout, fc.
  const main = poolAndClassify(
    net,
    x,
    config,
    { pool: 'avgpool', dropout: 'dropout', classifier: 'fc' },
    torchvision ? { kernel: torchvisionWeight, bias: torchvisionLinearBias } : { kernel: caffeXavier, bias: zeroBias },
  );
  return { inputs: [input], outputs: [main, ...auxOutputs] };
}

/**
 * GoogLeNet's registry entry (`googlenet`).
 *
 * @example
 * ```ts
 * planModel(googlenetDefinition, {}).find((layer) => layer.name === 'inception5b_concat')?.outputShape; // [7, 7, 1024]
 * ```
 *
 * @category GoogLeNet
 */
export const googlenetDefinition: ModelDefinition<typeof GoogLeNetOptionsSchema> = {
  name: 'googlenet',
  schema: GoogLeNetOptionsSchema,
  describe: describeGoogLeNet,
  paper: {
    title: 'Going Deeper with Convolutions',
    authors: 'Szegedy, Liu, Jia, Sermanet, Reed, Anguelov, Erhan, Vanhoucke, Rabinovich',
    year: 2015,
    url: 'https://arxiv.org/abs/1409.4842',
    table: 'Table 1 (Figure 3, Section 5 for the auxiliary classifiers)',
  },
};

/**
 * GoogLeNet (Inception v1) on 224x224x3 images by default, torchvision's variant.
 *
 * Paper: Szegedy, Liu, Jia, Sermanet, Reed, Anguelov, Erhan, Vanhoucke, Rabinovich, "Going Deeper
 * with Convolutions", CVPR 2015, Table 1, Figure 3, Section 5 (https://arxiv.org/abs/1409.4842).
 *
 * - `variant: 'torchvision'` (default): numerically `torchvision.models.googlenet`, so its
 *   weights can be loaded; 6,624,904 trainable parameters. Its departures from the paper:
 *   batch norm after every convolution (no conv biases), which the paper predates; the "#5x5"
 *   branch is a 3x3 conv (pytorch/vision#906); no LRN; ceil-mode max pools, maxpool4 2x2/2;
 *   auxiliary heads with an adaptive 4x4 average pool and 2048 -> 1024 FC; dropout 0.2 before the
 *   classifier; N(0, 0.01) init. torchvision's `transform_input` is not applied.
 * - `variant: 'paper'`: the paper's network: convolutions with biases and ReLU, 'same' padding,
 *   a true 5x5 branch, the two LRN layers of Figure 3, 3x3/2 'same' max pools, auxiliary heads of
 *   Section 5 (5x5/3 average pool, 1x1 conv 128, FC 1024, dropout 0.7), dropout 0.4. Departures:
 *   the paper gives no initialisation (BVLC Caffe's `bvlc_googlenet` one is used: "xavier"
 *   weights, biases 0.2) nor LRN parameters (Caffe's again); Table 1's "avg pool 7x7/1" is global
 *   average pooling (the same at 224, and 1024 features at any size).
 *
 * With `auxLogits: true` (training) the model has three outputs, `[main, aux1, aux2]` (aux1 after
 * inception 4a, aux2 after 4d); {@link withoutAuxHeads} gives the one-output inference model.
 *
 * Options (all optional, see {@link GoogLeNetOptions}): `variant` ('torchvision'), `auxLogits`
 * (false), `auxDropout` (0.7), `architecture` (the variant's table), and the shared `numClasses`
 * (1000), `inputShape` ([224, 224, 3]), `includeTop` (true), `pooling`, `classifierActivation`
 * ('softmax'), `dropout` (0.2 torchvision, 0.4 paper), `seed` (random), `initialize` (true).
 *
 * Layer names follow torchvision's module paths with '_' for '.': `conv1_conv`, `conv1_bn`,
 * `conv1_relu`, `maxpool1`, `norm1`, `inception3a_branch1_conv`... (see {@link inceptionModule}),
 * `aux1_*` (see {@link auxiliaryHead}), `avgpool`, `dropout`, `fc`.
 *
 * @example
 * ```ts
 * const model = googlenet();                                  // 6,624,904 trainable parameters
 * const training = googlenet({ auxLogits: true });            // outputs [main, aux1, aux2]
 * const inference = withoutAuxHeads(training);                // main output only, same weights
 * const paper = googlenet({ variant: 'paper' });              // true 5x5 branches, LRN, no BN
 * ```
 *
 * @category GoogLeNet
 */
export function googlenet(options: GoogLeNetOptions = {}): tf.LayersModel {
  return buildModel(googlenetDefinition, options);
}

/**
 * The inference model of a model trained with auxiliary heads: the same input, the main output
 * (output 0) only, named `<name>_inference`. It shares the layers, so it shares the weights:
 * training the full model trains this one. A model with one output is returned as it is.
 *
 * @example
 * ```ts
 * const training = googlenet({ auxLogits: true, numClasses: 10 });
 * // ... training.fit(x, [y, y, y], ...) ...
 * const inference = withoutAuxHeads(training);
 * inference.outputs.length; // 1
 * ```
 *
 * @category GoogLeNet
 */
export function withoutAuxHeads(model: tf.LayersModel): tf.LayersModel {
  if (model.outputs.length === 1) return model;
  return tf.model({ inputs: model.inputs, outputs: model.outputs[0], name: `${model.name}_inference` });
}
