/**
 * GoogLeNet (Inception v1): Szegedy, Liu, Jia, Sermanet, Reed, Anguelov, Erhan, Vanhoucke,
 * Rabinovich, "Going Deeper with Convolutions", CVPR 2015 (https://arxiv.org/abs/1409.4842): Table 1
 * for the layers and each Inception module's six columns, Figure 3 for the stem's LRN layers and
 * where the auxiliary classifiers attach, Section 5 for the auxiliary classifiers.
 *
 * Two variants, each a table and a style (`./blocks.ts`):
 * - `torchvision` (default): numerically `torchvision.models.googlenet`, so its weights load.
 *   Departures from the paper, all torchvision's: BatchNorm after every conv (the paper predates
 *   it) and no LRN; the "#5x5" branch is a 3x3 conv (https://github.com/pytorch/vision/issues/906,
 *   kept for the weights' sake); ceil-mode max pools, maxpool4 2x2/2; adaptive 4x4 pooling and a
 *   2048 -> 1024 FC in the auxiliary heads; dropout 0.2; N(0, 0.01) init. torchvision's
 *   `transform_input` (re-normalising ImageNet inputs for weights ported from TensorFlow) is not
 *   applied: inputs go in as given.
 * - `paper`: the paper's network, with a true 5x5 branch, the two LRN layers of Figure 3 (BVLC
 *   Caffe's parameters, which the paper does not give), the auxiliary heads of Section 5 and
 *   dropout 0.4. Departure: Table 1's "avg pool 7x7/1" is global average pooling, the same at 224
 *   and 1024 features at any size.
 *
 * With `auxLogits: true` (training) the model has three outputs, `[main, aux1, aux2]` (after 4a and
 * 4d); {@link withoutAuxHeads} gives the one-output inference model sharing the weights.
 *
 * Layer names follow torchvision's module paths with '_' for '.', plus the functional ops it does
 * not name: `{conv}_conv`, `{conv}_bn`, `{conv}_relu`, `{conv}_pad`; `maxpool1`..`maxpool4`; `norm1`,
 * `norm2`; the Inception modules' `inception3a_branch1_conv`... (see `inceptionModule`); `aux1_*`;
 * `avgpool`, `dropout`, `fc`.
 */
import { z } from 'zod';
import { poolAndClassify, poolFeatures } from '../../blocks/classifier.js';
import { localResponseNorm } from '../../blocks/custom-layers.js';
import { layerName, positiveInt, positiveNumber, rate } from '../../config.js';
import type { Net, NetGraph } from '../../net/net.js';
import { modelOptionsSchema, variantOption } from '../../options.js';
import { tf } from '../../tf.js';
import { modelInfo, recordModelInfo } from '../../weights/model-info.js';
import { defineFamily } from '../family.js';
import { stagesByStride } from '../stages.js';
import { googlenetTorchvisionNames } from './torchvision.js';
import { auxiliaryHead, googlenetStyles, inceptionModule } from './blocks.js';

const oddPositiveInt = (why: string) => positiveInt().refine((n) => n % 2 === 1, { error: `must be an odd positive integer (${why})` });
const oddKernel = () => oddPositiveInt('PyTorch pads k // 2 on each side, which keeps the size only for odd k');

/**
 * GoogLeNet's architecture: Table 1's rows in order (stem convolutions, max pools, LRNs, Inception
 * modules, auxiliary heads), and the kernel of the "#5x5" branch. Row names must be unique.
 *
 * @category GoogLeNet
 */
