// docs/recipes/03-fine-tuning.ts
/**
 * Recipe 3: fine-tuning. A new head on a frozen MobileNet V2 first (recipe 2), then the last blocks
 * unfrozen and trained at a lower, decaying learning rate, with early stopping and a checkpoint
 * (saveModel: model.json, shards, a manifest with sha256 checksums) at each improved epoch; then
 * training resumes from the checkpoint, as after a crash.
 *
 *   npx tsx docs/recipes/03-fine-tuning.ts [--smoke] [--data my-photos] [--weights mobilenet-v2-no-top] [--out dir]
 *   npx tsx docs/recipes/03-fine-tuning.ts --resume dir/checkpoint [--data my-photos]
 *
 * Without --data it generates PNGs of circles, squares and triangles and learns those.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { countParams, loadModel, loadWeights, mobilenetV2, progressBar, readManifest, saveModel, tf, useBackend } from 'cnn-zoo';
import { readImageFolder, splitHeldOut, type ImageSet } from './_image-folder.js';
import { makeShapesDataset } from './_make-shapes-dataset.js';

function positiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new InvalidArgumentError(`must be a positive integer, received ${JSON.stringify(value)}`);
  return parsed;
}

/** The stand-in for ImageNet weights that ships with the recipes (see the page). */
const STAND_IN_WEIGHTS = fileURLToPath(new URL('./_weights/mobilenetV2-shapes', import.meta.url));

const options = new Command('03-fine-tuning')
  .option('--smoke', 'small run: 30 generated images per class, a few epochs', process.env.CNN_ZOO_RECIPE_SMOKE === '1')
  .option('--data <dir>', 'your images: one sub-folder per class (default: generate shapes)')
  .option('--weights <dir>', 'MobileNet V2 weights without the top (default: the recipes\' stand-in)', STAND_IN_WEIGHTS)
  .option('--resume <dir>', 'a checkpoint written by this recipe: load it and go on training')
  .option('--image-size <n>', 'input height and width (default: the size the weights were trained at, from their manifest; else 224)', positiveInt)
  .option('--alpha <x>', 'MobileNet V2 width multiplier of the weights (default: from their manifest; else 1)', Number)
  .option('--head-epochs <n>', 'epochs of the head alone, base frozen (default 10; 5 with --smoke)', positiveInt)
  .option('--epochs <n>', 'most epochs of fine-tuning; early stopping may end sooner (default 20; 6 with --smoke)', positiveInt)
  .option('--patience <n>', 'epochs without a better validation loss before stopping', positiveInt, 3)
  .option('--resume-epochs <n>', 'epochs trained after resuming (default 3; 1 with --smoke)', positiveInt)
  .option('--batch-size <n>', 'images per batch', positiveInt, 16)
  .option('--per-class <n>', 'generated images per class, without --data (default 300; 30 with --smoke)', positiveInt)
  .option('--seed <n>', 'seed of the head\'s weights and the split', positiveInt, 7)
  .option('--out <dir>', 'folder for the checkpoint (default: a new folder in the system temp dir)')
  .parse()
  .opts<{
    smoke: boolean; data?: string; weights: string; resume?: string; imageSize?: number; alpha?: number; headEpochs?: number; epochs?: number;
    patience: number; resumeEpochs?: number; batchSize: number; perClass?: number; seed: number; out?: string;
  }>();
const headEpochs = options.headEpochs ?? (options.smoke ? 5 : 10);
const maxEpochs = options.epochs ?? (options.smoke ? 6 : 20);
const resumeEpochs = options.resumeEpochs ?? (options.smoke ? 1 : 3);
// What the weights expect (the base's, or the checkpoint's when resuming), from their manifest (recipe 2 explains).
const baseManifest = await readManifest(options.resume ?? options.weights, { requireManifest: false });
const size = options.imageSize ?? baseManifest?.preprocessing.inputShape[0] ?? 224;
const alpha = options.alpha ?? (baseManifest?.config.alpha as number | undefined) ?? 1;
const RANGE: [number, number] = baseManifest?.preprocessing.range ?? [-1, 1];
/** The head alone trains at Adam's usual 1e-3. */
const HEAD_LEARNING_RATE = 1e-3;
/**
 * Fine-tuning starts lower, so the first steps do not wreck the pretrained features, and decays
 * exponentially: lr(e) = 3e-4 x 0.85^e for fine-tuning epoch e.
 */
