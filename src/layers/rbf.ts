import type { Activation } from '../net/net.js';
import { tf, type LayerArgs } from '../tf.js';
import { applyActivation } from './apply-activation.js';

/**
 * {@link EuclideanRBF}'s options (plus tfjs-layers' `LayerArgs`: `name`...).
 *
 * @category Layers
 */
export interface EuclideanRBFArgs extends LayerArgs {
  /** One fixed parameter vector per output unit, each as long as the input. */
  prototypes: number[][];
  /** Applied to the negated distances (see the class comment). Default `'linear'`. */
  activation?: Activation;
}

/**
 * LeNet-5's output layer (LeCun et al. 1998, Section II.B, Eq. 7): one Euclidean radial basis
 * function unit per class, y_i = Σ_j (x_j - w_ij)², the squared distance between the input and the
 * unit's parameter vector. The parameter vectors are FIXED: the paper sets them by hand to ±1
 * (stylised 7x12 bitmaps of the characters, Fig. 3) and never trains them, so they are stored as a
 * non-trainable weight `centers` of shape `[units, inputDim]` (saved with the model, not updated).
 *
 * The paper's output is the penalty y_i (smaller is better), which it reads as an unnormalised
 * negative log-likelihood and trains with its own MAP criterion (Section II.C, Eq. 9). This layer
 * outputs `activation(-y)`: the negated distances are logits, so 'linear' gives -y (the paper's
 * penalties with the sign flipped) and 'softmax' gives exp(-y_i) / Σ_k exp(-y_k). Categorical
 * cross-entropy on that softmax, y_D + log Σ_k exp(-y_k), is Eq. 9 without its constant
 * "rubbish class" term e^-j (j → ∞).
 *
 * Paper: LeCun, Bottou, Bengio, Haffner, "Gradient-Based Learning Applied to Document
 * Recognition", Proc. IEEE 86(11), 1998, Section II.B, Eq. 7 (https://doi.org/10.1109/5.726791).
 * Departure: the output is `activation(-y)`, not y (above).
 *
 * @category Layers
 */
export class EuclideanRBF extends tf.layers.Layer {
  /** The class name under which TF.js serialises the layer (model.json's `class_name`). */
  static className = 'EuclideanRBF';
  private centers?: tf.LayerVariable;

  constructor(private readonly args: EuclideanRBFArgs) {
    super(args);
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    this.computeOutputShape(inputShape); // checks the prototypes' width
    const inputDim = (inputShape as number[]).at(-1)!;
    const { prototypes } = this.args;
    this.centers = this.addWeight('centers', [prototypes.length, inputDim], 'float32', tf.initializers.zeros(), undefined, false);
    // Fixed values, not a random draw: written once here, whatever the model's initialisation.
    tf.tidy(() => {
      this.centers!.write(tf.tensor2d(prototypes));
    });
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const inputDim = (inputShape as number[]).at(-1)!;
    const bad = this.args.prototypes.findIndex((p) => p.length !== inputDim);
    if (bad >= 0) throw new Error(`every prototype must have as many values as the input has units (${inputDim}); prototype ${bad} has ${this.args.prototypes[bad].length}`);
    return [(inputShape as number[])[0], this.args.prototypes.length];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor2D;
      // [batch, 1, dim] - [1, units, dim], squared, summed over dim: [batch, units]. (sub then
      // square, not squaredDifference: tfjs's gradient of squaredDifference does not reduce over
      // broadcast axes.)
      const distance = tf.sum(tf.square(tf.sub(tf.expandDims(x, 1), tf.expandDims(this.centers!.read(), 0))), -1);
      return applyActivation(tf.neg(distance), this.args.activation ?? 'linear');
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), prototypes: this.args.prototypes, activation: this.args.activation ?? 'linear' };
  }
}
tf.serialization.registerClass(EuclideanRBF);
