/**
 * ResNet's residual blocks (He et al., "Deep Residual Learning for Image Recognition",
 * https://arxiv.org/abs/1512.03385, Figure 5), on any {@link Net}. Layer names follow Keras
 * Applications' ResNet50: `{block}_0_conv`/`_0_bn` (the projection shortcut), `{block}_1_conv`,
 * `_1_bn`, `_1_relu`, ..., `{block}_add`, `{block}_out`; Keras has no ResNet-18/34, so the basic
 * block uses the same pattern.
 */
import { convBnAct } from '../../blocks/conv-bn-act.js';
import { torchBatchNorm } from '../../blocks/batch-norm.js';
import { glorotUniform, heNormalFanOut, zeros, type InitSpec } from '../../init.js';
import type { Net } from '../../net/net.js';

/**
 * A bottleneck's last 1x1 conv widens its output to 4x its width (Table 1: "1x1, 64 / 3x3, 64 / 1x1, 256").
 *
 * @category ResNet
 */
export const BOTTLENECK_EXPANSION = 4;

/**
 * How a ResNet variant computes what Table 1 leaves open.
 *
 * @category ResNet
 */
export interface ResNetStyle {
  /** BatchNorm after every conv. */
  batchNorm: { epsilon: number; momentum: number };
  /** Whether the convolutions have biases (redundant before a BatchNorm, but some weights have them). */
  convBias: boolean;
  /** Which conv of a downsampling bottleneck has the stride: 1, the first 1x1 (the paper's Caffe model), or 2, the 3x3 ("v1.5"). */
  bottleneckStrideConv: 1 | 2;
  /** Initialisation of every conv. */
  kernelInit: InitSpec;
  /** Initialisation of the classifier. */
  classifierInit: { kernel: InitSpec; bias: InitSpec };
}

/**
 * The variants' styles.
 * - torchvision's ("v1.5"): no conv biases, PyTorch's BatchNorm (epsilon 1e-5), the stride in the
 *   bottleneck's 3x3, kaiming_normal_(mode='fan_out') convs, the fc at nn.Linear's default.
 * - Keras Applications' (`ResNet50`, after the paper's Caffe model): the stride in the first 1x1
 *   (which skips three quarters of the input), conv biases (25,636,712 parameters for ResNet-50
 *   against torchvision's 25,557,032 trainable), BatchNorm epsilon 1.001e-5, Keras's
 *   glorot-uniform kernels.
 *
 * @category ResNet
 */
export const resnetStyles = {
  torchvision: {
    batchNorm: torchBatchNorm,
    convBias: false,
    bottleneckStrideConv: 2,
    kernelInit: heNormalFanOut,
    classifierInit: { kernel: { kind: 'torchDefault' }, bias: { kind: 'torchDefault' } },
  },
  keras: {
    batchNorm: { epsilon: 1.001e-5, momentum: 0.99 },
    convBias: true,
    bottleneckStrideConv: 1,
    kernelInit: glorotUniform,
    classifierInit: { kernel: glorotUniform, bias: zeros },
  },
} as const satisfies Record<string, ResNetStyle>;

/**
 * One residual block: its name prefix (Keras's `conv{stage}_block{index}`), width and stride.
 *
 * @category ResNet
 */
export interface ResidualBlockSpec {
  /** Layer name prefix, e.g. `conv3_block1`. */
  name: string;
  /** A basic block's output channels; a bottleneck's 1x1/3x3 width (its output is 4x). */
  filters: number;
  /** Stride of the block (of one of its convs and of its projection shortcut). Default 1. */
  strides?: number;
}

/** Names of conv `index` of a block: Keras's `{block}_{index}_conv/_bn/_relu`, and its pad layer if one is needed. */
function convNames(block: string, index: number) {
  const prefix = `${block}_${index}`;
  return { conv: `${prefix}_conv`, bn: `${prefix}_bn`, activation: `${prefix}_relu`, pad: `${prefix}_pad` };
}

/** One conv -> BN (-> ReLU) of a block, padded as PyTorch pads (`k // 2`, symmetric). */
function unit<T>(net: Net<T>, x: T, style: ResNetStyle, spec: { block: string; index: number; filters: number; kernelSize: number; strides?: number; relu: boolean }): T {
  return convBnAct(net, x, {
    names: convNames(spec.block, spec.index),
    filters: spec.filters,
    kernelSize: spec.kernelSize,
    strides: spec.strides,
    padding: spec.kernelSize === 1 ? 'valid' : 'symmetric',
    activation: spec.relu ? 'relu' : null,
    batchNorm: style.batchNorm,
    kernelInit: style.kernelInit,
    useBias: style.convBias,
  });
}

/**
 * The shortcut: the identity, or exactly where the shape changes a 1x1 conv with the block's stride
 * and a BN (the paper's option B, torchvision's `downsample`).
 */
function shortcut<T>(net: Net<T>, x: T, spec: ResidualBlockSpec, outChannels: number, style: ResNetStyle): T {
  const strides = spec.strides ?? 1;
  if (strides === 1 && net.shape(x).at(-1) === outChannels) return x;
  return unit(net, x, style, { block: spec.name, index: 0, filters: outChannels, kernelSize: 1, strides, relu: false });
}

/**
 * ResNet's basic block (ResNet-18/34, Figure 5 left): 3x3 conv (stride s) -> BN -> ReLU -> 3x3
 * conv -> BN, plus the shortcut, then ReLU.
 *
 * @category ResNet
 */
export function basicBlock<T>(net: Net<T>, x: T, spec: ResidualBlockSpec, style: ResNetStyle = resnetStyles.torchvision): T {
  const identity = shortcut(net, x, spec, spec.filters, style); // made first, as Keras does
  let y = unit(net, x, style, { block: spec.name, index: 1, filters: spec.filters, kernelSize: 3, strides: spec.strides, relu: true });
  y = unit(net, y, style, { block: spec.name, index: 2, filters: spec.filters, kernelSize: 3, relu: false }); // linear until after the sum
  y = net.add([identity, y], `${spec.name}_add`);
  return net.activation(y, 'relu', `${spec.name}_out`);
}

/**
 * ResNet's bottleneck block (ResNet-50/101/152, Figure 5 right): 1x1 conv -> BN -> ReLU -> 3x3
 * conv -> BN -> ReLU -> 1x1 conv (4x wider) -> BN, plus the shortcut, then ReLU. The stride sits
 * in the conv the style says.
 *
 * @category ResNet
 */
export function bottleneckBlock<T>(net: Net<T>, x: T, spec: ResidualBlockSpec, style: ResNetStyle = resnetStyles.torchvision): T {
  const stride = (index: number) => (index === style.bottleneckStrideConv ? spec.strides : 1);
  const outChannels = spec.filters * BOTTLENECK_EXPANSION;
  const identity = shortcut(net, x, spec, outChannels, style);
  let y = unit(net, x, style, { block: spec.name, index: 1, filters: spec.filters, kernelSize: 1, strides: stride(1), relu: true }); // reduce
  y = unit(net, y, style, { block: spec.name, index: 2, filters: spec.filters, kernelSize: 3, strides: stride(2), relu: true });
  y = unit(net, y, style, { block: spec.name, index: 3, filters: outChannels, kernelSize: 1, relu: false }); // expand, linear until after the sum
  y = net.add([identity, y], `${spec.name}_add`);
  return net.activation(y, 'relu', `${spec.name}_out`);
}
