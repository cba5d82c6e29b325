/**
 * AlexNet: Krizhevsky, Sutskever, Hinton, "ImageNet Classification with Deep Convolutional Neural
 * Networks", NeurIPS 2012, Section 3 and Figure 2
 * (https://papers.nips.cc/paper/4824-imagenet-classification-with-deep-convolutional-neural-networks).
 *
 * Two variants, each a table below:
 * - `torchvision` (default): torchvision's AlexNet, numerically (symmetric padding, PyTorch's
 *   adaptive-pool bins, PyTorch's default init). torchvision follows the single-GPU network of
 *   Krizhevsky's "One weird trick for parallelizing convolutional neural networks"
 *   (https://arxiv.org/abs/1404.5997): 64-192-384-256-256 filters, no LRN, an adaptive average pool
 *   to 6x6 (which repeats values when pool5 is smaller, so inputs from 63x63 run), dropout before
 *   fc6 and fc7.
 * - `paper`: the 2012 network with LRN after conv1 and conv2, overlapping 3x3/2 max pools, dropout
 *   on fc6's and fc7's outputs, the paper's init, and `groups: 2` for the two-GPU split of conv2,
 *   conv4 and conv5. Departure: the paper says 224x224, but its 55x55 conv1 output needs 227 (as
 *   in Caffe's reference model).
 *
 * Layer names (AlexNet has no Keras weights to match): `conv1`..`conv5` (ReLU fused), `conv<i>_pad`,
 * `lrn1`, `lrn2`, `pool1`, `pool2`, `pool5`, `avgpool`, `flatten`, `fc6`, `fc7`, `dropout<i>`
 * (dropout on layer i's OUTPUT: the paper's `dropout6`, `dropout7`; torchvision's `dropout5`,
 * `dropout6`), `predictions` (the paper's fc8).
 */
import { z } from 'zod';
import { applyPaddingMode } from '../../blocks/conv-bn-act.js';
import { poolFeatures } from '../../blocks/classifier.js';
import { adaptiveAvgPool, localResponseNorm } from '../../blocks/custom-layers.js';
import { inputShapeSchema, layerName, positiveInt, positiveNumber } from '../../config.js';
import { ones, zeros, type InitSpec } from '../../init.js';
import type { Net, NetGraph } from '../../net/net.js';
import { modelOptionsSchema, variantOption } from '../../options.js';
import { defineFamily } from '../family.js';
import { stagesByStride } from '../stages.js';
import { torchvisionImagenet } from '../preprocessing.js';
import { alexnetTorchvisionNames } from './torchvision.js';
// Unused in the code: in scope, it makes the builders' declarations name their return type
// tf.LayersModel (@tensorflow/tfjs) rather than import it from tfjs-layers, not a dependency.
import type { tf } from '../../tf.js';

const nonNegativeInt = () => z.number({ error: 'must be a non-negative integer' }).int({ error: 'must be a non-negative integer' }).min(0, { error: 'must be a non-negative integer' });

const ConvRowSchema = z.strictObject({
  /** A convolution with a fused ReLU. */
  type: z.literal('conv'),
  /** Layer name (`conv1`). */
  name: layerName(),
  /** Output channels (for all groups together). */
  filters: positiveInt(),
  /** Square kernel size. */
  kernelSize: positiveInt(),
  /** Stride. Default 1. */
  strides: positiveInt().default(1),
  /** PyTorch's padding: this many zeros on every side. Default 0. */
  padding: nonNegativeInt().default(0),
  /** Split into the `groups` option's number of groups (the paper's two GPUs). Default false. */
  grouped: z.boolean({ error: 'must be true or false' }).default(false),
});

/**
 * An AlexNet table: its input size, its convolutional rows (conv, LRN, max pool), its classifier
 * rows before `predictions` (adaptive average pool first, dropout, dense), and its init rule.
 *
 * @category AlexNet
 */
