/**
 * AlexNet (Krizhevsky, Sutskever, Hinton 2012), as the paper describes it or as torchvision builds
 * it. The architectures are the tables in `architectures/alexnet.ts`.
 *
 * Layer names (there are no Keras Applications weights for AlexNet to match), one pattern:
 * - `conv1` .. `conv5` (ReLU fused), `conv<i>_pad` where PyTorch's symmetric padding needs an
 *   explicit ZeroPadding2D (torchvision's conv1: 2 pixels, which TF's 'same' cannot express);
 * - `lrn1`, `lrn2` (paper), `pool1`, `pool2`, `pool5` (max pooling after conv 1, 2 and 5);
 * - `avgpool` (torchvision's adaptive average pool), `flatten`;
 * - `fc6`, `fc7` (ReLU fused), `dropout<i>` = dropout on the OUTPUT of layer i (the paper drops
 *   fc6's and fc7's outputs: `dropout6`, `dropout7`; torchvision drops the input of fc6 and fc7:
 *   `dropout5`, `dropout6`); dropout layers are left out when `dropout` is 0;
 * - `predictions` (the 1000-way classifier, the paper's fc8).
 */
import { z } from 'zod';
import { alexnetPaper, alexnetTorchvision } from '../../architectures/alexnet.js';
import { applyPaddingMode } from '../blocks/conv-bn-act.js';
import { poolFeatures } from '../blocks/classifier.js';
import { describeValue, inputShapeSchema, positiveInt, positiveNumber } from '../config.js';
import { ConfigError } from '../errors.js';
import { ones, zeros, type InitSpec } from '../init.js';
import { AdaptiveAveragePooling2D } from '../layers/adaptive-avg-pool2d.js';
import { LocalResponseNormalization } from '../layers/lrn.js';
import type { Net, NetGraph } from '../net/net.js';
import { SpatialSizeError } from '../net/shape-net.js';
import { modelOptionsSchema } from '../options.js';
import { buildModel, type ModelDefinition } from './model-definition.js';
import type { tf } from '../tf.js';

const layerName = z.string().regex(/^[a-z][a-z0-9_]*$/, { error: 'must be a lower-case layer name' });
const nonNegativeInt = () =>
  z.number({ error: 'must be a non-negative integer' }).int({ error: 'must be a non-negative integer' }).min(0, { error: 'must be a non-negative integer' });

/**
 * One row of AlexNet's convolutional part: a convolution (followed by a ReLU), a local response
 * normalisation, or a max pool.
 *
 * @example
 * ```ts
 * const conv1 = AlexNetFeatureSchema.parse({ type: 'conv', name: 'conv1', filters: 96, kernelSize: 11, strides: 4 });
 * ```
 *
 * @category AlexNet
 */
export const AlexNetFeatureSchema = z.discriminatedUnion(
  'type',
  [
    /** A convolution with a fused ReLU. */
    z.strictObject({
      /** A convolution. */
      type: z.literal('conv'),
      /** Layer name (`conv1`). */
      name: layerName,
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
    }),
    /** Local response normalisation across channels, in the paper's notation (Section 3.3). */
    z.strictObject({
      /** Local response normalisation ({@link LocalResponseNormalization}). */
      type: z.literal('lrn'),
      /** Layer name (`lrn1`). */
      name: layerName,
      /** n: channels in the sum, odd (the paper: 5). */
      size: positiveInt().refine((n) => n % 2 === 1, { error: 'must be an odd positive integer' }),
      /** k: the additive constant (the paper: 2). */
      k: z.number({ error: 'must be a non-negative number' }).min(0, { error: 'must be a non-negative number' }),
      /** α: multiplies the raw sum of squares (the paper: 1e-4). */
      alpha: positiveNumber(),
      /** β: the exponent (the paper: 0.75). */
      beta: positiveNumber(),
    }),
    /** A max pool, 'valid' (the paper's overlapping 3x3/2 pools, Section 3.4). */
    z.strictObject({
      /** Max pooling. */
      type: z.literal('maxPool'),
      /** Layer name (`pool1`). */
      name: layerName,
      /** Square window size. */
      poolSize: positiveInt(),
      /** Stride. */
      strides: positiveInt(),
    }),
  ],
  { error: "must be a layer with type 'conv', 'lrn' or 'maxPool'" },
);

