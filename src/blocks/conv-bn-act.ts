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
 */
export type PaddingMode = 'same' | 'valid' | 'symmetric';

/**
 * Resolves `symmetric` padding for a layer of `kernel`/`stride` on `x`: returns the (possibly
 * zero-padded) input and the TF padding to give the layer.
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

export interface ConvBnActSpec {
  /** Layer names; `pad` is used only when symmetric padding needs an explicit ZeroPadding2D. */
  names: { conv: string; bn: string; activation?: string; pad?: string };
  filters: number;
  kernelSize: number;
  strides?: number;
  dilation?: number;
  padding: PaddingMode;
  /** `null` for a linear output (MobileNet V2's projection, ResNet's last conv before the add). */
  activation: 'relu' | 'relu6' | null;
  batchNorm: { epsilon: number; momentum?: number };
  kernelInit: InitSpec;
  /** BatchNorm makes a conv bias redundant; default false. */
  useBias?: boolean;
}

/** Conv2D (no bias) -> BatchNormalization -> activation. */
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
