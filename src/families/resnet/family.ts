/**
 * ResNet: He, Zhang, Ren, Sun, "Deep Residual Learning for Image Recognition", CVPR 2016, Table 1
 * (https://arxiv.org/abs/1512.03385). Each depth is a row: its block type and the blocks per stage.
 *
 * Two variants, each a style (`resnetStyles` in `./blocks.ts`): `torchvision` (the default), which
 * departs from the paper by striding in the bottleneck's 3x3 conv ("v1.5") and by its init; and
 * `keras`, Keras Applications' ResNet50/101/152 (the paper's Caffe model: stride in the first 1x1,
 * conv biases). With the paper: BatchNorm after every conv, projection shortcuts only where the
 * shape changes (option B), PyTorch's symmetric padding (explicit `*_pad` layers where TF's 'same'
 * would pad unevenly). `dropout` > 0 adds a `top_dropout` before the classifier, which none has.
 */
import { z } from 'zod';
import { poolAndClassify } from '../../blocks/classifier.js';
import { positiveInt } from '../../config.js';
import type { Net, NetGraph } from '../../net/net.js';
import { modelOptionsSchema, variantOption } from '../../options.js';
import { defineFamily } from '../family.js';
import { kerasCaffe, torchvisionImagenet } from '../preprocessing.js';
import { resnetTorchvisionNames } from './torchvision.js';
import { basicBlock, bottleneckBlock, resnetStyles } from './blocks.js';
// Unused in the code: in scope, it makes the builders' declarations name their return type
// tf.LayersModel (@tensorflow/tfjs) rather than import it from tfjs-layers, not a dependency.
import type { tf } from '../../tf.js';

/**
 * A ResNet architecture: Table 1's block type, blocks per stage, and stage widths.
 *
 * @category ResNet
 */
export const ResNetArchitectureSchema = z
  .strictObject(
    {
      /** `basic` (two 3x3 convs: ResNet-18/34) or `bottleneck` (1x1, 3x3, 1x1 x4: ResNet-50/101/152). */
      block: z.enum(['basic', 'bottleneck'], { error: "must be 'basic' or 'bottleneck'" }),
      /** How many blocks each stage (conv2_x, conv3_x, ...) stacks. */
      layers: z.array(positiveInt(), { error: 'must be a list of block counts, one per stage, like [2, 2, 2, 2]' }).min(1, { error: 'must list at least one stage' }),
      /** Each stage's width (a bottleneck's output is 4x its width). Default Table 1's `[64, 128, 256, 512]`. */
      widths: z.array(positiveInt(), { error: 'must be a list of positive integers, one per stage' }).default([64, 128, 256, 512]),
    },
    { error: "must be a ResNet architecture like { block: 'basic', layers: [2, 2, 2, 2] }" },
  )
  .superRefine((architecture, context) => {
    if (architecture.widths.length !== architecture.layers.length) {
      context.addIssue({
        code: 'custom',
        path: ['widths'],
        message: `must give one width per stage: layers has ${architecture.layers.length} stages but widths has ${architecture.widths.length} (widths defaults to Table 1's [64, 128, 256, 512])`,
        input: architecture.widths,
      });
    }
  });

/**
 * A ResNet architecture as written (`widths` may be left out).
 *
 * @category ResNet
 */
export type ResNetArchitectureInput = z.input<typeof ResNetArchitectureSchema>;

const ResNetOptionsSchema = modelOptionsSchema(
  { numClasses: 1000, inputShape: [224, 224, 3], dropout: 0 },
  {
    /** 'torchvision' (default; loads torchvision's and timm's weights) or 'keras' (Keras Applications' ResNet50/101/152: stride in the first 1x1, conv biases). */
    variant: variantOption(resnetStyles, "'torchvision' or 'keras'"),
    /** The block type, blocks per stage and widths ({@link ResNetArchitectureInput}): a depth's own row of Table 1 by default. */
    architecture: ResNetArchitectureSchema,
  },
);

/**
 * Options of the ResNet builders: `variant` ('torchvision'), `architecture` (a depth's Table 1 row
 * by default; required by {@link resnet}) and the shared options with ResNet's defaults (`numClasses` 1000, `inputShape`
 * [224, 224, 3], `dropout` 0).
 *
 * @useDeclaredType
 * @category ResNet
 */
export type ResNetOptions = z.input<typeof ResNetOptionsSchema>;
type ResNetConfig = z.output<typeof ResNetOptionsSchema>;

/** Table 1's conv1 width, the same in every column. */
const STEM_WIDTH = 64;

