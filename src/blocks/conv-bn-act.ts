/**
 * Convolution, batch normalisation, activation: the unit ResNet, GoogLeNet and the MobileNets are
 * made of, with the two padding conventions the zoo must reproduce.
 */
import { paddingAmounts } from '../conv-arithmetic.js';
import type { InitSpec } from '../init.js';
import type { Net } from '../net/net.js';

/**
 * How a convolution or pooling pads:
 * - `same` / `valid`: TF's (Keras's) own; 'same' puts the odd pixel at the bottom/right.
 * - `symmetric`: PyTorch's `padding=k // 2` on every side. Where TF's 'same' pads the same way
 *   (stride 1, or sizes where it happens to be even) the layer uses 'same'; otherwise an explicit
 *   ZeroPadding2D precedes a 'valid' layer, so results match torchvision exactly.
 *
 * @category Shared blocks
 */
export type PaddingMode = 'same' | 'valid' | 'symmetric';

/**
 * Resolves a {@link PaddingMode} for a layer of `kernelSize`/`strides` on `x`: returns the (possibly
 * zero-padded) input and the TF padding to give the layer. `same` and `valid` pass through;
 * `symmetric` (PyTorch's `padding=(d(k - 1)) // 2`) becomes TF's 'same' where that pads the same
 * amount on both sides, else a ZeroPadding2D named `padName` and 'valid'.
 *
 * @param layer - The layer's square kernel, stride (default 1), dilation (default 1), and the
 * name of the padding layer if one is needed.
 *
 * @category Shared blocks
 */
export function applyPaddingMode<T>(
  net: Net<T>,
  x: T,
  mode: PaddingMode,
  layer: { kernelSize: number; strides?: number; dilation?: number; padName: string },
): [T, 'same' | 'valid'] {
  if (mode !== 'symmetric') return [x, mode];
  const stride = layer.strides ?? 1;
  const dilation = layer.dilation ?? 1;
  const pad = Math.floor((dilation * (layer.kernelSize - 1)) / 2);
  if (pad === 0) return [x, 'valid'];
  const [height, width] = net.shape(x);
  const sameIsSymmetric = [height, width].every((size) => {
    const [before, after] = paddingAmounts({ size, kernel: layer.kernelSize, stride, padding: 'same', dilation });
    return before === pad && after === pad;
  });
  if (sameIsSymmetric) return [x, 'same'];
  return [net.zeroPad(x, pad, layer.padName), 'valid'];
}

/**
 * One conv -> batch norm -> activation unit for {@link convBnAct}.
 *
 * @category Shared blocks
 */
export interface ConvBnActSpec {
  /** Layer names; `pad` is used only when symmetric padding needs an explicit ZeroPadding2D. */
  names: {
    /** The convolution's name. */
    conv: string;
    /** The batch norm's name. */
    bn: string;
    /** The activation's name. Default `{conv}_{activation}`. */
    activation?: string;
    /** The padding layer's name, if one is needed. Default `{conv}_pad`. */
    pad?: string;
  };
  /** Output channels. */
  filters: number;
  /** Square kernel size. */
  kernelSize: number;
  /** Stride. Default 1. */
  strides?: number;
  /** Dilation rate. Default 1. */
  dilation?: number;
  /** How the convolution pads ({@link PaddingMode}). */
  padding: PaddingMode;
  /** `null` for a linear output (MobileNet V2's projection, ResNet's last conv before the add). */
  activation: 'relu' | 'relu6' | null;
  /** The batch norm's numbers (Keras: epsilon 1e-3; PyTorch: 1e-5, momentum 0.9 in Keras's convention). */
  batchNorm: {
    /** Added to the variance. */
    epsilon: number;
    /** Keras convention (the weight of the old statistic). Default 0.99. */
    momentum?: number;
  };
  /** Initialisation of the kernel. */
  kernelInit: InitSpec;
  /** BatchNorm makes a conv bias redundant; default false. */
  useBias?: boolean;
}

/**
 * Conv2D (no bias unless `useBias`) -> BatchNormalization -> activation: the unit ResNet,
 * GoogLeNet (torchvision's BasicConv2d) and the MobileNets are made of. Works on any {@link Net};
 * `symmetric` padding reproduces PyTorch's (see {@link applyPaddingMode}).
 *
 * @category Shared blocks
 */
export function convBnAct<T>(net: Net<T>, x: T, spec: ConvBnActSpec): T {
  const [input, padding] = applyPaddingMode(net, x, spec.padding, {
    kernelSize: spec.kernelSize,
    strides: spec.strides,
    dilation: spec.dilation,
    padName: spec.names.pad ?? `${spec.names.conv}_pad`,
  });
  let y = net.conv2d(input, {
    name: spec.names.conv,
    filters: spec.filters,
    kernelSize: spec.kernelSize,
    strides: spec.strides,
    dilation: spec.dilation,
    padding,
    useBias: spec.useBias ?? false,
    kernelInit: spec.kernelInit,
  });
  y = net.batchNorm(y, { name: spec.names.bn, ...spec.batchNorm });
  if (spec.activation) y = net.activation(y, spec.activation, spec.names.activation ?? `${spec.names.conv}_${spec.activation}`);
  return y;
}
