import { describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../src/wasm/register.js';
import { tf } from '../src/tf.js';
import { expectWasmEqualsCpu, floatsWithSpecials, restoreBackendAfterAll } from './helpers/wasm-vs-cpu.js';

// The contract: the element-wise kernels cnn-zoo puts on wasm (src/training/wasm-kernels/elementwise.ts)
// give exactly the cpu backend's results (booleans and selected values are exact, so no tolerance),
// for the operand layouts they take over (same size, a scalar on either side) and for the ones they
// hand back to wasm's own kernels (a real broadcast, int32). Data moves between backends as plain
// arrays, so each side computes from scratch.

registerWasmTrainingKernels();

/**
 * Deterministic floats with the awkward cases in them: the thresholds 0 and 6 exactly, -0, NaN,
 * +-Infinity, and values either side of the thresholds.
 */
function floats(count: number, seed: number): number[] {
  return floatsWithSpecials(count, seed, [0, -0, 6, NaN, Infinity, -Infinity, 6.000001, -1e-30, 5.999999]);
}

function bools(count: number, seed: number): boolean[] {
  let state = seed >>> 0;
  return Array.from({ length: count }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state >>> 31 === 1;
  });
}

restoreBackendAfterAll();

// 2x9x9x7 = 1134 elements: not a multiple of 4 (LogicalAnd's word loop leaves a byte tail) and
// with every special value many times.
const SHAPE = [2, 9, 9, 7];
const SIZE = 2 * 9 * 9 * 7;

describe('float32 comparisons on wasm equal cpu exactly', () => {
  const ops = [
    ['greater', tf.greater],
    ['greaterEqual', tf.greaterEqual],
    ['less', tf.less],
    ['lessEqual', tf.lessEqual],
  ] as const;
  for (const [name, op] of ops) {
    it(`${name}: same shape, same size in another rank, a scalar on either side, and a broadcast handed back`, async () => {
      await expectWasmEqualsCpu(() => {
        const a = tf.tensor(floats(SIZE, 1), SHAPE);
        const b = tf.tensor(floats(SIZE, 2), SHAPE);
        const flat = tf.tensor(floats(SIZE, 3), [SIZE]);
        const row = tf.tensor(floats(7, 4), [7]);
        const results = [
          op(a, b),
          op(a, tf.scalar(0)),
          op(a, tf.scalar(6)),
          op(tf.scalar(6), a),
          op(a, tf.scalar(NaN)),
          op(a, tf.tensor([0], [1, 1, 1, 1])),
          op(flat, a.reshape([1, SIZE])),
          op(a, row), // [.., 7] against [7]: a real broadcast, wasm's own kernel
          op(tf.tensor([1, 5, 7], [3], 'int32'), tf.scalar(5, 'int32')), // int32: wasm's own kernel
        ];
        tf.dispose([a, b, flat, row]);
        return results;
      });
    });
  }
});

describe('LogicalAnd on wasm equals cpu exactly', () => {
  it('same shape (with a byte tail), a scalar true or false on either side, and a broadcast handed back', async () => {
    await expectWasmEqualsCpu(() => {
      const a = tf.tensor(bools(SIZE, 5), SHAPE, 'bool');
      const b = tf.tensor(bools(SIZE, 6), SHAPE, 'bool');
      const row = tf.tensor(bools(7, 7), [7], 'bool');
      const results = [
        tf.logicalAnd(a, b),
        tf.logicalAnd(a, tf.scalar(true, 'bool')),
        tf.logicalAnd(tf.scalar(false, 'bool'), a),
        tf.logicalAnd(tf.scalar(true, 'bool'), b),
        tf.logicalAnd(a.reshape([SIZE]), b.reshape([1, SIZE])), // same size, another rank
        tf.logicalAnd(a, row),
      ];
      tf.dispose([a, b, row]);
      return results;
    });
  });
});

describe('the ReLU6 gradient on wasm equals cpu exactly', () => {
  it("tfjs-layers' ReLU(maxValue 6) (relu then clipByValue(0, 6)): its output and the gradient of a weighted sum", async () => {
    await expectWasmEqualsCpu(() => {
      const x = tf.tensor(floats(SIZE, 8).map((v) => (Number.isFinite(v) ? v : 3)), SHAPE);
      const weights = tf.tensor(floats(SIZE, 9).map((v) => (Number.isFinite(v) ? v : -1)), SHAPE);
      const layer = tf.layers.reLU({ maxValue: 6 });
      const f = (input: tf.Tensor) => (layer.apply(input) as tf.Tensor).mul(weights).sum();
      const y = layer.apply(x) as tf.Tensor;
      const dx = tf.grad(f)(x);
      tf.dispose([x, weights]);
      return [y, dx];
    });
  });
});

describe('Identity on wasm shares the buffer', () => {
  it('tf.clone gives the same values without a new buffer, and freeing both frees it once', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend();
    const buffersBefore = backend.numDataIds();
    const x = tf.tensor(floats(SIZE, 10), SHAPE);
    const y = tf.clone(x);
    expect(backend.numDataIds()).toBe(buffersBefore + 1);
    expect(Array.from(y.dataSync())).toEqual(Array.from(x.dataSync()));
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual(floats(SIZE, 10).map((v) => Math.fround(v)));
    y.dispose();
    expect(backend.numDataIds()).toBe(buffersBefore);
  });

  it("strings are handed back to wasm's own Identity", async () => {
    await tf.setBackend('wasm');
    const s = tf.tensor(['a', 'b']);
    const c = tf.clone(s);
    expect(c.dataSync()).toEqual(['a', 'b']);
    tf.dispose([s, c]);
  });
});
