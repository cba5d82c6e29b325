import type { tf } from '../tf.js';

/**
 * A model's (or a layer's) parameters, as {@link countParams} counts them.
 *
 * @category Analysis
 */
export interface ParamCounts {
  /** Every weight: trainable + nonTrainable. */
  total: number;
  /** Updated by training (kernels, biases, BatchNorm's gamma and beta). */
  trainable: number;
  /** Kept but not trained: BatchNorm's moving mean and variance, frozen layers' weights. */
  nonTrainable: number;
}

function sumSizes(weights: readonly { id: number; shape: readonly (number | null)[] }[]): number {
  // A weight shared by two layers is one weight.
  const seen = new Set<number>();
  let total = 0;
  for (const weight of weights) {
    if (seen.has(weight.id)) continue;
    seen.add(weight.id);
    total += weight.shape.reduce<number>((a, b) => a * (b ?? 0), 1);
  }
  return total;
}

/**
 * The parameters of any tf.LayersModel (or layer), from the weights' shapes alone: no weight is
 * read, so it is as cheap on VGG-19 as on LeNet.
 *
 * torchvision's parameter counts are the `trainable` figure: PyTorch keeps BatchNorm's running
 * statistics as buffers, not parameters.
 *
 * @example
 * ```ts
 * countParams(resnet34({ initialize: false })); // { total: 21814696, trainable: 21797672, nonTrainable: 17024 }
 * ```
 *
 * @category Analysis
 */
export function countParams(model: tf.LayersModel | tf.layers.Layer): ParamCounts {
  const trainable = sumSizes(model.trainableWeights);
  const nonTrainable = sumSizes(model.nonTrainableWeights);
  return { total: trainable + nonTrainable, trainable, nonTrainable };
}
