import { describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels, wasmTrainingKernels } from '../src/wasm/register.js';
import { tf } from '../src/tf.js';
import { expectWasmEqualsCpu, restoreBackendAfterAll, sizeOf } from './helpers/wasm-vs-cpu.js';

// The contract: the Slice kernel cnn-zoo puts on wasm (src/training/wasm-kernels/slice.ts) gives
// exactly the cpu backend's results (a slice moves values, so no tolerance) for every rank, begin
// and size it takes, in float32, int32 and bool; strings go to wasm's own kernel. Data moves
// between backends as plain arrays, so each side computes from scratch.

registerWasmTrainingKernels();

/** Deterministic floats with -0, NaN and +-Infinity among them. */
function floats(count: number, seed: number): number[] {
  const special = [0, -0, NaN, Infinity, -Infinity, 1e-30];
  let state = seed >>> 0;
  return Array.from({ length: count }, (_, i) => {
    if (i % 5 === 2) return special[(i / 5) % special.length | 0];
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  });
}

/** Deterministic int32 values over the whole range, negatives included. */
function ints(count: number, seed: number): number[] {
  let state = seed >>> 0;
  return Array.from({ length: count }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state | 0;
  });
}

restoreBackendAfterAll();

// Each case: an input shape and the slice's begin and size as tf.slice takes them. The kernel
// copies runs of (innermost axes taken whole) x (the next axis's extent): the comments give the
// run, by hand, and whether it is short (under 16 elements, copied element by element) or long
// (one copyWithin).
const cases: Array<{ label: string; shape: number[]; begin: number | number[]; size?: number | number[] }> = [
  { label: 'rank 1, from an offset', shape: [40], begin: [3], size: [30] }, // one run of 30
  { label: 'rank 1, size -1', shape: [40], begin: [7], size: [-1] }, // one run of 33
  { label: 'rank 2, columns from an offset', shape: [6, 21], begin: [1, 2], size: [3, 17] }, // 3 runs of 17
  { label: 'rank 2, whole rows', shape: [6, 5], begin: [2, 0], size: [3, -1] }, // 1 run of 3*5
  { label: 'rank 3, short runs', shape: [4, 5, 6], begin: [1, 1, 2], size: [2, 3, 3] }, // 6 runs of 3
  { label: 'rank 3, long runs', shape: [4, 5, 40], begin: [1, 0, 3], size: [2, -1, 20] }, // 10 runs of 20
  // ZeroPadding2D(1)'s gradient: 2*7 runs of 7*17 = 119 (the channels, taken whole, merge with the
  // 7 columns)...
  { label: "rank 4, ZeroPadding2D's gradient", shape: [2, 9, 9, 17], begin: [0, 1, 1, 0], size: [2, 7, 7, 17] },
  // ...and the same with 3 channels (runs of 21, still one per row).
  { label: "rank 4, ZeroPadding2D's gradient with 3 channels", shape: [2, 9, 9, 3], begin: [0, 1, 1, 0], size: [-1, 7, 7, -1] },
  { label: 'rank 4, whole rows of a band', shape: [3, 9, 8, 5], begin: [1, 2, 0, 0], size: [2, 4, -1, -1] }, // 2 runs of 4*8*5
  { label: 'rank 4, a channel range', shape: [2, 4, 5, 24], begin: [0, 0, 0, 5], size: [-1, -1, -1, 9] }, // 40 runs of 9
  { label: 'rank 5, runs of 2', shape: [2, 3, 4, 5, 6], begin: [1, 0, 1, 2, 3], size: [1, 3, 2, 2, 2] }, // 12 runs
  { label: 'rank 5, the last two axes whole', shape: [3, 4, 2, 5, 6], begin: [1, 1, 0, 0, 0], size: [2, 2, 1, -1, -1] }, // 4 runs of 30
  { label: 'rank 6', shape: [2, 2, 3, 2, 3, 4], begin: [1, 0, 1, 0, 1, 0], size: [1, 2, 2, 2, 2, -1] }, // 8 runs of 8
  { label: 'the whole tensor, size -1', shape: [3, 4, 5], begin: [0, 0, 0], size: [-1, -1, -1] },
  { label: 'the whole tensor, size given', shape: [3, 4, 5], begin: [0, 0, 0], size: [3, 4, 5] },
  { label: 'begin and size as numbers (the first axis)', shape: [5, 4, 3], begin: 2, size: 2 },
  { label: 'begin and size shorter than the rank', shape: [5, 4, 3], begin: [1, 1], size: [2] },
  { label: 'size omitted: to the end on every axis', shape: [5, 4, 3], begin: [1, 2, 1] },
  { label: 'a zero-size slice', shape: [4, 5], begin: [1, 2], size: [0, 3] },
  { label: 'a slice of a zero-size tensor', shape: [3, 0, 2], begin: [1, 0, 0], size: [1, 0, 2] },
];

