import { ConfigError } from '../errors.js';
import type { InitContext } from '../init.js';
import { tf } from '../tf.js';
import { LayersNet, ShapeMismatchError, ShapeNet, SpatialSizeError } from './interpreter.js';
import type { NetDescription, PlannedLayer } from './net.js';

/** The largest square input searched for when suggesting a size that works. */
const LARGEST_SUGGESTED_INPUT = 4096;

/** Every layer's name, class and output shape, by each layer's own rule, without building anything. */
export function planNetwork<C>(describe: NetDescription<C>, config: C, spatialOverride?: readonly [number, number]): PlannedLayer[] {
  const net = new ShapeNet(spatialOverride);
  describe(net, config);
  return net.layers;
}

/** The smallest square input (at least `from`) for which the whole plan works, if any. */
function smallestWorkingInput<C>(describe: NetDescription<C>, config: C, from: number): number | undefined {
  for (let size = from; size <= LARGEST_SUGGESTED_INPUT; size++) {
    try {
      planNetwork(describe, config, [size, size]);
      return size;
    } catch (error) {
      if (!(error instanceof SpatialSizeError)) throw error;
    }
  }
  return undefined;
}

/**
 * Checks the whole network's shapes before anything is built. An input too small for the
 * architecture is a {@link ConfigError} on `inputShape` naming the layer where the size reaches
 * zero, the arithmetic, and the smallest square input that works; a description that contradicts
 * itself (a table whose residual sum cannot add up) is one on `architecture`.
 */
export function checkNetwork<C extends { inputShape: readonly number[] }>(modelName: string, describe: NetDescription<C>, config: C): PlannedLayer[] {
  try {
    return planNetwork(describe, config);
  } catch (error) {
    if (error instanceof ShapeMismatchError) throw new ConfigError({ field: 'architecture', rule: `does not fit together: ${error.message}` });
    if (!(error instanceof SpatialSizeError)) throw error;
    const [height, width] = config.inputShape;
    const works = smallestWorkingInput(describe, config, Math.max(height, width) + 1);
    const hint = works ? `; the smallest square input that works is ${works}x${works}` : '';
    throw new ConfigError({
      field: 'inputShape',
      rule: `too small for ${modelName}: at layer '${error.layer}' the output would have ${error.arithmetic}${hint}`,
      received: config.inputShape,
      shown: `[${config.inputShape.join(', ')}]`,
    });
  }
}

/** Checks the shapes, then builds the tfjs-layers model named `modelName`. */
export function buildNetwork<C extends { inputShape: readonly number[] }>(modelName: string, describe: NetDescription<C>, config: C, init: InitContext): tf.LayersModel {
  checkNetwork(modelName, describe, config);
  const { inputs, outputs } = describe(new LayersNet(init), config);
  return tf.model({ inputs, outputs, name: modelName });
}
