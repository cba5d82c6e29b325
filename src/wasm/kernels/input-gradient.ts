/**
 * The input gradient of a convolution (regular or depthwise) as stride-1 forward convolutions of
 * dy, which XNNPACK runs fast; the arithmetic is in conv-geometry.ts.
 *
 * With stride 1 it is one correlation of dy with the kernel flipped in space. With stride s it is
 * s_h x s_w correlations with sub-kernels of every s-th tap (polyphase), whose outputs interleave
 * into dx: the same multiplications as the forward convolution. Spreading dy by the stride (s - 1
 * zeros after every value) and correlating once would do s_h x s_w times as many, most of them with
 * zeros. Fused conv2d computes even the stem's input gradient, which nothing uses: for ResNet's
 * 7x7/2 stem at batch 8 that took 909 ms with wasm's own kernel and 222 ms here, against 69 ms for
 * the forward convolution (one run, on a loaded machine). The spreading remains for a stride and a
 * dilation both above 1, which TF.js's own gradients reject.
 */
import { tf } from '../../tf.js';
import { inputGradientPhases, type AxisPhases, type ConvAxis } from './conv-geometry.js';
import type { ExplicitPadding, KernelScope } from './kernel-scope.js';
import { spreadByStride } from './spread-by-stride.js';

/** One stride-1 correlation of `input` with `kernel` (already flipped), dilated by `dilations`. */
export type Correlate = (input: tf.TensorInfo, kernel: tf.TensorInfo, pad: ExplicitPadding, dilations: [number, number]) => tf.TensorInfo;

/**
 * dx [N, I_h, I_w, C'] from dy [N, O_h, O_w, C] and `kernel` [k_h, k_w, ...], not yet flipped:
 * oriented for a correlation over dy's channels (for a depthwise convolution its C*M channels with
 * multiplier 1), or, with `swapChannels`, a Conv2D filter [k_h, k_w, C', C] whose in and out
 * channels swap as its taps are gathered (one pass over it, KernelScope.gatherTaps).
 */
export function inputGradient(
  k: KernelScope,
  dy: tf.TensorInfo,
  kernel: tf.TensorInfo,
  axes: [ConvAxis, ConvAxis],
  correlate: Correlate,
  options: { equalPhases?: boolean; swapChannels?: boolean } = {},
): tf.TensorInfo {
  const [h, w] = axes;
  const dilations: [number, number] = [h.dilation, w.dilation];
  const swap = options.swapChannels ?? false;
  if ((h.stride > 1 && h.dilation > 1) || (w.stride > 1 && w.dilation > 1)) {
    const { spread, pad } = spreadByStride(k, dy, axes);
    return correlate(spread, k.gatherTaps(kernel, reversed(h.kernel), reversed(w.kernel), swap), pad, dilations);
  }
  const rows = inputGradientPhases(h);
  const cols = inputGradientPhases(w);
  if (options.equalPhases) {
    equalizePhases(rows, h.dilation);
    equalizePhases(cols, w.dilation);
  }
  const outputs = rows.phases.map((row) =>
    cols.phases.map((col) => {
      if (row.taps.length === 0 || col.taps.length === 0) return undefined; // no tap reaches this phase: zeros
      const { input, pad } = cutNegativePadding(k, dy, row.pad, col.pad);
      return correlate(input, k.gatherTaps(kernel, row.taps, col.taps, swap), pad, dilations);
    }),
  );
  if (h.stride === 1 && w.stride === 1) return outputs[0][0]!;
  return interleave(k, outputs, [dy.shape[0], h.inSize, w.inSize], [rows.offset, cols.offset]);
}

/**
 * Gives every phase that has taps as many as the largest, padding with zero taps (-1) in front,
 * which read dy one step earlier each. XNNPACK's depthwise convolution has fast kernels for 4, 9
 * or 25 taps but not for 2: a 3x3/2 kernel splits into 2x2, 2x1, 1x2 and 1x1 phases, and the 2x1
 * ones took 11.5 ms where the 2x2 ones took 1 ms (8x56x56x96 here).
 */
