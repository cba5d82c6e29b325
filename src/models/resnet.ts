/**
 * ResNet (He et al. 2016). The architectures are Table 1's columns, in `architectures/resnet.ts`.
 *
 * Layer names follow Keras Applications' ResNet50 scheme (`conv1_conv`, `conv2_block1_1_conv`,
 * `conv2_block1_0_conv` for the projection shortcut, `conv2_block1_add`, `conv2_block1_out`...);
 * Keras has no ResNet-18/34, so their basic blocks use the same pattern (`_1_` and `_2_` convs).
 *
 * The numbers follow torchvision, not Keras, wherever the two differ:
 * - "ResNet v1.5": a bottleneck strides in its 3x3 conv (Keras, and the paper's Caffe model,
 *   stride in the first 1x1, which skips three quarters of the input).
 * - No conv biases (Keras's ResNet50 has them: 25,636,712 parameters against torchvision's 25,557,032).
 * - BatchNorm epsilon 1e-5 (Keras: 1.001e-5), momentum 0.1 in PyTorch's convention = 0.9 here.
 * - PyTorch's symmetric padding: explicit ZeroPadding2D + 'valid' wherever TF's 'same' would pad
 *   a strided layer unevenly (more on the bottom/right).
 * - torchvision's initialisation: kaiming_normal_(mode='fan_out', nonlinearity='relu') for every
 *   conv, BatchNorm gamma 1 and beta 0, and the fc with PyTorch's nn.Linear default.
 *   (torchvision's optional `zero_init_residual`, off by default, is not offered.)
 */
import { z } from 'zod';
import { resnet18Architecture, resnet34Architecture, resnet50Architecture } from '../../architectures/resnet.js';
import { poolAndClassify } from '../blocks/classifier.js';
import { convBnAct } from '../blocks/conv-bn-act.js';
import { positiveInt } from '../config.js';
import { heNormalFanOut, type InitSpec } from '../init.js';
import type { Net, NetGraph } from '../net/net.js';
import { modelOptionsSchema } from '../options.js';
import type { tf } from '../tf.js';
import { buildModel, type ModelDefinition, type Paper } from './model-definition.js';

/**
 * A bottleneck's last 1x1 conv widens its output to 4x its width (Table 1: "1x1, 64 / 3x3, 64 /
 * 1x1, 256").
 *
 * @example
 * ```ts
 * const outChannels = 128 * BOTTLENECK_EXPANSION; // conv3_x of ResNet-50: 512
 * ```
 *
 * @category ResNet
 */
export const BOTTLENECK_EXPANSION = 4;

/**
 * torchvision's `nn.BatchNorm2d`: epsilon 1e-5, PyTorch momentum 0.1 = Keras-convention momentum
 * 0.9. The residual blocks' default.
 *
 * @example
 * ```ts
 * x = net.batchNorm(x, { name: 'stem_bn', ...torchBatchNorm });
 * ```
 *
 * @category ResNet
 */
export const torchBatchNorm = {
  /** PyTorch's default epsilon. */
  epsilon: 1e-5,
  /** PyTorch's momentum 0.1, in Keras's convention (the weight of the old statistic). */
  momentum: 0.9,
} as const;

/**
 * A ResNet architecture: Table 1's block type, blocks per stage, and stage widths. Table 1's
 * columns are {@link resnetArchitectures}.
 *
 * @example
 * ```ts
 * const resnet26 = ResNetArchitectureSchema.parse({ block: 'bottleneck', layers: [2, 2, 2, 2] });
 * const model = resnet({ architecture: resnet26 });
 * ```
 *
 * @category ResNet
 */
