// docs/recipes/02-transfer-learning.ts
/**
 * Recipe 2: transfer learning. MobileNet V2 without its classifier (`includeTop: false`, global
 * average pooling) as a frozen feature extractor, a new classifier on top, trained on a folder of
 * images per class with augmentation and a progress bar, then measured on held-out images and saved.
 *
 *   npx tsx docs/recipes/02-transfer-learning.ts [--smoke] [--data my-photos] [--weights mobilenet-v2-no-top] [--out dir]
 *
 * Without --data it generates PNGs of circles, squares and triangles and learns those.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { countParams, loadWeights, mobilenetV2, progressBar, readManifest, saveModel, tf, useBackend } from 'cnn-zoo';
import { readImageFolder, splitHeldOut, type ImageSet } from './_image-folder.js';
import { makeShapesDataset } from './_make-shapes-dataset.js';

function positiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new InvalidArgumentError(`must be a positive integer, received ${JSON.stringify(value)}`);
  return parsed;
}
function positiveNumber(value: string): number {
  const parsed = Number(value);
  if (!(parsed > 0 && Number.isFinite(parsed))) throw new InvalidArgumentError(`must be a positive number, received ${JSON.stringify(value)}`);
  return parsed;
}

/** The stand-in for ImageNet weights that ships with the recipes (see the page). */
const STAND_IN_WEIGHTS = fileURLToPath(new URL('./_weights/mobilenetV2-shapes', import.meta.url));

const options = new Command('02-transfer-learning')
  .option('--smoke', 'small run: 30 generated images per class, 8 epochs', process.env.CNN_ZOO_RECIPE_SMOKE === '1')
  .option('--data <dir>', 'your images: one sub-folder per class (default: generate shapes)')
  .option('--weights <dir>', "MobileNet V2 weights without the top, e.g. Keras's ImageNet weights converted by tensorflowjs_converter (default: the recipes' stand-in)", STAND_IN_WEIGHTS)
  .option('--image-size <n>', "input height and width (default: the size the weights were trained at, from their manifest; else 224)", positiveInt)
  .option('--alpha <x>', "MobileNet V2 width multiplier of the weights (default: from their manifest; else 1)", positiveNumber)
  .option('--epochs <n>', 'training epochs (default 20; 8 with --smoke)', positiveInt)
  .option('--batch-size <n>', 'images per batch', positiveInt, 16)
  .option('--per-class <n>', 'generated images per class, without --data (default 300; 30 with --smoke)', positiveInt)
  .option('--seed <n>', "seed of the data, the split, the head's initial weights and the augmentation", positiveInt, 7)
  .option('--out <dir>', 'folder to save the trained model to (default: a new folder in the system temp dir)')
  .parse()
  .opts<{ smoke: boolean; data?: string; weights: string; imageSize?: number; alpha?: number; epochs?: number; batchSize: number; perClass?: number; seed: number; out?: string }>();
const epochs = options.epochs ?? (options.smoke ? 8 : 20);

// What the weights expect, from their manifest (a folder saved by saveModel has one; a converted
// Keras model does not, hence requireManifest: false, and the flags or Keras's defaults instead).
const manifest = await readManifest(options.weights, { requireManifest: false });
const size = options.imageSize ?? manifest?.preprocessing.inputShape[0] ?? 224;
const alpha = options.alpha ?? (manifest?.config.alpha as number | undefined) ?? 1;
/** Keras's MobileNet V2 takes pixels mapped linearly from 0..255 onto [-1, 1]. */
const RANGE: [number, number] = manifest?.preprocessing.range ?? [-1, 1];
const inputShape: [number, number, number] = [size, size, 3];

const backend = await useBackend(); // the fastest backend here: tensorflow-gpu, tensorflow, wasm or cpu
console.log(`backend: ${backend.name}`);
const started = performance.now();
const work = mkdtempSync(path.join(os.tmpdir(), 'cnn-zoo-recipe-02-'));

// --- Data ---------------------------------------------------------------------------------------
// Your own images: `--data my-photos` with my-photos/<class>/<image>.{jpg,png,...}. Without it,
// small PNGs of three shapes are generated, in the same layout.
let dataDir = options.data;
if (!dataDir) {
  dataDir = path.join(work, 'shapes');
  const perClass = options.perClass ?? (options.smoke ? 30 : 300);
  await makeShapesDataset(dataDir, { perClass, size: 64, seed: options.seed });
  console.log(`generated ${3 * perClass} PNGs of circles, squares and triangles in ${dataDir}`);
}
// Decoded with sharp, resized to the input size, mapped onto RANGE; a quarter of each class held out.
const images = await readImageFolder(dataDir, { height: size, width: size, range: RANGE });
const { classNames } = images;
const { train, heldOut } = splitHeldOut(images, 0.25, options.seed);
console.log(`${images.count} images of ${classNames.length} classes (${classNames.join(', ')}): ${train.count} to train, ${heldOut.count} held out`);