export const AlexNetArchitectureSchema = z.strictObject({
  /** The input the table is designed for; the default of the `inputShape` option. */
  inputShape: inputShapeSchema,
  /** The convolutional part, in order. */
  features: z
    .array(
      z.discriminatedUnion(
        'type',
        [
          ConvRowSchema,
          z.strictObject({
            /** Local response normalisation across channels (Section 3.3). */
            type: z.literal('lrn'),
            /** Layer name (`lrn1`). */
            name: layerName(),
            /** n: channels in the sum, odd (the paper: 5). */
            size: positiveInt().refine((n) => n % 2 === 1, { error: 'must be an odd positive integer' }),
            /** k: the additive constant (the paper: 2). */
            k: z.number({ error: 'must be a non-negative number' }).min(0, { error: 'must be a non-negative number' }),
            /** α: multiplies the raw sum of squares (the paper: 1e-4). */
            alpha: positiveNumber(),
            /** β: the exponent (the paper: 0.75). */
            beta: positiveNumber(),
          }),
          z.strictObject({
            /** A 'valid' max pool (the paper's overlapping 3x3/2 pools, Section 3.4). */
            type: z.literal('maxPool'),
            /** Layer name (`pool1`). */
            name: layerName(),
            /** Square window size. */
            poolSize: positiveInt(),
            /** Stride. */
            strides: positiveInt(),
          }),
        ],
        { error: "must be a layer with type 'conv', 'lrn' or 'maxPool'" },
      ),
    )
    .min(1, { error: 'must list at least one layer' }),
  /** The classifier before `predictions`, in order. */
  classifier: z
    .array(
      z.discriminatedUnion(
        'type',
        [
          z.strictObject({
            /** PyTorch's AdaptiveAvgPool2d(outputSize); only as the first row. */
            type: z.literal('adaptiveAvgPool'),
            /** Layer name (`avgpool`). */
            name: layerName(),
            /** Output height and width (torchvision: 6). */
            outputSize: positiveInt(),
          }),
          z.strictObject({
            /** Dropout at the `dropout` option's rate; left out when it is 0. */
            type: z.literal('dropout'),
            /** Layer name (`dropout6`: dropout on fc6's output). */
            name: layerName(),
          }),
          z.strictObject({
            /** A fully connected layer with a fused ReLU. */
            type: z.literal('dense'),
            /** Layer name (`fc6`). */
            name: layerName(),
            /** Output units. */
            units: positiveInt(),
          }),
        ],
        { error: "must be a layer with type 'adaptiveAvgPool', 'dropout' or 'dense'" },
      ),
    )
    .superRefine((rows, context) => {
      const late = rows.findIndex((row, i) => row.type === 'adaptiveAvgPool' && i > 0);
      if (late >= 0) context.addIssue({ code: 'custom', path: [late], message: 'an adaptiveAvgPool row must come first (it pools the feature map)', input: rows[late] });
    }),
  /** PyTorch's default (`torchDefault`: weights and biases uniform in ±1/sqrt(fanIn)), or the paper's normal rule with biases 1 in the layers named in `biasOnes`. */
  init: z.discriminatedUnion(
    'rule',
    [
      z.strictObject({
        /** PyTorch's default for nn.Conv2d / nn.Linear. */
        rule: z.literal('torchDefault'),
      }),
      z.strictObject({
        /** The paper's rule (Section 5). */
        rule: z.literal('normal'),
        /** Standard deviation of the weights (the paper: 0.01). */
        std: positiveNumber(),
        /** The conv and dense layers whose biases start at 1 (the paper: conv2, conv4, conv5, fc6, fc7). Default none. */
        biasOnes: z.array(layerName()).default([]),
      }),
    ],
    { error: "must be { rule: 'torchDefault' } or { rule: 'normal', std, biasOnes }" },
  ),
});

/**
 * An AlexNet table as written.
 *
 * @category AlexNet
 */
export type AlexNetArchitectureInput = z.input<typeof AlexNetArchitectureSchema>;
type AlexNetArchitecture = z.output<typeof AlexNetArchitectureSchema>;
type ConvRow = z.output<typeof ConvRowSchema>;