export const GoogLeNetArchitectureSchema = z
  .strictObject({
    /** Table 1's rows, in order. */
    layers: z
      .array(
        z.discriminatedUnion(
          'type',
          [
            z.strictObject({
              /** A stem convolution. */
              type: z.literal('conv'),
              /** Name prefix (`conv1`). */
              name: layerName(),
              /** Output channels. */
              filters: positiveInt(),
              /** Square kernel size, odd. */
              kernelSize: oddKernel(),
              /** Stride. */
              strides: positiveInt(),
            }),
            z.strictObject({
              /** A max pool between stages. */
              type: z.literal('maxPool'),
              /** Layer name (`maxpool1`). */
              name: layerName(),
              /** Square window size. */
              poolSize: positiveInt(),
              /** Stride. */
              strides: positiveInt(),
            }),
            z.strictObject({
              /** Local response normalisation; `alpha` multiplies the raw sum of squares. */
              type: z.literal('lrn'),
              /** Layer name (`norm1`). */
              name: layerName(),
              /** Channels in the sum, odd. */
              size: oddPositiveInt('the window is centred on the channel'),
              /** Multiplies the raw sum of squares (Caffe's alpha divided by `size`). */
              alpha: positiveNumber(),
              /** The exponent. */
              beta: positiveNumber(),
              /** The additive constant. */
              k: positiveNumber(),
            }),
            z.strictObject({
              /** An Inception module: Table 1's six columns. */
              type: z.literal('inception'),
              /** Name prefix (`inception3a`). */
              name: layerName(),
              /** "#1x1". */
              ch1x1: positiveInt(),
              /** "#3x3 reduce". */
              ch3x3red: positiveInt(),
              /** "#3x3". */
              ch3x3: positiveInt(),
              /** "#5x5 reduce". */
              ch5x5red: positiveInt(),
              /** "#5x5". */
              ch5x5: positiveInt(),
              /** "pool proj". */
              poolProj: positiveInt(),
            }),
            z.strictObject({
              /** An auxiliary classifier on the current map, built only with `auxLogits: true`. */
              type: z.literal('auxHead'),
              /** Name prefix (`aux1`). */
              name: layerName(),
              /** Filters of its 1x1 conv (Section 5: 128). */
              filters: positiveInt(),
              /** Units of its hidden FC layer (Section 5: 1024). */
              units: positiveInt(),
            }),
          ],
          { error: "must be a row with type 'conv', 'maxPool', 'lrn', 'inception' or 'auxHead'" },
        ),
      )
      .min(1, { error: 'must list at least one row' }),
    /** Kernel of the branch Table 1 calls #5x5: 5 in the paper, 3 in torchvision. */
    ch5x5KernelSize: oddKernel(),
  })
  .superRefine((architecture, context) => {
    const seen = new Map<string, number>();
    architecture.layers.forEach((row, index) => {
      const first = seen.get(row.name);
      if (first !== undefined) context.addIssue({ code: 'custom', path: ['layers', index, 'name'], message: `must be unique (layers.${first} is also named '${row.name}')`, input: row.name });
      seen.set(row.name, index);
    });
  });

/**
 * A GoogLeNet architecture as written.
 *
 * @category GoogLeNet
 */
export type GoogLeNetArchitectureInput = z.input<typeof GoogLeNetArchitectureSchema>;
type GoogLeNetArchitecture = z.output<typeof GoogLeNetArchitectureSchema>;
type InceptionRow = Extract<GoogLeNetArchitecture['layers'][number], { type: 'inception' }>;

/** One Inception row of Table 1, its numbers in the table's column order. */
const inception = (stage: string, ch1x1: number, ch3x3red: number, ch3x3: number, ch5x5red: number, ch5x5: number, poolProj: number): InceptionRow => ({
  type: 'inception',
  name: `inception${stage}`,
  ch1x1,
  ch3x3red,
  ch3x3,
  ch5x5red,
  ch5x5,
  poolProj,
});

/**
 * The paper's table (output sizes at 224 are Table 1's). The LRN parameters are BVLC Caffe's
 * (local_size 5, alpha 1e-4, beta 0.75, k 1); Caffe divides alpha by local_size and the zoo's LRN
 * does not, so alpha is 1e-4 / 5.
 */
