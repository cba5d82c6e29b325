import { convOutputSize } from '../conv-arithmetic.js';
import { SeededInitializer, type InitSpec } from '../init.js';
import type { Activation } from '../net/net.js';
import { tf, type LayerArgs } from '../tf.js';
import { applyActivation } from './apply-activation.js';

/**
 * A seeded initialiser as plain data, so a custom layer's config stays JSON: the layer builds a
 * seeded initialiser from it.
 *
 * @category Layers
 */
export interface SeededInitConfig {
  /** The rule. */
  spec: InitSpec;
  /** The seed of this weight's random stream. */
  seed: number;
}

/**
 * {@link GroupedConv2D}'s options (plus tfjs-layers' `LayerArgs`: `name`...).
 *
 * @category Layers
 */
export interface GroupedConv2DArgs extends LayerArgs {
  /** Output channels, for all groups together (divisible by `groups`). */
  filters: number;
  /** Square kernel size. */
  kernelSize: number;
  /** Stride. Default 1. */
  strides?: number;
  /** TF padding. Default `'valid'`. */
  padding?: 'same' | 'valid';
  /** Dilation rate. Default 1. */
  dilationRate?: number;
  /** Number of groups; must divide the input channels and `filters`. */
  groups: number;
  /** Whether the layer has a bias. Default true. */
  useBias?: boolean;
  /** Fused activation. Default `'linear'`. */
  activation?: Activation;
  /** The kernel's initialiser. */
  kernelInitializer: SeededInitConfig;
  /** The bias's initialiser. Default zeros. */
  biasInitializer?: SeededInitConfig;
}

/**
 * A grouped convolution (Krizhevsky et al. 2012, split over two GPUs): the input channels and the
 * filters are cut into `groups` equal parts and part i of the output sees only part i of the input.
 * One kernel of shape `[k, k, in / groups, filters]`, as Keras's `Conv2D(groups=...)` stores it,
 * so weights convert one to one. tfjs-layers' Conv2D has no `groups` option.
 *
 * Paper: Krizhevsky, Sutskever, Hinton, "ImageNet Classification with Deep Convolutional Neural
 * Networks", NeurIPS 2012, Section 3.2 and Figure 2
 * (https://papers.nips.cc/paper/4824-imagenet-classification-with-deep-convolutional-neural-networks).
 * Departure: one device computes every group (the split is in the weights, not across GPUs).
 *
 * @category Layers
 */
export class GroupedConv2D extends tf.layers.Layer {
  /** The class name under which TF.js serialises the layer (model.json's `class_name`). */
  static className = 'GroupedConv2D';
  private kernel?: tf.LayerVariable;
  private bias?: tf.LayerVariable;

  constructor(private readonly args: GroupedConv2DArgs) {
    super(args);
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = inputShape as number[];
    const { filters, kernelSize, groups } = this.args;
    this.kernel = this.addWeight(
      'kernel',
      [kernelSize, kernelSize, shape[3] / groups, filters],
      'float32',
      new SeededInitializer(this.args.kernelInitializer),
    );
    if (this.args.useBias ?? true) {
      const biasInit = this.args.biasInitializer ?? { spec: { kind: 'zeros' }, seed: 0 };
      this.bias = this.addWeight('bias', [filters], 'float32', new SeededInitializer(biasInit));
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [batch, height, width] = inputShape as number[];
    const { kernelSize: kernel, strides: stride = 1, padding = 'valid', dilationRate: dilation = 1, filters } = this.args;
    const size = (n: number) => convOutputSize({ size: n, kernel, stride, padding, dilation });
    return [batch, size(height), size(width), filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const { groups, strides = 1, padding = 'valid', dilationRate = 1, activation = 'linear' } = this.args;
      const xs = tf.split(x, groups, 3);
      const kernels = tf.split(this.kernel!.read() as tf.Tensor4D, groups, 3);
      let y: tf.Tensor = tf.concat(
        xs.map((part, i) => tf.conv2d(part as tf.Tensor4D, kernels[i] as tf.Tensor4D, strides, padding, 'NHWC', dilationRate)),
        3,
      );
      if (this.bias) y = tf.add(y, this.bias.read());
      return applyActivation(y, activation);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const { name: _name, trainable: _trainable, ...own } = this.args;
    return { ...super.getConfig(), ...(own as unknown as tf.serialization.ConfigDict) };
  }
}
tf.serialization.registerClass(GroupedConv2D);