/** The paper's LRN hyper-parameters, "determined using a validation set" (Section 3.3). */
const lrn = { size: 5, k: 2, alpha: 1e-4, beta: 0.75 } as const;

/** The variants' tables. Shapes are at each table's own input; parameter counts for groups 1 / 2. */
const variants = {
  torchvision: {
    inputShape: [224, 224, 3],
    features: [
      { type: 'conv', name: 'conv1', filters: 64, kernelSize: 11, strides: 4, padding: 2 }, // -> 55x55x64: 23,296
      { type: 'maxPool', name: 'pool1', poolSize: 3, strides: 2 }, // -> 27x27x64
      { type: 'conv', name: 'conv2', filters: 192, kernelSize: 5, padding: 2 }, // -> 27x27x192: 307,392
      { type: 'maxPool', name: 'pool2', poolSize: 3, strides: 2 }, // -> 13x13x192
      { type: 'conv', name: 'conv3', filters: 384, kernelSize: 3, padding: 1 }, // 663,936
      { type: 'conv', name: 'conv4', filters: 256, kernelSize: 3, padding: 1 }, // 884,992
      { type: 'conv', name: 'conv5', filters: 256, kernelSize: 3, padding: 1 }, // 590,080
      { type: 'maxPool', name: 'pool5', poolSize: 3, strides: 2 }, // -> 6x6x256
    ],
    classifier: [
      { type: 'adaptiveAvgPool', name: 'avgpool', outputSize: 6 }, // the identity at 224
      { type: 'dropout', name: 'dropout5' },
      { type: 'dense', name: 'fc6', units: 4096 }, // 37,752,832
      { type: 'dropout', name: 'dropout6' },
      { type: 'dense', name: 'fc7', units: 4096 }, // 16,781,312; then predictions 4,097,000: 61,100,840 in all
    ],
    init: { rule: 'torchDefault' }, // torchvision's AlexNet sets no init of its own
  },
  paper: {
    inputShape: [227, 227, 3],
    features: [
      // "grouped": split over the two GPUs, each half seeing only its GPU's half of the input maps.
      { type: 'conv', name: 'conv1', filters: 96, kernelSize: 11, strides: 4 }, // -> 55x55x96: 34,944
      { type: 'lrn', name: 'lrn1', ...lrn },
      { type: 'maxPool', name: 'pool1', poolSize: 3, strides: 2 }, // -> 27x27x96 (overlapping)
      { type: 'conv', name: 'conv2', filters: 256, kernelSize: 5, padding: 2, grouped: true }, // 614,656 / 307,456
      { type: 'lrn', name: 'lrn2', ...lrn },
      { type: 'maxPool', name: 'pool2', poolSize: 3, strides: 2 }, // -> 13x13x256
      { type: 'conv', name: 'conv3', filters: 384, kernelSize: 3, padding: 1 }, // sees all of conv2's maps: 885,120
      { type: 'conv', name: 'conv4', filters: 384, kernelSize: 3, padding: 1, grouped: true }, // 1,327,488 / 663,936
      { type: 'conv', name: 'conv5', filters: 256, kernelSize: 3, padding: 1, grouped: true }, // 884,992 / 442,624
      { type: 'maxPool', name: 'pool5', poolSize: 3, strides: 2 }, // -> 6x6x256
    ],
    classifier: [
      { type: 'dense', name: 'fc6', units: 4096 }, // 37,752,832
      { type: 'dropout', name: 'dropout6' },
      { type: 'dense', name: 'fc7', units: 4096 }, // 16,781,312
      { type: 'dropout', name: 'dropout7' }, // then predictions 4,097,000: 62,378,344; with groups 2, 60,965,224
    ],
    // Section 5: weights N(0, 0.01); biases 1 in conv2, conv4, conv5 and the hidden FC layers
    // ("provides the ReLUs with positive inputs"), 0 elsewhere.
    init: { rule: 'normal', std: 0.01, biasOnes: ['conv2', 'conv4', 'conv5', 'fc6', 'fc7'] },
  },
} satisfies Record<string, AlexNetArchitectureInput>;

