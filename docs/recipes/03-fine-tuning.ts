// docs/recipes/03-fine-tuning.ts
/**
 * Recipe 3: fine-tuning. A new head on a frozen pretrained MobileNet V2 first (recipe 2), then the
 * last blocks unfrozen and trained at a lower, decaying learning rate, with early stopping and a
 * checkpoint (saveModel: model.json, shards, a manifest with sha256 checksums) at each improved
 * epoch; then training resumes from the checkpoint, as after a crash.
 *
 *   npx cnn-zoo import mobilenet_v2-b0353104.pth --out weights/mobilenet_v2-imagenet   # once
 *   npx tsx docs/recipes/03-fine-tuning.ts --weights weights/mobilenet_v2-imagenet --data my-photos --out runs/1
 *   npx tsx docs/recipes/03-fine-tuning.ts --resume runs/1/checkpoint --data my-photos
 *   npx tsx docs/recipes/03-fine-tuning.ts [--smoke]   # the shipped stand-in weights, on generated shapes
 *
 * Without --data it generates PNGs of circles, squares and triangles and learns those.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import sharp from 'sharp';
import { countParams, createModel, freeze, imageFolder, loadModel, modelInfo, progressBar, readManifest, saveModel, tf, unfreeze, useBackend, type ModelName } from 'cnn-zoo';

function positiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new InvalidArgumentError(`must be a positive integer, received ${JSON.stringify(value)}`);
  return parsed;
}

const program = new Command('03-fine-tuning')
  .option('--smoke', 'small run: 30 generated images per class, a few epochs', process.env.CNN_ZOO_RECIPE_SMOKE === '1')
  .option('--data <dir>', 'your images: one sub-folder per class (default: generate shapes)')
  .option('--weights <dir>', "pretrained weights, e.g. torchvision's imported by `npx cnn-zoo import` (default: the shipped stand-in, weights 'shapes')")
  .option('--resume <dir>', 'a checkpoint written by this recipe: load it and go on training')
  .option('--unfreeze-from <layer>', "the first layer or stage of the base to fine-tune, as Keras names it: blocks 15 and 16 of MobileNet V2 and its last conv", 'block_15_expand')
  .option('--head-epochs <n>', 'epochs of the head alone, base frozen (default 10; 5 with --smoke)', positiveInt)
  .option('--epochs <n>', 'most epochs of fine-tuning; early stopping may end sooner (default 20; 6 with --smoke)', positiveInt)
  .option('--patience <n>', 'epochs without a better validation loss before stopping', positiveInt, 3)
  .option('--resume-epochs <n>', 'epochs trained after resuming (default 3; 1 with --smoke)', positiveInt)
  .option('--batch-size <n>', 'images per batch', positiveInt, 16)
  .option('--per-class <n>', 'generated images per class, without --data (default 300; 30 with --smoke)', positiveInt)
  .option('--seed <n>', "seed of the data, the split and the head's weights", positiveInt, 7)
  .option('--out <dir>', 'folder for the checkpoint (default: a new folder in the system temp dir)');

/** The head alone trains at Adam's usual 1e-3. */
const HEAD_LEARNING_RATE = 1e-3;
/**
 * Fine-tuning starts lower, so the first steps do not wreck the pretrained features, and decays
 * exponentially: lr(e) = 3e-4 x 0.85^e for fine-tuning epoch e.
 */
const schedule = (epoch: number) => 3e-4 * 0.85 ** epoch;

/** mulberry32: seeded uniform numbers in [0, 1), so each run draws the same images. */
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

/** Images and one-hot labels. */
interface Split {
  x: tf.Tensor4D;
  y: tf.Tensor2D;
  count: number;
}

function accuracy(model: tf.LayersModel, data: Split): number {
  return tf.tidy(() => {
    const predicted = (model.predict(data.x, { batchSize: 32 }) as tf.Tensor).argMax(-1);
    return predicted.equal(data.y.argMax(-1)).mean().dataSync()[0];
  });
}

