/** What the family tests compare: layers' per-example output shapes, and trainable parameter counts. */
import type { PlannedLayer } from '../../src/net/net.js';
import type { tf } from '../../src/tf.js';

/** A layer's name and its output shape without the batch axis. */
export type LayerShape = [string, number[]];

/** Every layer of a built model with its output shape, in the model's order. */
export function builtShapes(model: tf.LayersModel): LayerShape[] {
  return model.layers.map((layer) => [layer.name, (layer.outputShape as number[]).slice(1)]);
}

/** Every layer of a shape plan with its predicted output shape, in the plan's order. */
export function plannedShapes(plan: readonly PlannedLayer[]): LayerShape[] {
  return plan.map((layer) => [layer.name, [...layer.outputShape]]);
}

/** The number of trainable parameters (torchvision's figure; countParams adds BatchNorm's moving statistics). */
export function trainableCount(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((sum, weight) => sum + (weight.shape as number[]).reduce((a, b) => a * b, 1), 0);
}
