/**
 * The shipped weights: every entry of the table is a folder of the package with a valid manifest
 * for its model. The LeNet-5 MNIST weights load by name, score at least 98.5% on the held-out digits
 * (which training never saw), and fix the architecture they were trained with. The MobileNet V2
 * stand-in of the recipes (saved by an earlier cnn-zoo) loads through today's code, by name and by
 * folder alike, with the parameter count of Table 2 at alpha 0.35.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { accuracy, mnistSplit } from '../scripts/mnist-data.js';
import { ConfigError, countParams, createModel, loadModel, modelInfo, tf } from '../src/index.js';
import { MANIFEST_FILE, WeightsManifestSchema } from '../src/weights/manifest.js';
import { pretrainedWeights } from '../src/weights/pretrained.js';

describe('the table of shipped weights', () => {
  it('names, for each model, folders of the package holding that model\'s weights, checksums right', () => {
    const shipped = JSON.parse(readFileSync('package.json', 'utf8')).files as string[];
    expect(Object.entries(pretrainedWeights).map(([model, names]) => [model, Object.keys(names)])).toEqual([
      ['lenet5', ['mnist']],
      ['mobilenetV2', ['shapes']],
    ]);
    for (const [model, names] of Object.entries(pretrainedWeights)) {
      for (const folder of Object.values(names)) {
        expect(shipped.some((entry) => folder === entry || folder.startsWith(`${entry}/`)), `${folder} is in package.json's files`).toBe(true);
        const manifest = WeightsManifestSchema.parse(JSON.parse(readFileSync(path.join(folder, MANIFEST_FILE), 'utf8')));
        expect(manifest.model).toBe(model);
        for (const file of manifest.files) {
          const bytes = readFileSync(path.join(folder, file.path));
          expect(bytes.length, file.path).toBe(file.bytes);
          expect(createHash('sha256').update(bytes).digest('hex'), file.path).toBe(file.sha256);
        }
      }
    }
  });
});

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

/**
 * MobileNet V2 without its top at width `alpha`, from Table 2 of Sandler et al. 2018 with Keras's
 * rounding (channels to a multiple of 8, never 10% below; the stem rounds 32 x alpha, the blocks
 * int(c x alpha); the last 1x1 conv keeps 1280 below alpha 1). Convolutions have no bias; each
 * BatchNorm holds 4 weights a channel (scale, offset, moving mean and variance).
 */
function mobilenetV2NoTopParams(alpha: number): number {
  const divisible = (value: number) => {
    const rounded = Math.max(8, Math.floor((value + 4) / 8) * 8);
    return rounded < 0.9 * value ? rounded + 8 : rounded;
  };
  const bn = (channels: number) => 4 * channels;
  let channels = divisible(32 * alpha);
  let params = 3 * 3 * 3 * channels + bn(channels);
  const rows = [[1, 16, 1], [6, 24, 2], [6, 32, 3], [6, 64, 4], [6, 96, 3], [6, 160, 3], [6, 320, 1]]; // t, c, n
  for (const [t, c, n] of rows) {
    const out = divisible(Math.floor(c * alpha));
    for (let i = 0; i < n; i++) {
      const expanded = t * channels;
      if (t !== 1) params += channels * expanded + bn(expanded); // 1x1 expand
      params += 3 * 3 * expanded + bn(expanded); // 3x3 depthwise
      params += expanded * out + bn(out); // 1x1 project
      channels = out;
    }
  }
  return params + channels * 1280 + bn(1280);
}

describe("createModel('mobilenetV2', { weights: 'shapes' }): the recipes' stand-in for ImageNet weights", () => {
  const folder = path.join('weights', 'mobilenetV2-shapes');
  let model: tf.LayersModel;
  beforeAll(async () => {
    model = await createModel('mobilenetV2', { weights: 'shapes' });
  });

  it('is the MobileNet V2 of its manifest: alpha 0.35 without the top, pooled to 1280 features, 48x48 inputs in [-1, 1]', () => {
    expect(statSync(folder).isDirectory()).toBe(true);
    expect(model.inputs[0].shape).toEqual([null, 48, 48, 3]);
    expect(model.outputs[0].shape).toEqual([null, 1280]);
    expect(mobilenetV2NoTopParams(1)).toBe(3_538_984 - (1280 * 1000 + 1000)); // Keras's published count, less its classifier
    expect(countParams(model).total).toBe(mobilenetV2NoTopParams(0.35));
    const info = modelInfo(model)!;
    expect(info.model).toBe('mobilenetV2');
    expect(info.config).toMatchObject({ alpha: 0.35, includeTop: false, pooling: 'avg', inputShape: [48, 48, 3] });
    expect(info.preprocessing).toEqual({ inputShape: [48, 48, 3], range: [-1, 1], channelOrder: 'rgb' });
    expect(info.licence).toBe('MIT');
  });

  it('loads by folder (model.json of an earlier cnn-zoo) to the same numbers as by name', async () => {
    const loaded = await loadModel(folder);
    const x = tf.randomUniform([3, 48, 48, 3], -1, 1, 'float32', 5);
    const difference = tf.tidy(() => tf.max(tf.abs(tf.sub(model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor))).dataSync()[0]);
    expect(difference).toBe(0);
    // Features, not zeros: its BatchNorm statistics are the population's, so the pooled features vary.
    const spread = tf.tidy(() => tf.moments(model.predict(x) as tf.Tensor).variance.dataSync()[0]);
    expect(spread).toBeGreaterThan(1e-6);
    tf.dispose(x);
    loaded.dispose();
  });

  it("takes the recipes' options, and refuses ones the weights fix", async () => {
    const base = await createModel('mobilenetV2', { weights: 'shapes', includeTop: false, pooling: 'avg' });
    expect(base.outputs[0].shape).toEqual([null, 1280]);
    base.dispose();
    await expect(createModel('mobilenetV2', { weights: 'shapes', alpha: 1 })).rejects.toThrow(
      new ConfigError({ field: 'alpha', rule: 'the "shapes" weights of mobilenetV2 fix it to 0.35', received: 1 }),
    );
    await expect(createModel('mobilenetV2', { weights: 'shapes', includeTop: true })).rejects.toThrow(/^includeTop: the "shapes" weights of mobilenetV2 fix it to false/);
    await expect(createModel('mobilenetV2', { weights: 'imagenet' })).rejects.toThrow(/^weights: no shipped weights named "imagenet" for mobilenetV2 \(shipped: shapes\)/);
  });
});