/** The options' cross-checks: groups against the grouped rows and their channels, `biasOnes` against the layer names. */
function checkAgainstTable(options: { architecture: AlexNetArchitecture; groups: number; inputShape: readonly number[]; variant: string }, context: z.core.$RefinementCtx): void {
  const { architecture, groups } = options;
  const convs = architecture.features.filter((row): row is ConvRow => row.type === 'conv');
  if (groups > 1 && !convs.some((row) => row.grouped)) {
    const rule = `only splits the conv rows marked 'grouped', and this architecture (variant '${options.variant}') has none; use groups 1 or the 'paper' variant`;
    context.addIssue({ code: 'custom', path: ['groups'], message: rule, input: groups });
  }
  // The first grouped layer that `groups` does not divide (one problem per option).
  const channelsIn = convs.map((_, i) => (i === 0 ? options.inputShape[2] : convs[i - 1].filters));
  const bad = convs.findIndex((row, i) => row.grouped && (channelsIn[i] % groups !== 0 || row.filters % groups !== 0));
  if (bad >= 0) {
    const rule = `must divide the input channels (${channelsIn[bad]}) and the filters (${convs[bad].filters}) of grouped layer '${convs[bad].name}'`;
    context.addIssue({ code: 'custom', path: ['groups'], message: rule, input: groups });
  }
  if (architecture.init.rule === 'normal') {
    const known = [...convs.map((row) => row.name), ...architecture.classifier.filter((row) => row.type === 'dense').map((row) => row.name), 'predictions'];
    architecture.init.biasOnes.forEach((name, i) => {
      if (!known.includes(name)) context.addIssue({ code: 'custom', path: ['architecture', 'init', 'biasOnes', i], message: `must name a conv or dense layer (${known.join(', ')})`, input: name });
    });
  }
}

const AlexNetOptionsSchema = modelOptionsSchema(
  { numClasses: 1000, inputShape: [224, 224, 3], dropout: 0.5 },
  {
    /** `[height, width, channels]`; default the table's own (227x227x3 paper, 224x224x3 torchvision). */
    inputShape: inputShapeSchema.optional(),
    /** 'torchvision' (default: the AlexNet whose pretrained weights everyone uses) or 'paper' (the 2012 network). */
    variant: variantOption(variants, "the variant: 'torchvision' or 'paper'"),
    /** Groups of the rows marked `grouped` (the paper's conv2, conv4, conv5): 2 is the paper's two-GPU network. Default 1. */
    groups: positiveInt().default(1),
    /** Your own table ({@link AlexNetArchitectureInput}); default the variant's. */
    architecture: AlexNetArchitectureSchema.optional(),
  },
)
  .transform((options) => {
    const architecture = options.architecture ?? AlexNetArchitectureSchema.parse(variants[options.variant]);
    return { ...options, architecture, inputShape: options.inputShape ?? architecture.inputShape };
  })
  .superRefine(checkAgainstTable);

/**
 * Options of {@link alexnet}: `variant` ('torchvision'), `groups` (1), `architecture` (the
 * variant's table), `inputShape` (the table's), and the shared options with AlexNet's defaults
 * (`numClasses` 1000, `dropout` 0.5).
 *
 * @useDeclaredType
 * @category AlexNet
 */
export type AlexNetOptions = z.input<typeof AlexNetOptionsSchema>;
type AlexNetConfig = z.output<typeof AlexNetOptionsSchema>;

/**
 * PyTorch's `padding=p` before a conv: for p = (k - 1) / 2 the shared symmetric rule (TF's 'same'
 * where it pads p on every side), any other p (torchvision's conv1: 11x11 with p = 2) an explicit
 * ZeroPadding2D, then 'valid'.
 */
