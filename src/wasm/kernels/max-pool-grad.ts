/**
 * MaxPoolGrad on wasm: each output's gradient goes to the first largest input of its window, in
 * the window's row-major order, as the cpu backend decides (and TensorFlow: the first maximum).
 * The wasm backend's own MaxPoolGrad gives ties to another position (a ReLU output pooled over a
 * window of zeros is a tie), so its gradients differed from cpu's by up to 3.3 on such data here,
 * and it runs 100x the forward pooling: 905 ms for VGG's first 2x2 pool at batch 8 (8x224x224x64),
 * against 10 ms for the pooling.
 *
 * One pass over the windows in the wasm heap: for every output pixel and channel, the taps are
 * read in the window's order until one equals the forward pass's pooled value (the kernel's
 * `output` input), and the gradient is added there. Most windows stop at their first or second
 * tap, where a running maximum compares all of them: 15 ms instead of 24 ms for ResNet's 3x3/2
 * pool at batch 4 (4x112x112x64) here. This trusts `output` to be the pooling of `input`, as
 * TF.js's maxPool gradient passes it; a window none of whose taps equals it (a NaN) falls back to
 * the running maximum.
 */
import { tf } from '../../tf.js';
import type { WasmBackendLike } from './kernel-scope.js';

export const maxPoolGradKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, input, output } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo; output: tf.TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
  const wasm = backend as WasmBackendLike;
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;

  const dx = wasm.makeOutput([...input.shape], 'float32');
  // Views taken after makeOutput: allocating can grow the heap and detach older views.
  const x = wasm.typedArrayFromHeap(input) as Float32Array;
  const pooled = wasm.typedArrayFromHeap(output) as Float32Array;
  const grad = wasm.typedArrayFromHeap(dy) as Float32Array;
  const out = wasm.typedArrayFromHeap(dx) as Float32Array;
  out.fill(0);
  // Where in x the window's in-range pixels start, in the window's row-major order.
  const taps = new Int32Array(filterHeight * filterWidth);

  let dyAt = 0;
  for (let b = 0; b < batchSize; b++) {
    const image = b * inHeight * inWidth * channels;
    for (let oh = 0; oh < outHeight; oh++) {
      const rowStart = oh * strideHeight - top;
      const rowFrom = Math.max(0, rowStart);
      const rowTo = Math.min(inHeight, rowStart + filterHeight);
      for (let ow = 0; ow < outWidth; ow++, dyAt += channels) {
        const colStart = ow * strideWidth - left;
        const colFrom = Math.max(0, colStart);
        const colTo = Math.min(inWidth, colStart + filterWidth);
        let count = 0;
        for (let r = rowFrom; r < rowTo; r++) {
          for (let c = colFrom; c < colTo; c++) taps[count++] = image + (r * inWidth + c) * channels;
        }
        for (let ch = 0; ch < channels; ch++) {
          // The forward pass's maximum (exact, so equal to one of the window's values): the first
          // tap that holds it is the first maximum, found without comparing the rest.
          const max = pooled[dyAt + ch];
          let where = -1;
          for (let t = 0; t < count; t++) {
            if (x[taps[t] + ch] === max) {
              where = taps[t] + ch;
              break;
            }
          }
          if (where < 0) where = firstMaximum(x, taps, count, ch);
          if (where >= 0) out[where] += grad[dyAt + ch];
        }
      }
    }
  }
  return dx;
};

/**
 * The first strictly greatest tap, as cpu compares: for a window whose pooled value no tap equals
 * (a NaN in the window, which XNNPACK's max may return where cpu's comparisons skip it); -1 if
 * every tap is NaN, as on cpu, where no position wins.
 */
function firstMaximum(x: Float32Array, taps: Int32Array, count: number, ch: number): number {
  let best = -Infinity;
  let where = -1;
  for (let t = 0; t < count; t++) {
    const value = x[taps[t] + ch];
    if (value > best) {
      best = value;
      where = taps[t] + ch;
    }
  }
  return where;
}
