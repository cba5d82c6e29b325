/**
 * A convolution's filter gradient as one matrix product over image patches (im2col):
 *   dw[(k_h, k_w, c_in), c_out] = sum over output pixels p of patch[(k_h, k_w, c_in), p] * dy[p, c_out],
 * with P = N*O_h*O_w pixels: [K_h*K_w*C_in, P] by [P, C_out], one plain BatchMatMul (no transpose
 * flag, whose paths are slow on wasm, batch-mat-mul.ts) whose result is dw as it stands.
 *
 * Why not the batch-as-channels convolution (conv2d-backprop-filter.ts): there XNNPACK's GEMM adds
 * up only N (the batch) products per tap, over O_h*O_w taps of a kernel that is dy itself. For
 * ResNet-34 at batch 4 (224x224) it took 32-36 ms per 3x3 layer and 58 ms for the 7x7 stem here,
 * where this takes 22-23 ms and 28 ms; a 3x3 stride-2 layer 17 -> 12 ms, a 1x1 stride-2 shortcut
 * 7 -> 2.4 ms.
 *
 * Which operand is which matters: wasm's BatchMatMul packs its second operand (b) for XNNPACK on
 * every new tensor, so b is dy (the size of the layer's output), not the patches (K_h*K_w times
 * larger); with the patches as b, a 56x56 3x3x64 layer took 48 ms instead of 23.
 *
 * The patch matrix is built by block copies in the wasm heap from x laid out channel-major and
 * split by the stride's column phase, [C_in, N, H, s_w, ceil(W / s_w)]: row (k_h, k_w, c_in) of the
 * patches, for one image and one output row, reads the input row o_h*s_h + k_h - p_top at columns
 * o_w*s_w + k_w - p_left, which all share one phase and so lie next to each other in that layout:
 * one copyWithin per (tap, channel, image, output row). Taps in the padding stay zero. The patches
 * take P*K_h*K_w*C_in floats (29 MB for a 56x56 3x3x64 layer at batch 4), so the batch goes in
 * chunks of at most {@link patchChunking}.budget floats, whose products are added.
 */
import { tf } from '../../tf.js';
import type { ConvAxis } from './conv-geometry.js';
import type { KernelScope } from './kernel-scope.js';

/**
 * The most floats one chunk's patch matrix may take (default 64 MiB's worth: the heap, 4 GiB at
 * most, also holds everything a training step keeps). Mutable so that tests can force chunks.
 */
export const patchChunking = { budget: 16 * 1024 * 1024 };

/**
 * dw [K_h, K_w, C_in, C_out] of an NHWC float32 convolution with dilation 1, from x [N, H, W, C_in]
 * and dy [N, O_h, O_w, C_out].
 */
export function patchFilterGradient(k: KernelScope, x: tf.TensorInfo, dy: tf.TensorInfo, [h, w]: [ConvAxis, ConvAxis], cout: number): tf.TensorInfo {
  const [n, inH, inW, cin] = x.shape;
  const depth = h.kernel * w.kernel * cin;
  const perImage = h.outSize * w.outSize * depth;
  const chunk = Math.max(1, Math.min(n, Math.floor(patchChunking.budget / perImage)));
  const s = w.stride;
  const columns = Math.ceil(inW / s);
  const padded = columns * s === inW ? x : k.pad(x, [[0, 0], [0, 0], [0, columns * s - inW], [0, 0]]);
  // [C_in, N, H, s, W/s] as a rank-4 and a rank-3 transpose: wasm's rank-5 Transpose took 35 ms
  // for 4x56x56x64 here, these two 1 ms together.
  let planes = k.transpose(padded, [3, 0, 1, 2]);
  if (s > 1) planes = k.transpose(k.reshape(planes, [cin * n * inH, columns, s]), [0, 2, 1]);
  const layout: PlaneLayout = { batch: n, rows: inH, columns };
  const products: tf.TensorInfo[] = [];
  for (let first = 0; first < n; first += chunk) {
    const count = Math.min(chunk, n - first);
    const pixels = count * h.outSize * w.outSize;
    const patches = buildPatches(k, planes, layout, cin, first, count, h, w);
    const dyPart = count === n ? dy : batchItems(k, dy, first, count);
    products.push(k.batchMatMul(k.reshape(patches, [1, depth, pixels]), k.reshape(dyPart, [1, pixels, cout]), false, false));
  }
  const sum = products.length === 1 ? products[0] : k.addN(products);
  return k.reshape(sum, [h.kernel, w.kernel, cin, cout]);
}

/** The shape of the phase-split planes [C_in, batch, rows, s_w, columns]. */
interface PlaneLayout {
  batch: number;
  rows: number;
  columns: number;
}

/** Items first .. first+count-1 of a batch, as one block copy in the wasm heap (see KernelScope.batchItem). */
function batchItems(k: KernelScope, x: tf.TensorInfo, first: number, count: number): tf.TensorInfo {
  const [, ...rest] = x.shape;
  const size = tf.util.sizeFromShape(rest);
  const out = k.allocate([count, ...rest], x.dtype);
  const from = k.view(x);
  k.view(out).set(from.subarray(first * size, (first + count) * size));
  return out;
}

/** The patches of images first .. first+count-1: [K_h*K_w*C_in, count*O_h*O_w]. */
function buildPatches(
  k: KernelScope,
  planes: tf.TensorInfo,
  { batch, rows, columns }: PlaneLayout,
  cin: number,
  first: number,
  count: number,
  h: ConvAxis,
  w: ConvAxis,
): tf.TensorInfo {
  const s = w.stride;
  const outW = w.outSize;
  const pixels = count * h.outSize * outW;
  const out = k.allocate([h.kernel * w.kernel * cin, pixels], 'float32');
  // Views after the last allocation. Both lie in the same heap, so one view and copyWithin (a
  // memmove) serve, with no subarray made per block.
  const from = k.view(planes);
  const to = k.view(out);
  const heap = new Float32Array(from.buffer);
  const fromBase = from.byteOffset / 4;
  const toBase = to.byteOffset / 4;
  to.fill(0);
  for (let i = 0; i < h.kernel; i++) {
    for (let j = 0; j < w.kernel; j++) {
      // Input column o_w*s + j - p_left = (o_w + shift) * s + phase.
      const offset = j - w.padBefore;
      const phase = ((offset % s) + s) % s;
      const shift = (offset - phase) / s;
      // Columns past W in the last phase are the zero padding added to make W a multiple of s.
      const owFrom = Math.max(0, -shift);
      const owTo = Math.min(outW, columns - shift);
      if (owTo <= owFrom) continue;
      const length = owTo - owFrom;
      for (let c = 0; c < cin; c++) {
        let at = toBase + ((i * w.kernel + j) * cin + c) * pixels + owFrom;
        for (let b = first; b < first + count; b++) {
          const image = (c * batch + b) * rows;
          for (let oh = 0; oh < h.outSize; oh++, at += outW) {
            const row = oh * h.stride + i - h.padBefore;
            if (row < 0 || row >= rows) continue;
            const src = fromBase + ((image + row) * s + phase) * columns + shift + owFrom;
            heap.copyWithin(at, src, src + length);
          }
        }
      }
    }
  }
  return out;
}
