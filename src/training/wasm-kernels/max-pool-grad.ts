/**
 * MaxPoolGrad on wasm: each output's gradient goes to the first largest input of its window, in
 * the window's row-major order, as the cpu backend decides (and TensorFlow: the first maximum).
 * The wasm backend's own MaxPoolGrad gives ties to another position (a ReLU output pooled over a
 * window of zeros is a tie), so its gradients differed from cpu's by up to 3.3 on such data here,
 * and it runs 100x the forward pooling: 905 ms for VGG's first 2x2 pool at batch 8 (8x224x224x64),
 * against 10 ms for the pooling.
 *
 * One pass over the windows in the wasm heap: for every output pixel, the channels' running
 * maxima are compared tap by tap (channels innermost, the NHWC order), then each output's gradient
 * is added at its maximum's position.
 */
import { tf } from '../../tf.js';
import type { WasmBackendLike } from './kernel-scope.js';

export const maxPoolGradKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
  const wasm = backend as WasmBackendLike;
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;

  const dx = wasm.makeOutput([...input.shape], 'float32');
  // Views taken after makeOutput: allocating can grow the heap and detach older views.
  const x = wasm.typedArrayFromHeap(input) as Float32Array;
  const grad = wasm.typedArrayFromHeap(dy) as Float32Array;
  const out = wasm.typedArrayFromHeap(dx) as Float32Array;
  out.fill(0);
  const best = new Float32Array(channels);
  const where = new Int32Array(channels);

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
        best.fill(-Infinity);
        where.fill(-1);
        for (let r = rowFrom; r < rowTo; r++) {
          for (let c = colFrom; c < colTo; c++) {
            const pixel = image + (r * inWidth + c) * channels;
            for (let ch = 0; ch < channels; ch++) {
              const value = x[pixel + ch];
              // Strictly greater: the first maximum keeps the gradient, as on cpu.
              if (value > best[ch]) {
                best[ch] = value;
                where[ch] = pixel + ch;
              }
            }
          }
        }
        for (let ch = 0; ch < channels; ch++) if (where[ch] >= 0) out[where[ch]] += grad[dyAt + ch];
      }
    }
  }
  return dx;
};
