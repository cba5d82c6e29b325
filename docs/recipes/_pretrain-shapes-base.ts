// docs/recipes/_pretrain-shapes-base.ts
/**
 * Makes the stand-in for ImageNet weights that recipes 2 and 3 start from when no `--weights` is
 * given, shipped as `createModel('mobilenetV2', { weights: 'shapes' })` (weights/mobilenetV2-shapes):
 * a MobileNet V2 (alpha 0.35) without its top, trained from scratch on a pretext task, eight
 * shapes that are NOT the recipes' classes (arrow, crescent, cross, hexagon, pentagon, ring,
 * semicircle, star: PRETEXT_CLASSES of _make-shapes-dataset.ts), then saved with saveModel.
 *
 *   npx tsx docs/recipes/_pretrain-shapes-base.ts --out weights/mobilenetV2-shapes
 *
 * A repository script, not a recipe: it imports cnn-zoo's sources (src/) directly and is not
 * shipped. With the defaults this is how the shipped folder was made (about 9 minutes on wasm, 2
 * cores; its manifest records the settings and the pretext accuracy), except that the images were
 * then read by a helper of the recipes that resized them with libvips, where imageFolder now
 * resamples as PIL does. A rerun gives close but not identical weights: fit's shuffle is not seeded.
 *
 * Why a stand-in at all: Keras's ImageNet weights cannot be downloaded here, and a randomly
 * initialised MobileNet V2 is no feature extractor: a linear classifier on its pooled features
 * stays at chance on held-out circles, squares and triangles (measured: 33-37%), because random
 * deep features encode colour, not shape. Features learned on other shapes do transfer.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { imageFolder } from '../../src/images/image-folder.js';
import { mobilenetV2, progressBar, saveModel, tf, useBackend } from '../../src/index.js';
import { PRETEXT_CLASSES, makeShapesDataset } from './_make-shapes-dataset.js';

function positiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new InvalidArgumentError(`must be a positive integer, received ${JSON.stringify(value)}`);
  return parsed;
}

const options = new Command('_pretrain-shapes-base')
  .requiredOption('--out <dir>', 'folder to save the base to')
  .option('--image-size <n>', 'input height and width while pretraining', positiveInt, 48)
  .option('--per-class <n>', 'images per pretext class', positiveInt, 300)
  .option('--epochs <n>', 'training epochs', positiveInt, 40)
  .option('--batch-size <n>', 'images per batch', positiveInt, 32)
  .option('--seed <n>', 'seed of the data, the initial weights and the augmentation', positiveInt, 2018)
  .parse()
  .opts<{ out: string; imageSize: number; perClass: number; epochs: number; batchSize: number; seed: number }>();
const size = options.imageSize;
const RANGE: [number, number] = [-1, 1];
const ALPHA = 0.35;
const LEARNING_RATE = { first: 2e-3, last: 1e-4 };

const backend = await useBackend();
console.log(`backend: ${backend.name}`);
const started = performance.now();

const dataDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'cnn-zoo-pretext-')), 'shapes');
// A different seed from the recipes' data, so no image is shared even in spirit.
await makeShapesDataset(dataDir, { perClass: options.perClass, size: 64, seed: options.seed, classes: PRETEXT_CLASSES });
const { train, validation: heldOut, classNames } = await imageFolder(dataDir, { preprocessing: { inputShape: [size, size, 3], range: RANGE }, validationSplit: 0.2, seed: options.seed });
console.log(`pretext: ${classNames.join(', ')}; ${train.labels.length} images to train, ${heldOut.labels.length} held out`);

const baseConfig = { includeTop: false, pooling: 'avg' as const, inputShape: [size, size, 3] as [number, number, number], alpha: ALPHA, seed: options.seed };
const base = mobilenetV2(baseConfig);
const head = tf.layers.dense({ units: classNames.length, activation: 'softmax', name: 'pretext_predictions', kernelInitializer: tf.initializers.glorotUniform({ seed: options.seed }) });
const model = tf.model({ inputs: base.inputs, outputs: head.apply(base.outputs[0]) as tf.SymbolicTensor, name: 'pretext' });
const optimizer = tf.train.adam(LEARNING_RATE.first);
model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

/** mulberry32. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
/** Mirror, crop 70-100% of each side and resize back (objects of more sizes), brightness ±10%. */
function augment(batch: tf.Tensor4D, random: () => number): tf.Tensor4D {
  const [count, height, width] = batch.shape;
  const flips: boolean[] = [];
  const boxes: number[] = [];
  const shifts: number[] = [];
  for (let i = 0; i < count; i++) {
    flips.push(random() < 0.5);
    const side = 0.7 + 0.3 * random();
    const top = (1 - side) * random();
    const left = (1 - side) * random();
    boxes.push(top, left, top + side, left + side);
    shifts.push((2 * random() - 1) * 0.2);
  }
  return tf.tidy((): tf.Tensor4D => {
    const mirrored = tf.where(tf.tensor4d(flips, [count, 1, 1, 1], 'bool'), tf.image.flipLeftRight(batch), batch);
    const cropped = tf.image.cropAndResize(mirrored, tf.tensor2d(boxes, [count, 4]), tf.range(0, count, 1, 'int32'), [height, width]);
    return tf.clipByValue(tf.add<tf.Tensor4D>(cropped, tf.tensor4d(shifts, [count, 1, 1, 1])), RANGE[0], RANGE[1]);
  });
}

