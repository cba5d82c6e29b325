/**
 * The shipped LeNet-5 MNIST weights: they load by name, score at least 98.5% on the held-out digits
 * (which training never saw), and fix the architecture they were trained with.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { accuracy, mnistSplit } from '../scripts/mnist-data.js';
import { ConfigError, createModel, type tf } from '../src/index.js';
import { MANIFEST_FILE, WeightsManifestSchema } from '../src/weights/manifest.js';

const folder = path.join('weights', 'lenet5-mnist');

describe("createModel('lenet5', { weights: 'mnist' })", () => {
  let model: tf.LayersModel;
  beforeAll(async () => {
    model = await createModel('lenet5', { weights: 'mnist' });
  });

  it('takes raw 28x28 digits in [0, 1] and pads them inside the model', () => {
    expect(model.inputs[0].shape).toEqual([null, 28, 28, 1]);
    expect(model.getLayer('input_pad').outputShape).toEqual([null, 32, 32, 1]);
  });

  it('scores at least 98.5% on the 2,004 held-out digits, as its manifest records', () => {
    const heldOut = mnistSplit('heldOut');
    // floor(0.8 * count) per digit trains; the rest of the 10,000 is held out.
    expect(heldOut.count).toBe(10_000 - 7_996);
    const measured = accuracy(model, heldOut);
    expect(measured).toBeGreaterThanOrEqual(0.985);
    const manifest = WeightsManifestSchema.parse(JSON.parse(readFileSync(path.join(folder, MANIFEST_FILE), 'utf8')));
    expect(manifest.metrics?.heldOutAccuracy).toBeCloseTo(measured, 6);
    expect(manifest.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(manifest.preprocessing.range).toEqual([0, 1]);
  });

  it('keeps options that change no weight free, and refuses ones the weights fix', async () => {
    const logits = await createModel('lenet5', { weights: 'mnist', classifierActivation: 'linear' });
    expect(logits.countParams()).toBe(model.countParams());
    await expect(createModel('lenet5', { weights: 'mnist', numClasses: 5 })).rejects.toThrow(
      new ConfigError({ field: 'numClasses', rule: 'the "mnist" weights of lenet5 fix it to 10', received: 5 }),
    );
  });

  it('names the shipped weights when asked for unknown ones, and refuses another model\'s folder', async () => {
    await expect(createModel('lenet5', { weights: 'imagenet' })).rejects.toThrow(/^weights: no shipped weights named "imagenet" for lenet5 \(shipped: mnist\)/);
    await expect(createModel('resnet18', { weights: `./${folder}` })).rejects.toThrow(/holds weights for lenet5, not resnet18/);
  });
});
