import { describe, expect, it } from 'vitest';
import { BatchNormalization } from '../src/wasm/batch-normalization.js';
import { registerWasmTrainingKernels } from '../src/wasm/register.js';
import { BATCH_NORM_TRAINING } from '../src/wasm/kernels/batch-norm-training.js';
import { tf } from '../src/tf.js';
import { TOLERANCE, relativeError, restoreBackendAfterAll, sizeOf, values } from './helpers/wasm-vs-cpu.js';

// The contract: cnn-zoo's BatchNormalization in training mode on wasm (one fused kernel and its
// gradient, src/training/wasm-kernels/batch-norm-training.ts) gives what tfjs-layers' own
// BatchNormalization gives on the cpu backend (TF.js's reference composition of moments and
// batchNorm): the output, the gradients of x, gamma and beta, and the moving statistics, within
// 1e-4 relative error. Data moves between backends as plain arrays.

registerWasmTrainingKernels();

interface Case {
  label: string;
  shape: number[];
  /** Added to x, to check the variance does not cancel when the mean is large. */
  offset: number;
  epsilon: number;
  momentum: number;
}

const cases: Case[] = [
  { label: 'NHWC 3x5x4x7', shape: [3, 5, 4, 7], offset: 0, epsilon: 1e-3, momentum: 0.99 },
  { label: 'NHWC 2x3x3x5 around a mean of 100', shape: [2, 3, 3, 5], offset: 100, epsilon: 1e-5, momentum: 0.9 },
  { label: 'one channel, odd sizes 3x7x5x1', shape: [3, 7, 5, 1], offset: -2, epsilon: 1e-3, momentum: 0.5 },
  { label: 'a dense activation 6x9', shape: [6, 9], offset: 0.5, epsilon: 1e-3, momentum: 0.99 },
];

interface Outcome {
  y: number[];
  dx: number[];
  dGamma: number[];
  dBeta: number[];
  movingMean: number[];
  movingVariance: number[];
  kernels: string[];
}

/**
 * One training-mode call of `layer` on x, with sum(y * dy) as the loss: the output, the gradients,
 * the moving statistics after the call, and the kernels it ran.
 */
async function trainingCall(layer: tf.layers.Layer, c: Case): Promise<Outcome> {
  const channels = c.shape[c.shape.length - 1];
  const x = tf.add(tf.tensor(values(sizeOf(c.shape), 1), c.shape), c.offset);
  const dy = tf.tensor(values(sizeOf(c.shape), 2), c.shape);
  layer.apply(x, { training: false }); // builds the weights
  // gamma with a zero (a channel whose dx is zero), beta, and moving statistics away from 0 and 1.
  const gamma = values(channels, 3).map((v, i) => (i === 1 ? 0 : 1 + v));
  layer.setWeights([tf.tensor(gamma), tf.tensor(values(channels, 4)), tf.tensor(values(channels, 5)), tf.tensor(values(channels, 6).map((v) => 1.5 + v))]);
  // x as a variable too, so that one variableGrads gives all three gradients from one call.
  const xVar = tf.variable(x);
  let y: tf.Tensor | undefined;
  const profile = await tf.profile(() => {
    const [gammaVar, betaVar] = layer.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
    const { grads } = tf.variableGrads(() => {
      y = tf.keep(layer.apply(xVar, { training: true }) as tf.Tensor);
      return tf.sum(tf.mul(y, dy)) as tf.Scalar;
    }, [xVar, gammaVar, betaVar]);
    return [y!, grads[xVar.name], grads[gammaVar.name], grads[betaVar.name]];
  });
  const [yOut, dxOut, dGamma, dBeta] = profile.result as tf.Tensor[];
  const [, , movingMean, movingVariance] = layer.getWeights();
  const read = (t: tf.Tensor) => Array.from(t.dataSync());
  const outcome = {
    y: read(yOut),
    dx: read(dxOut),
    dGamma: read(dGamma),
    dBeta: read(dBeta),
    movingMean: read(movingMean),
    movingVariance: read(movingVariance),
    kernels: profile.kernelNames,
  };
  tf.dispose([x, xVar, dy, yOut, dxOut, dGamma, dBeta]);
  return outcome;
}

restoreBackendAfterAll();

