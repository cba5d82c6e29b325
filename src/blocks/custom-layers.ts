/** The zoo's custom layers as words of the {@link Net} vocabulary, for the families that use them. */
import { AdaptiveAveragePooling2D } from '../layers/adaptive-avg-pool2d.js';
import { LocalResponseNormalization } from '../layers/lrn.js';
import type { Net } from '../net/net.js';

/**
 * Local response normalisation across channels ({@link LocalResponseNormalization}; `alpha` multiplies the raw sum of squares).
 *
 * @category Shared blocks
 */
export function localResponseNorm<T>(net: Net<T>, x: T, spec: { name: string; size: number; k: number; alpha: number; beta: number }): T {
  const { name, size, k, alpha, beta } = spec;
  return net.custom(x, { create: () => new LocalResponseNormalization({ name, size, k, alpha, beta }) });
}

/**
 * PyTorch's `AdaptiveAvgPool2d((size, size))`: any map to `size` x `size`, repeating values when the map is smaller.
 *
 * @category Shared blocks
 */
export function adaptiveAvgPool<T>(net: Net<T>, x: T, name: string, size: number): T {
  return net.custom(x, { create: () => new AdaptiveAveragePooling2D({ name, outputSize: [size, size] }) });
}