const { x, y } = train;
const random = seededRandom(options.seed);
const bar = progressBar({ epochs: options.epochs, batchesPerEpoch: Math.ceil(train.labels.length / options.batchSize) });
for (let epoch = 0; epoch < options.epochs; epoch++) {
  (optimizer as unknown as { learningRate: number }).learningRate = LEARNING_RATE.first * (LEARNING_RATE.last / LEARNING_RATE.first) ** (epoch / Math.max(1, options.epochs - 1));
  const augmented = augment(x, random);
  const history = await model.fit(augmented, y, { epochs: epoch + 1, initialEpoch: epoch, batchSize: options.batchSize, shuffle: true, verbose: 0, callbacks: [bar] });
  augmented.dispose();
  if (!process.stderr.isTTY) console.log(`epoch ${epoch + 1}: loss ${(history.history.loss[0] as number).toFixed(3)}, accuracy ${(history.history.acc[0] as number).toFixed(3)}`);
}
bar.stop();

/**
 * Sets every BatchNormalization layer's moving mean and variance to the exact mean and variance of
 * its input over `images`, layer after layer: the population statistics of Ioffe & Szegedy (2015),
 * Section 3.1. Training leaves Keras-style moving averages (momentum 0.999) that, after a few
 * hundred steps, still lean towards their initial 0 and 1.
 */
function setBatchNormStatistics(network: tf.LayersModel, batch: tf.Tensor4D): void {
  for (const layer of network.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const upToLayer = tf.model({ inputs: network.inputs, outputs: layer.input as tf.SymbolicTensor });
    tf.tidy(() => {
      const { mean, variance } = tf.moments(upToLayer.predict(batch, { batchSize: 32 }) as tf.Tensor4D, [0, 1, 2]);
      for (const weight of layer.weights) {
        if (weight.originalName.endsWith('/moving_mean')) weight.write(mean);
        if (weight.originalName.endsWith('/moving_variance')) weight.write(variance);
      }
    });
  }
}
setBatchNormStatistics(base, x);

const predicted = tf.tidy(() => (model.predict(heldOut.x, { batchSize: 32 }) as tf.Tensor).argMax(-1).dataSync());
const pretextHeldOutAccuracy = heldOut.labels.filter((label, i) => predicted[i] === label).length / heldOut.labels.length;
const seconds = (performance.now() - started) / 1000;
console.log(`pretext held-out accuracy ${(100 * pretextHeldOutAccuracy).toFixed(1)}% on ${heldOut.labels.length} images; ${seconds.toFixed(0)} s`);

await saveModel(
  base,
  options.out,
  {
    model: 'mobilenetV2',
    config: baseConfig,
    source: `docs/recipes/_pretrain-shapes-base.ts: trained from scratch (seed ${options.seed}, ${options.epochs} epochs, Adam ${LEARNING_RATE.first} decaying to ${LEARNING_RATE.last}, batch ${options.batchSize}) on ${train.labels.length} generated ${size}x${size} images of ${PRETEXT_CLASSES.join(', ')}, then BatchNorm population statistics; a stand-in for ImageNet weights`,
    licence: 'MIT',
    preprocessing: { range: RANGE },
    metrics: { pretextHeldOutAccuracy, pretextClasses: PRETEXT_CLASSES.length, pretextHeldOutImages: heldOut.labels.length, epochs: options.epochs, seconds: Math.round(seconds) },
  },
  { overwrite: true },
);
console.log(`saved the base to ${options.out}`);