const schedule = (epoch: number) => 3e-4 * 0.85 ** epoch;
/** Unfrozen for fine-tuning: from this layer to the output (Keras's names: blocks 15 and 16, Conv_1 and its BN). */
const FIRST_UNFROZEN = 'block_15_expand';

const backend = await useBackend(); // the fastest backend here: tensorflow-gpu, tensorflow, wasm or cpu
console.log(`backend: ${backend.name}`);
const started = performance.now();
const work = mkdtempSync(path.join(os.tmpdir(), 'cnn-zoo-recipe-03-'));
const checkpointDir = options.out ? path.join(options.out, 'checkpoint') : path.join(work, 'checkpoint');

// --- Data: train, validation (early stopping, checkpoints), test ------------------------------------
let dataDir = options.data;
if (!dataDir) {
  dataDir = path.join(work, 'shapes');
  const perClass = options.perClass ?? (options.smoke ? 30 : 300);
  await makeShapesDataset(dataDir, { perClass, size: 64, seed: options.seed });
  console.log(`generated ${3 * perClass} PNGs of circles, squares and triangles in ${dataDir}`);
}
const images = await readImageFolder(dataDir, { height: size, width: size, range: RANGE });
const { classNames } = images;
const { train: trainAndValidation, heldOut: testSet } = splitHeldOut(images, 0.2, options.seed);
const { train: trainSet, heldOut: validationSet } = splitHeldOut(trainAndValidation, 0.25, options.seed + 1);
console.log(`${images.count} images of ${classNames.length} classes: ${trainSet.count} to train, ${validationSet.count} to validate, ${testSet.count} to test`);
const tensors = (set: ImageSet) => ({ x: tf.tensor4d(set.images, [set.count, size, size, 3]), y: tf.oneHot(tf.tensor1d(set.labels, 'int32'), classNames.length) });
const train = tensors(trainSet);
const validation = tensors(validationSet);
const test = tensors(testSet);

// --- Freezing, the TF.js way ---------------------------------------------------------------------
/**
 * Makes the BatchNormalization layers among `layers` always run in inference mode: normalise with
 * their moving mean and variance and never update them. TF.js's fit() runs every layer in training
 * mode, trainable or not; Keras's guide keeps BatchNormalization in inference mode both for a frozen
 * base and while fine-tuning, so that the first batches of a small data set do not overwrite the
 * statistics the pretrained weights came with. Their scale and offset still train when the layer is
 * trainable.
 */
function batchNormInInferenceMode(layers: tf.layers.Layer[]): void {
  for (const layer of layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const call = layer.call.bind(layer);
    layer.call = (inputs, kwargs) => call(inputs, { ...kwargs, training: false });
  }
}
/** Layer `trainable` flags; compile() afterwards, since it collects the weights to train. */
function setTrainable(layers: tf.layers.Layer[], trainable: boolean): void {
  for (const layer of layers) layer.trainable = trainable;
}

function accuracy(model: tf.LayersModel, data: { x: tf.Tensor4D; y: tf.Tensor }): number {
  return tf.tidy(() => {
    const predicted = (model.predict(data.x, { batchSize: 32 }) as tf.Tensor).argMax(-1);
    return predicted.equal(data.y.argMax(-1)).mean().dataSync()[0];
  });
}

/**
 * The callbacks of one fine-tuning run: the learning-rate schedule (TF.js's optimizers have no
 * schedule of their own, but read `learningRate` at every step), and a checkpoint each time the
 * validation loss improves. `epoch` counts from the start of fine-tuning, also after resuming.
 */