export const ResNetArchitectureSchema = z
  .strictObject(
    {
      /** `basic` (two 3x3 convs: ResNet-18/34) or `bottleneck` (1x1, 3x3, 1x1 x4: ResNet-50/101/152). */
      block: z.enum(['basic', 'bottleneck'], { error: "must be 'basic' or 'bottleneck'" }).describe('the building block'),
      /** How many blocks each stage (conv2_x, conv3_x, ...) stacks. */
      layers: z
        .array(positiveInt(), { error: 'must be a list of block counts, one per stage, like [2, 2, 2, 2]' })
        .min(1, { error: 'must list at least one stage' })
        .describe('blocks per stage'),
      /** Each stage's width (a bottleneck's output is 4x its width). Default Table 1's `[64, 128, 256, 512]`. */
      widths: z
        .array(positiveInt(), { error: 'must be a list of positive integers, one per stage' })
        .default([64, 128, 256, 512])
        .describe('width of each stage'),
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
 * A ResNet architecture as parsed (`widths` filled in): the type of {@link resnetArchitectures}'
 * columns.
 *
 * @example
 * ```ts
 * const r50: ResNetArchitecture = resnetArchitectures[50]; // { block: 'bottleneck', layers: [3, 4, 6, 3], widths: [64, 128, 256, 512] }
 * ```
 *
 * @useDeclaredType
 * @category ResNet
 */
export type ResNetArchitecture = z.output<typeof ResNetArchitectureSchema>;
/**
 * A ResNet architecture as written (`widths` may be left out): what `architecture` takes.
 *
 * @example
 * ```ts
 * const wide: ResNetArchitectureInput = { block: 'basic', layers: [2, 2, 2, 2], widths: [128, 256, 512, 1024] };
 * ```
 *
 * @useDeclaredType
 * @category ResNet
 */
export type ResNetArchitectureInput = z.input<typeof ResNetArchitectureSchema>;

function resnetOptionsSchema<A extends z.ZodType>(architecture: A) {
  return modelOptionsSchema(
    // torchvision's ResNet has no dropout; `dropout` > 0 puts one before the classifier (`top_dropout`).
    { numClasses: 1000, inputShape: [224, 224, 3], dropout: 0 },
    {
      /** The block type, blocks per stage and widths ({@link ResNetArchitectureInput}; Table 1's columns are {@link resnetArchitectures}). Required by {@link resnet}; the depth's own for {@link resnet18}, {@link resnet34}, {@link resnet50}. */
      architecture: architecture.describe("Table 1's configuration"),
    },
  );
}

/**
 * Options of {@link resnet}, as a zod schema: `architecture` is required. Field by field in
 * {@link ResNetOptions}.
 *
 * @example
 * ```ts
 * parseConfig(ResNetOptionsSchema, { architecture: resnetArchitectures[101] }).numClasses; // 1000
 * ```
 *
 * @category ResNet
 */
export const ResNetOptionsSchema = resnetOptionsSchema(ResNetArchitectureSchema);
/**
 * Options of {@link resnet}: `architecture` (required) and the shared options with ResNet's
 * defaults (`numClasses` 1000, `inputShape` [224, 224, 3], `dropout` 0).
 *
 * @example
 * ```ts
 * const options: ResNetOptions = { architecture: resnetArchitectures[152], numClasses: 100 };
 * ```
 *
 * @useDeclaredType
 * @category ResNet
 */
export type ResNetOptions = z.input<typeof ResNetOptionsSchema>;
type ResNetConfig = z.output<typeof ResNetOptionsSchema>;

/**
 * Options of {@link resnet18}, as a zod schema (architecture defaults to Table 1's 18-layer
 * column). Field by field in {@link ResNetDepthOptions}.
 *
 * @example
 * ```ts
 * parseConfig(ResNet18OptionsSchema, {}).architecture.layers; // [2, 2, 2, 2]
 * ```
 *
 * @category ResNet
 */
export const ResNet18OptionsSchema = resnetOptionsSchema(ResNetArchitectureSchema.default(resnet18Architecture));
/**
 * Options of {@link resnet34}, as a zod schema (architecture defaults to Table 1's 34-layer
 * column). Field by field in {@link ResNetDepthOptions}.
 *
 * @example
 * ```ts
 * parseConfig(ResNet34OptionsSchema, {}).architecture.layers; // [3, 4, 6, 3]
 * ```
 *
 * @category ResNet
 */
export const ResNet34OptionsSchema = resnetOptionsSchema(ResNetArchitectureSchema.default(resnet34Architecture));
/**
 * Options of {@link resnet50}, as a zod schema (architecture defaults to Table 1's 50-layer
 * column). Field by field in {@link ResNetDepthOptions}.
 *
 * @example
 * ```ts
 * parseConfig(ResNet50OptionsSchema, {}).architecture.block; // 'bottleneck'
 * ```
 *
 * @category ResNet
 */
export const ResNet50OptionsSchema = resnetOptionsSchema(ResNetArchitectureSchema.default(resnet50Architecture));
/**
 * Options of {@link resnet18}, {@link resnet34} and {@link resnet50}, every one optional:
 * `architecture` (the depth's Table 1 column) and the shared options with ResNet's defaults
 * (`numClasses` 1000, `inputShape` [224, 224, 3], `dropout` 0).
 *
 * @example
 * ```ts
 * const options: ResNetDepthOptions = { numClasses: 10, inputShape: [64, 64, 3], dropout: 0.2 };
 * ```
 *
 * @useDeclaredType
 * @category ResNet
 */
export type ResNetDepthOptions = z.input<typeof ResNet18OptionsSchema>;

/**
 * One residual block for {@link basicBlock} and {@link bottleneckBlock}: its name prefix, width and
 * stride, and optionally its batch norm and init.
 *
 * @example
 * ```ts
 * const spec: ResidualBlockSpec = { name: 'conv3_block1', filters: 128, strides: 2 };
 * ```
 *
 * @category ResNet
 */
export interface ResidualBlockSpec {
  /** Layer name prefix, Keras's `conv{stage}_block{index}` (e.g. `conv3_block1`). */
  name: string;
  /** The block's width: a basic block's output channels; a bottleneck's 1x1/3x3 width (its output is 4x). */
  filters: number;
  /** Stride of the block's 3x3 conv and of its projection shortcut; default 1. */
  strides?: number;
  /** Batch norm of every conv. Default {@link torchBatchNorm} (epsilon 1e-5, momentum 0.9). */
  batchNorm?: {
    /** Added to the variance. */
    epsilon: number;
    /** Keras convention (the weight of the old statistic). Default 0.99. */
    momentum?: number;
  };
  /** Init of every conv; default torchvision's kaiming_normal_(fan_out, relu). */
  kernelInit?: InitSpec;
}

/**
 * The shortcut: the identity, or (torchvision's `downsample`, the paper's option B) a 1x1 conv
 * with the block's stride and a BatchNorm, exactly when the shape changes. A 1x1 kernel needs no
 * padding, so 'valid' gives PyTorch's ceil(n / s) on any size.
 */
function shortcut<T>(net: Net<T>, x: T, spec: ResidualBlockSpec, outChannels: number): T {
  const strides = spec.strides ?? 1;
  const inChannels = net.shape(x).at(-1);
  if (strides === 1 && inChannels === outChannels) return x;
  const projected = net.conv2d(x, {
    name: `${spec.name}_0_conv`,
    filters: outChannels,
    kernelSize: 1,
    strides,
    padding: 'valid',
    useBias: false,
    kernelInit: spec.kernelInit ?? heNormalFanOut,
  });
  return net.batchNorm(projected, { name: `${spec.name}_0_bn`, ...(spec.batchNorm ?? torchBatchNorm) });
}

/** Names of conv `index` of a block, Keras's `{block}_{index}_conv/_bn/_relu`, and its pad layer if needed. */
function convNames(block: string, index: number) {
  const prefix = `${block}_${index}`;
  return { conv: `${prefix}_conv`, bn: `${prefix}_bn`, activation: `${prefix}_relu`, pad: `${prefix}_pad` };
}

/**
 * ResNet's basic block (ResNet-18/34; He et al., "Deep Residual Learning for Image Recognition",
 * https://arxiv.org/abs/1512.03385, Figure 5 left): 3x3 conv (stride s) -> BN -> ReLU -> 3x3
 * conv -> BN, plus the shortcut, then ReLU. The shortcut is the identity, or where the shape
 * changes a 1x1 conv with the stride and a BN (the paper's option B, torchvision's `downsample`).
 * Works on any {@link Net}, so it composes into other networks.
 *
 * Convolutions have no bias and PyTorch's symmetric padding (an explicit `{name}_1_pad` where TF's
 * 'same' would pad unevenly). Layer names, Keras's pattern: `{name}_0_conv`/`_0_bn` (shortcut),
 * `{name}_1_conv`, `_1_bn`, `_1_relu`, `{name}_2_conv`, `_2_bn`, `{name}_add`, `{name}_out`.
 *
 * @example
 * ```ts
 * x = basicBlock(net, x, { name: 'conv3_block1', filters: 128, strides: 2 });
 * ```
 *
 * @category ResNet
 */
export function basicBlock<T>(net: Net<T>, x: T, spec: ResidualBlockSpec): T {
  const strides = spec.strides ?? 1;
  const batchNorm = spec.batchNorm ?? torchBatchNorm;
  const kernelInit = spec.kernelInit ?? heNormalFanOut;
  const identity = shortcut(net, x, spec, spec.filters); // created first, as Keras does
  // 'symmetric': padding 1 on every side as PyTorch's conv3x3; at stride 2 on an even map TF's
  // 'same' would pad 0 before and 1 after, so this becomes `{name}_1_pad` + a 'valid' conv.
  let y = convBnAct(net, x, {
    names: convNames(spec.name, 1),
    filters: spec.filters,
    kernelSize: 3,
    strides,
    padding: 'symmetric',
    activation: 'relu',
    batchNorm,
    kernelInit,
  });
  y = convBnAct(net, y, {
    names: convNames(spec.name, 2),
    filters: spec.filters,
    kernelSize: 3,
    padding: 'symmetric',
    activation: null, // linear until after the addition
    batchNorm,
    kernelInit,
  });
  y = net.add([identity, y], `${spec.name}_add`);
  return net.activation(y, 'relu', `${spec.name}_out`);
}

/**
 * ResNet's bottleneck block (ResNet-50/101/152; He et al., "Deep Residual Learning for Image
 * Recognition", https://arxiv.org/abs/1512.03385, Figure 5 right), torchvision's v1.5: 1x1 conv
 * -> BN -> ReLU -> 3x3 conv (stride s) -> BN -> ReLU -> 1x1 conv (4x wider) -> BN, plus the
 * shortcut, then ReLU. Works on any {@link Net}.
 *
 * Departure from the paper (torchvision's "v1.5"): the stride is in the 3x3 conv; the paper's
 * Caffe model (and Keras) stride in the first 1x1, which skips three quarters of the input.
 * Layer names: `{name}_0_*` (shortcut), `{name}_1_*`, `{name}_2_*` (with `{name}_2_pad`),
 * `{name}_3_conv`, `{name}_3_bn`, `{name}_add`, `{name}_out`.
 *
 * @example
 * ```ts
 * x = bottleneckBlock(net, x, { name: 'conv3_block1', filters: 128, strides: 2 }); // 512 channels out
 * ```
 *
 * @category ResNet
 */
export function bottleneckBlock<T>(net: Net<T>, x: T, spec: ResidualBlockSpec): T {
  const strides = spec.strides ?? 1;
  const batchNorm = spec.batchNorm ?? torchBatchNorm;
  const kernelInit = spec.kernelInit ?? heNormalFanOut;
  const outChannels = spec.filters * BOTTLENECK_EXPANSION;
  const identity = shortcut(net, x, spec, outChannels);
  // reduce (1x1, stride 1: the v1.5 change, Keras and the paper stride here)
  let y = convBnAct(net, x, {
    names: convNames(spec.name, 1),
    filters: spec.filters,
    kernelSize: 1,
    padding: 'valid',
    activation: 'relu',
    batchNorm,
    kernelInit,
  });
  // 3x3 with the stride, padded symmetrically (explicit `{name}_2_pad` where 'same' would not be)
  y = convBnAct(net, y, {
    names: convNames(spec.name, 2),
    filters: spec.filters,
    kernelSize: 3,
    strides,
    padding: 'symmetric',
    activation: 'relu',
    batchNorm,
    kernelInit,
  });
  // expand (1x1, linear until after the addition)
  y = convBnAct(net, y, {
    names: convNames(spec.name, 3),
    filters: outChannels,
    kernelSize: 1,
    padding: 'valid',
    activation: null,
    batchNorm,
    kernelInit,
  });
  y = net.add([identity, y], `${spec.name}_add`);
  return net.activation(y, 'relu', `${spec.name}_out`);
}

/** Table 1's conv1 width, the same in every column. */
const STEM_WIDTH = 64;

function describeResNet<T>(net: Net<T>, config: ResNetConfig): NetGraph<T> {
  const { block, layers, widths } = config.architecture;
  const input = net.input(config.inputShape, 'input');

  // conv1: 7x7, 64, stride 2, padding 3 (torchvision). Always an explicit ZeroPadding2D named as
  // Keras's `conv1_pad`: at even sizes TF's 'same' would pad 2 before and 3 after.
  let x = net.zeroPad(input, 3, 'conv1_pad');
  x = net.conv2d(x, { name: 'conv1_conv', filters: STEM_WIDTH, kernelSize: 7, strides: 2, padding: 'valid', useBias: false, kernelInit: heNormalFanOut });
  x = net.batchNorm(x, { name: 'conv1_bn', ...torchBatchNorm });
  x = net.activation(x, 'relu', 'conv1_relu');
  // 3x3 max pool, stride 2, padding 1. PyTorch pads a max pool with -inf; padding with zeros is
  // exact here because the input is post-ReLU (>= 0) and every window holds real pixels.
  x = net.zeroPad(x, 1, 'pool1_pad');
  x = net.maxPool(x, { name: 'pool1_pool', poolSize: 3, strides: 2, padding: 'valid' });

  const residualBlock = block === 'basic' ? basicBlock : bottleneckBlock;
  layers.forEach((count, stage) => {
    for (let index = 0; index < count; index++) {
      x = residualBlock(net, x, {
        name: `conv${stage + 2}_block${index + 1}`,
        filters: widths[stage],
        // conv2_x keeps the max pool's resolution; each later stage halves it in its first block.
        strides: index === 0 && stage > 0 ? 2 : 1,
      });
    }
  });

  const output = poolAndClassify(
    net,
    x,
    config,
    { pool: 'avg_pool', dropout: 'top_dropout', classifier: 'predictions' },
    // torchvision leaves its fc at nn.Linear's default: uniform(+-1/sqrt(fan_in)) for weight and bias.
    { kernel: { kind: 'torchDefault' }, bias: { kind: 'torchDefault' } },
  );
  return { inputs: [input], outputs: [output] };
}

const resnetPaper: Paper = {
  title: 'Deep Residual Learning for Image Recognition',
  authors: 'He, Zhang, Ren, Sun',
  year: 2016,
  url: 'https://arxiv.org/abs/1512.03385',
  table: 'Table 1',
};

/**
 * ResNet with a user's architecture (not registered: it has no default), for {@link resnet}.
 *
 * @example
 * ```ts
 * planModel(resnetDefinition, { architecture: resnetArchitectures[101] }).length;
 * ```
 *
 * @category ResNet
 */
export const resnetDefinition: ModelDefinition<typeof ResNetOptionsSchema> = {
  name: 'resnet',
  schema: ResNetOptionsSchema,
  describe: describeResNet,
  paper: resnetPaper,
};

/**
 * ResNet-18's registry entry (`resnet18`).
 *
 * @example
 * ```ts
 * planModel(resnet18Definition, { inputShape: [64, 64, 3], includeTop: false }).at(-1)?.outputShape; // [2, 2, 512]
 * ```
 *
 * @category ResNet
 */
export const resnet18Definition: ModelDefinition<typeof ResNet18OptionsSchema> = {
  name: 'resnet18',
  schema: ResNet18OptionsSchema,
  describe: describeResNet,
  paper: { ...resnetPaper, table: 'Table 1, 18-layer' },
};

/**
 * ResNet-34's registry entry (`resnet34`).
 *
 * @example
 * ```ts
 * resnet34Definition.paper.table; // 'Table 1, 34-layer'
 * ```
 *
 * @category ResNet
 */
export const resnet34Definition: ModelDefinition<typeof ResNet34OptionsSchema> = {
  name: 'resnet34',
  schema: ResNet34OptionsSchema,
  describe: describeResNet,
  paper: { ...resnetPaper, table: 'Table 1, 34-layer' },
};

/**
 * ResNet-50's registry entry (`resnet50`).
 *
 * @example
 * ```ts
 * const model = buildModel(resnet50Definition, { numClasses: 10 });
 * ```
 *
 * @category ResNet
 */
export const resnet50Definition: ModelDefinition<typeof ResNet50OptionsSchema> = {
  name: 'resnet50',
  schema: ResNet50OptionsSchema,
  describe: describeResNet,
  paper: { ...resnetPaper, table: 'Table 1, 50-layer' },
};

/**
 * ResNet of any Table 1 column, or of your own block counts and widths.
 *
 * Paper: He, Zhang, Ren, Sun, "Deep Residual Learning for Image Recognition", CVPR 2016, Table 1
 * (https://arxiv.org/abs/1512.03385).
 *
 * The stem is Table 1's conv1 (7x7/2, 64) and 3x3/2 max pool; each stage stacks
 * {@link basicBlock}s or {@link bottleneckBlock}s, the first block of conv3_x onwards with stride
 * 2; the head is global average pooling and a dense classifier. Numerically torchvision's, which
 * departs from the paper in: the bottleneck's stride in its 3x3 conv ("v1.5", see
 * {@link bottleneckBlock}); the init, kaiming normal with mode fan_out (the paper's He init uses
 * the fan-in), the fc with PyTorch's default. With torchvision and the paper: no conv biases,
 * batch norm after every conv (epsilon 1e-5 here), projection shortcuts only where the shape
 * changes (option B), PyTorch's symmetric padding (explicit `*_pad` layers where TF's 'same'
 * would differ). `dropout` > 0 adds a `top_dropout` before the classifier, which neither has.
 *
 * Options (see {@link ResNetOptions}): `architecture` (required) and the shared `numClasses`
 * (1000), `inputShape` ([224, 224, 3]), `includeTop` (true), `pooling`, `classifierActivation`
 * ('softmax'), `dropout` (0), `seed` (random), `initialize` (true).
 *
 * Layer names (Keras Applications' ResNet50 scheme): `conv1_pad`, `conv1_conv`, `conv1_bn`,
 * `conv1_relu`, `pool1_pad`, `pool1_pool`, `conv{stage}_block{i}_*` (see {@link basicBlock}),
 * `avg_pool`, `top_dropout`, `predictions`.
 *
 * @example
 * ```ts
 * const model = resnet({ architecture: { block: 'basic', layers: [2, 2, 2, 2] } }); // ResNet-18
 * const r101 = resnet({ architecture: resnetArchitectures[101] });
 * ```
 *
 * @category ResNet
 */
export function resnet(options: ResNetOptions): tf.LayersModel {
  return buildModel(resnetDefinition, options);
}

/**
 * ResNet-18 (Table 1, 18-layer: basic blocks, [2, 2, 2, 2]): 11,689,512 trainable parameters.
 * Everything said of {@link resnet} holds (paper, departures, names); options in
 * {@link ResNetDepthOptions}, all optional.
 *
 * @example
 * ```ts
 * const model = resnet18({ numClasses: 10, inputShape: [64, 64, 3] });
 * ```
 *
 * @category ResNet
 */
export function resnet18(options: ResNetDepthOptions = {}): tf.LayersModel {
  return buildModel(resnet18Definition, options);
}

/**
 * ResNet-34 (Table 1, 34-layer: basic blocks, [3, 4, 6, 3]): 21,797,672 trainable parameters,
 * 3.66 G multiply-accumulates at 224x224. Everything said of {@link resnet} holds (paper,
 * departures, names); options in {@link ResNetDepthOptions}, all optional.
 *
 * @example
 * ```ts
 * const features = resnet34({ includeTop: false, pooling: 'avg' });
 * ```
 *
 * @category ResNet
 */
export function resnet34(options: ResNetDepthOptions = {}): tf.LayersModel {
  return buildModel(resnet34Definition, options);
}

/**
 * ResNet-50 (Table 1, 50-layer: bottleneck blocks, [3, 4, 6, 3]; torchvision's v1.5): 25,557,032
 * trainable parameters. Everything said of {@link resnet} holds (paper, departures, names);
 * options in {@link ResNetDepthOptions}, all optional.
 *
 * @example
 * ```ts
 * const model = resnet50({ seed: 42 });
 * ```
 *
 * @category ResNet
 */
export function resnet50(options: ResNetDepthOptions = {}): tf.LayersModel {
  return buildModel(resnet50Definition, options);
}
