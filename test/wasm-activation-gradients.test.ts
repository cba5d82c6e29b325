import { describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../src/wasm/register.js';
import { tf } from '../src/tf.js';
import { expectWasmEqualsCpu, floatsWithSpecials, restoreBackendAfterAll } from './helpers/wasm-vs-cpu.js';

// The contract: the gradients of relu, clipByValue and relu6 on wasm (clipByValue's and relu6's
// through cnn-zoo's one-loop kernels, src/training/wasm-kernels/activation-gradients.ts) equal
// the cpu backend's exactly: toEqual on the values, so NaN must meet NaN and -0 must meet -0.
// Inputs carry the thresholds themselves, -0, NaN, +-Infinity and values either side of every
// threshold; dy carries +-Infinity, NaN and negative values (whose product with 0 is -0). Data
// moves between backends as plain arrays, so each side computes from scratch.

registerWasmTrainingKernels();

/** The float32 nearest 0.1: above 0.1, so `x <= 0.1` on doubles would wrongly reject it. */
const F01 = Math.fround(0.1);

const X_SPECIAL = [0, -0, 6, NaN, Infinity, -Infinity, 6.000001, 5.999999, 1e-30, -1e-30, F01, -F01, 0.1000001, -0.1000001];
const DY_SPECIAL = [Infinity, -Infinity, NaN, -1, -0, 0, 2.5];

// 2x9x9x7 = 1134 elements, with every special value many times.
const SHAPE = [2, 9, 9, 7];
const SIZE = 2 * 9 * 9 * 7;
const X = floatsWithSpecials(SIZE, 1, X_SPECIAL);
// At the m-th special x (index 7m + 3), x is X_SPECIAL[m % 14] and dy is DY_SPECIAL[floor(m / 14) % 7]:
// the first 98 of the 162 special places pair every special x with every special dy. Elsewhere
// dy is random, with a special value every fifth place.
const DY = floatsWithSpecials(SIZE, 2, [0]).map((v, i) => {
  if (i % 7 === 3) return DY_SPECIAL[Math.floor((i - 3) / 7 / X_SPECIAL.length) % DY_SPECIAL.length];
  return i % 5 === 1 ? DY_SPECIAL[i % DY_SPECIAL.length] : v;
});

/** The kernels that `compute` runs on `backend`. */
async function kernelsRun(backend: string, compute: () => tf.Tensor): Promise<string[]> {
  await tf.setBackend(backend);
  const info = await tf.profile(() => compute());
  tf.dispose(info.result as tf.Tensor);
  return info.kernelNames;
}

restoreBackendAfterAll();

/** tf.grad of `f` at X with upstream gradient DY. */
function gradAt(f: (x: tf.Tensor) => tf.Tensor): () => tf.Tensor[] {
  return () => {
    const x = tf.tensor(X, SHAPE);
    const dy = tf.tensor(DY, SHAPE);
    const dx = tf.grad(f)(x, dy);
    tf.dispose([x, dy]);
    return [dx];
  };
}

describe('activation gradients on wasm equal cpu exactly', () => {
  it('the inputs pair every special x with every special dy', () => {
    const key = (v: number) => (Object.is(v, -0) ? '-0' : String(v));
    const pairs = new Set(X.map((x, i) => `${key(x)}|${key(DY[i])}`));
    for (const x of X_SPECIAL) for (const dy of DY_SPECIAL) expect(pairs.has(`${key(x)}|${key(dy)}`), `${key(x)}|${key(dy)}`).toBe(true);
  });

  it('clipByValue(x, 0, 6)', async () => {
    await expectWasmEqualsCpu(gradAt((x) => tf.clipByValue(x, 0, 6)));
  });

  it('clipByValue(x, -0.1, 0.1): the bounds compared as float32, as cpu does', async () => {
    await expectWasmEqualsCpu(gradAt((x) => tf.clipByValue(x, -0.1, 0.1)));
  });

  it('relu6(x)', async () => {
    await expectWasmEqualsCpu(gradAt((x) => tf.relu6(x)));
  });

  it('relu(x) (wasm keeps its own chain, which must still agree)', async () => {
    await expectWasmEqualsCpu(gradAt((x) => tf.relu(x)));
  });

  it('clipByValue(relu(x), 0, 6), MobileNet V2 ReLU6', async () => {
    await expectWasmEqualsCpu(gradAt((x) => tf.clipByValue(tf.relu(x), 0, 6)));
  });

  it("tfjs-layers' ReLU(maxValue 6) inside tf.variableGrads", async () => {
    await expectWasmEqualsCpu(() => {
      const v = tf.variable(tf.tensor(X, SHAPE));
      const dy = tf.tensor(DY, SHAPE);
      const layer = tf.layers.reLU({ maxValue: 6 });
      // d(sum(y * dy))/dy is dy itself (1 * dy, exact), so the layer's upstream gradient is DY.
      const { value, grads } = tf.variableGrads(() => ((layer.apply(v) as tf.Tensor).mul(dy).sum() as tf.Scalar), [v]);
      const dx = grads[v.name];
      tf.dispose([v, dy, value]);
      return [dx];
    });
  });

  it('runs the one-loop kernel on wasm and the original chain on cpu', async () => {
    const clip = () => tf.tidy(() => tf.grad((x: tf.Tensor) => tf.clipByValue(x, 0, 6))(tf.tensor(X, SHAPE), tf.tensor(DY, SHAPE)));
    const relu6 = () => tf.tidy(() => tf.grad((x: tf.Tensor) => tf.relu6(x))(tf.tensor(X, SHAPE), tf.tensor(DY, SHAPE)));
    const onWasm = [...(await kernelsRun('wasm', clip)), ...(await kernelsRun('wasm', relu6))];
    expect(onWasm).toContain('CnnZooClipByValueGrad');
    expect(onWasm).toContain('CnnZooRelu6Grad');
    expect(onWasm).not.toContain('GreaterEqual');
    expect(onWasm).not.toContain('Step');
    const onCpu = [...(await kernelsRun('cpu', clip)), ...(await kernelsRun('cpu', relu6))];
    expect(onCpu.filter((name) => name.startsWith('CnnZoo'))).toEqual([]);
    expect(onCpu).toEqual(expect.arrayContaining(['GreaterEqual', 'LessEqual', 'LogicalAnd', 'Select', 'Step']));
  });
});

describe('cases left to the original gradients', () => {
  it('an int32 input: the same result as cpu, through the original chain', async () => {
    const ints = [-3, 0, 2, 6, 7, 9, -1, 4];
    const compute = (f: (x: tf.Tensor) => tf.Tensor) => () => {
      const x = tf.tensor(ints, [8], 'int32');
      const dx = tf.grad(f)(x, tf.tensor(DY.slice(0, 8), [8]));
      x.dispose();
      return [dx];
    };
    await expectWasmEqualsCpu(compute((x) => tf.clipByValue(x, 0, 6)));
    await expectWasmEqualsCpu(compute((x) => tf.relu6(x)));
    const kernels = await kernelsRun('wasm', () =>
      tf.tidy(() => tf.grad((x: tf.Tensor) => tf.clipByValue(x, 0, 6))(tf.tensor(ints, [8], 'int32'))),
    );
    expect(kernels).toContain('GreaterEqual');
    expect(kernels).not.toContain('CnnZooClipByValueGrad');
  });

  it('a gradient recorded on an outer tape (a second-order gradient): the original, differentiable chain', async () => {
    // d/d(dy) of sum(the input gradient) is the mask itself: the outer gradient needs the inner
    // one's kernels to have gradients, which Select and Multiply have and cnn-zoo's kernels lack.
    // (Second order in x fails on every backend: LogicalAnd and LessEqual have no gradient.)
    await expectWasmEqualsCpu(() => {
      const x = tf.tensor(X, SHAPE);
      const dy = tf.tensor(DY.map((v) => (Number.isFinite(v) ? v : 1)), SHAPE);
      const throughDy = (f: (u: tf.Tensor) => tf.Tensor) => tf.grad((d: tf.Tensor) => tf.grad(f)(x, d).sum())(dy);
      const results = [throughDy((u) => tf.clipByValue(u, 0, 6)), throughDy((u) => tf.relu6(u))];
      tf.dispose([x, dy]);
      return results;
    });
  });
});

describe('registration', () => {
  it('keeps what the originals save, and registering again wraps nothing twice', () => {
    const before = ['ClipByValue', 'Relu6', 'Relu'].map((name) => tf.getGradient(name));
    registerWasmTrainingKernels();
    const after = ['ClipByValue', 'Relu6', 'Relu'].map((name) => tf.getGradient(name));
    after.forEach((config, i) => expect(config.gradFunc).toBe(before[i].gradFunc));
    for (const config of after) expect(config.inputsToSave).toEqual(['x']);
  });

  it('leaks no tensor and no wasm buffer', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor(X, SHAPE);
    const dy = tf.tensor(DY, SHAPE);
    const both = () =>
      tf.tidy(() => {
        tf.grad((t: tf.Tensor) => tf.clipByValue(tf.relu(t), 0, 6))(x, dy);
        tf.grad((t: tf.Tensor) => tf.relu6(t))(x, dy);
      });
    // One warm-up, so that nothing allocated once for good (a cached scalar) counts as a leak.
    both();
    const tensors = tf.memory().numTensors;
    const buffers = tf.backend().numDataIds();
    both();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.backend().numDataIds()).toBe(buffers);
    tf.dispose([x, dy]);
  });
});