function fineTuningCallbacks(model: tf.LayersModel, optimizer: tf.Optimizer, best: { valLoss: number; epoch: number }) {
  const learningRates: number[] = [];
  const valLosses: number[] = [];
  let checkpoints = 0;
  let testPredictions: Float32Array | undefined;
  const callback = new tf.CustomCallback({
    onEpochBegin: async (epoch) => {
      (optimizer as unknown as { learningRate: number }).learningRate = schedule(epoch);
      learningRates.push(schedule(epoch));
    },
    onEpochEnd: async (epoch, logs) => {
      const valLoss = logs!.val_loss;
      valLosses.push(valLoss);
      if (valLoss >= best.valLoss) return;
      Object.assign(best, { valLoss, epoch });
      // overwrite: the folder is replaced atomically, so a crash mid-save leaves the previous checkpoint.
      await saveModel(
        model,
        checkpointDir,
        {
          model: 'mobilenetV2_finetuned',
          config: { base: 'mobilenetV2', inputShape: [size, size, 3], classes: classNames.length, firstUnfrozen: FIRST_UNFROZEN },
          source: `docs/recipes/03-fine-tuning.ts: checkpoint after fine-tuning epoch ${epoch + 1} (base weights from ${options.resume ?? options.weights})`,
          licence: 'MIT',
          preprocessing: { range: RANGE },
          classNames,
          // What resuming needs: where the schedule stands and the loss to beat.
          metrics: { epoch, valLoss, learningRate: schedule(epoch), valAccuracy: logs!.val_acc ?? logs!.val_accuracy },
        },
        { overwrite: true },
      );
      checkpoints++;
      // The predictions of the model as saved, to compare the resumed model with.
      testPredictions = tf.tidy(() => (model.predict(test.x) as tf.Tensor).dataSync() as Float32Array).slice();
    },
  });
  return { callback, learningRates, valLosses, checkpoints: () => checkpoints, testPredictions: () => testPredictions };
}

/** Fine-tunes `model` from `initialEpoch` up to `epochs`, stopping early; returns what happened. */
async function fineTune(model: tf.LayersModel, initialEpoch: number, epochs: number, best: { valLoss: number; epoch: number }) {
  const optimizer = tf.train.adam(schedule(initialEpoch));
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const tracked = fineTuningCallbacks(model, optimizer, best);
  // Stop when the validation loss has not improved for `patience` epochs (baseline: the best so far).
  const earlyStopping = tf.callbacks.earlyStopping({ monitor: 'val_loss', patience: options.patience, baseline: best.valLoss });
  const bar = progressBar({ epochs, batchesPerEpoch: Math.ceil(trainSet.count / options.batchSize), startEpoch: initialEpoch });
  const history = await model.fit(train.x, train.y, {
    epochs,
    initialEpoch,
    batchSize: options.batchSize,
    validationData: [validation.x, validation.y],
    shuffle: true,
    verbose: 0,
    callbacks: [tracked.callback, earlyStopping, bar],
  });
  bar.stop();
  const epochsRun = history.epoch.length;
  return { ...tracked, epochsRun, stoppedEarly: initialEpoch + epochsRun < epochs };
}

/**
 * Loads a checkpoint and makes it ready to train on: TF.js's loadModel restores the architecture
 * and the weights, and model.json keeps each layer's `trainable` flag; what it cannot keep is the
 * inference-mode BatchNormalization, which is code, so it is applied again.
 */
async function resumeFrom(dir: string) {
  const model = await loadModel(dir);
  const manifest = await readManifest(dir); // checked again: checksums, paths, sizes
  batchNormInInferenceMode(model.layers);
  return { model, manifest: manifest! };
}

