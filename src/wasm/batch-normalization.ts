/**
 * The BatchNormalization layer the zoo builds: tfjs-layers' own, with two differences.
 * - A frozen layer (`trainable` false) runs in inference mode in `fit`, `trainOnBatch` and
 *   `evaluate`, normalising with its moving statistics and leaving them unchanged, as Keras's has
 *   since TF 2; tfjs-layers' ignores `trainable` and would normalise with each batch's statistics
 *   and move them, quietly damaging a frozen base in transfer learning.
 * - A training-mode call on the wasm backend runs one fused kernel with its own gradient
 *   (kernels/batch-norm-training.ts) instead of `moments` and `batchNorm`, whose gradients cost
 *   about twenty passes over the activation.
 * Everything else is the parent's: the weights (gamma, beta, moving_mean, moving_variance), the
 * inference path, the config (`trainable` included) and the class name, so a saved model.json says
 * `BatchNormalization` and loads anywhere as TF.js's own layer; cnn-zoo's `loadModel` builds this one.
 */
import { tf } from '../tf.js';
import { BATCH_NORM_TRAINING, type BatchNormTrainingAttrs } from './kernels/batch-norm-training.js';
import { tfjsLayerClass } from './tfjs-layer-class.js';

type Kwargs = Parameters<tf.layers.Layer['call']>[1];
type TfjsBatchNormalization = ReturnType<typeof tf.layers.batchNormalization>;
type BatchNormalizationLayerArgs = Parameters<typeof tf.layers.batchNormalization>[0];

/** The parent's fields this layer reads (TypeScript-private in tfjs-layers' declarations). */
interface BatchNormalizationState {
  axis: number;
  momentum: number;
  epsilon: number;
  gamma: tf.LayerVariable | null;
  beta: tf.LayerVariable | null;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
}

const TfjsBatchNormalizationClass: new (args: BatchNormalizationLayerArgs) => TfjsBatchNormalization = tfjsLayerClass('BatchNormalization');

/** Whether `call` can take the fused path: training, on wasm with the kernel, channels last, float32. */
function fusable(layer: BatchNormalizationState, x: tf.Tensor, training: boolean): boolean {
  const axis = layer.axis < 0 ? layer.axis + x.rank : layer.axis;
  return (
    training &&
    tf.getBackend() === 'wasm' &&
    tf.getKernel(BATCH_NORM_TRAINING, 'wasm') !== undefined &&
    axis === x.rank - 1 &&
    x.rank >= 2 &&
    x.dtype === 'float32' &&
    layer.gamma !== null &&
    layer.beta !== null
  );
}

/**
 * BatchNormalization with a fused training step on wasm; see the file comment. Built by the zoo's
 * models in place of `tf.layers.batchNormalization`, with the same arguments.
 */
export class BatchNormalization extends TfjsBatchNormalizationClass {
  /** The parent's class name, so that model.json records (and TF.js loads) a plain BatchNormalization. */
  static className = 'BatchNormalization';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const state = this as unknown as BatchNormalizationState;
    const training = Boolean(kwargs.training) && this.trainable;
    if ((Array.isArray(inputs) && inputs.length !== 1) || !fusable(state, x, training)) return super.call(inputs, { ...kwargs, training });
    return tf.tidy(() => {
      const attrs: BatchNormTrainingAttrs = { varianceEpsilon: state.epsilon };
      const [y, mean, variance] = tf.engine().runKernel(
        BATCH_NORM_TRAINING,
        { x, scale: state.gamma!.read(), offset: state.beta!.read() },
        attrs,
      ) as tf.Tensor[];
      // The moving averages move as the parent moves them: value - (value - batch) * (1 - momentum).
      for (const [variable, batch] of [[state.movingMean, mean], [state.movingVariance, variance]] as const) {
        tf.tidy(() => {
          const current = variable.read();
          variable.write(tf.sub(current, tf.mul(tf.sub(current, batch), 1 - state.momentum)));
        });
      }
      return y;
    });
  }
}
