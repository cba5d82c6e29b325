/**
 * DepthwiseConv2dNativeBackpropInput on wasm (the wasm backend lacks it) as XNNPACK depthwise
 * convolutions of dy with the kernel flipped in space, one per stride phase (input-gradient.ts).
 * With a channel multiplier M > 1, input channel c fed outputs c*M .. c*M + M - 1: the flipped
 * kernel runs over all C*M channels of dy with multiplier 1, and each group of M sums to dx[c].
 */
import { tf } from '../../tf.js';
import { convAxes } from './conv-geometry.js';
import { inputGradient } from './input-gradient.js';
import { withKernelScope, type WasmBackendLike } from './kernel-scope.js';

export const depthwiseBackpropInputKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  return withKernelScope(backend as WasmBackendLike, (k) => {
    const [kh, kw, c, m] = filter.shape;
    const info = tf.backend_util.computeConv2DInfo(
      inputShape,
      filter.shape as [number, number, number, number],
      strides,
      dilations,
      pad,
      dimRoundingMode,
      true,
    );
    const kernel = k.reshape(filter, [kh, kw, c * m, 1]);
    const dx = inputGradient(k, dy, kernel, convAxes(info), (input, sub, subPad, subDilations) =>
      k.depthwiseConv2d(input, sub, [1, 1], subDilations, subPad), { equalPhases: true },
    );
    if (m === 1) return dx;
    const [n, height, width] = inputShape;
    return k.sum(k.reshape(dx, [n, height, width, c, m]), [4]);
  });
};
