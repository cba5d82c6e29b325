/**
 * VGG: Simonyan, Zisserman, "Very Deep Convolutional Networks for Large-Scale Image Recognition",
 * ICLR 2015, Table 1 (https://arxiv.org/abs/1409.1556). Each configuration is a row: Table 1 read
 * top to bottom, a stage being the convolutions between two "maxpool" rows.
 *
 * Built as Keras Applications' `VGG16`/`VGG19`, by layer name and numerically: 3x3 convolutions,
 * stride 1, 'same' padding (the paper's padding 1) with the ReLU fused in, a 2x2/2 max pool after
 * each stage, `flatten`, `fc1`, `fc2` (ReLU), `predictions`. Departures from the paper: Keras's
 * Glorot-uniform init and zero biases (the paper starts net A from N(0, 1e-2) and the deeper nets
 * partly from A, noting Glorot's init works without that, Section 3.1); no dropout by default (the
 * paper trains with 0.5 in the first two FC layers: pass `dropout: 0.5`); any input the five pools
 * leave at least 1x1 (`fc1`'s fan-in follows the last map); no test-time conversion of the FC
 * layers into convolutions. Column A-LRN is not offered (Section 4.1: LRN does not help).
 * `batchNorm: true` is torchvision's `vgg*_bn`, which the paper does not have.
 */
import { z } from 'zod';
import { torchBatchNorm } from '../../blocks/batch-norm.js';
import { poolFeatures } from '../../blocks/classifier.js';
import { convBnAct } from '../../blocks/conv-bn-act.js';
import { positiveInt } from '../../config.js';
import { glorotUniform, zeros } from '../../init.js';
import type { Net, NetGraph } from '../../net/net.js';
import { modelOptionsSchema } from '../../options.js';
import { defineFamily } from '../family.js';
import { kerasCaffe, torchvisionImagenet } from '../preprocessing.js';
import { vggTorchvisionNames } from './torchvision.js';
// Unused in the code: in scope, it makes the builders' declarations name their return type
// tf.LayersModel (@tensorflow/tfjs) rather than import it from tfjs-layers, not a dependency.
import type { tf } from '../../tf.js';

/**
 * One convolution row of Table 1: "conv3-N" is `N`; "conv1-N" (configuration C) is
 * `{ filters: N, kernelSize: 1 }`. Every convolution has stride 1, 'same' padding and a ReLU.
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
 * A VGG configuration: the convolution stages (each ends with a max pool) and the hidden FC widths.
 *
 * @category VGG
 */
export const VggArchitectureSchema = z.strictObject(
  {
    /** The convolutions of each stage, in order; every stage ends with a 2x2, stride 2 max pool. */
    stages: z
      .array(z.array(VggConvSchema).min(1, { error: 'must list at least one convolution per stage' }), { error: 'must be a list of stages, each a list of convolutions' })
      .min(1, { error: 'must list at least one stage' }),
    /** Widths of the hidden fully connected layers. Default Table 1's two FC-4096. */
    fc: z.array(positiveInt(), { error: 'must be a list of positive integers' }).default([4096, 4096]),
  },
  { error: 'must be a VGG architecture like { stages: [[64], [128], [256, 256], [512, 512], [512, 512]] }' },
);

/**
 * A VGG configuration as written (`fc` may be left out).
 *
 * @category VGG
 */
export type VggArchitectureInput = z.input<typeof VggArchitectureSchema>;

const VggOptionsSchema = modelOptionsSchema(
  { numClasses: 1000, inputShape: [224, 224, 3], dropout: 0 },
  {
    /** The convolution stages and FC widths ({@link VggArchitectureInput}): a configuration's own column of Table 1 by default. */
    architecture: VggArchitectureSchema,
    /** torchvision's `_bn` variant: BatchNormalization (epsilon 1e-5) between every conv and its ReLU. Default false (Keras, and the paper). */
    batchNorm: z.boolean({ error: 'must be true or false' }).default(false),
  },
);

/**
 * Options of the VGG builders: `architecture` (a configuration's Table 1 column by default;
 * required by {@link vgg}), `batchNorm` (false), and the shared options with VGG's defaults
 * (`numClasses` 1000, `inputShape` [224, 224, 3], `dropout` 0; above 0, a dropout follows each
 * hidden FC layer, as in the paper and torchvision).
 *
 * @useDeclaredType
 * @category VGG
 */