const paperTable: GoogLeNetArchitecture = {
  ch5x5KernelSize: 5,
  layers: [
    { type: 'conv', name: 'conv1', filters: 64, kernelSize: 7, strides: 2 }, // 112x112x64
    { type: 'maxPool', name: 'maxpool1', poolSize: 3, strides: 2 }, // 56x56x64
    { type: 'lrn', name: 'norm1', size: 5, alpha: 2e-5, beta: 0.75, k: 1 }, // Figure 3
    { type: 'conv', name: 'conv2', filters: 64, kernelSize: 1, strides: 1 }, // Table 1's second row: #3x3 reduce 64,
    { type: 'conv', name: 'conv3', filters: 192, kernelSize: 3, strides: 1 }, //                        #3x3 192: 56x56x192
    { type: 'lrn', name: 'norm2', size: 5, alpha: 2e-5, beta: 0.75, k: 1 }, // Figure 3
    { type: 'maxPool', name: 'maxpool2', poolSize: 3, strides: 2 }, // 28x28x192
    //          stage #1x1 #3x3r #3x3 #5x5r #5x5 pool proj
    inception('3a', 64, 96, 128, 16, 32, 32), //   28x28x256
    inception('3b', 128, 128, 192, 32, 96, 64), // 28x28x480
    { type: 'maxPool', name: 'maxpool3', poolSize: 3, strides: 2 }, // 14x14x480
    inception('4a', 192, 96, 208, 16, 48, 64), //  14x14x512
    { type: 'auxHead', name: 'aux1', filters: 128, units: 1024 }, // Section 5: on the output of (4a)...
    inception('4b', 160, 112, 224, 24, 64, 64), // 14x14x512
    inception('4c', 128, 128, 256, 24, 64, 64), // 14x14x512
    inception('4d', 112, 144, 288, 32, 64, 64), // 14x14x528
    { type: 'auxHead', name: 'aux2', filters: 128, units: 1024 }, // ...and of (4d)
    inception('4e', 256, 160, 320, 32, 128, 128), // 14x14x832
    { type: 'maxPool', name: 'maxpool4', poolSize: 3, strides: 2 }, // 7x7x832
    inception('5a', 256, 160, 320, 32, 128, 128), // 7x7x832
    inception('5b', 384, 192, 384, 48, 128, 128), // 7x7x1024
  ],
};

/** The variants: each a table, a style and a dropout rate before the classifier. */
const variants = {
  torchvision: {
    // torchvision's departures from Table 1: the "#5x5" branch is 3x3, maxpool4 is 2x2/2 (both give
    // 7x7 from 14x14 in ceil mode), no LRN.
    table: {
      ch5x5KernelSize: 3,
      layers: paperTable.layers.filter((row) => row.type !== 'lrn').map((row) => (row.type === 'maxPool' && row.name === 'maxpool4' ? { ...row, poolSize: 2 } : row)),
    },
    style: googlenetStyles.torchvision,
    dropout: 0.2,
  },
  paper: { table: paperTable, style: googlenetStyles.paper, dropout: 0.4 }, // Table 1: dropout (40%)
};

const GoogLeNetOptionsSchema = modelOptionsSchema(
  { numClasses: 1000, inputShape: [224, 224, 3], dropout: 0.2 },
  {
    /** 'torchvision' (the default; loads torchvision's weights) or 'paper'. */
    variant: variantOption(variants, "'torchvision' (numerically faithful to torchvision) or 'paper' (Szegedy et al. 2015 as published)"),
    /** Add the two auxiliary classifiers as outputs `[main, aux1, aux2]` (for training). Default false. Needs `includeTop`. */
    auxLogits: z.boolean({ error: 'must be true or false' }).default(false),
    /** Dropout rate in the auxiliary classifiers. Default 0.7 (Section 5). */
    auxDropout: rate().default(0.7),
    /** Dropout before the main classifier: by default the variant's (0.2 torchvision, 0.4 paper). */
    dropout: rate().optional(),
    /** The rows ({@link GoogLeNetArchitectureInput}); by default the variant's table. */
    architecture: GoogLeNetArchitectureSchema.optional(),
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
    dropout: options.dropout ?? variants[options.variant].dropout,
    architecture: options.architecture ?? variants[options.variant].table,
  }));

/**
 * Options of {@link googlenet}: `variant` ('torchvision'), `auxLogits` (false), `auxDropout` (0.7),
 * `architecture` (the variant's table), and the shared options with GoogLeNet's defaults
 * (`numClasses` 1000, `inputShape` [224, 224, 3], `dropout` 0.2 torchvision / 0.4 paper).
 *
 * @useDeclaredType
 * @category GoogLeNet
 */
export type GoogLeNetOptions = z.input<typeof GoogLeNetOptionsSchema>;
type GoogLeNetConfig = z.output<typeof GoogLeNetOptionsSchema>;

