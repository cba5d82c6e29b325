/**
 * GoogLeNet's blocks (Szegedy et al., "Going Deeper with Convolutions",
 * https://arxiv.org/abs/1409.4842), on any {@link Net}, each built in a variant's style.
 */
import { convBnAct } from '../../blocks/conv-bn-act.js';
import { adaptiveAvgPool } from '../../blocks/custom-layers.js';
import { convOutputSize, paddingAmounts, poolOutputSize } from '../../conv-arithmetic.js';
import type { InitSpec } from '../../init.js';
import type { Net } from '../../net/net.js';
import type { CommonOptions } from '../../options.js';

/**
 * One convolution of the network: name prefix, filters, square kernel, stride.
 *
 * @category GoogLeNet
 */
export interface GoogLeNetConvSpec {
  /** Name prefix (`conv1`: layers `conv1_conv`, `conv1_bn`, `conv1_relu`). */
  prefix: string;
  /** Output channels. */
  filters: number;
  /** Square kernel size. */
  kernelSize: number;
  /** Stride. Default 1. */
  strides?: number;
}

/**
 * How a GoogLeNet variant builds what Table 1 lists.
 *
 * @category GoogLeNet
 */
export interface GoogLeNetStyle {
  /** One convolution with its ReLU. */
  conv: <T>(net: Net<T>, x: T, spec: GoogLeNetConvSpec) => T;
  /** A max pool between stages. */
  maxPool: <T>(net: Net<T>, x: T, spec: { name: string; poolSize: number; strides: number }) => T;
  /** The auxiliary classifier's pooling of the 14x14 map. */
  auxPool: <T>(net: Net<T>, x: T, name: string) => T;
  /** Initialisation of the fully connected layers: kernels, hidden biases, output biases. */
  dense: { kernel: InitSpec; hiddenBias: InitSpec; outputBias: InitSpec };
}

/**
 * PyTorch's `MaxPool2d(poolSize, strides, padding=0, ceil_mode=True)`, which TF has no option for:
 * 'valid' where that equals the floor-mode size; else 'same' where TF's 'same' gives that size
 * padding only at the bottom/right (TF's max pool ignores its padding, as ceil mode ignores the
 * part of the last window past the edge); else explicit zero padding at the bottom/right, then
 * 'valid', which is exact after a ReLU (inputs >= 0, and ceil mode never keeps a window lying wholly
 * in the padding).
 *
 * @category GoogLeNet
 */
export function ceilModeMaxPool<T>(net: Net<T>, x: T, spec: { name: string; poolSize: number; strides: number }): T {
  const { name, poolSize: kernel, strides: stride } = spec;
  const sizes = net.shape(x).slice(0, 2);
  const target = sizes.map((size) => poolOutputSize({ size, kernel, stride, padding: 0, ceilMode: true }));
  if (sizes.every((size, axis) => convOutputSize({ size, kernel, stride, padding: 'valid' }) === target[axis])) {
    return net.maxPool(x, { name, poolSize: kernel, strides: stride, padding: 'valid' });
  }
  const sameFits = sizes.every(
    (size, axis) => convOutputSize({ size, kernel, stride, padding: 'same' }) === target[axis] && paddingAmounts({ size, kernel, stride, padding: 'same' })[0] === 0,
  );
  if (sameFits) return net.maxPool(x, { name, poolSize: kernel, strides: stride, padding: 'same' });
  const [bottom, right] = sizes.map((size, axis) => Math.max((target[axis] - 1) * stride + kernel - size, 0));
  const padded = net.zeroPad(x, [[0, bottom], [0, right]], `${name}_pad`);
  return net.maxPool(padded, { name, poolSize: kernel, strides: stride, padding: 'valid' });
}

/**
 * torchvision's GoogLeNet: BasicConv2d (conv without bias, BN epsilon 1e-3, ReLU, PyTorch's
 * symmetric padding), ceil-mode max pools, AdaptiveAvgPool2d(4) in the auxiliary heads, and
 * weights N(0, 0.01): torchvision's `trunc_normal_(std=0.01, a=-2, b=2)` cuts at ±2 absolute, 200
 * standard deviations, so nothing is truncated. Linear biases keep PyTorch's default.
 *
 * @category GoogLeNet
 */
const torchvisionStyle: GoogLeNetStyle = {
  conv: (net, x, { prefix, filters, kernelSize, strides }) =>
    convBnAct(net, x, {
      names: { conv: `${prefix}_conv`, bn: `${prefix}_bn`, activation: `${prefix}_relu`, pad: `${prefix}_pad` },
      filters,
      kernelSize,
      strides,
      padding: 'symmetric',
      activation: 'relu',
      batchNorm: { epsilon: 1e-3, momentum: 0.9 },
      kernelInit: { kind: 'normal', std: 0.01 },
    }),
  maxPool: ceilModeMaxPool,
  // On the 14x14 map of a 224 input the bins are [0,4), [3,7), [7,11), [10,14) (overlapping), NOT
  // the paper's 5x5/3 average pool, and the output is 4x4 at any input size.
  auxPool: (net, x, name) => adaptiveAvgPool(net, x, name, 4),
  dense: { kernel: { kind: 'normal', std: 0.01 }, hiddenBias: { kind: 'torchDefault' }, outputBias: { kind: 'torchDefault' } },
};

/** BVLC Caffe's "xavier" filler: uniform(±sqrt(3 / fanIn)). */
const caffeXavier: InitSpec = { kind: 'varianceScaling', scale: 1, mode: 'fanIn', distribution: 'uniform' };

