// docs/recipes/02-transfer-learning.ts
/**
 * Recipe 2: transfer learning. A pretrained MobileNet V2 without its classifier (`includeTop: false`,
 * global average pooling) as a frozen feature extractor, a new classifier on top, trained on a
 * folder of images per class with augmentation and a progress bar, then measured on held-out images
 * and saved.
 *
 *   npx cnn-zoo import mobilenet_v2-b0353104.pth --out weights/mobilenet_v2-imagenet   # once
 *   npx tsx docs/recipes/02-transfer-learning.ts --weights weights/mobilenet_v2-imagenet --data my-photos --out my-classifier
 *   npx tsx docs/recipes/02-transfer-learning.ts [--smoke]   # the shipped stand-in weights, on generated shapes
 *
 * Without --data it generates PNGs of circles, squares and triangles and learns those.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import sharp from 'sharp';
import { countParams, createModel, freeze, imageFolder, modelInfo, progressBar, readManifest, saveModel, tf, useBackend, type ModelName } from 'cnn-zoo';

function positiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new InvalidArgumentError(`must be a positive integer, received ${JSON.stringify(value)}`);
  return parsed;
}

const program = new Command('02-transfer-learning')
  .option('--smoke', 'small run: 30 generated images per class, 8 epochs', process.env.CNN_ZOO_RECIPE_SMOKE === '1')
  .option('--data <dir>', 'your images: one sub-folder per class (default: generate shapes)')
  .option('--weights <dir>', "pretrained weights, e.g. torchvision's imported by `npx cnn-zoo import` (default: the shipped stand-in, weights 'shapes')")
  .option('--epochs <n>', 'training epochs (default 20; 8 with --smoke)', positiveInt)
  .option('--batch-size <n>', 'images per batch', positiveInt, 16)
  .option('--per-class <n>', 'generated images per class, without --data (default 300; 30 with --smoke)', positiveInt)
  .option('--seed <n>', "seed of the data, the split, the head's initial weights and the augmentation", positiveInt, 7)
  .option('--out <dir>', 'folder to save the trained model to (default: a new folder in the system temp dir)');

/** mulberry32: seeded uniform numbers in [0, 1), so each run draws the same images and augmentations. */
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
 * Writes `perClass` PNGs of each shape into `<dir>/<shape>/`, the layout of your own photos: a
 * circle, square or triangle of random colour, size, position and rotation on a background of a
 * contrasting random colour. Drawn as SVG, rendered and encoded by sharp, so they are read back as
 * photographs are.
 */