function equalizePhases(axis: AxisPhases, dilation: number): void {
  const most = Math.max(...axis.phases.map((phase) => phase.taps.length));
  for (const phase of axis.phases) {
    const missing = most - phase.taps.length;
    if (phase.taps.length === 0 || missing === 0) continue;
    phase.taps = [...Array<number>(missing).fill(-1), ...phase.taps];
    phase.pad = [phase.pad[0] + missing * dilation, phase.pad[1]];
  }
}

function reversed(kernel: number): number[] {
  return Array.from({ length: kernel }, (_, i) => kernel - 1 - i);
}

/** Turns negative paddings (explicit forward paddings wider than the kernel) into cuts of dy. */
function cutNegativePadding(
  k: KernelScope,
  dy: tf.TensorInfo,
  rows: [number, number],
  cols: [number, number],
): { input: tf.TensorInfo; pad: ExplicitPadding } {
  const pad: ExplicitPadding = [[0, 0], [Math.max(0, rows[0]), Math.max(0, rows[1])], [Math.max(0, cols[0]), Math.max(0, cols[1])], [0, 0]];
  if (Math.min(...rows, ...cols) >= 0) return { input: dy, pad };
  const [n, height, width, c] = dy.shape;
  const top = Math.max(0, -rows[0]);
  const left = Math.max(0, -cols[0]);
  const input = k.slice(dy, [0, top, left, 0], [n, height - top - Math.max(0, -rows[1]), width - left - Math.max(0, -cols[1]), c]);
  return { input, pad };
}

/**
 * dx[n, i, j] = phase (t_i mod s_h, t_j mod s_w) at (floor(t_i / s_h), floor(t_j / s_w)), with
 * t = index + offset; a phase no tap reaches is zero. Written straight into the wasm heap, one
 * block of channels per pixel: the wasm backend's Transpose took 80 ms for the equivalent 6-D
 * permutation of a 8x58x58x64 gradient here.
 */
function interleave(
  k: KernelScope,
  phases: (tf.TensorInfo | undefined)[][],
  [n, height, width]: number[],
  [offsetH, offsetW]: number[],
): tf.TensorInfo {
  const strideH = phases.length;
  const strideW = phases[0].length;
  const some = phases.flat().find((p) => p !== undefined)!;
  const [, countH, countW, c] = some.shape;
  const dx = k.allocate([n, height, width, c], 'float32');
  // One Float32Array over the whole heap and copyWithin between offsets in it: a subarray per
  // pixel would allocate a view object per pixel. Views taken after allocating: growing the heap
  // detaches older views.
  const to = k.view(dx) as Float32Array;
  const heap = new Float32Array(to.buffer);
  const base = (view: tf.TypedArray) => view.byteOffset / Float32Array.BYTES_PER_ELEMENT;
  const from = phases.map((row) => row.map((p) => (p ? base(k.view(p)) : -1)));
  const colPhase = Array.from({ length: width }, (_, j) => (j + offsetW) % strideW);
  const colIndex = Array.from({ length: width }, (_, j) => Math.floor((j + offsetW) / strideW));
  let out = base(to);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < height; i++) {
      const rowPhase = (i + offsetH) % strideH;
      const rowBase = (b * countH + Math.floor((i + offsetH) / strideH)) * countW;
      for (let j = 0; j < width; j++, out += c) {
        const source = from[rowPhase][colPhase[j]];
        if (source < 0) {
          heap.fill(0, out, out + c);
          continue;
        }
        const start = source + (rowBase + colIndex[j]) * c;
        if (c >= 16) heap.copyWithin(out, start, start + c);
        else for (let ch = 0; ch < c; ch++) heap[out + ch] = heap[start + ch];
      }
    }
  }
  return dx;
}