// --- Model: a frozen MobileNet V2 and a new head ------------------------------------------------------
// includeTop: false drops the 1000-class classifier; pooling: 'avg' ends the network with the
// averaged features of its last 1x1 convolution (1280 up to alpha 1), the new classifier's input.
const baseConfig = { includeTop: false, pooling: 'avg' as const, inputShape, alpha };
// initialize: false, since every weight is about to be replaced.
const base = mobilenetV2({ ...baseConfig, initialize: false });
// Weights are matched by layer name (the zoo uses Keras's names), all or nothing, and checked
// against the manifest's checksums when there is one. MobileNet V2's weights do not depend on the
// input size, so any size loads; the one they were trained at works best.
await loadWeights(base, options.weights, { requireManifest: false });
console.log(`base weights: ${options.weights === STAND_IN_WEIGHTS ? 'the stand-in, pretrained on other shapes' : options.weights}`);

/**
 * Freezes layers: their weights stop training, as Keras's `layer.trainable = false`. A
 * BatchNormalization layer needs one more step in TF.js: `fit()` runs every layer in training mode,
 * and in training mode BatchNormalization normalises with the batch's own mean and variance and
 * moves its moving averages towards them, trainable or not. (Keras, since TF 2.0, runs a frozen
 * BatchNormalization in inference mode.) So each one is made to run in inference mode, always:
 * it normalises with the statistics it came with and never changes them.
 */
function freeze(layers: tf.layers.Layer[]): void {
  for (const layer of layers) {
    layer.trainable = false;
    if (layer.getClassName() === 'BatchNormalization') {
      const call = layer.call.bind(layer);
      layer.call = (inputs, kwargs) => call(inputs, { ...kwargs, training: false });
    }
  }
}
freeze(base.layers);

// The head: dropout and a softmax layer of one unit per class, on the base's pooled features. One
// flat model, so `model.getLayer('block_16_project')` still finds the base's layers (recipe 3).
const features = base.outputs[0];
const dropped = tf.layers.dropout({ rate: 0.2, name: 'head_dropout' }).apply(features) as tf.SymbolicTensor;
const predictions = tf.layers
  .dense({ units: classNames.length, activation: 'softmax', name: 'predictions', kernelInitializer: tf.initializers.glorotUniform({ seed: options.seed }) })
  .apply(dropped) as tf.SymbolicTensor;
const model = tf.model({ inputs: base.inputs, outputs: predictions, name: 'mobilenetV2_transfer' });
// Compile after freezing: the optimizer trains the weights that are trainable when compile runs.
model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
const params = countParams(model);
console.log(`${params.trainable.toLocaleString('en')} trainable parameters (the head), ${params.nonTrainable.toLocaleString('en')} frozen`);

// A copy of every base weight, moving statistics included, to show they do not move.
const baseBefore = base.weights.map((weight) => weight.read().dataSync().slice());

// --- Augmentation ---------------------------------------------------------------------------------
/** mulberry32: seeded uniform numbers in [0, 1), so each run draws the same augmentations. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A new random variant of every image, made once per epoch with TF.js ops on the whole set:
 * mirrored left-right with probability 1/2, a random crop of 80-100% of each side resized back to
 * the input size, and the brightness shifted by up to 10% of the value range. (Leave the mirroring
 * out for images whose meaning it changes: text, digits, left and right hands.)
 */