describe('Slice on wasm equals cpu exactly', () => {
  for (const { label, shape, begin, size } of cases) {
    it(`${label}: [${shape}] from ${JSON.stringify(begin)} size ${JSON.stringify(size)}, float32, int32 and bool`, async () => {
      const count = sizeOf(shape);
      await expectWasmEqualsCpu(() => {
        const inputs = [
          tf.tensor(floats(count, 1), shape, 'float32'),
          tf.tensor(ints(count, 2), shape, 'int32'),
          tf.tensor(ints(count, 3).map((v) => v > 0), shape, 'bool'),
        ];
        const results = inputs.map((x) => tf.slice(x, begin, size));
        tf.dispose(inputs);
        return results;
      });
    });
  }

  it("ZeroPadding2D's gradient inside tf.grad (tf.pad's gradient is a Slice)", async () => {
    const shape = [2, 7, 6, 19];
    const padded = [2, 9, 8, 19];
    await expectWasmEqualsCpu(() => {
      const weights = tf.tensor(floats(sizeOf(padded), 4).map((v) => (Number.isFinite(v) ? v : 0.5)), padded);
      const layer = tf.layers.zeroPadding2d({ padding: 1 });
      const dx = tf.grad((x: tf.Tensor) => (layer.apply(x) as tf.Tensor).mul(weights).sum())(tf.tensor(floats(sizeOf(shape), 5).map((v) => (Number.isFinite(v) ? v : 2)), shape));
      weights.dispose();
      return [dx];
    });
  });
});

describe('Slice on wasm: registration, bits, memory and what it hands back', () => {
  it('is one of the kernels cnn-zoo registers for wasm', () => {
    expect(Object.keys(wasmTrainingKernels)).toContain('Slice');
  });

  it('moves bits: NaN payloads survive both the long-run and the short-run copies', async () => {
    await tf.setBackend('wasm');
    const shape = [3, 4, 20];
    const data = new Float32Array(floats(sizeOf(shape), 6).map((v) => (Number.isNaN(v) ? 0 : v)));
    const bits = new Int32Array(data.buffer);
    const signalling = 0x7fa00001;
    const negativeQuiet = -0x3edcbb; // 0xffc12345
    // Elements (1, 2, 4) and (1, 2, 5) are in both slices below, which copy runs of 17 (long) and
    // of 3 (short).
    const at = (1 * 4 + 2) * 20 + 4;
    bits[at] = signalling;
    bits[at + 1] = negativeQuiet;
    const x = tf.tensor(data, shape);
    for (const size of [
      [2, 3, 17],
      [2, 3, 3],
    ]) {
      const y = tf.slice(x, [1, 1, 3], size);
      const out = new Int32Array(y.dataSync().slice().buffer);
      // (1, 2, 4) is output element (0, 1, 1).
      const index = (0 * 3 + 1) * size[2] + 1;
      expect([out[index], out[index + 1]]).toEqual([signalling, negativeQuiet]);
      y.dispose();
    }
    x.dispose();
  });

  it('allocates only its output, also for a zero-size slice', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend();
    const x = tf.tensor(floats(2 * 9 * 9 * 17, 7), [2, 9, 9, 17]);
    const before = backend.numDataIds();
    for (const size of [
      [2, 7, 7, 17],
      [0, 7, 7, 17],
    ]) {
      const y = tf.slice(x, [0, 1, 1, 0], size);
      expect(backend.numDataIds()).toBe(before + 1);
      y.dispose();
      expect(backend.numDataIds()).toBe(before);
    }
    x.dispose();
  });

  it("hands strings to wasm's own Slice", async () => {
    await tf.setBackend('wasm');
    const s = tf.tensor(['a', 'b', 'c', 'd', 'e', 'f'], [2, 3]);
    const y = tf.slice(s, [0, 1], [2, 2]);
    expect(y.arraySync()).toEqual([
      ['b', 'c'],
      ['e', 'f'],
    ]);
    tf.dispose([s, y]);
  });

  it('rejects a slice past the end, as the cpu kernel does', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([4, 5]);
    expect(() => tf.slice(x, [2, 0], [3, 5])).toThrow(/overflow input.shape\[0\]/);
    x.dispose();
  });
});
