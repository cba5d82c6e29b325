/**
 * VGG (Simonyan & Zisserman 2015). The architectures are Table 1's columns, in `architectures/vgg.ts`.
 *
 * Follows Keras Applications' `VGG16` / `VGG19` exactly, by layer name and numerically: 3x3
 * convolutions with 'same' padding (pad 1 on every side at stride 1, as the paper's "padding is 1
 * pixel for 3x3 conv. layers") and the ReLU fused in, 2x2 stride-2 max pools, then `flatten`, `fc1`,
 * `fc2` (ReLU) and `predictions`. Weights: Keras's default glorot_uniform, zero biases.
 */
import { z } from 'zod';
import { vggD, vggE } from '../../architectures/vgg.js';
import { convBnAct } from '../blocks/conv-bn-act.js';
import { poolFeatures } from '../blocks/classifier.js';
import { positiveInt } from '../config.js';
import { glorotUniform, zeros } from '../init.js';
import type { Net, NetGraph } from '../net/net.js';
import { modelOptionsSchema } from '../options.js';
import type { tf } from '../tf.js';
import { buildModel, type ModelDefinition, type Paper } from './model-definition.js';

/**
 * One convolution row of Table 1: "conv3-N" is `N`; "conv1-N" (configuration C) is
 * `{ filters: N, kernelSize: 1 }`. Every convolution has stride 1, 'same' padding and a ReLU.
 *
 * @example
 * ```ts
 * VggConvSchema.parse(256);                              // conv3-256
 * VggConvSchema.parse({ filters: 256, kernelSize: 1 });  // conv1-256
 * ```
 *
 * @category VGG
 */
export const VggConvSchema = z.union(
  [
    positiveInt(),
    z.strictObject({
      /** Output channels. */
      filters: positiveInt(),
      /** Square kernel size (1 for configuration C's "conv1" rows). */
      kernelSize: positiveInt(),
    }),
  ],
  { error: 'must be a number of filters (a 3x3 convolution) or { filters, kernelSize }' },
);

/**
 * A VGG configuration: Table 1's convolution stages (each ends with a max pool) and its hidden FC
 * widths. Table 1's columns are {@link vggConfigurations}.
 *
 * @example
 * ```ts
 * const vgg11Slim = VggArchitectureSchema.parse({ stages: [[32], [64], [128, 128], [256, 256], [256, 256]], fc: [1024, 1024] });
 * ```
 *
 * @category VGG
 */
export const VggArchitectureSchema = z.strictObject(
  {
    /** The convolutions of each stage, in order; every stage is followed by a 2x2, stride 2 max pool. */
    stages: z
      .array(z.array(VggConvSchema).min(1, { error: 'must list at least one convolution per stage' }), {
        error: 'must be a list of stages, each a list of convolutions',
      })
      .min(1, { error: 'must list at least one stage' })
      .describe('the convolutions of each stage'),
    /** Widths of the hidden fully connected layers before the classifier. Default Table 1's two FC-4096, `[4096, 4096]`. */
    fc: z
      .array(positiveInt(), { error: 'must be a list of positive integers' })
      .default([4096, 4096])
      .describe('widths of the hidden fully connected layers'),
  },
  { error: 'must be a VGG architecture like { stages: [[64], [128], [256, 256], [512, 512], [512, 512]] }' },
);
/**
 * A VGG configuration as parsed (`fc` filled in): the type of {@link vggConfigurations}' columns.
 *
 * @example
 * ```ts
 * const d: VggArchitecture = vggConfigurations.D;
 * ```
 *
 * @useDeclaredType
 * @category VGG
 */
export type VggArchitecture = z.output<typeof VggArchitectureSchema>;
/**
 * A VGG configuration as written (`fc` may be left out): what `architecture` takes.
 *
 * @example
 * ```ts
 * const tiny: VggArchitectureInput = { stages: [[16], [32]] }; // fc defaults to [4096, 4096]
 * ```
 *
 * @useDeclaredType
 * @category VGG
 */
export type VggArchitectureInput = z.input<typeof VggArchitectureSchema>;