function describeResNet<T>(net: Net<T>, config: ResNetConfig): NetGraph<T> {
  const style = resnetStyles[config.variant];
  const { block, layers, widths } = config.architecture;
  const input = net.input(config.inputShape, 'input');
  // conv1: 7x7/2, padding 3, always as an explicit ZeroPadding2D named as Keras's `conv1_pad`: at
  // even sizes TF's 'same' would pad 2 before and 3 after.
  let x = net.zeroPad(input, 3, 'conv1_pad');
  x = net.conv2d(x, { name: 'conv1_conv', filters: STEM_WIDTH, kernelSize: 7, strides: 2, padding: 'valid', useBias: style.convBias, kernelInit: style.kernelInit });
  x = net.batchNorm(x, { name: 'conv1_bn', ...style.batchNorm });
  x = net.activation(x, 'relu', 'conv1_relu');
  // 3x3/2 max pool, padding 1. PyTorch pads a max pool with -inf; zeros are exact here because the
  // input is post-ReLU (>= 0) and every window holds real pixels.
  x = net.zeroPad(x, 1, 'pool1_pad');
  x = net.maxPool(x, { name: 'pool1_pool', poolSize: 3, strides: 2, padding: 'valid' });

  const residualBlock = block === 'basic' ? basicBlock : bottleneckBlock;
  layers.forEach((count, stage) => {
    for (let index = 0; index < count; index++) {
      // conv2_x keeps the max pool's resolution; each later stage halves it in its first block.
      const strides = index === 0 && stage > 0 ? 2 : 1;
      x = residualBlock(net, x, { name: `conv${stage + 2}_block${index + 1}`, filters: widths[stage], strides }, style);
    }
  });

  const output = poolAndClassify(net, x, config, { pool: 'avg_pool', dropout: 'top_dropout', classifier: 'predictions' }, style.classifierInit);
  return { inputs: [input], outputs: [output] };
}

const basic = (layers: number[]) => ({ architecture: { block: 'basic' as const, layers } });
const bottleneck = (layers: number[]) => ({ architecture: { block: 'bottleneck' as const, layers } });

/**
 * ResNet's family: Table 1's five columns as rows.
 *
 * @category ResNet
 */
export const resnetFamily = defineFamily({
  name: 'resnet',
  paper: { title: 'Deep Residual Learning for Image Recognition', authors: 'He, Zhang, Ren, Sun', year: 2016, url: 'https://arxiv.org/abs/1512.03385' },
  table: 'Table 1',
  schema: ResNetOptionsSchema,
  describe: describeResNet,
  models: {
    resnet18: { table: 'Table 1, 18-layer', defaults: basic([2, 2, 2, 2]) },
    resnet34: { table: 'Table 1, 34-layer', defaults: basic([3, 4, 6, 3]) },
    resnet50: { table: 'Table 1, 50-layer', defaults: bottleneck([3, 4, 6, 3]) },
    resnet101: { table: 'Table 1, 101-layer', defaults: bottleneck([3, 4, 23, 3]) },
    resnet152: { table: 'Table 1, 152-layer', defaults: bottleneck([3, 8, 36, 3]) },
  },
  // timm's ResNets name their weights as torchvision's do.
  sources: { torchvision: { names: resnetTorchvisionNames, preprocessing: torchvisionImagenet }, keras: { variant: 'keras', preprocessing: kerasCaffe } },
  // timm's feature_info: the stem before its max pool, then each stage conv2_x..conv5_x.
  stages: ({ architecture }) => [
    { name: 'conv1', block: 'conv1', reduction: 2 },
    ...architecture.layers.map((count, s) => ({ name: `conv${s + 2}`, block: `conv${s + 2}_block${count}`, reduction: 4 * 2 ** s })),
  ],
});

/**
 * ResNet of your own table: `architecture` is required.
 *
 * @example
 * ```ts
 * const resnet26 = resnet({ architecture: { block: 'bottleneck', layers: [2, 2, 2, 2] }, numClasses: 10 });
 * ```
 *
 * @category ResNet
 */
export const resnet = resnetFamily.definition.build;

/**
 * ResNet-18 (basic blocks, [2, 2, 2, 2]): 11,689,512 trainable parameters.
 *
 * @example
 * ```ts
 * const model = resnet18({ numClasses: 10, inputShape: [64, 64, 3] });
 * ```
 *
 * @category ResNet
 */
export const resnet18 = resnetFamily.definitions.resnet18.build;

/**
 * ResNet-34 (basic blocks, [3, 4, 6, 3]): 21,797,672 trainable parameters.
 *
 * @example
 * ```ts
 * const features = resnet34({ includeTop: false, pooling: 'avg' });
 * ```
 *
 * @category ResNet
 */
export const resnet34 = resnetFamily.definitions.resnet34.build;

/**
 * ResNet-50 (bottleneck blocks, [3, 4, 6, 3]): 25,557,032 trainable parameters.
 *
 * @example
 * ```ts
 * const model = resnet50({ seed: 42 });
 * ```
 *
 * @category ResNet
 */
export const resnet50 = resnetFamily.definitions.resnet50.build;

/**
 * ResNet-101 (bottleneck blocks, [3, 4, 23, 3]): 44,549,160 trainable parameters.
 *
 * @example
 * ```ts
 * const model = resnet101({ numClasses: 100 });
 * ```
 *
 * @category ResNet
 */
export const resnet101 = resnetFamily.definitions.resnet101.build;

/**
 * ResNet-152 (bottleneck blocks, [3, 8, 36, 3]): 60,192,808 trainable parameters.
 *
 * @example
 * ```ts
 * const model = resnet152({ initialize: false }); // structure only, for analysis
 * ```
 *
 * @category ResNet
 */
export const resnet152 = resnetFamily.definitions.resnet152.build;