async function main(): Promise<void> {
  const options = program.parse().opts<{
    smoke: boolean; data?: string; weights?: string; resume?: string; unfreezeFrom: string; headEpochs?: number; epochs?: number;
    patience: number; resumeEpochs?: number; batchSize: number; perClass?: number; seed: number; out?: string;
  }>();
  const headEpochs = options.headEpochs ?? (options.smoke ? 5 : 10);
  const maxEpochs = options.epochs ?? (options.smoke ? 6 : 20);
  const resumeEpochs = options.resumeEpochs ?? (options.smoke ? 1 : 3);
  const backend = await useBackend(); // the fastest backend here: tensorflow-gpu, tensorflow, wasm or cpu
  console.log(`backend: ${backend.name}`);
  const started = performance.now();
  const work = mkdtempSync(path.join(os.tmpdir(), 'cnn-zoo-recipe-03-'));
  const checkpointDir = options.out ? path.join(options.out, 'checkpoint') : path.join(work, 'checkpoint');

  // --- The pretrained base (recipe 2), or the checkpoint to resume -----------------------------------
  // Either way the weights' manifest says how to feed them: size, pixel range, mean and std.
  const checkpoint = options.resume ? (await readManifest(options.resume))! : undefined;
  const modelName = (checkpoint?.config.base ?? (options.weights ? (await readManifest(options.weights))!.model : 'mobilenetV2')) as ModelName;
  const base = checkpoint ? undefined : await createModel(modelName, { weights: options.weights ?? 'shapes', includeTop: false, pooling: 'avg' });
  const preprocessing = checkpoint ? checkpoint.preprocessing : modelInfo(base!)!.preprocessing!;

  // --- Data: train, validation (early stopping, checkpoints), test ------------------------------------
  let dataDir = options.data;
  if (!dataDir) {
    dataDir = path.join(work, 'shapes');
    const perClass = options.perClass ?? (options.smoke ? 30 : 300);
    await makeShapes(dataDir, perClass, 64, options.seed);
    console.log(`generated ${3 * perClass} PNGs of circles, squares and triangles in ${dataDir}`);
  }
  // imageFolder holds out 40% of each class, drawn by a seeded shuffle; of those, alternate images
  // of each class validate and test: 60% / 20% / 20% per class.
  const { train: trainSet, validation: heldOut, classNames } = await imageFolder(dataDir, { preprocessing, validationSplit: 0.4, seed: options.seed });
  const seen = new Map<number, number>();
  const validates = heldOut.labels.map((label) => {
    seen.set(label, (seen.get(label) ?? 0) + 1);
    return seen.get(label)! % 2 === 1;
  });
  const part = (keep: boolean): Split => {
    const indices = validates.flatMap((validating, i) => (validating === keep ? [i] : []));
    return { x: tf.gather(heldOut.x, indices), y: tf.gather(heldOut.y, indices), count: indices.length };
  };
  const train: Split = { x: trainSet.x, y: trainSet.y, count: trainSet.labels.length };
  const validation = part(true);
  const test = part(false);
  console.log(`${train.count + heldOut.labels.length} images of ${classNames.length} classes: ${train.count} to train, ${validation.count} to validate, ${test.count} to test`);

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
            model: `${modelName}_finetuned`,
            config: { base: modelName, inputShape: preprocessing.inputShape, classes: classNames.length, unfreezeFrom: options.unfreezeFrom },
            source: `03-fine-tuning.ts: checkpoint after fine-tuning epoch ${epoch + 1} (base weights from ${options.resume ?? options.weights ?? "cnn-zoo's shapes stand-in"})`,
            preprocessing,
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
    const bar = progressBar({ epochs, batchesPerEpoch: Math.ceil(train.count / options.batchSize), startEpoch: initialEpoch });
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

  let fineTuned: Awaited<ReturnType<typeof fineTune>> | undefined;
  let headAccuracy: number | undefined;
  let unfrozen: string[] = [];
  let fineTuneParams: ReturnType<typeof countParams> | undefined;
  if (base) {
    // --- Phase 1: a new head on the frozen base (recipe 2, without augmentation) --------------------
    // freeze(): no base weight trains, and its BatchNormalization layers keep their statistics.
    freeze(base);
    const dropped = tf.layers.dropout({ rate: 0.2, name: 'head_dropout' }).apply(base.outputs[0]) as tf.SymbolicTensor;
    const predictions = tf.layers
      .dense({ units: classNames.length, activation: 'softmax', name: 'predictions', kernelInitializer: tf.initializers.glorotUniform({ seed: options.seed }) })
      .apply(dropped) as tf.SymbolicTensor;
    const model = tf.model({ inputs: base.inputs, outputs: predictions, name: `${modelName}_finetuned` });
    model.compile({ optimizer: tf.train.adam(HEAD_LEARNING_RATE), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const bar = progressBar({ epochs: headEpochs, batchesPerEpoch: Math.ceil(train.count / options.batchSize) });
    await model.fit(train.x, train.y, { epochs: headEpochs, batchSize: options.batchSize, shuffle: true, verbose: 0, callbacks: [bar] });
    bar.stop();
    headAccuracy = accuracy(model, test);
    console.log(`head alone (${headEpochs} epochs, base frozen): test accuracy ${(100 * headAccuracy).toFixed(1)}%`);

    // --- Phase 2: unfreeze the last blocks, fine-tune slowly ------------------------------------------
    // unfreeze(): that layer (or stage) of the base and every layer after it train again, the head
    // still does; compile again (fineTune does).
    unfreeze(base, { from: options.unfreezeFrom });
    unfrozen = model.layers.filter((layer) => layer.trainable && layer.weights.length > 0).map((layer) => layer.name);
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
  // loadModel checks the manifest and every checksum, and model.json keeps each layer's trainable
  // flag: the frozen layers (and their BatchNorm statistics) stay frozen.
  const resumeDir = options.resume ?? checkpointDir;
  const resumed = await loadModel(resumeDir);
  const manifest = (await readManifest(resumeDir))!;
  if (JSON.stringify(manifest.classNames) !== JSON.stringify(classNames)) throw new Error(`${resumeDir} was trained on the classes ${manifest.classNames?.join(', ')}, not ${classNames.join(', ')}`);
  const checkpointEpoch = manifest.metrics!.epoch;
  console.log(`resumed from ${resumeDir}: fine-tuning epoch ${checkpointEpoch + 1}, validation loss ${manifest.metrics!.valLoss.toFixed(4)}; ${manifest.files.length} files with sha256`);
  const checkpointAccuracy = accuracy(resumed, test);
  // Resuming is real: the loaded model predicts exactly what the model predicted when it was saved.
  const savedPredictions = fineTuned?.testPredictions();
  const resumedMaxAbsDifference = savedPredictions
    ? tf.tidy(() => tf.max(tf.abs(tf.sub(resumed.predict(test.x) as tf.Tensor, tf.tensor(savedPredictions, [test.count, classNames.length])))).dataSync()[0])
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
      weights: options.weights ?? 'shapes',
      classNames,
      trainImages: train.count,
      validationImages: validation.count,
      testImages: test.count,
      inputShape: preprocessing.inputShape,
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
}

// No top-level await, so that the script runs unchanged as an ES module and as CommonJS.
main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