/**
 * VGG's options schema, with `architecture` required or defaulted.
 *
 * - `dropout` (default 0, as Keras, whose VGG has no dropout): above 0, a Dropout layer follows each
 *   hidden fully connected layer (`fc1_dropout`, `fc2_dropout`), where the paper (Section 3.1,
 *   ratio 0.5) and torchvision put it.
 * - `batchNorm` (default false, as Keras and the paper): true gives torchvision's `vgg16_bn`
 *   variant (conv with bias -> BatchNormalization -> ReLU).
 * - `inputShape`: Keras requires 224x224 with `include_top` (its weights' fc1 expects a 7x7x512
 *   map); no weights are loaded here, so any size the five pools leave at least 1x1 works, and
 *   `fc1`'s input size follows the final map: (H/32)(W/32)x512 inputs.
 */
function vggOptionsSchema<A extends z.ZodType>(architecture: A) {
  return modelOptionsSchema(
    { numClasses: 1000, inputShape: [224, 224, 3], dropout: 0 },
    {
      /** The convolution stages and FC widths ({@link VggArchitectureInput}; Table 1's columns are {@link vggConfigurations}). Required by {@link vgg}; D for {@link vgg16}, E for {@link vgg19}. */
      architecture: architecture.describe("Table 1's configuration"),
      /** torchvision's `_bn` variant: BatchNormalization (epsilon 1e-5) between every conv and its ReLU. Default false (Keras, and the paper). */
      batchNorm: z
        .boolean({ error: 'must be true or false' })
        .default(false)
        .describe('BatchNormalization after every convolution (torchvision vgg*_bn)'),
    },
  );
}

/**
 * Options of {@link vgg}, as a zod schema: `architecture` is required. Field by field in
 * {@link VggOptions}.
 *
 * @example
 * ```ts
 * parseConfig(VggOptionsSchema, { architecture: vggConfigurations.A }).dropout; // 0
 * ```
 *
 * @category VGG
 */
export const VggOptionsSchema = vggOptionsSchema(VggArchitectureSchema);
/**
 * Options of {@link vgg}: `architecture` (required), `batchNorm` (false), and the shared options
 * with VGG's defaults (`numClasses` 1000, `inputShape` [224, 224, 3], `dropout` 0).
 *
 * @example
 * ```ts
 * const options: VggOptions = { architecture: vggConfigurations.B, batchNorm: true, dropout: 0.5 };
 * ```
 *
 * @useDeclaredType
 * @category VGG
 */
export type VggOptions = z.input<typeof VggOptionsSchema>;
type VggConfig = z.output<typeof VggOptionsSchema>;

/**
 * Options of {@link vgg16}, as a zod schema (architecture defaults to Table 1's D). Field by field
 * in {@link Vgg16Options}.
 *
 * @example
 * ```ts
 * parseConfig(Vgg16OptionsSchema, {}).architecture.stages.length; // 5
 * ```
 *
 * @category VGG
 */
export const Vgg16OptionsSchema = vggOptionsSchema(VggArchitectureSchema.default(vggD));
/**
 * Options of {@link vgg16}, every one optional: `architecture` (Table 1's D), `batchNorm` (false),
 * and the shared options with VGG's defaults (`numClasses` 1000, `inputShape` [224, 224, 3],
 * `dropout` 0).
 *
 * @example
 * ```ts
 * const options: Vgg16Options = { includeTop: false, pooling: 'avg' };
 * ```
 *
 * @useDeclaredType
 * @category VGG
 */
export type Vgg16Options = z.input<typeof Vgg16OptionsSchema>;

/**
 * Options of {@link vgg19}, as a zod schema (architecture defaults to Table 1's E). Field by field
 * in {@link Vgg19Options}.
 *
 * @example
 * ```ts
 * parseConfig(Vgg19OptionsSchema, { batchNorm: true }).batchNorm; // true
 * ```
 *
 * @category VGG
 */