/**
 * One row of AlexNet's classifier, before `predictions`: torchvision's adaptive average pool (first
 * row only), a dropout, or a dense layer (followed by a ReLU).
 *
 * @example
 * ```ts
 * const fc6 = AlexNetClassifierSchema.parse({ type: 'dense', name: 'fc6', units: 4096 });
 * ```
 *
 * @category AlexNet
 */
export const AlexNetClassifierSchema = z.discriminatedUnion(
  'type',
  [
    /** PyTorch's AdaptiveAvgPool2d(outputSize): any map (at least that big) to outputSize x outputSize. */
    z.strictObject({
      /** Adaptive average pooling ({@link AdaptiveAveragePooling2D}); only as the first row. */
      type: z.literal('adaptiveAvgPool'),
      /** Layer name (`avgpool`). */
      name: layerName,
      /** Output height and width (torchvision: 6). */
      outputSize: positiveInt(),
    }),
    /** Dropout at the `dropout` option's rate. */
    z.strictObject({
      /** Dropout; left out when the `dropout` option is 0. */
      type: z.literal('dropout'),
      /** Layer name (`dropout6`: dropout on fc6's output). */
      name: layerName,
    }),
    /** A fully connected layer with a fused ReLU. */
    z.strictObject({
      /** Fully connected. */
      type: z.literal('dense'),
      /** Layer name (`fc6`). */
      name: layerName,
      /** Output units. */
      units: positiveInt(),
    }),
  ],
  { error: "must be a layer with type 'adaptiveAvgPool', 'dropout' or 'dense'" },
);

/**
 * How AlexNet's weights start: PyTorch's default (torchvision), or the paper's normal rule.
 *
 * @example
 * ```ts
 * const paper = AlexNetInitSchema.parse({ rule: 'normal', std: 0.01, biasOnes: ['conv2', 'conv4', 'conv5', 'fc6', 'fc7'] });
 * ```
 *
 * @category AlexNet
 */
export const AlexNetInitSchema = z.discriminatedUnion(
  'rule',
  [
    /** PyTorch's default for nn.Conv2d / nn.Linear: weights and biases uniform in ±1/sqrt(fanIn). */
    z.strictObject({
      /** PyTorch's default. */
      rule: z.literal('torchDefault'),
    }),
    /** The paper's: weights N(0, std²), biases 1 in the layers named in `biasOnes`, 0 elsewhere. */
    z.strictObject({
      /** The paper's rule (Section 5). */
      rule: z.literal('normal'),
      /** Standard deviation of the weights (the paper: 0.01). */
      std: positiveNumber(),
      /** The conv and dense layers whose biases start at 1 (the paper: conv2, conv4, conv5, fc6, fc7). Default none. */
      biasOnes: z.array(layerName).default([]),
    }),
  ],
  { error: "must be { rule: 'torchDefault' } or { rule: 'normal', std, biasOnes }" },
);

/**
 * An AlexNet table: its input size, convolutional rows, classifier rows and init rule. The two
 * tables are `alexnetPaper` and `alexnetTorchvision` in `architectures/alexnet.ts`, parsed in
 * {@link alexnetArchitectures}.
 *
 * @example
 * ```ts
 * // torchvision's AlexNet without its adaptive pool, for a fixed 224 input:
 * const base = alexnetArchitectures.torchvision;
 * const fixed = AlexNetArchitectureSchema.parse({ ...base, classifier: base.classifier.slice(1) });
 * const model = alexnet({ architecture: fixed });
 * ```
 *
 * @category AlexNet
 */
export const AlexNetArchitectureSchema = z.strictObject({
  /** The input the table is designed for; the default of the `inputShape` option. */
  inputShape: inputShapeSchema,
  /** The convolutional part, in order ({@link AlexNetFeatureSchema} rows). */
  features: z.array(AlexNetFeatureSchema).min(1, { error: 'must list at least one layer' }),
  /** The classifier before `predictions`, in order ({@link AlexNetClassifierSchema} rows). */
  classifier: z.array(AlexNetClassifierSchema).superRefine((rows, context) => {
    const late = rows.findIndex((row, i) => row.type === 'adaptiveAvgPool' && i > 0);
    if (late >= 0) context.addIssue({ code: 'custom', path: [late], message: 'an adaptiveAvgPool row must come first (it pools the feature map)', input: rows[late] });
  }),
  /** How the weights start ({@link AlexNetInitSchema}). */
  init: AlexNetInitSchema,
});
/**
 * An AlexNet table as parsed (defaults filled in): what {@link alexnetArchitectures} holds.
 *
 * @example
 * ```ts
 * const { inputShape }: AlexNetArchitecture = alexnetArchitectures.paper; // [227, 227, 3]
 * ```
 *
 * @useDeclaredType
 * @category AlexNet
 */