export type VggOptions = z.input<typeof VggOptionsSchema>;
type VggConfig = z.output<typeof VggOptionsSchema>;

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

  if (!config.includeTop) return { inputs: [input], outputs: [config.pooling ? poolFeatures(net, x, config.pooling) : x] };
  x = net.flatten(x, 'flatten');
  config.architecture.fc.forEach((units, i) => {
    const name = `fc${i + 1}`;
    x = net.dense(x, { name, units, activation: 'relu', kernelInit: glorotUniform, biasInit: zeros });
    if (config.dropout > 0) x = net.dropout(x, config.dropout, `${name}_dropout`);
  });
  const output = net.dense(x, { name: 'predictions', units: config.numClasses, activation: config.classifierActivation, kernelInit: glorotUniform, biasInit: zeros });
  return { inputs: [input], outputs: [output] };
}

/**
 * Table 1's ConvNet configurations A to E, column by column (Table 2's parameters: 133, 133, 134,
 * 138, 144 M). C's third conv of stages 3-5 is a 1x1 ("conv1-N"); neither Keras nor torchvision
 * ships C, so it is not a registered model: pass it as `architecture`.
 *
 * @category VGG
 */
export const vggConfigurations = {
  A: { stages: [[64], [128], [256, 256], [512, 512], [512, 512]] },
  B: { stages: [[64, 64], [128, 128], [256, 256], [512, 512], [512, 512]] },
  C: { stages: [[64, 64], [128, 128], [256, 256, { filters: 256, kernelSize: 1 }], [512, 512, { filters: 512, kernelSize: 1 }], [512, 512, { filters: 512, kernelSize: 1 }]] },
  D: { stages: [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]] },
  E: { stages: [[64, 64], [128, 128], [256, 256, 256, 256], [512, 512, 512, 512], [512, 512, 512, 512]] },
} satisfies Record<string, VggArchitectureInput>;

/**
 * VGG's family: the configurations Keras or torchvision ship, as rows.
 *
 * @category VGG
 */
export const vggFamily = defineFamily({
  name: 'vgg',
  paper: { title: 'Very Deep Convolutional Networks for Large-Scale Image Recognition', authors: 'Simonyan, Zisserman', year: 2015, url: 'https://arxiv.org/abs/1409.1556' },
  table: 'Table 1',
  schema: VggOptionsSchema,
  describe: describeVgg,
  models: {
    vgg11: { table: 'Table 1, configuration A', defaults: { architecture: vggConfigurations.A } },
    vgg13: { table: 'Table 1, configuration B', defaults: { architecture: vggConfigurations.B } },
    vgg16: { table: 'Table 1, configuration D', defaults: { architecture: vggConfigurations.D } },
    vgg19: { table: 'Table 1, configuration E', defaults: { architecture: vggConfigurations.E } },
  },
  // torchvision's vgg*_bn files load into `batchNorm: true`.
  sources: { torchvision: { names: vggTorchvisionNames, preprocessing: torchvisionImagenet }, keras: { preprocessing: kerasCaffe } },
  // timm's feature_info: each block's last convolution, before its max pool.
  stages: ({ architecture }) => architecture.stages.map((convs, s) => ({ name: `block${s + 1}`, block: `block${s + 1}_conv${convs.length}`, reduction: 2 ** s })),
});

/**
 * VGG of your own stages: `architecture` is required.
 *
 * @example
 * ```ts
 * const small = vgg({ architecture: { stages: [[32], [64, 64]], fc: [256] }, inputShape: [32, 32, 3], numClasses: 10 });
 * ```
 *
 * @category VGG
 */
export const vgg = vggFamily.definition.build;

/**
 * VGG-11 (configuration A), as torchvision's `vgg11`: 132,863,336 parameters.
 *
 * @example
 * ```ts
 * const model = vgg11({ batchNorm: true }); // torchvision's vgg11_bn
 * ```
 *
 * @category VGG
 */
export const vgg11 = vggFamily.definitions.vgg11.build;

/**
 * VGG-13 (configuration B), as torchvision's `vgg13`: 133,047,848 parameters.
 *
 * @example
 * ```ts
 * const model = vgg13({ numClasses: 10, inputShape: [64, 64, 3] });
 * ```
 *
 * @category VGG
 */
export const vgg13 = vggFamily.definitions.vgg13.build;

/**
 * VGG-16 (configuration D), as Keras's `VGG16`: 138,357,544 parameters.
 *
 * @example
 * ```ts
 * const features = vgg16({ includeTop: false, pooling: 'avg', inputShape: [128, 128, 3] });
 * ```
 *
 * @category VGG
 */
export const vgg16 = vggFamily.definitions.vgg16.build;

/**
 * VGG-19 (configuration E), as Keras's `VGG19`: 143,667,240 parameters.
 *
 * @example
 * ```ts
 * const model = vgg19({ batchNorm: true });
 * ```
 *
 * @category VGG
 */
export const vgg19 = vggFamily.definitions.vgg19.build;