function padLikeTorch<T>(net: Net<T>, x: T, row: ConvRow): [T, 'same' | 'valid'] {
  if (row.padding === 0) return [x, 'valid'];
  const padName = `${row.name}_pad`;
  if (2 * row.padding === row.kernelSize - 1) return applyPaddingMode(net, x, 'symmetric', { kernelSize: row.kernelSize, strides: row.strides, padName });
  return [net.zeroPad(x, row.padding, padName), 'valid'];
}

/** The initialisers of layer `name` under the table's rule. */
function initFor(init: AlexNetArchitecture['init'], name: string): { kernelInit: InitSpec; biasInit: InitSpec } {
  if (init.rule === 'torchDefault') return { kernelInit: { kind: 'torchDefault' }, biasInit: { kind: 'torchDefault' } };
  return { kernelInit: { kind: 'normal', std: init.std }, biasInit: init.biasOnes.includes(name) ? ones : zeros };
}

function describeAlexNet<T>(net: Net<T>, config: AlexNetConfig): NetGraph<T> {
  const { architecture, groups } = config;
  const input = net.input(config.inputShape, 'input');
  let x = input;
  for (const row of architecture.features) {
    if (row.type === 'conv') {
      const [padded, padding] = padLikeTorch(net, x, row);
      const { name, filters, kernelSize, strides } = row;
      x = net.conv2d(padded, { name, filters, kernelSize, strides, padding, groups: row.grouped ? groups : 1, activation: 'relu', ...initFor(architecture.init, name) });
    } else if (row.type === 'lrn') {
      x = localResponseNorm(net, x, row);
    } else {
      x = net.maxPool(x, { name: row.name, poolSize: row.poolSize, strides: row.strides });
    }
  }
  if (!config.includeTop) return { inputs: [input], outputs: [config.pooling ? poolFeatures(net, x, config.pooling) : x] };

  let flat = false;
  for (const row of architecture.classifier) {
    if (row.type === 'adaptiveAvgPool') {
      x = adaptiveAvgPool(net, x, row.name, row.outputSize);
      continue;
    }
    if (!flat) x = net.flatten(x, 'flatten');
    flat = true;
    if (row.type === 'dropout') {
      if (config.dropout > 0) x = net.dropout(x, config.dropout, row.name);
    } else {
      x = net.dense(x, { name: row.name, units: row.units, activation: 'relu', ...initFor(architecture.init, row.name) });
    }
  }
  if (!flat) x = net.flatten(x, 'flatten');
  const output = net.dense(x, { name: 'predictions', units: config.numClasses, activation: config.classifierActivation, ...initFor(architecture.init, 'predictions') });
  return { inputs: [input], outputs: [output] };
}

/**
 * AlexNet's family: one model, in two variants.
 *
 * @category AlexNet
 */
export const alexnetFamily = defineFamily({
  name: 'alexnet',
  paper: {
    title: 'ImageNet Classification with Deep Convolutional Neural Networks',
    authors: 'Krizhevsky, Sutskever, Hinton',
    year: 2012,
    url: 'https://papers.nips.cc/paper/4824-imagenet-classification-with-deep-convolutional-neural-networks',
  },
  table: 'Section 3.5, Figure 2',
  schema: AlexNetOptionsSchema,
  describe: describeAlexNet,
  models: { alexnet: { table: 'Section 3.5, Figure 2' } },
  sources: { torchvision: { names: alexnetTorchvisionNames, preprocessing: torchvisionImagenet } },
  // The last row before each max pool (conv1 or its LRN, conv2 or its LRN, conv5), and pool5.
  stages: ({ architecture }) => stagesByStride(architecture.features.map((row) => ({ block: row.name, stride: row.type === 'lrn' ? 1 : row.strides })), 1),
});

/**
 * AlexNet: torchvision's by default (61,100,840 parameters); the paper's with
 * `variant: 'paper'` (62,378,344, or 60,965,224 with `groups: 2`).
 *
 * @example
 * ```ts
 * const model = alexnet();
 * const twoGpu = alexnet({ variant: 'paper', groups: 2 });
 * ```
 *
 * @category AlexNet
 */
export const alexnet = alexnetFamily.definitions.alexnet.build;