function describeGoogLeNet<T>(net: Net<T>, config: GoogLeNetConfig): NetGraph<T> {
  const { architecture } = config;
  const style = variants[config.variant].style;
  const input = net.input(config.inputShape, 'input');
  let x = input;
  const auxOutputs: T[] = [];
  for (const row of architecture.layers) {
    if (row.type === 'conv') x = style.conv(net, x, { prefix: row.name, filters: row.filters, kernelSize: row.kernelSize, strides: row.strides });
    else if (row.type === 'maxPool') x = style.maxPool(net, x, row);
    else if (row.type === 'lrn') x = localResponseNorm(net, x, row);
    else if (row.type === 'inception') x = inceptionModule(net, x, row, row.name, style, architecture.ch5x5KernelSize);
    else if (config.includeTop && config.auxLogits) {
      // Built here, in the table's order; x itself goes on unchanged.
      const head = { prefix: row.name, filters: row.filters, units: row.units, dropout: config.auxDropout, numClasses: config.numClasses, classifierActivation: config.classifierActivation };
      auxOutputs.push(auxiliaryHead(net, x, head, style));
    }
  }
  if (!config.includeTop) return { inputs: [input], outputs: [config.pooling ? poolFeatures(net, x, config.pooling) : x] };
  const init = { kernel: style.dense.kernel, bias: style.dense.outputBias };
  const main = poolAndClassify(net, x, config, { pool: 'avgpool', dropout: 'dropout', classifier: 'fc' }, init);
  return { inputs: [input], outputs: [main, ...auxOutputs] };
}

/**
 * GoogLeNet's family: one model, in two variants.
 *
 * @category GoogLeNet
 */
export const googlenetFamily = defineFamily({
  name: 'googlenet',
  paper: {
    title: 'Going Deeper with Convolutions',
    authors: 'Szegedy, Liu, Jia, Sermanet, Reed, Anguelov, Erhan, Vanhoucke, Rabinovich',
    year: 2015,
    url: 'https://arxiv.org/abs/1409.4842',
  },
  table: 'Table 1 (Figure 3, Section 5 for the auxiliary classifiers)',
  schema: GoogLeNetOptionsSchema,
  describe: describeGoogLeNet,
  models: { googlenet: { table: 'Table 1 (Figure 3, Section 5 for the auxiliary classifiers)' } },
  sources: {
    // torchvision builds its pretrained GoogLeNet with `transform_input=True`, which turns the
    // ImageNet-normalised input back into (p - 0.5) / 0.5 for the weights ported from TensorFlow;
    // without that step the zoo's is fed 2p - 1 directly (checked against torchvision to 6.8e-7 of
    // the largest logit, test/fixtures/torchvision/googlenet.json).
    torchvision: { names: googlenetTorchvisionNames, preprocessing: { inputShape: [224, 224, 3], range: [-1, 1], channelOrder: 'rgb', resizeShorterSide: 256 } },
  },
  // The last row before each stride-2 row (conv1, conv3, inception3b, 4e), and the last: 5b.
  stages: ({ architecture }) =>
    stagesByStride(
      architecture.layers.filter((row) => row.type !== 'auxHead').map((row) => ({ block: row.name, stride: row.type === 'conv' || row.type === 'maxPool' ? row.strides : 1 })),
      1,
    ),
});

/**
 * GoogLeNet (Inception v1): torchvision's by default (6,624,904 trainable parameters; 13,004,888
 * with `auxLogits: true`), the paper's with `variant: 'paper'`.
 *
 * @example
 * ```ts
 * const model = googlenet();
 * const training = googlenet({ auxLogits: true }); // outputs [main, aux1, aux2]
 * const paper = googlenet({ variant: 'paper' });   // true 5x5 branches, LRN, no BatchNorm
 * ```
 *
 * @category GoogLeNet
 */
export const googlenet = googlenetFamily.definitions.googlenet.build;

/**
 * The inference model of a model trained with auxiliary heads: the same input, the main output only,
 * named `<name>_inference`, sharing the layers (and so the weights). A one-output model is returned
 * as it is.
 *
 * @example
 * ```ts
 * const training = googlenet({ auxLogits: true, numClasses: 10 });
 * const inference = withoutAuxHeads(training); // inference.outputs.length === 1
 * ```
 *
 * @category GoogLeNet
 */
export function withoutAuxHeads(model: tf.LayersModel): tf.LayersModel {
  if (model.outputs.length === 1) return model;
  const inference = tf.model({ inputs: model.inputs, outputs: model.outputs[0], name: `${model.name}_inference` });
  // It is the architecture built without the heads: saved, it loads as googlenet({ auxLogits: false }).
  const info = modelInfo(model);
  if (info) recordModelInfo(inference, { ...info, config: { ...info.config, auxLogits: false } });
  return inference;
}