export type AlexNetArchitecture = z.output<typeof AlexNetArchitectureSchema>;
/**
 * An AlexNet table as written (defaulted fields may be left out): what `architecture` takes.
 *
 * @example
 * ```ts
 * const table: AlexNetArchitectureInput = { ...alexnetArchitectures.torchvision, init: { rule: 'normal', std: 0.01 } };
 * ```
 *
 * @useDeclaredType
 * @category AlexNet
 */
export type AlexNetArchitectureInput = z.input<typeof AlexNetArchitectureSchema>;

/**
 * The variants' tables, parsed (defaults filled in): `paper` (Krizhevsky et al. 2012, Section 3.5,
 * Figure 2) and `torchvision` (torchvision's `alexnet`, the single-GPU network of "One weird
 * trick", https://arxiv.org/abs/1404.5997).
 *
 * @example
 * ```ts
 * alexnetArchitectures.paper.features.filter((row) => row.type === 'lrn').length; // 2
 * ```
 *
 * @category AlexNet
 */
export const alexnetArchitectures: Record<'paper' | 'torchvision', AlexNetArchitecture> = {
  paper: AlexNetArchitectureSchema.parse(alexnetPaper),
  torchvision: AlexNetArchitectureSchema.parse(alexnetTorchvision),
};

/**
 * Options of {@link alexnet}, as a zod schema: the shared options (defaults: `numClasses` 1000,
 * `dropout` 0.5) plus `inputShape` (the table's), `variant`, `groups` and `architecture`. Field by
 * field in {@link AlexNetOptions}.
 *
 * @example
 * ```ts
 * parseConfig(AlexNetOptionsSchema, { variant: 'paper' }).inputShape; // [227, 227, 3]
 * ```
 *
 * @category AlexNet
 */
export const AlexNetOptionsSchema = modelOptionsSchema(
  { numClasses: 1000, inputShape: [224, 224, 3], dropout: 0.5 },
  {
    /**
     * `[height, width, channels]`; defaults to the table's own (227x227x3 paper, 224x224x3
     * torchvision). The paper variant flattens pool5, so fc6's fan-in follows the input (9216 at
     * 227); torchvision's pools to 6x6 and runs from 223 up (its adaptive pool here pools, it does
     * not upsample).
     */
    inputShape: inputShapeSchema.optional().describe("[height, width, channels] of one input image; defaults to the architecture's"),
    /**
     * 'torchvision' (default: the AlexNet whose pretrained weights everyone uses) or 'paper' (the
     * 2012 network with LRN and 96-256-384-384-256 filters).
     */
    variant: z.enum(['torchvision', 'paper'], { error: "must be 'torchvision' or 'paper'" }).default('torchvision').describe("the variant: 'torchvision' or 'paper'"),
    /** Groups of the rows marked `grouped` (the paper's conv2, conv4, conv5): 2 is the paper's two-GPU network. Default 1. */
    groups: positiveInt().default(1).describe('groups of the grouped convolutions (2: the paper\'s two GPUs)'),
    /** Your own table ({@link AlexNetArchitectureInput}); replaces the variant's. Default: the variant's. */
    architecture: AlexNetArchitectureSchema.optional().describe("the layer table; defaults to the variant's"),
  },
).transform((options) => {
  const architecture = options.architecture ?? alexnetArchitectures[options.variant];
  return { ...options, architecture, inputShape: options.inputShape ?? architecture.inputShape };
});
/**
 * Options of {@link alexnet}, every one optional: the shared options with AlexNet's defaults
 * (`numClasses` 1000, `dropout` 0.5, `inputShape` the table's) and AlexNet's own.
 *
 * @example
 * ```ts
 * const options: AlexNetOptions = { variant: 'paper', groups: 2, numClasses: 100 };
 * ```
 *
 * @useDeclaredType
 * @category AlexNet
 */
