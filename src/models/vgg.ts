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

/** One convolution row of Table 1: "conv3-N" is `N`; "conv1-N" (configuration C) is `{ filters: N, kernelSize: 1 }`. */
export const VggConvSchema = z.union(
  [positiveInt(), z.strictObject({ filters: positiveInt(), kernelSize: positiveInt() })],
  { error: 'must be a number of filters (a 3x3 convolution) or { filters, kernelSize }' },
);

/** A VGG configuration: Table 1's convolution stages (each ends with a max pool) and its hidden FC widths. */
export const VggArchitectureSchema = z.strictObject(
  {
    /** The convolutions of each stage, in order; every stage is followed by a 2x2, stride 2 max pool. */
    stages: z
      .array(z.array(VggConvSchema).min(1, { error: 'must list at least one convolution per stage' }), {
        error: 'must be a list of stages, each a list of convolutions',
      })
      .min(1, { error: 'must list at least one stage' })
      .describe('the convolutions of each stage'),
    /** Widths of the hidden fully connected layers before the classifier (Table 1's two FC-4096). */
    fc: z
      .array(positiveInt(), { error: 'must be a list of positive integers' })
      .default([4096, 4096])
      .describe('widths of the hidden fully connected layers'),
  },
  { error: 'must be a VGG architecture like { stages: [[64], [128], [256, 256], [512, 512], [512, 512]] }' },
);
export type VggArchitecture = z.output<typeof VggArchitectureSchema>;
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
      /** The convolution stages and FC widths (Table 1's columns are in `architectures/vgg.ts`). */
      architecture: architecture.describe("Table 1's configuration"),
      /** torchvision's `_bn` variant: BatchNormalization between every conv and its ReLU. */
      batchNorm: z
        .boolean({ error: 'must be true or false' })
        .default(false)
        .describe('BatchNormalization after every convolution (torchvision vgg*_bn)'),
    },
  );
}

/** Options of {@link vgg}: `architecture` is required. */
export const VggOptionsSchema = vggOptionsSchema(VggArchitectureSchema);
export type VggOptions = z.input<typeof VggOptionsSchema>;
type VggConfig = z.output<typeof VggOptionsSchema>;

/** Options of {@link vgg16} (architecture defaults to Table 1's D). */
export const Vgg16OptionsSchema = vggOptionsSchema(VggArchitectureSchema.default(vggD));
export type Vgg16Options = z.input<typeof Vgg16OptionsSchema>;

/** Options of {@link vgg19} (architecture defaults to Table 1's E). */
export const Vgg19OptionsSchema = vggOptionsSchema(VggArchitectureSchema.default(vggE));
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

/** VGG with a user's architecture (not registered: it has no default). */
export const vggDefinition: ModelDefinition<typeof VggOptionsSchema> = {
  name: 'vgg',
  schema: VggOptionsSchema,
  describe: describeVgg,
  paper: vggPaper,
};

export const vgg16Definition: ModelDefinition<typeof Vgg16OptionsSchema> = {
  name: 'vgg16',
  schema: Vgg16OptionsSchema,
  describe: describeVgg,
  paper: { ...vggPaper, table: 'Table 1, configuration D' },
};

export const vgg19Definition: ModelDefinition<typeof Vgg19OptionsSchema> = {
  name: 'vgg19',
  schema: Vgg19OptionsSchema,
  describe: describeVgg,
  paper: { ...vggPaper, table: 'Table 1, configuration E' },
};

/**
 * VGG of any Table 1 configuration, or of your own stages.
 *
 * @example
 * ```ts
 * const vgg11 = vgg({ architecture: vggConfigurations.A }); // 132,863,336 parameters
 * const small = vgg({ architecture: { stages: [[32], [64, 64]], fc: [256] }, inputShape: [32, 32, 3], numClasses: 10 });
 * ```
 */
export function vgg(options: VggOptions): tf.LayersModel {
  return buildModel(vggDefinition, options);
}

/**
 * VGG-16 (Table 1, D), as Keras's `VGG16`: 138,357,544 parameters at 224x224x3.
 *
 * @example
 * ```ts
 * const model = vgg16();
 * const features = vgg16({ includeTop: false, pooling: 'avg', inputShape: [128, 128, 3] });
 * ```
 */
export function vgg16(options: Vgg16Options = {}): tf.LayersModel {
  return buildModel(vgg16Definition, options);
}

/**
 * VGG-19 (Table 1, E), as Keras's `VGG19`: 143,667,240 parameters at 224x224x3.
 *
 * @example
 * ```ts
 * const model = vgg19({ batchNorm: true });
 * ```
 */
export function vgg19(options: Vgg19Options = {}): tf.LayersModel {
  return buildModel(vgg19Definition, options);
}
