/**
 * dy made ready for the input gradient of a convolution that is both strided and dilated: spread
 * by the stride and padded so that one stride-1 correlation with the flipped kernel gives dx
 * (conv-geometry.ts). TF.js's gradients reject such convolutions, so this path serves only direct
 * kernel calls; input-gradient.ts avoids the spreading everywhere else.
 *
 * The spreading is one zero padding of a 6-D view: [N, O_h, 1, O_w, 1, C] padded to
 * [N, O_h, s_h, O_w, s_w, C] puts s - 1 zeros after every value along each axis, and reshaping back
 * to [N, O_h*s_h, O_w*s_w, C] is free. The border padding is not materialised: it goes to the
 * convolution as explicit padding, which XNNPACK applies on the fly.
 */
import { tf } from '../../tf.js';
import { inputGradientPadding, type ConvAxis } from './conv-geometry.js';
import type { ExplicitPadding, KernelScope } from './kernel-scope.js';

export interface SpreadResult {
  /** dy spread by the stride (and cut, in the rare case a border padding is negative). */
  spread: tf.TensorInfo;
  /** The padding to hand to the stride-1 convolution. */
  pad: ExplicitPadding;
}

export function spreadByStride(k: KernelScope, dy: tf.TensorInfo, [h, w]: [ConvAxis, ConvAxis]): SpreadResult {
  const [n, outH, outW, c] = dy.shape;
  let spread = dy;
  if (h.stride > 1 || w.stride > 1) {
    const view = k.reshape(dy, [n, outH, 1, outW, 1, c]);
    const zeros = k.pad(view, [[0, 0], [0, 0], [0, h.stride - 1], [0, 0], [0, w.stride - 1], [0, 0]]);
    spread = k.reshape(zeros, [n, outH * h.stride, outW * w.stride, c]);
  }
  const [top, bottom] = inputGradientPadding(h);
  const [left, right] = inputGradientPadding(w);
  if (top < 0 || bottom < 0 || left < 0 || right < 0) {
    // An explicit padding wider than the kernel: the forward convolution read only zeros there,
    // so the matching values of dy reach no input; cut them off.
    const cutTop = Math.max(0, -top);
    const cutLeft = Math.max(0, -left);
    const [, spreadH, spreadW] = spread.shape;
    spread = k.slice(
      spread,
      [0, cutTop, cutLeft, 0],
      [n, spreadH - cutTop - Math.max(0, -bottom), spreadW - cutLeft - Math.max(0, -right), c],
    );
  }
  const pad: ExplicitPadding = [
    [0, 0],
    [Math.max(0, top), Math.max(0, bottom)],
    [Math.max(0, left), Math.max(0, right)],
    [0, 0],
  ];
  return { spread, pad };
}