export type AlexNetOptions = z.input<typeof AlexNetOptionsSchema>;
type AlexNetConfig = z.output<typeof AlexNetOptionsSchema>;

type ConvRow = Extract<AlexNetArchitecture['features'][number], { type: 'conv' }>;

/**
 * PyTorch's `padding=p` before a conv: nothing for 0; for p = (k - 1) / 2 the shared symmetric rule
 * (TF's 'same' where it pads p on every side, else an explicit ZeroPadding2D); any other p (torchvision's
 * conv1: 11x11 with p = 2) an explicit ZeroPadding2D of p, then 'valid'.
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

/** Checks the options against the table before anything is described. */
function validate(config: AlexNetConfig): void {
  const { architecture, groups } = config;
  const convs = architecture.features.filter((row): row is ConvRow => row.type === 'conv');
  if (groups > 1 && !convs.some((row) => row.grouped)) {
    throw new ConfigError('groups', `only splits the conv rows marked 'grouped', and this architecture (variant '${config.variant}') has none; use groups 1 or the 'paper' variant, received ${groups}`);
  }
  if (architecture.init.rule === 'normal') {
    const known = [...convs.map((row) => row.name), ...architecture.classifier.filter((row) => row.type === 'dense').map((row) => row.name), 'predictions'];
    architecture.init.biasOnes.forEach((name, i) => {
      if (!known.includes(name)) {
        throw new ConfigError(`architecture.init.biasOnes.${i}`, `must name a conv or dense layer (${known.join(', ')}), received ${describeValue(name)}`);
      }
    });
  }
}