/**
 * The paper's GoogLeNet: convolutions with biases and a ReLU (Section 5), TF 'same' padding (the
 * "(S)" of Figure 3), 3x3/2 'same' max pools, the 5x5/3 'valid' average pool of Section 5 in the
 * auxiliary heads (4x4 at 224; at other sizes fc1's fan-in follows). The paper gives no
 * initialisation; BVLC Caffe's `bvlc_googlenet` is used: "xavier" weights, biases 0.2, classifier
 * biases 0.
 *
 * @category GoogLeNet
 */
const paperStyle: GoogLeNetStyle = {
  conv: (net, x, { prefix, filters, kernelSize, strides }) => {
    const y = net.conv2d(x, { name: `${prefix}_conv`, filters, kernelSize, strides, padding: 'same', useBias: true, kernelInit: caffeXavier, biasInit: { kind: 'constant', value: 0.2 } });
    return net.activation(y, 'relu', `${prefix}_relu`);
  },
  maxPool: (net, x, spec) => net.maxPool(x, { ...spec, padding: 'same' }),
  auxPool: (net, x, name) => net.avgPool(x, { name, poolSize: 5, strides: 3, padding: 'valid' }),
  dense: { kernel: caffeXavier, hiddenBias: { kind: 'constant', value: 0.2 }, outputBias: { kind: 'zeros' } },
};

/**
 * Table 1's six columns of an Inception module, in torchvision's argument names.
 *
 * @category GoogLeNet
 */
export interface InceptionColumns {
  /** "#1x1". */
  ch1x1: number;
  /** "#3x3 reduce". */
  ch3x3red: number;
  /** "#3x3". */
  ch3x3: number;
  /** "#5x5 reduce". */
  ch5x5red: number;
  /** "#5x5" (a 3x3 in torchvision's table, see `ch5x5KernelSize`). */
  ch5x5: number;
  /** "pool proj". */
  poolProj: number;
}

/**
 * An Inception module (Figure 2b): four branches concatenated along the channels, in torchvision's
 * order: 1x1; 1x1 reduce then 3x3; 1x1 reduce then the "5x5" (of `ch5x5KernelSize`); 3x3/1 max
 * pool then 1x1 projection. Layers `{prefix}_branch1_*`, `_branch2_0_*`, `_branch2_1_*`,
 * `_branch3_0_*`, `_branch3_1_*`, `_branch4_0`, `_branch4_1_*`, `{prefix}_concat`.
 *
 * @category GoogLeNet
 */
export function inceptionModule<T>(net: Net<T>, x: T, row: InceptionColumns, prefix: string, style: GoogLeNetStyle, ch5x5KernelSize: number): T {
  const branch1 = style.conv(net, x, { prefix: `${prefix}_branch1`, filters: row.ch1x1, kernelSize: 1 });
  let branch2 = style.conv(net, x, { prefix: `${prefix}_branch2_0`, filters: row.ch3x3red, kernelSize: 1 });
  branch2 = style.conv(net, branch2, { prefix: `${prefix}_branch2_1`, filters: row.ch3x3, kernelSize: 3 });
  let branch3 = style.conv(net, x, { prefix: `${prefix}_branch3_0`, filters: row.ch5x5red, kernelSize: 1 });
  branch3 = style.conv(net, branch3, { prefix: `${prefix}_branch3_1`, filters: row.ch5x5, kernelSize: ch5x5KernelSize });
  // torchvision's MaxPool2d(3, 1, padding=1, ceil_mode=True) pads with -inf and ceil mode changes
  // nothing at stride 1; TF's 'same' ignores its padding in the max: the same numbers, and the
  // paper's "MaxPool 3x3+1(S)" by definition.
  let branch4 = net.maxPool(x, { name: `${prefix}_branch4_0`, poolSize: 3, strides: 1, padding: 'same' });
  branch4 = style.conv(net, branch4, { prefix: `${prefix}_branch4_1`, filters: row.poolProj, kernelSize: 1 });
  return net.concat([branch1, branch2, branch3, branch4], `${prefix}_concat`);
}

/**
 * An auxiliary classifier (Section 5; torchvision's InceptionAux): the style's pooling, a 1x1 conv,
 * flatten, FC with ReLU, dropout, FC to the classes. Layers `{prefix}_pool`, `{prefix}_conv_*`,
 * `{prefix}_flatten`, `{prefix}_fc1`, `{prefix}_dropout`, `{prefix}_fc2`. torchvision flattens
 * channel-first; here channels last: the same count, but imported weights of fc1 are reordered.
 *
 * @category GoogLeNet
 */
export function auxiliaryHead<T>(
  net: Net<T>,
  x: T,
  spec: { prefix: string; filters: number; units: number; dropout: number } & Pick<CommonOptions, 'numClasses' | 'classifierActivation'>,
  style: GoogLeNetStyle,
): T {
  const { prefix } = spec;
  let y = style.auxPool(net, x, `${prefix}_pool`);
  y = style.conv(net, y, { prefix: `${prefix}_conv`, filters: spec.filters, kernelSize: 1 });
  y = net.flatten(y, `${prefix}_flatten`);
  y = net.dense(y, { name: `${prefix}_fc1`, units: spec.units, activation: 'relu', kernelInit: style.dense.kernel, biasInit: style.dense.hiddenBias });
  if (spec.dropout > 0) y = net.dropout(y, spec.dropout, `${prefix}_dropout`);
  return net.dense(y, { name: `${prefix}_fc2`, units: spec.numClasses, activation: spec.classifierActivation, kernelInit: style.dense.kernel, biasInit: style.dense.outputBias });
}


/**
 * The two variants' styles: torchvision's and the paper's.
 *
 * @category GoogLeNet
 */
export const googlenetStyles = { torchvision: torchvisionStyle, paper: paperStyle } as const;
