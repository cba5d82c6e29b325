import { tf, type LayerArgs } from '../tf.js';

/**
 * {@link ScaledTanh}'s options (plus tfjs-layers' `LayerArgs`: `name`...).
 *
 * @category Layers
 */
export interface ScaledTanhArgs extends LayerArgs {
  /** Amplitude A. */
  amplitude: number;
  /** Slope S at the origin, before scaling by A. */
  slope: number;
}

/**
 * LeNet-5's squashing function f(a) = A·tanh(S·a) (LeCun et al. 1998, Section II.B and Appendix A),
 * with A = 1.7159 and S = 2/3 in the paper: chosen so that f(±1) = ±1, the gain is close to 1
 * around the targets and the second derivative is largest at ±1. No weights.
 *
 * Paper: LeCun, Bottou, Bengio, Haffner, "Gradient-Based Learning Applied to Document
 * Recognition", Proc. IEEE 86(11), 1998, Appendix A (https://doi.org/10.1109/5.726791). No
 * departure.
 *
 * @category Layers
 */
export class ScaledTanh extends tf.layers.Layer {
  /** The class name under which TF.js serialises the layer (model.json's `class_name`). */
  static className = 'ScaledTanh';

  constructor(private readonly args: ScaledTanhArgs) {
    super(args);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      return tf.mul(tf.tanh(tf.mul(x, this.args.slope)), this.args.amplitude);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), amplitude: this.args.amplitude, slope: this.args.slope };
  }
}
tf.serialization.registerClass(ScaledTanh);