function describeAlexNet<T>(net: Net<T>, config: AlexNetConfig): NetGraph<T> {
  validate(config);
  const { architecture, groups } = config;
  const input = net.input(config.inputShape, 'input');
  let x = input;
  for (const row of architecture.features) {
    if (row.type === 'conv') {
      const rowGroups = row.grouped ? groups : 1;
      const channels = net.shape(x)[2];
      if (channels % rowGroups !== 0 || row.filters % rowGroups !== 0) {
        throw new ConfigError('groups', `must divide the input channels (${channels}) and the filters (${row.filters}) of grouped layer '${row.name}', received ${groups}`);
      }
      const [padded, padding] = padLikeTorch(net, x, row);
      x = net.conv2d(padded, {
        name: row.name,
        filters: row.filters,
        kernelSize: row.kernelSize,
        strides: row.strides,
        padding,
        groups: rowGroups,
        activation: 'relu',
        ...initFor(architecture.init, row.name),
      });
    } else if (row.type === 'lrn') {
      const { name, size, k, alpha, beta } = row;
      x = net.custom(x, {
        name,
        type: 'LocalResponseNormalization',
        create: () => new LocalResponseNormalization({ name, size, k, alpha, beta }),
        outputShape: ([shape]) => shape,
      });
    } else {
      x = net.maxPool(x, { name: row.name, poolSize: row.poolSize, strides: row.strides });
    }
  }

  if (!config.includeTop) return { inputs: [input], outputs: [config.pooling ? poolFeatures(net, x, config.pooling) : x] };

  let flat = false;
  for (const row of architecture.classifier) {
    if (row.type === 'adaptiveAvgPool') {
      x = net.custom(x, adaptiveAvgPoolSpec(row.name, row.outputSize));
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
  const output = net.dense(x, {
    name: 'predictions',
    units: config.numClasses,
    activation: config.classifierActivation,
    ...initFor(architecture.init, 'predictions'),
  });
  return { inputs: [input], outputs: [output] };
}

/**
 * torchvision's `AdaptiveAvgPool2d((size, size))`, with one departure: a map SMALLER than the
 * output is refused (an input too small, reported up front) instead of being upsampled. PyTorch
 * would repeat pixels there (so torchvision's AlexNet runs from 63x63 up); the classifier would
 * then see a 6x6 grid of copies of a 1x1 to 5x5 map, which is not what AlexNet's fc6 was designed
 * or trained for, and an AlexNet fed such a small image is far more often a mistake than a plan.
 * From 223x223 up (a pool5 map of 6x6 or more) results match torchvision's, overlapping bins
 * included.
 */
function adaptiveAvgPoolSpec(name: string, size: number) {
  return {
    name,
    type: 'AdaptiveAveragePooling2D',
    create: () => new AdaptiveAveragePooling2D({ name, outputSize: [size, size] }),
    outputShape: ([shape]: readonly (readonly number[])[]) => {
      const [height, width, channels] = shape;
      if (height < size || width < size) {
        throw new SpatialSizeError(name, `to be upsampled from a ${height}x${width} map to ${size}x${size} (adaptive average pooling here pools; it does not repeat pixels as PyTorch would)`);
      }
      return [size, size, channels];
    },
  };
}

/**
 * AlexNet's registry entry (`alexnet`): its options schema, network description and paper.
 *
 * @example
 * ```ts
 * planModel(alexnetDefinition, { variant: 'paper' }).find((layer) => layer.name === 'pool5')?.outputShape; // [6, 6, 256]
 * ```
 *
 * @category AlexNet
 */
export const alexnetDefinition: ModelDefinition<typeof AlexNetOptionsSchema> = {
  name: 'alexnet',
  schema: AlexNetOptionsSchema,
  describe: describeAlexNet,
  paper: {
    title: 'ImageNet Classification with Deep Convolutional Neural Networks',
    authors: 'Krizhevsky, Sutskever, Hinton',
    year: 2012,
    url: 'https://papers.nips.cc/paper/4824-imagenet-classification-with-deep-convolutional-neural-networks',
    table: 'Section 3.5, Figure 2',
  },
};

/**
 * AlexNet.
 *
 * Paper: Krizhevsky, Sutskever, Hinton, "ImageNet Classification with Deep Convolutional Neural
 * Networks", NeurIPS 2012, Section 3 and Figure 2
 * (https://papers.nips.cc/paper/4824-imagenet-classification-with-deep-convolutional-neural-networks).
 *
 * - `variant: 'torchvision'` (default): torchvision's AlexNet, 224x224x3, 61,100,840 parameters,
 *   numerically faithful to PyTorch (symmetric padding, PyTorch's adaptive-pool bins, PyTorch's
 *   default init). It departs from the paper as torchvision does, after Krizhevsky's "One weird
 *   trick for parallelizing convolutional neural networks" (https://arxiv.org/abs/1404.5997):
 *   64-192-384-256-256 filters, no LRN, an adaptive average pool to 6x6, dropout before fc6 and
 *   fc7. One departure from torchvision: the adaptive pool refuses a map smaller than 6x6 (an
 *   input under 223x223) instead of upsampling it.
 * - `variant: 'paper'`: the 2012 network, 227x227x3, with LRN after conv1 and conv2, overlapping
 *   3x3/2 max pools, dropout on fc6's and fc7's outputs, and the paper's init (N(0, 0.01), biases
 *   1 in conv2, conv4, conv5, fc6, fc7); 62,378,344 parameters, or 60,965,224 with `groups: 2`
 *   (conv2, conv4 and conv5 split over the two GPUs). Departure: the paper says 224x224, but its
 *   55x55 conv1 output needs 227 (as in Caffe's reference model).
 *
 * Options (all optional, see {@link AlexNetOptions}): `variant` ('torchvision'), `groups` (1),
 * `architecture` (the variant's table), `inputShape` (the table's), and the shared `numClasses`
 * (1000), `includeTop` (true), `pooling`, `classifierActivation` ('softmax'), `dropout` (0.5),
 * `seed` (random), `initialize` (true).
 *
 * Layer names: `conv1`..`conv5` (and `conv<i>_pad`), `lrn1`, `lrn2`, `pool1`, `pool2`, `pool5`,
 * `avgpool`, `flatten`, `fc6`, `fc7`, `dropout<i>` (dropout on layer i's output), `predictions`.
 *
 * @example
 * ```ts
 * const model = alexnet(); // torchvision's
 * const twoGpu = alexnet({ variant: 'paper', groups: 2 });
 * ```
 *
 * @category AlexNet
 */
export function alexnet(options: AlexNetOptions = {}): tf.LayersModel {
  return buildModel(alexnetDefinition, options);
}
