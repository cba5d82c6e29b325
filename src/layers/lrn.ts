import { tf, type LayerArgs } from '../tf.js';

/**
 * {@link LocalResponseNormalization}'s hyper-parameters, under the paper's names (plus tfjs-layers'
 * `LayerArgs`: `name`, `trainable`...).
 *
 * @category Layers
 */
export interface LocalResponseNormalizationArgs extends LayerArgs {
  /** n: how many adjacent channels the sum runs over (odd: the channel itself and (n - 1) / 2 each side). */
  size: number;
  /** k: the additive constant. */
  k: number;
  /** α: multiplies the raw sum of squares (not the mean; see the class comment). */
  alpha: number;
  /** β: the exponent. */
  beta: number;
}

/**
 * Local response normalisation across channels (Krizhevsky, Sutskever, Hinton 2012, Section 3.3):
 *
 *   b_i = a_i / (k + α Σ_{j = max(0, i - n/2)}^{min(N - 1, i + n/2)} a_j²)^β
 *
 * at every pixel, over the n channels around channel i (clipped at the first and last channel).
 *
 * Mapping to TF's `tf.localResponseNormalization(x, depthRadius, bias, alpha, beta)`, whose sum
 * also runs over d - depthRadius .. d + depthRadius and whose alpha multiplies the raw sum:
 * depthRadius = (n - 1) / 2, bias = k, alpha = α, beta = β. (PyTorch's `nn.LocalResponseNorm` and
 * Caffe divide alpha by n, so the paper's layer is `LocalResponseNorm(size=n, alpha=n·α, beta=β,
 * k=k)` there.) The op has a gradient in tfjs-core and kernels on every backend we use, wasm
 * included (LRN, LRNGrad). No weights; the output has the input's shape.
 *
 * Paper: Krizhevsky, Sutskever, Hinton, "ImageNet Classification with Deep Convolutional Neural
 * Networks", NeurIPS 2012, Section 3.3
 * (https://papers.nips.cc/paper/4824-imagenet-classification-with-deep-convolutional-neural-networks).
 * No departure: the paper's formula, α included as the paper writes it.
 *
 * @category Layers
 */
export class LocalResponseNormalization extends tf.layers.Layer {
  /** The class name under which TF.js serialises the layer (model.json's `class_name`). */
  static className = 'LocalResponseNormalization';

  constructor(private readonly args: LocalResponseNormalizationArgs) {
    super(args);
    if (!Number.isInteger(args.size) || args.size < 1 || args.size % 2 === 0) {
      throw new Error(`LocalResponseNormalization: size must be an odd positive integer, received ${args.size}`);
    }
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const { size, k, alpha, beta } = this.args;
      return tf.localResponseNormalization(x, (size - 1) / 2, k, alpha, beta);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const { size, k, alpha, beta } = this.args;
    return { ...super.getConfig(), size, k, alpha, beta };
  }
}
tf.serialization.registerClass(LocalResponseNormalization);