function augment(batch: tf.Tensor4D, random: () => number): tf.Tensor4D {
  const [count, height, width] = batch.shape;
  const flips: boolean[] = [];
  const boxes: number[] = [];
  const shifts: number[] = [];
  for (let i = 0; i < count; i++) {
    flips.push(random() < 0.5);
    const side = 0.8 + 0.2 * random();
    const top = (1 - side) * random();
    const left = (1 - side) * random();
    boxes.push(top, left, top + side, left + side); // [y1, x1, y2, x2], as fractions of the image
    shifts.push((2 * random() - 1) * 0.1 * (RANGE[1] - RANGE[0]));
  }
  return tf.tidy((): tf.Tensor4D => {
    const mirrored = tf.where(tf.tensor4d(flips, [count, 1, 1, 1], 'bool'), tf.image.flipLeftRight(batch), batch);
    const cropped = tf.image.cropAndResize(mirrored, tf.tensor2d(boxes, [count, 4]), tf.range(0, count, 1, 'int32'), [height, width]);
    return tf.clipByValue(tf.add<tf.Tensor4D>(cropped, tf.tensor4d(shifts, [count, 1, 1, 1])), RANGE[0], RANGE[1]);
  });
}

// --- Train the head -------------------------------------------------------------------------------
const x = tf.tensor4d(train.images, [train.count, size, size, 3]);
const y = tf.oneHot(tf.tensor1d(train.labels, 'int32'), classNames.length);
const random = seededRandom(options.seed);
const bar = progressBar({ epochs, batchesPerEpoch: Math.ceil(train.count / options.batchSize) });
const epochLosses: number[] = [];
const epochAccuracies: number[] = [];
for (let epoch = 0; epoch < epochs; epoch++) {
  // One fit call per epoch, each on a fresh augmentation of the training images.
  const augmented = augment(x, random);
  const history = await model.fit(augmented, y, { epochs: epoch + 1, initialEpoch: epoch, batchSize: options.batchSize, shuffle: true, verbose: 0, callbacks: [bar] });
  augmented.dispose();
  epochLosses.push(history.history.loss[0] as number);
  epochAccuracies.push((history.history.acc ?? history.history.accuracy)[0] as number);
}
bar.stop();
tf.dispose([x, y]);
console.log(`trained ${epochs} epochs; loss ${epochLosses[0].toFixed(3)} -> ${epochLosses.at(-1)!.toFixed(3)}`);

// --- Evaluate on the held-out images ----------------------------------------------------------------
function accuracy(set: ImageSet): number {
  const predicted = tf.tidy(() => (model.predict(tf.tensor4d(set.images, [set.count, size, size, 3]), { batchSize: 32 }) as tf.Tensor).argMax(-1).dataSync());
  return Array.from(predicted).filter((label, i) => label === set.labels[i]).length / set.count;
}
const heldOutAccuracy = accuracy(heldOut);
const chance = 1 / classNames.length;
console.log(`held-out accuracy ${(100 * heldOutAccuracy).toFixed(1)}% on ${heldOut.count} images (chance: ${(100 * chance).toFixed(1)}%)`);

// The frozen base is exactly as it was: kernels, BatchNorm scales and moving statistics.
const baseWeightsUnchanged = base.weights.every((weight, i) => {
  const after = weight.read().dataSync();
  return after.length === baseBefore[i].length && after.every((value, j) => value === baseBefore[i][j]);
});
console.log(`base weights unchanged after training: ${baseWeightsUnchanged}`);

// --- Save ----------------------------------------------------------------------------------------
// The whole classifier, loadable with `loadModel(dir)`; the manifest records how to feed it.
const savedTo = options.out ?? path.join(work, 'model');
await saveModel(
  model,
  savedTo,
  {
    model: 'mobilenetV2_transfer',
    config: { base: 'mobilenetV2', ...baseConfig, classes: classNames.length },
    source: `docs/recipes/02-transfer-learning.ts: a new head on a frozen MobileNet V2 (base weights from ${options.weights}), ${epochs} epochs on ${train.count} images of ${options.data ?? 'generated shapes'}`,
    // The licence of what you trained on and of the base's weights (Keras's ImageNet weights: Apache-2.0).
    licence: 'MIT',
    preprocessing: { range: RANGE },
    classNames,
    metrics: { heldOutAccuracy, heldOutImages: heldOut.count, epochs },
  },
  { overwrite: true },
);
console.log(`saved to ${savedTo}`);

console.log(
  `RECIPE_RESULT ${JSON.stringify({
    backend: backend.name,
    smoke: options.smoke,
    data: options.data ?? 'generated shapes',
    classNames,
    trainImages: train.count,
    heldOutImages: heldOut.count,
    inputShape,
    alpha,
    seed: options.seed,
    epochs,
    trainableParams: params.trainable,
    frozenParams: params.nonTrainable,
    epochLosses,
    trainAccuracy: epochAccuracies.at(-1),
    heldOutAccuracy,
    chance,
    baseWeightsUnchanged,
    savedTo,
    seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
  })}`,
);
