/**
 * DepthwiseConv2dNativeBackpropFilter on wasm (the wasm backend lacks it) as XNNPACK depthwise
 * convolutions. dw[k, c, m] sums x[n, k*d + o*s - p, c] * dy[n, o, c*M + m] over the batch n and the
 * output positions o. For one image n that is a depthwise correlation of x[n] with dy[n] as the
 * kernel ([O_h, O_w, C, M], dilated by the forward stride, moving by the forward dilation), whose
 * K_h x K_w outputs are the image's share of dw; the images' shares are added.
 *
 * One call per image, not one call with the batch folded into the channels: XNNPACK runs a kernel
 * this large as a grouped GEMM whose packed weights take about 8x the kernel (its GEMM tiles are 8
 * output channels wide, and a depthwise group has M = 1), which for a whole batch of 112x112
 * MobileNet activations ran the 4 GiB wasm heap out of memory. Swapping batch and channels as the
 * Conv2D filter gradient does would compute every pair of channels, C times the work.
 */
import { tf } from '../../tf.js';
import { convAxes, filterGradientPadding } from './conv-geometry.js';
import { withKernelScope, type WasmBackendLike } from './kernel-scope.js';

export const depthwiseBackpropFilterKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  return withKernelScope(backend as WasmBackendLike, (k) => {
    const [n, , , c] = x.shape;
    const [, outH, outW] = dy.shape;
    const [kh, kw, , m] = filterShape;
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filterShape,
      strides,
      dilations,
      pad,
      dimRoundingMode,
      true,
    );
    const [h, w] = convAxes(info);
    const gh = filterGradientPadding(h);
    const gw = filterGradientPadding(w);
    const shares: tf.TensorInfo[] = [];
    for (let image = 0; image < n; image++) {
      const xImage = n === 1 ? x : k.batchItem(x, image);
      const dyImage = n === 1 ? dy : k.batchItem(dy, image);
      const kernel = k.reshape(dyImage, [outH, outW, c, m]);
      shares.push(k.depthwiseConv2d(xImage, kernel, [h.dilation, w.dilation], [h.stride, w.stride], [[0, 0], gh.pad, gw.pad, [0, 0]]));
    }
    let dw = shares.length === 1 ? shares[0] : k.addN(shares);
    if (gh.outputs > kh || gw.outputs > kw) dw = k.slice(dw, [0, 0, 0, 0], [1, kh, kw, c * m]);
    return k.reshape(dw, [kh, kw, c, m]);
  });
};