async function makeShapes(dir: string, perClass: number, size: number, seed: number): Promise<void> {
  const random = seededRandom(seed);
  const between = (low: number, high: number) => low + (high - low) * random();
  for (const shape of ['circle', 'square', 'triangle']) {
    mkdirSync(path.join(dir, shape), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      // Background and shape differ in lightness by at least 35 points, so the shape is always visible.
      const background = between(10, 90);
      const lightness = background < 50 ? between(background + 35, 95) : between(5, background - 35);
      const radius = between(0.22, 0.45) * size;
      const [cx, cy, angle] = [between(radius, size - radius), between(radius, size - radius), between(0, 2 * Math.PI)];
      const colour = (light: number) => `hsl(${Math.round(between(0, 360))}, ${Math.round(between(30, 100))}%, ${Math.round(light)}%)`;
      const fill = colour(lightness);
      const corners = shape === 'square' ? 4 : 3;
      const points = Array.from({ length: corners }, (_, k) => {
        const a = angle + (2 * Math.PI * k) / corners;
        return `${(cx + radius * Math.cos(a)).toFixed(2)},${(cy + radius * Math.sin(a)).toFixed(2)}`;
      });
      const body = shape === 'circle' ? `<circle cx="${cx.toFixed(2)}" cy="${cy.toFixed(2)}" r="${(0.85 * radius).toFixed(2)}" fill="${fill}"/>` : `<polygon points="${points.join(' ')}" fill="${fill}"/>`;
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><rect width="${size}" height="${size}" fill="${colour(background)}"/>${body}</svg>`;
      await sharp(Buffer.from(svg)).png().toFile(path.join(dir, shape, `${shape}-${String(i).padStart(3, '0')}.png`));
    }
  }
}

/** What the weights' preprocessing makes of pixel values: per channel, 0 and 255 in model units. */
interface PixelScale {
  low: number[];
  high: number[];
}

/**
 * A new random variant of every image, made once per epoch with TF.js ops on the whole set:
 * mirrored left-right with probability 1/2, a random crop of 80-100% of each side resized back to
 * the input size, and the brightness shifted by up to 10% of the pixel range. (Leave the mirroring
 * out for images whose meaning it changes: text, digits, left and right hands.)
 */
function augment(batch: tf.Tensor4D, random: () => number, scale: PixelScale): tf.Tensor4D {
  const [count, height, width, channels] = batch.shape;
  const flips: boolean[] = [];
  const boxes: number[] = [];
  const shifts: number[] = [];
  for (let i = 0; i < count; i++) {
    flips.push(random() < 0.5);
    const side = 0.8 + 0.2 * random();
    const top = (1 - side) * random();
    const left = (1 - side) * random();
    boxes.push(top, left, top + side, left + side); // [y1, x1, y2, x2], as fractions of the image
    shifts.push((2 * random() - 1) * 0.1);
  }
  return tf.tidy((): tf.Tensor4D => {
    const low = tf.tensor4d(scale.low, [1, 1, 1, channels]);
    const high = tf.tensor4d(scale.high, [1, 1, 1, channels]);
    const mirrored = tf.where(tf.tensor4d(flips, [count, 1, 1, 1], 'bool'), tf.image.flipLeftRight(batch), batch);
    const cropped = tf.image.cropAndResize(mirrored, tf.tensor2d(boxes, [count, 4]), tf.range(0, count, 1, 'int32'), [height, width]);
    const shifted = tf.add(cropped, tf.mul(tf.tensor4d(shifts, [count, 1, 1, 1]), tf.sub(high, low)));
    return tf.minimum(tf.maximum(shifted, low), high) as tf.Tensor4D;
  });
}

async function main(): Promise<void> {
  const options = program.parse().opts<{ smoke: boolean; data?: string; weights?: string; epochs?: number; batchSize: number; perClass?: number; seed: number; out?: string }>();
  const epochs = options.epochs ?? (options.smoke ? 8 : 20);
  const backend = await useBackend(); // the fastest backend here: tensorflow-gpu, tensorflow, wasm or cpu
  console.log(`backend: ${backend.name}`);
  const started = performance.now();
  const work = mkdtempSync(path.join(os.tmpdir(), 'cnn-zoo-recipe-02-'));

  // --- The pretrained base, frozen -------------------------------------------------------------------
  // A weights folder names its architecture and options in its manifest (torchvision's mobilenet_v2
  // imports as mobilenetV2, variant 'torchvision'); createModel builds it and loads the weights, all
  // or nothing. includeTop: false leaves out the 1000-class classifier the weights were saved with;
  // pooling: 'avg' ends the network with the averaged features of its last convolution (1280 for
  // MobileNet V2 up to alpha 1), the new classifier's input.
  const modelName = options.weights ? ((await readManifest(options.weights))!.model as ModelName) : 'mobilenetV2';
  const base = await createModel(modelName, { weights: options.weights ?? 'shapes', includeTop: false, pooling: 'avg' });
  const baseInfo = modelInfo(base)!;
  console.log(`base: ${modelName}, alpha ${baseInfo.config.alpha}, ${countParams(base).total.toLocaleString('en')} weights from ${baseInfo.source}`);
  // How the weights want their images: size, pixel range, mean and std (torchvision's: 224x224 after
  // resizing the shorter side to 256, [0, 1], ImageNet's mean and std; the stand-in's: 48x48, [-1, 1]).
  const preprocessing = baseInfo.preprocessing!;
  // freeze(): the base's weights stop training, and its BatchNormalization layers normalise with
  // the statistics they came with, never the batch's (as Keras's frozen layers do); compile after.
  freeze(base);

  // --- Data ---------------------------------------------------------------------------------------
  // Your own images: `--data my-photos` with my-photos/<class>/<image>.{jpg,png,webp}. Without it,
  // small PNGs of three shapes are generated, in the same layout.
  let dataDir = options.data;
  if (!dataDir) {
    dataDir = path.join(work, 'shapes');
    const perClass = options.perClass ?? (options.smoke ? 30 : 300);
    await makeShapes(dataDir, perClass, 64, options.seed);
    console.log(`generated ${3 * perClass} PNGs of circles, squares and triangles in ${dataDir}`);
  }
  // Each image decoded and preprocessed as the weights expect; a quarter of each class held out.
  const { train, validation: heldOut, classNames } = await imageFolder(dataDir, { preprocessing, validationSplit: 0.25, seed: options.seed });
  console.log(`${train.files.length + heldOut.files.length} images of ${classNames.length} classes (${classNames.join(', ')}): ${train.files.length} to train, ${heldOut.files.length} held out`);

  // --- The new head ---------------------------------------------------------------------------------
  // Dropout and a softmax layer of one unit per class, on the base's pooled features. One flat
  // model, so `model.getLayer('block_16_project')` still finds the base's layers (recipe 3).
  const dropped = tf.layers.dropout({ rate: 0.2, name: 'head_dropout' }).apply(base.outputs[0]) as tf.SymbolicTensor;
  const predictions = tf.layers
    .dense({ units: classNames.length, activation: 'softmax', name: 'predictions', kernelInitializer: tf.initializers.glorotUniform({ seed: options.seed }) })
    .apply(dropped) as tf.SymbolicTensor;
  const model = tf.model({ inputs: base.inputs, outputs: predictions, name: `${modelName}_transfer` });
  // Compile after freezing: the optimizer trains the weights that are trainable when compile runs.
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const params = countParams(model);
  console.log(`${params.trainable.toLocaleString('en')} trainable parameters (the head), ${params.nonTrainable.toLocaleString('en')} frozen`);

  // A copy of every base weight, moving statistics included, to show they do not move.
  const baseBefore = base.weights.map((weight) => weight.read().dataSync().slice());

  // --- Train the head -------------------------------------------------------------------------------
  // Augmentation works in the model's units: the brightness shift and the clipping follow what
  // preprocessing made of pixel values 0 and 255 in each channel.
  const channels = preprocessing.inputShape[2];
  const [low, high] = preprocessing.range;
  const perChannel = (value: number) => Array.from({ length: channels }, (_, c) => (value - (preprocessing.mean?.[c] ?? 0)) / (preprocessing.std?.[c] ?? 1));
  const scale = { low: perChannel(low), high: perChannel(high) };
  const random = seededRandom(options.seed);
  const bar = progressBar({ epochs, batchesPerEpoch: Math.ceil(train.files.length / options.batchSize) });
  const epochLosses: number[] = [];
  const epochAccuracies: number[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    // One fit call per epoch, each on a fresh augmentation of the training images.
    const augmented = augment(train.x, random, scale);
    const history = await model.fit(augmented, train.y, { epochs: epoch + 1, initialEpoch: epoch, batchSize: options.batchSize, shuffle: true, verbose: 0, callbacks: [bar] });
    augmented.dispose();
    epochLosses.push(history.history.loss[0] as number);
    epochAccuracies.push((history.history.acc ?? history.history.accuracy)[0] as number);
  }
  bar.stop();
  console.log(`trained ${epochs} epochs; loss ${epochLosses[0].toFixed(3)} -> ${epochLosses.at(-1)!.toFixed(3)}`);

  // --- Evaluate on the held-out images ----------------------------------------------------------------
  const predicted = tf.tidy(() => (model.predict(heldOut.x, { batchSize: 32 }) as tf.Tensor).argMax(-1).dataSync());
  const heldOutAccuracy = heldOut.labels.filter((label, i) => predicted[i] === label).length / heldOut.labels.length;
  const chance = 1 / classNames.length;
  console.log(`held-out accuracy ${(100 * heldOutAccuracy).toFixed(1)}% on ${heldOut.labels.length} images (chance: ${(100 * chance).toFixed(1)}%)`);

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
      model: `${modelName}_transfer`,
      config: { base: modelName, ...baseInfo.config, classes: classNames.length },
      source: `02-transfer-learning.ts: a new head on a frozen ${modelName} (${baseInfo.source ?? options.weights}), ${epochs} epochs on ${train.files.length} images of ${options.data ?? 'generated shapes'}`,
      // The licence of the base's weights (torchvision's: BSD-3-Clause) and of what you trained on.
      licence: baseInfo.licence,
      preprocessing,
      classNames,
      metrics: { heldOutAccuracy, heldOutImages: heldOut.labels.length, epochs },
    },
    { overwrite: true },
  );
  console.log(`saved to ${savedTo}`);

  console.log(
    `RECIPE_RESULT ${JSON.stringify({
      backend: backend.name,
      smoke: options.smoke,
      data: options.data ?? 'generated shapes',
      weights: options.weights ?? 'shapes',
      classNames,
      trainImages: train.files.length,
      heldOutImages: heldOut.files.length,
      inputShape: preprocessing.inputShape,
      base: { model: modelName, variant: baseInfo.config.variant, alpha: baseInfo.config.alpha },
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
}

// No top-level await, so that the script runs unchanged as an ES module and as CommonJS.
main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
