/**
 * Fine-tuning as Keras and timm users expect: a frozen BatchNormalization runs in inference mode
 * (its statistics do not move), freeze/unfreeze by stage or layer, and feature extraction with each
 * family's stages (timm's feature_info figures).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/errors.js';
import {
  alexnet,
  featureExtractor,
  freeze,
  googlenet,
  lenet5,
  loadModel,
  mobilenetV1,
  mobilenetV2,
  resnet18,
  resnet50,
  saveModel,
  tf,
  unfreeze,
  useBackend,
  vgg16,
} from '../src/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'cnn-zoo-fine-tuning-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every weight's bits, by name. */
function bits(layers: tf.layers.Layer[]): Map<string, string> {
  return new Map(layers.flatMap((layer) => layer.weights.map((w) => [w.originalName, Buffer.from((w.read().dataSync() as Float32Array).buffer).toString('base64')])));
}

/** A small ResNet-18 with a frozen base: everything but the classifier. */
function frozenResNet(): tf.LayersModel {
  const model = resnet18({ inputShape: [32, 32, 3], numClasses: 3, seed: 5 });
  freeze(model, { upTo: 'conv5' });
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
  return model;
}

async function fitTwoEpochs(model: tf.LayersModel): Promise<void> {
  const x = tf.randomUniform([8, 32, 32, 3], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3);
  await model.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0 });
  tf.dispose([x, y]);
}

describe('a frozen BatchNormalization runs in inference mode, as Keras', () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    it(`${backend}: after fit with a frozen base, every frozen weight and statistic is bit-identical; the classifier trained`, async () => {
      const previous = tf.getBackend();
      await useBackend(backend);
      try {
        const model = frozenResNet();
        const base = model.layers.filter((layer) => layer.weights.length > 0 && layer.name !== 'predictions');
        expect(base.every((layer) => !layer.trainable)).toBe(true);
        expect(model.trainableWeights.map((w) => w.originalName)).toEqual(['predictions/kernel', 'predictions/bias']);
        const before = bits(base);
        const head = bits([model.getLayer('predictions')]);
        // tfjs-layers' own BatchNormalization would move conv1_bn's statistics here (issue: -0.033, -0.217, ...).
        expect([...before.keys()]).toContain('conv1_bn/moving_mean');
        await fitTwoEpochs(model);
        expect(bits(base)).toEqual(before);
        expect(bits([model.getLayer('predictions')])).not.toEqual(head);
        model.dispose();
      } finally {
        await tf.setBackend(previous);
      }
    });
  }

  it("the frozen part's outputs in training mode equal those in inference mode", () => {
    const model = frozenResNet();
    const features = featureExtractor(model, { stages: ['conv5'] });
    const x = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 2);
    const training = features.apply(x, { training: true }) as tf.Tensor;
    const inference = features.predict(x) as tf.Tensor;
    expect(Array.from(training.dataSync())).toEqual(Array.from(inference.dataSync()));
    // An unfrozen network normalises with the batch's statistics in training mode: different numbers.
    unfreeze(model);
    const batchStatistics = features.apply(x, { training: true }) as tf.Tensor;
    expect(Array.from(batchStatistics.dataSync())).not.toEqual(Array.from(inference.dataSync()));
    tf.dispose([x, training, inference, batchStatistics]);
    model.dispose();
  });

  it('stays frozen after saveModel and loadModel', async () => {
    const model = frozenResNet();
    await saveModel(model, path.join(dir, 'frozen'));
    const loaded = await loadModel(path.join(dir, 'frozen'));
    expect(loaded.layers.filter((layer) => layer.trainable && layer.weights.length > 0).map((layer) => layer.name)).toEqual(['predictions']);
    loaded.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
    const before = bits(loaded.layers.filter((layer) => layer.name !== 'predictions'));
    await fitTwoEpochs(loaded);
    expect(bits(loaded.layers.filter((layer) => layer.name !== 'predictions'))).toEqual(before);
    [model, loaded].forEach((m) => m.dispose());
  });
});

describe('freeze and unfreeze, by stage or by layer', () => {
  it('freezes a stage and everything before it, and unfreezes from a stage on', () => {
    const model = resnet18({ initialize: false, inputShape: [32, 32, 3] });
    freeze(model, { upTo: 'conv3' });
    const trainable = (name: string) => model.getLayer(name).trainable;
    expect(['conv1_conv', 'conv2_block2_out', 'conv3_block2_2_bn'].map(trainable)).toEqual([false, false, false]);
    expect(['conv4_block1_1_conv', 'conv4_block1_0_conv', 'predictions'].map(trainable)).toEqual([true, true, true]);
    freeze(model);
    unfreeze(model, { from: 'conv5_block1_1_conv' });
    // conv5_block1's shortcut does not depend on conv5_block1_1_conv: it stays frozen.
    expect(['conv5_block1_1_conv', 'conv5_block1_add', 'conv5_block2_1_conv', 'predictions', 'conv5_block1_0_conv', 'conv4_block2_out'].map(trainable)).toEqual([
      true,
      true,
      true,
      true,
      false,
      false,
    ]);
    expect(() => freeze(model, { upTo: 'conv9' })).toThrow(ConfigError);
    expect(() => freeze(model, { upTo: 'conv9' })).toThrow(/^upTo: must be a stage \(conv1, conv2, conv3, conv4, conv5\) or a layer name of 'resnet18', received "conv9"$/);
    model.dispose();
  });
});