let fineTuned: Awaited<ReturnType<typeof fineTune>> | undefined;
let headAccuracy: number | undefined;
let unfrozen: string[] = [];
let fineTuneParams: ReturnType<typeof countParams> | undefined;
if (!options.resume) {
  // --- Phase 1: a new head on the frozen base (recipe 2, without augmentation) --------------------
  const base = mobilenetV2({ includeTop: false, pooling: 'avg', inputShape: [size, size, 3], alpha, initialize: false });
  await loadWeights(base, options.weights, { requireManifest: false });
  batchNormInInferenceMode(base.layers);
  setTrainable(base.layers, false);
  const dropped = tf.layers.dropout({ rate: 0.2, name: 'head_dropout' }).apply(base.outputs[0]) as tf.SymbolicTensor;
  const predictions = tf.layers
    .dense({ units: classNames.length, activation: 'softmax', name: 'predictions', kernelInitializer: tf.initializers.glorotUniform({ seed: options.seed }) })
    .apply(dropped) as tf.SymbolicTensor;
  const model = tf.model({ inputs: base.inputs, outputs: predictions, name: 'mobilenetV2_finetuned' });
  model.compile({ optimizer: tf.train.adam(HEAD_LEARNING_RATE), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const bar = progressBar({ epochs: headEpochs, batchesPerEpoch: Math.ceil(trainSet.count / options.batchSize) });
  await model.fit(train.x, train.y, { epochs: headEpochs, batchSize: options.batchSize, shuffle: true, verbose: 0, callbacks: [bar] });
  bar.stop();
  headAccuracy = accuracy(model, test);
  console.log(`head alone (${headEpochs} epochs, base frozen): test accuracy ${(100 * headAccuracy).toFixed(1)}%`);

  // --- Phase 2: unfreeze the last blocks, fine-tune slowly ------------------------------------------
  const firstUnfrozen = model.layers.indexOf(model.getLayer(FIRST_UNFROZEN));
  setTrainable(model.layers.slice(firstUnfrozen), true);
  unfrozen = model.layers.slice(firstUnfrozen).filter((layer) => layer.weights.length > 0).map((layer) => layer.name);
  fineTuneParams = countParams(model);
  console.log(`unfrozen: ${unfrozen.join(', ')} (${fineTuneParams.trainable.toLocaleString('en')} trainable parameters)`);
  fineTuned = await fineTune(model, 0, maxEpochs, { valLoss: Infinity, epoch: -1 });
  console.log(
    `fine-tuned ${fineTuned.epochsRun} epochs${fineTuned.stoppedEarly ? ' (stopped early)' : ''}; learning rates ${fineTuned.learningRates.map((rate) => rate.toExponential(2)).join(', ')}; ` +
      `validation losses ${fineTuned.valLosses.map((loss) => loss.toFixed(3)).join(', ')}; ${fineTuned.checkpoints()} checkpoint(s) in ${checkpointDir}`,
  );
  model.dispose(); // as if the process ended here
}

// --- Resume from the checkpoint -------------------------------------------------------------------
const resumeDir = options.resume ?? checkpointDir;
const { model: resumed, manifest } = await resumeFrom(resumeDir);
const checkpointEpoch = manifest.metrics!.epoch;
console.log(`resumed from ${resumeDir}: fine-tuning epoch ${checkpointEpoch + 1}, validation loss ${manifest.metrics!.valLoss.toFixed(4)}; ${manifest.files.length} files with sha256`);
const checkpointAccuracy = accuracy(resumed, test);
// Resuming is real: the loaded model predicts exactly what the model predicted when it was saved.
const savedPredictions = fineTuned?.testPredictions();
const resumedMaxAbsDifference = savedPredictions
  ? tf.tidy(() => tf.max(tf.abs(tf.sub(resumed.predict(test.x) as tf.Tensor, tf.tensor(savedPredictions, [testSet.count, classNames.length])))).dataSync()[0])
  : undefined;
if (resumedMaxAbsDifference !== undefined) console.log(`resumed model vs the model when saved: max |difference| ${resumedMaxAbsDifference}`);
// Go on with the schedule where it stood, the checkpoint's loss as the one to beat.
const continued = await fineTune(resumed, checkpointEpoch + 1, checkpointEpoch + 1 + resumeEpochs, { valLoss: manifest.metrics!.valLoss, epoch: checkpointEpoch });
const resumedAccuracy = accuracy(resumed, test);
console.log(`trained ${continued.epochsRun} more epoch(s) at ${continued.learningRates.map((rate) => rate.toExponential(2)).join(', ')}; test accuracy ${(100 * checkpointAccuracy).toFixed(1)}% at the checkpoint, ${(100 * resumedAccuracy).toFixed(1)}% now`);

console.log(
  `RECIPE_RESULT ${JSON.stringify({
    backend: backend.name,
    smoke: options.smoke,
    data: options.data ?? 'generated shapes',
    weights: options.weights === STAND_IN_WEIGHTS ? 'stand-in' : options.weights,
    classNames,
    trainImages: trainSet.count,
    validationImages: validationSet.count,
    testImages: testSet.count,
    inputShape: [size, size, 3],
    headEpochs,
    headTestAccuracy: headAccuracy,
    unfrozen,
    fineTuneParams,
    fineTuning: fineTuned && {
      epochsRun: fineTuned.epochsRun,
      stoppedEarly: fineTuned.stoppedEarly,
      learningRates: fineTuned.learningRates,
      valLosses: fineTuned.valLosses,
      checkpoints: fineTuned.checkpoints(),
    },
    checkpointDir: resumeDir,
    checkpointEpoch,
    checkpointTestAccuracy: checkpointAccuracy,
    resumedMaxAbsDifference,
    resumed: { epochsRun: continued.epochsRun, learningRates: continued.learningRates, valLosses: continued.valLosses, checkpoints: continued.checkpoints() },
    resumedTestAccuracy: resumedAccuracy,
    seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
  })}`,
);
