/**
 * Conv2DBackpropInput on wasm as XNNPACK convolutions. The wasm backend has this kernel, but as a
 * plain loop in C++ that runs about 10x slower than the forward Conv2D of the same layer (440 ms
 * against 40 ms for 8x56x56x64 by 3x3x64x64 here), which alone would make a training step of a
 * ResNet cost over ten forward passes. dx is a correlation of dy with the kernel flipped in space
 * and its input and output channels swapped, one per stride phase (input-gradient.ts); the flip,
 * the phase's taps and the channel swap are one copy of the filter (KernelScope.gatherTaps).
 */
import { tf } from '../../tf.js';
import { convAxes } from './conv-geometry.js';
import { inputGradient } from './input-gradient.js';
import { withKernelScope, type WasmBackendLike } from './kernel-scope.js';

export const conv2dBackpropInputKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  return withKernelScope(backend as WasmBackendLike, (k) => {
    // XNNPACK works in NHWC; NCHW goes through two transposes.
    const nchw = dataFormat === 'NCHW';
    const dyNhwc = nchw ? k.transpose(dy, [0, 2, 3, 1]) : dy;
    const [n, a, b, c] = inputShape;
    const shape: [number, number, number, number] = nchw ? [n, b, c, a] : [n, a, b, c];
    const info = tf.backend_util.computeConv2DInfo(
      shape,
      filter.shape as [number, number, number, number],
      strides,
      1,
      pad,
      dimRoundingMode,
    );
    // Each sub-kernel is gathered as [kh', kw', out, in] (dy's channels are the forward outputs),
    // swapping the channels in the same pass that flips the taps.
    const dx = inputGradient(
      k,
      dyNhwc,
      filter,
      convAxes(info),
      (input, sub, subPad, dilations) => k.conv2d(input, sub, [1, 1], dilations, subPad),
      { swapChannels: true },
    );
    return nchw ? k.transpose(dx, [0, 3, 1, 2]) : dx;
  });
};
