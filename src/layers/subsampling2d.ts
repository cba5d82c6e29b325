import { convOutputSize } from '../conv-arithmetic.js';
import { SeededInitializer } from '../init.js';
import type { Activation } from '../net/net.js';
import { tf, type LayerArgs } from '../tf.js';
import { applyActivation } from './apply-activation.js';
import type { SeededInitConfig } from './grouped-conv2d.js';

/**
 * {@link SubSampling2D}'s options (plus tfjs-layers' `LayerArgs`: `name`...).
 *
 * @category Layers
 */
export interface SubSampling2DArgs extends LayerArgs {
  /** Window and stride (2 in LeNet-5: non-overlapping 2x2 windows). */
  poolSize: number;
  /** Fused activation; LeNet-5's scaled tanh is a layer of its own ({@link ScaledTanh}). */
  activation?: Activation;
  /** The per-map coefficients' initialiser. */
  coefficientInitializer: SeededInitConfig;
  /** The per-map biases' initialiser. */
  biasInitializer: SeededInitConfig;
}

/** Output shape of {@link SubSampling2D} on `[height, width, channels]`: non-overlapping windows, 'valid'. */
export function subsamplingOutputShape(input: readonly number[], poolSize: number): number[] {
  const [height, width, channels] = input;
  const size = (n: number) => convOutputSize({ size: n, kernel: poolSize, stride: poolSize, padding: 'valid' });
  return [size(height), size(width), channels];
}

/**
 * LeNet-5's trainable subsampling (S2, S4; LeCun et al. 1998, Section II.B): for each feature map,
 * the sum of the inputs in a non-overlapping `poolSize` x `poolSize` window, times a trainable
 * coefficient, plus a trainable bias; 2 weights per map. Average pooling is the special case of a
 * fixed coefficient 1/poolSize² and no bias.
 *
 * Paper: LeCun, Bottou, Bengio, Haffner, "Gradient-Based Learning Applied to Document
 * Recognition", Proc. IEEE 86(11), 1998, Section II.B (https://doi.org/10.1109/5.726791). No
 * departure (the paper's sigmoid follows as a layer of its own, {@link ScaledTanh}).
 *
 * @category Layers
 */
export class SubSampling2D extends tf.layers.Layer {
  /** The class name under which TF.js serialises the layer (model.json's `class_name`). */
  static className = 'SubSampling2D';
  private coefficient?: tf.LayerVariable;
  private bias?: tf.LayerVariable;

  constructor(private readonly args: SubSampling2DArgs) {
    super(args);
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const channels = (inputShape as number[])[3];
    this.coefficient = this.addWeight('coefficient', [channels], 'float32', new SeededInitializer(this.args.coefficientInitializer));
    this.bias = this.addWeight('bias', [channels], 'float32', new SeededInitializer(this.args.biasInitializer));
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [batch, ...rest] = inputShape as number[];
    return [batch, ...subsamplingOutputShape(rest, this.args.poolSize)];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const p = this.args.poolSize;
      // The window's sum: its mean times the number of inputs it holds.
      const sum = tf.mul(tf.avgPool(x, p, p, 'valid'), p * p);
      const y = tf.add(tf.mul(sum, this.coefficient!.read()), this.bias!.read());
      return applyActivation(y, this.args.activation ?? 'linear');
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const { name: _name, trainable: _trainable, ...own } = this.args;
    return { ...super.getConfig(), ...(own as unknown as tf.serialization.ConfigDict) };
  }
}
tf.serialization.registerClass(SubSampling2D);
