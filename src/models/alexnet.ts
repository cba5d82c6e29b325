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

/** One row of the convolutional part. Every conv is followed by a ReLU. */
export const AlexNetFeatureSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      type: z.literal('conv'),
      name: layerName,
      filters: positiveInt(),
      kernelSize: positiveInt(),
      strides: positiveInt().default(1),
      /** PyTorch's padding: this many zeros on every side. */
      padding: nonNegativeInt().default(0),
      /** Split into the `groups` option's number of groups (the paper's two GPUs). */
      grouped: z.boolean({ error: 'must be true or false' }).default(false),
    }),
    /** Local response normalisation across channels, in the paper's notation (Section 3.3). */
    z.strictObject({
      type: z.literal('lrn'),
      name: layerName,
      size: positiveInt().refine((n) => n % 2 === 1, { error: 'must be an odd positive integer' }),
      k: z.number({ error: 'must be a non-negative number' }).min(0, { error: 'must be a non-negative number' }),
      alpha: positiveNumber(),
      beta: positiveNumber(),
    }),
    z.strictObject({ type: z.literal('maxPool'), name: layerName, poolSize: positiveInt(), strides: positiveInt() }),
  ],
  { error: "must be a layer with type 'conv', 'lrn' or 'maxPool'" },
);

/** One row of the classifier, before `predictions`. Every dense layer is followed by a ReLU. */
export const AlexNetClassifierSchema = z.discriminatedUnion(
  'type',
  [
    /** PyTorch's AdaptiveAvgPool2d(outputSize): any map (at least that big) to outputSize x outputSize. */
    z.strictObject({ type: z.literal('adaptiveAvgPool'), name: layerName, outputSize: positiveInt() }),
    /** Dropout at the `dropout` option's rate. */
    z.strictObject({ type: z.literal('dropout'), name: layerName }),
    z.strictObject({ type: z.literal('dense'), name: layerName, units: positiveInt() }),
  ],
  { error: "must be a layer with type 'adaptiveAvgPool', 'dropout' or 'dense'" },
);

/** How the weights start. */
export const AlexNetInitSchema = z.discriminatedUnion(
  'rule',
  [
    /** PyTorch's default for nn.Conv2d / nn.Linear: weights and biases uniform in ±1/sqrt(fanIn). */
    z.strictObject({ rule: z.literal('torchDefault') }),
    /** The paper's: weights N(0, std²), biases 1 in the layers named in `biasOnes`, 0 elsewhere. */
    z.strictObject({ rule: z.literal('normal'), std: positiveNumber(), biasOnes: z.array(layerName).default([]) }),
  ],
  { error: "must be { rule: 'torchDefault' } or { rule: 'normal', std, biasOnes }" },
);

export const AlexNetArchitectureSchema = z.strictObject({
  /** The input the table is designed for; the default of the `inputShape` option. */
  inputShape: inputShapeSchema,
  features: z.array(AlexNetFeatureSchema).min(1, { error: 'must list at least one layer' }),
  classifier: z.array(AlexNetClassifierSchema).superRefine((rows, context) => {
    const late = rows.findIndex((row, i) => row.type === 'adaptiveAvgPool' && i > 0);
    if (late >= 0) context.addIssue({ code: 'custom', path: [late], message: 'an adaptiveAvgPool row must come first (it pools the feature map)', input: rows[late] });
  }),
  init: AlexNetInitSchema,
});
export type AlexNetArchitecture = z.output<typeof AlexNetArchitectureSchema>;
export type AlexNetArchitectureInput = z.input<typeof AlexNetArchitectureSchema>;

/** The variants' tables, parsed (defaults filled in). */
export const alexnetArchitectures: Record<'paper' | 'torchvision', AlexNetArchitecture> = {
  paper: AlexNetArchitectureSchema.parse(alexnetPaper),
  torchvision: AlexNetArchitectureSchema.parse(alexnetTorchvision),
};

/** Options of {@link alexnet}. */
export const AlexNetOptionsSchema = modelOptionsSchema(
  { numClasses: 1000, inputShape: [224, 224, 3], dropout: 0.5 },
  {
    /** `[height, width, channels]`; defaults to the table's own (227x227x3 paper, 224x224x3 torchvision). */
    inputShape: inputShapeSchema.optional().describe("[height, width, channels] of one input image; defaults to the architecture's"),
    /**
     * 'torchvision' (default: the AlexNet whose pretrained weights everyone uses) or 'paper' (the
     * 2012 network with LRN and 96-256-384-384-256 filters).
     */
    variant: z.enum(['torchvision', 'paper'], { error: "must be 'torchvision' or 'paper'" }).default('torchvision').describe("the variant: 'torchvision' or 'paper'"),
    /** Groups of the rows marked `grouped` (the paper's conv2, conv4, conv5): 2 is the paper's two-GPU network. */
    groups: positiveInt().default(1).describe('groups of the grouped convolutions (2: the paper\'s two GPUs)'),
    /** Your own table; replaces the variant's. */
    architecture: AlexNetArchitectureSchema.optional().describe("the layer table; defaults to the variant's"),
  },
).transform((options) => {
  const architecture = options.architecture ?? alexnetArchitectures[options.variant];
  return { ...options, architecture, inputShape: options.inputShape ?? architecture.inputShape };
});
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
 * - `variant: 'torchvision'` (default): torchvision's AlexNet, 224x224x3, 61,100,840 parameters,
 *   numerically faithful to PyTorch (symmetric padding, PyTorch's adaptive-pool bins, PyTorch's
 *   default init).
 * - `variant: 'paper'`: the 2012 network, 227x227x3, with LRN after conv1 and conv2; 62,378,344
 *   parameters, or 60,965,224 with `groups: 2` (conv2, conv4 and conv5 split over the two GPUs).
 *
 * @example
 * ```ts
 * const model = alexnet(); // torchvision's
 * const twoGpu = alexnet({ variant: 'paper', groups: 2 });
 * ```
 */
export function alexnet(options: AlexNetOptions = {}): tf.LayersModel {
  return buildModel(alexnetDefinition, options);
}