describe('featureExtractor: one output per stage, with feature_info', () => {
  const cases: [string, () => tf.LayersModel, number, number[], number[]][] = [
    // timm's feature_info: resnet50 64@2, 256@4, 512@8, 1024@16, 2048@32; vgg16 64@1 ... 512@16; mobilenetv2_100 16@2, 24@4, 32@8, 96@16, 320@32.
    ['resnet50', () => resnet50({ includeTop: false, initialize: false, inputShape: [64, 64, 3] }), 64, [64, 256, 512, 1024, 2048], [2, 4, 8, 16, 32]],
    ['vgg16', () => vgg16({ includeTop: false, initialize: false, inputShape: [64, 64, 3] }), 64, [64, 128, 256, 512, 512], [1, 2, 4, 8, 16]],
    ['mobilenetV2', () => mobilenetV2({ initialize: false, inputShape: [64, 64, 3] }), 64, [16, 24, 32, 96, 320], [2, 4, 8, 16, 32]],
    ['mobilenetV1', () => mobilenetV1({ initialize: false, inputShape: [64, 64, 3] }), 64, [64, 128, 256, 512, 1024], [2, 4, 8, 16, 32]],
    ['googlenet', () => googlenet({ initialize: false, inputShape: [64, 64, 3] }), 64, [64, 192, 480, 832, 1024], [2, 4, 8, 16, 32]],
    ['alexnet', () => alexnet({ initialize: false }), 224, [64, 192, 256, 256], [4, 8, 16, 32]],
    ['lenet5', () => lenet5({ initialize: false }), 32, [6, 16, 16], [1, 2, 4]],
  ];
  it.each(cases)('%s: the channels and reductions of its stages, and maps of the size they imply', (_name, build, size, channels, reductions) => {
    const model = build();
    const extractor = featureExtractor(model);
    expect(extractor.featureInfo.map((info) => info.channels)).toEqual(channels);
    expect(extractor.featureInfo.map((info) => info.reduction)).toEqual(reductions);
    const outputs = extractor.outputs.map((output) => output.shape);
    expect(outputs.map((shape) => shape.at(-1))).toEqual(channels);
    // Each map's side is about the input's over the reduction (exactly, for strided 'same' layers).
    outputs.forEach((shape, i) => expect(Math.abs(shape[1]! - size / reductions[i])).toBeLessThanOrEqual(size / reductions[i] / 3 + 1));
    model.dispose();
  });

  it("runs, sharing the model's weights, and takes a subset of stages; a loaded model has its stages too", async () => {
    const model = resnet18({ numClasses: 4, inputShape: [64, 64, 3], seed: 1 });
    const extractor = featureExtractor(model, { stages: ['conv4', 'conv5'] });
    expect(extractor.featureInfo).toEqual([
      { stage: 'conv4', layer: 'conv4_block2_out', channels: 256, reduction: 16 },
      { stage: 'conv5', layer: 'conv5_block2_out', channels: 512, reduction: 32 },
    ]);
    const x = tf.randomUniform([1, 64, 64, 3], 0, 1, 'float32', 3);
    const [c4, c5] = extractor.predict(x) as tf.Tensor[];
    expect([c4.shape, c5.shape]).toEqual([
      [1, 4, 4, 256],
      [1, 2, 2, 512],
    ]);
    await saveModel(model, path.join(dir, 'extract'));
    const loaded = await loadModel(path.join(dir, 'extract'));
    const again = featureExtractor(loaded, { stages: ['conv5'] }).predict(x) as tf.Tensor;
    expect(Array.from(again.dataSync())).toEqual(Array.from(c5.dataSync()));
    expect(() => featureExtractor(model, { stages: ['conv6'] })).toThrow(/^stages: must name stages of 'resnet18' \(conv1, conv2, conv3, conv4, conv5\), received \["conv6"\]$/);
    const plain = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
    expect(() => featureExtractor(plain)).toThrow(/was not built or loaded by cnn-zoo, so its stages are unknown/);
    tf.dispose([x, c4, c5, again]);
    [model, loaded, plain].forEach((m) => m.dispose());
  });
});