export const Vgg19OptionsSchema = vggOptionsSchema(VggArchitectureSchema.default(vggE));
/**
 * Options of {@link vgg19}, every one optional: `architecture` (Table 1's E), `batchNorm` (false),
 * and the shared options with VGG's defaults (`numClasses` 1000, `inputShape` [224, 224, 3],
 * `dropout` 0).
 *
 * @example
 * ```ts
 * const options: Vgg19Options = { numClasses: 10, inputShape: [64, 64, 3] };
 * ```
 *
 * @useDeclaredType
 * @category VGG
 */
export type Vgg19Options = z.input<typeof Vgg19OptionsSchema>;

/**
 * BatchNorm numbers of the `batchNorm: true` variant, torchvision's `nn.BatchNorm2d` defaults:
 * epsilon 1e-5, momentum 0.1 in PyTorch's convention = 0.9 in Keras's.
 */
const torchBatchNorm = { epsilon: 1e-5, momentum: 0.9 };

function describeVgg<T>(net: Net<T>, config: VggConfig): NetGraph<T> {
  const input = net.input(config.inputShape, 'input');
  let x = input;
  config.architecture.stages.forEach((stage, s) => {
    const block = `block${s + 1}`;
    stage.forEach((conv, c) => {
      const { filters, kernelSize } = typeof conv === 'number' ? { filters: conv, kernelSize: 3 } : conv;
      const name = `${block}_conv${c + 1}`;
      if (config.batchNorm) {
        // torchvision's vgg*_bn keeps the conv bias (Conv2d's default) before the BatchNorm.
        x = convBnAct(net, x, {
          names: { conv: name, bn: `${name}_bn`, activation: `${name}_relu` },
          filters,
          kernelSize,
          padding: 'same', // stride 1: 'same' pads (k-1)/2 on every side, as the paper's padding 1
          activation: 'relu',
          batchNorm: torchBatchNorm,
          kernelInit: glorotUniform,
          useBias: true,
        });
      } else {
        x = net.conv2d(x, { name, filters, kernelSize, padding: 'same', activation: 'relu', kernelInit: glorotUniform, biasInit: zeros });
      }
    });
    x = net.maxPool(x, { name: `${block}_pool`, poolSize: 2, strides: 2 });
  });

  if (!config.includeTop) {
    const features = config.pooling ? poolFeatures(net, x, config.pooling) : x;
    return { inputs: [input], outputs: [features] };
  }
  // Keras flattens the last map: fc1's input size is whatever the input size leaves there.
  x = net.flatten(x, 'flatten');
  config.architecture.fc.forEach((units, i) => {
    const name = `fc${i + 1}`;
    x = net.dense(x, { name, units, activation: 'relu', kernelInit: glorotUniform, biasInit: zeros });
    if (config.dropout > 0) x = net.dropout(x, config.dropout, `${name}_dropout`);
  });
  const output = net.dense(x, {
    name: 'predictions',
    units: config.numClasses,
    activation: config.classifierActivation,
    kernelInit: glorotUniform,
    biasInit: zeros,
  });
  return { inputs: [input], outputs: [output] };
}

const vggPaper: Paper = {
  title: 'Very Deep Convolutional Networks for Large-Scale Image Recognition',
  authors: 'Simonyan, Zisserman',
  year: 2015,
  url: 'https://arxiv.org/abs/1409.1556',
  table: 'Table 1',
};

/**
 * VGG with a user's architecture (not registered: it has no default), for {@link vgg}.
 *
 * @example
 * ```ts
 * planModel(vggDefinition, { architecture: vggConfigurations.A }).length;
 * ```
 *
 * @category VGG
 */
export const vggDefinition: ModelDefinition<typeof VggOptionsSchema> = {
  name: 'vgg',
  schema: VggOptionsSchema,
  describe: describeVgg,
  paper: vggPaper,
};

/**
 * VGG-16's registry entry (`vgg16`, Table 1's D).
 *
 * @example
 * ```ts
 * vgg16Definition.paper.table; // 'Table 1, configuration D'
 * ```
 *
 * @category VGG
 */
export const vgg16Definition: ModelDefinition<typeof Vgg16OptionsSchema> = {
  name: 'vgg16',
  schema: Vgg16OptionsSchema,
  describe: describeVgg,
  paper: { ...vggPaper, table: 'Table 1, configuration D' },
};

