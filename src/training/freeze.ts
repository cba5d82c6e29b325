/**
 * Freezing as Keras does it: a frozen layer's weights do not train, and a frozen BatchNormalization
 * normalises with its moving statistics and leaves them unchanged (the zoo's BatchNormalization
 * runs in inference mode when `trainable` is false). As in Keras, compile the model after freezing
 * or unfreezing: TF.js collects the weights to train when the model is compiled.
 */
import { stageOrLayer } from '../families/features.js';
import type { tf } from '../tf.js';

/** `layer` and every layer its output depends on. */
function upstream(layer: tf.layers.Layer, seen = new Set<tf.layers.Layer>()): Set<tf.layers.Layer> {
  if (seen.has(layer)) return seen;
  seen.add(layer);
  for (const node of layer.inboundNodes) for (const inbound of node.inboundLayers) upstream(inbound, seen);
  return seen;
}

/**
 * Freezes a model, or its part up to a stage or a layer (that layer and everything its output
 * depends on): their weights stop training, and their BatchNormalization layers run in inference
 * mode in `fit`, `trainOnBatch` and `evaluate`. Saved with `saveModel`, it stays frozen after
 * `loadModel`. Compile the model afterwards.
 *
 * @example
 * ```ts
 * const model = resnet18({ numClasses: 5, inputShape: [64, 64, 3] });
 * freeze(model, { upTo: 'conv4' }); // the stem and stages conv2..conv4: only conv5 and the classifier train
 * model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
 * ```
 *
 * @category Fine-tuning
 */
export function freeze(model: tf.LayersModel, options: { upTo?: string } = {}): void {
  const layers = options.upTo === undefined ? model.layers : [...upstream(stageOrLayer(model, options.upTo, 'upTo'))];
  for (const layer of layers) layer.trainable = false;
}

/**
 * Unfreezes a model, or its part from a stage or a layer on (that layer and everything that depends
 * on its output). Compile the model afterwards.
 *
 * @example
 * ```ts
 * const model = resnet18({ numClasses: 5, inputShape: [64, 64, 3] });
 * freeze(model);
 * unfreeze(model, { from: 'conv5' }); // fine-tune the last stage and the classifier
 * model.compile({ optimizer: tf.train.adam(1e-4), loss: 'categoricalCrossentropy' });
 * ```
 *
 * @category Fine-tuning
 */
export function unfreeze(model: tf.LayersModel, options: { from?: string } = {}): void {
  if (options.from === undefined) {
    for (const layer of model.layers) layer.trainable = true;
    return;
  }
  const start = stageOrLayer(model, options.from, 'from');
  // Downstream of `start`: the layers whose output depends on it.
  for (const layer of model.layers) if (upstream(layer).has(start)) layer.trainable = true;
}
