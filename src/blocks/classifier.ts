import type { InitSpec } from '../init.js';
import type { Net } from '../net/net.js';
import type { CommonOptions } from '../options.js';

/**
 * What most families end with: global average pooling, dropout (when `names.dropout` is given and
 * `options.dropout` > 0), then one dense classifier with `numClasses` units and
 * `classifierActivation` (`includeTop`); or without the top, the feature map, pooled if `pooling`
 * asks for it ({@link poolFeatures}).
 *
 * @param options - The parsed shared options (`includeTop`, `pooling`, `dropout`, `numClasses`, `classifierActivation`).
 * @param names - Names of the pooling, dropout (optional: no dropout layer without it) and dense layers.
 * @param init - Initialisation of the classifier's kernel and bias.
 *
 * @category Shared blocks
 */
export function poolAndClassify<T>(
  net: Net<T>,
  features: T,
  options: CommonOptions,
  names: { pool: string; dropout?: string; classifier: string },
  init: { kernel: InitSpec; bias: InitSpec },
): T {
  if (!options.includeTop) return options.pooling ? poolFeatures(net, features, options.pooling) : features;
  let x = net.globalPool(features, 'avg', names.pool);
  if (names.dropout && options.dropout > 0) x = net.dropout(x, options.dropout, names.dropout);
  return net.dense(x, {
    name: names.classifier,
    units: options.numClasses,
    activation: options.classifierActivation,
    kernelInit: init.kernel,
    biasInit: init.bias,
  });
}

/**
 * Global pooling of a feature map when the top is left off, named as Keras names it (`avg_pool`
 * or `max_pool`).
 *
 * @category Shared blocks
 */
export function poolFeatures<T>(net: Net<T>, features: T, pooling: 'avg' | 'max'): T {
  return net.globalPool(features, pooling, pooling === 'avg' ? 'avg_pool' : 'max_pool');
}
