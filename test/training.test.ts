/**
 * model.fit works on the wasm backend for every zoo model: one step of every registered model,
 * at a small input it accepts, gives a finite loss and changes the weights. (The gradients
 * themselves are compared with the cpu backend's in wasm-gradients.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getModelDefinition, listModels, tf, useBackend } from '../src/index.js';
import type { ModelDefinition } from '../src/types.js';

/** A small input each model accepts (AlexNet's adaptive pool needs at least a 6x6 map, so 223). */
const TRAIN_INPUT: Record<string, number> = { lenet5: 32, alexnet: 223, vgg16: 32, vgg19: 32, googlenet: 64 };
const DEFAULT_TRAIN_INPUT = 64;

describe('training on wasm', () => {
  let previous: string;
  beforeAll(async () => {
    previous = tf.getBackend();
    await useBackend('wasm');
  });
  afterAll(async () => {
    await tf.setBackend(previous);
  });

  it.each(listModels())('%s: a fit step on wasm gives a finite loss and moves the weights', async (name) => {
    const definition: ModelDefinition = getModelDefinition(name);
    const channels = definition.parse({}).inputShape[2];
    const size = TRAIN_INPUT[name] ?? DEFAULT_TRAIN_INPUT;
    const model = definition.build({ inputShape: [size, size, channels], numClasses: 4, seed: 3 });
    model.compile({ optimizer: tf.train.sgd(0.01), loss: 'categoricalCrossentropy' });
    const x = tf.randomUniform([2, size, size, channels], 0, 1, 'float32', 1);
    const y = tf.oneHot(tf.tensor1d([0, 3], 'int32'), 4);
    const firstKernel = model.trainableWeights[0];
    const before = firstKernel.read().dataSync().slice();
    const history = await model.fit(x, y, { epochs: 1, batchSize: 2, verbose: 0 });
    const after = firstKernel.read().dataSync();
    tf.dispose([x, y]);
    model.dispose();
    expect(Number.isFinite(history.history.loss[0] as number)).toBe(true);
    expect(after.some((value, i) => value !== before[i])).toBe(true);
  });
});

describe("the zoo's own training paths leak nothing", () => {
  // MobileNet V2 runs all of them: the zoo's Conv2D and BatchNormalization (the fused kernel on
  // wasm), ReLU6's gradient through the clipByValue wrapper, depthwise gradients. 100 steps on wasm
  // (about 3 s); on cpu, where a step takes about 0.5 s here, 5 steps.
  it.each([
    ['wasm', 100],
    ['cpu', 5],
  ] as const)('%s: %i trainOnBatch steps of a small MobileNet V2 leave the tensor and buffer counts unchanged', async (backend, steps) => {
    const previous = tf.getBackend();
    await tf.setBackend(backend);
    try {
      const model = getModelDefinition('mobilenetV2').build({ alpha: 0.35, inputShape: [32, 32, 3], numClasses: 3, seed: 1 });
      model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
      const xs = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 1);
      const ys = tf.oneHot(tf.tensor1d([0, 2], 'int32'), 3).toFloat();
      await model.trainOnBatch(xs, ys); // creates Adam's slots
      const tensors = tf.memory().numTensors;
      const buffers = tf.backend().numDataIds();
      for (let step = 0; step < steps; step++) await model.trainOnBatch(xs, ys);
      expect(tf.memory().numTensors).toBe(tensors);
      expect(tf.backend().numDataIds()).toBe(buffers);
      tf.dispose([xs, ys]);
      model.dispose();
    } finally {
      await tf.setBackend(previous);
    }
  });
});