/**
 * VGG-19's registry entry (`vgg19`, Table 1's E).
 *
 * @example
 * ```ts
 * planModel(vgg19Definition, {}).at(-1)?.outputShape; // [1000]
 * ```
 *
 * @category VGG
 */
export const vgg19Definition: ModelDefinition<typeof Vgg19OptionsSchema> = {
  name: 'vgg19',
  schema: Vgg19OptionsSchema,
  describe: describeVgg,
  paper: { ...vggPaper, table: 'Table 1, configuration E' },
};

/**
 * VGG of any Table 1 configuration, or of your own stages.
 *
 * Paper: Simonyan, Zisserman, "Very Deep Convolutional Networks for Large-Scale Image
 * Recognition", ICLR 2015, Table 1 (https://arxiv.org/abs/1409.1556).
 *
 * Built as Keras Applications' `VGG16`/`VGG19`, by layer name and numerically: 3x3 convolutions,
 * stride 1, 'same' padding (the paper's padding 1) with the ReLU fused in, a 2x2/2 max pool after
 * each stage, `flatten`, the hidden FC layers (`fc1`, `fc2`, ReLU), `predictions`. Departures from
 * the paper: Keras's Glorot-uniform init and zero biases (the paper draws net A's weights from a
 * normal of variance 1e-2 and starts the deeper nets partly from A, noting that Glorot's init
 * works without that, Section 3.1); no dropout by default (the paper's training uses 0.5 in the
 * first two FC layers: pass `dropout: 0.5`); any input size the five pools leave at least 1x1
 * (the paper's is 224x224; `fc1`'s fan-in follows the last map, (H/32)(W/32)·512); the paper's
 * test-time conversion of the FC layers into convolutions is not done. Column A-LRN is not
 * offered (Section 4.1: LRN does not help). `batchNorm: true` is torchvision's `vgg*_bn`, which
 * the paper does not have.
 *
 * Options (see {@link VggOptions}): `architecture` (required), `batchNorm` (false), and the shared
 * `numClasses` (1000), `inputShape` ([224, 224, 3]), `includeTop` (true), `pooling`,
 * `classifierActivation` ('softmax'), `dropout` (0), `seed` (random), `initialize` (true).
 *
 * Layer names (Keras's): `block<s>_conv<c>` (with `_bn`, `_relu` when `batchNorm`),
 * `block<s>_pool`, `flatten`, `fc1`, `fc2` (`fc<i>_dropout`), `predictions`.
 *
 * @example
 * ```ts
 * const vgg11 = vgg({ architecture: vggConfigurations.A }); // 132,863,336 parameters
 * const small = vgg({ architecture: { stages: [[32], [64, 64]], fc: [256] }, inputShape: [32, 32, 3], numClasses: 10 });
 * ```
 *
 * @category VGG
 */
export function vgg(options: VggOptions): tf.LayersModel {
  return buildModel(vggDefinition, options);
}

/**
 * VGG-16 (Table 1, D), as Keras's `VGG16`: 138,357,544 parameters at 224x224x3. Everything said
 * of {@link vgg} holds (paper, departures, names); options in {@link Vgg16Options}, all optional.
 *
 * @example
 * ```ts
 * const model = vgg16();
 * const features = vgg16({ includeTop: false, pooling: 'avg', inputShape: [128, 128, 3] });
 * ```
 *
 * @category VGG
 */
export function vgg16(options: Vgg16Options = {}): tf.LayersModel {
  return buildModel(vgg16Definition, options);
}

/**
 * VGG-19 (Table 1, E), as Keras's `VGG19`: 143,667,240 parameters at 224x224x3. Everything said
 * of {@link vgg} holds (paper, departures, names); options in {@link Vgg19Options}, all optional.
 *
 * @example
 * ```ts
 * const model = vgg19({ batchNorm: true });
 * ```
 *
 * @category VGG
 */
export function vgg19(options: Vgg19Options = {}): tf.LayersModel {
  return buildModel(vgg19Definition, options);
}