describe("cnn-zoo's BatchNormalization trains on wasm as tfjs-layers' does on cpu", () => {
  for (const c of cases) {
    it(c.label, async () => {
      const args = { axis: -1, epsilon: c.epsilon, momentum: c.momentum };
      await tf.setBackend('wasm');
      const fused = await trainingCall(new BatchNormalization(args), c);
      await tf.setBackend('cpu');
      const reference = await trainingCall(tf.layers.batchNormalization(args), c);
      expect(fused.kernels).toContain(BATCH_NORM_TRAINING);
      expect(reference.kernels).not.toContain(BATCH_NORM_TRAINING);
      for (const key of ['y', 'dx', 'dGamma', 'dBeta', 'movingMean', 'movingVariance'] as const) {
        expect(relativeError(fused[key], reference[key]), key).toBeLessThan(TOLERANCE);
      }
    });
  }

  it('takes the parent path elsewhere: inference on wasm, and training on cpu', async () => {
    const c = cases[0];
    await tf.setBackend('cpu');
    const onCpu = await trainingCall(new BatchNormalization({ axis: -1 }), c);
    expect(onCpu.kernels).not.toContain(BATCH_NORM_TRAINING);
    await tf.setBackend('wasm');
    const layer = new BatchNormalization({ axis: -1 });
    const profile = await tf.profile(() => layer.apply(tf.ones([2, 3, 3, 4]), { training: false }) as tf.Tensor);
    expect(profile.kernelNames).not.toContain(BATCH_NORM_TRAINING);
    (profile.result as tf.Tensor).dispose();
  });
});

describe('the fused kernel and its gradient, called directly', () => {
  it('the mean and variance outputs carry gradients too (as tf.moments and batchNorm do on cpu)', async () => {
    const shape = [2, 4, 3, 6];
    const x = values(sizeOf(shape), 7).map((v) => 3 * v + 1);
    const [scale, offset, a, b] = [8, 9, 10, 11].map((seed) => values(6, seed));
    const dy = values(sizeOf(shape), 12);
    // loss = sum(y * dy) + sum(mean * a) + sum(variance * b), differentiated by x, scale and offset.
    const gradients = (normalize: (x: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor) => tf.Tensor[]) => {
      const f = (xT: tf.Tensor, scaleT: tf.Tensor, offsetT: tf.Tensor) => {
        const [y, mean, variance] = normalize(xT, scaleT, offsetT);
        return tf.addN([tf.sum(tf.mul(y, tf.tensor(dy, shape))), tf.sum(tf.mul(mean, a)), tf.sum(tf.mul(variance, b))]) as tf.Scalar;
      };
      const grads = tf.grads(f)([tf.tensor(x, shape), tf.tensor(scale), tf.tensor(offset)]);
      const out = grads.map((g) => Array.from(g.dataSync()));
      tf.dispose(grads);
      return out;
    };
    await tf.setBackend('wasm');
    const fused = gradients((xT, scaleT, offsetT) => tf.engine().runKernel(BATCH_NORM_TRAINING, { x: xT, scale: scaleT, offset: offsetT }, { varianceEpsilon: 1e-3 }) as tf.Tensor[]);
    await tf.setBackend('cpu');
    const reference = gradients((xT, scaleT, offsetT) => {
      const { mean, variance } = tf.moments(xT, [0, 1, 2]);
      return [tf.batchNorm(xT, mean, variance, offsetT, scaleT, 1e-3), mean, variance];
    });
    fused.forEach((g, i) => expect(relativeError(g, reference[i])).toBeLessThan(TOLERANCE));
  });

  it('leaks nothing: 20 training-mode steps leave the tensor count unchanged', async () => {
    await tf.setBackend('wasm');
    const layer = new BatchNormalization({ axis: -1 });
    const x = tf.tensor(values(2 * 5 * 5 * 3, 13), [2, 5, 5, 3]);
    layer.apply(x, { training: false });
    const step = () => tf.tidy(() => tf.grads((input: tf.Tensor) => tf.sum(layer.apply(input, { training: true }) as tf.Tensor))([x]));
    tf.dispose(step());
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) tf.dispose(step());
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});

describe('what a saved model records', () => {
  it('class_name BatchNormalization, which loads as TF.js\'s own layer with the same weights and outputs', async () => {
    await tf.setBackend('cpu');
    const input = tf.input({ shape: [4, 4, 3] });
    const output = new BatchNormalization({ name: 'bn', axis: -1 }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: output });
    model.getLayer('bn').setWeights([tf.tensor(values(3, 14)), tf.tensor(values(3, 15)), tf.tensor(values(3, 16)), tf.tensor([1, 2, 3])]);
    const json = model.toJSON(undefined, false) as { config: { layers: Array<{ class_name: string }> } };
    expect(json.config.layers.map((l) => l.class_name)).toEqual(['InputLayer', 'BatchNormalization']);
    const restored = await tf.models.modelFromJSON({ modelTopology: json as unknown as tf.io.ModelJSON['modelTopology'] });
    restored.setWeights(model.getWeights());
    expect(restored.getLayer('bn').getClassName()).toBe('BatchNormalization');
    expect(restored.getLayer('bn')).not.toBeInstanceOf(BatchNormalization);
    const x = tf.tensor(values(2 * 4 * 4 * 3, 17), [2, 4, 4, 3]);
    const [a, b] = [model, restored].map((m) => Array.from((m.predict(x) as tf.Tensor).dataSync()));
    expect(a).toEqual(b);
  });
});
