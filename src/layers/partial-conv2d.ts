import { convOutputSize } from '../conv-arithmetic.js';
import { SeededInitializer } from '../init.js';
import type { Activation } from '../net/net.js';
import { tf, type LayerArgs } from '../tf.js';
import { applyActivation } from './apply-activation.js';
import type { SeededInitConfig } from './grouped-conv2d.js';

/**
 * {@link PartialConv2D}'s options (plus tfjs-layers' `LayerArgs`: `name`...).
 *
 * @category Layers
 */
export interface PartialConv2DArgs extends LayerArgs {
  /** Output maps. */
  filters: number;
  /** Square kernel size (stride 1, 'valid', as C3). */
  kernelSize: number;
  /** `connections[j]`: the input maps that output map j sees (LeNet-5's Table I, read by column). */
  connections: number[][];
  /** Fused activation; LeNet-5's scaled tanh is a layer of its own ({@link ScaledTanh}). */
  activation?: Activation;
  /** The connected kernels' initialiser. */
  kernelInitializer: SeededInitConfig;
  /** The bias's initialiser. */
  biasInitializer: SeededInitConfig;
}

/** Output shape of {@link PartialConv2D} on `[height, width, channels]` (stride 1, 'valid', as C3). */
export function partialConvOutputShape(input: readonly number[], kernelSize: number, filters: number): number[] {
  const size = (n: number) => convOutputSize({ size: n, kernel: kernelSize, padding: 'valid' });
  return [size(input[0]), size(input[1]), filters];
}

/**
 * A convolution in which each output map sees only some of the input maps: LeNet-5's C3
 * (LeCun et al. 1998, Section II.B, Table I), which "keeps the number of connections within
 * reasonable bounds" and "forces a break of symmetry".
 *
 * Only the connected kernels are weights: `kernel` has shape `[k, k, connections]` with the
 * connections listed output map by output map (map 0's inputs first), so C3 has 25 · 60 + 16 =
 * 1,516 parameters, not the 2,416 of a full 6 -> 16 convolution. At call time the full
 * `[k, k, in, filters]` kernel is assembled by a matrix product with a constant 0/1 placement
 * matrix (unconnected pairs get zeros) and one ordinary conv2d runs; a matmul rather than a gather
 * because its gradient is a matmul, which every backend has (gather's needs UnsortedSegmentSum,
 * which the wasm backend lacks).
 *
 * Paper: LeCun, Bottou, Bengio, Haffner, "Gradient-Based Learning Applied to Document
 * Recognition", Proc. IEEE 86(11), 1998, Section II.B, Table I (https://doi.org/10.1109/5.726791).
 * No departure.
 *
 * @category Layers
 */
export class PartialConv2D extends tf.layers.Layer {
  /** The class name under which TF.js serialises the layer (model.json's `class_name`). */
  static className = 'PartialConv2D';
  private kernel?: tf.LayerVariable;
  private bias?: tf.LayerVariable;
  private inputChannels = 0;

  constructor(private readonly args: PartialConv2DArgs) {
    super(args);
  }

  /** Number of connected (input map, output map) pairs. */
  get connectionCount(): number {
    return this.args.connections.reduce((sum, inputs) => sum + inputs.length, 0);
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    this.inputChannels = (inputShape as number[])[3];
    const { kernelSize: k, filters, connections } = this.args;
    if (connections.length !== filters || connections.some((inputs) => inputs.some((i) => i < 0 || i >= this.inputChannels))) {
      throw new Error(`PartialConv2D '${this.name}': connections must list, for each of ${filters} filters, input maps in [0, ${this.inputChannels})`);
    }
    this.kernel = this.addWeight('kernel', [k, k, this.connectionCount], 'float32', new SeededInitializer(this.args.kernelInitializer));
    this.bias = this.addWeight('bias', [filters], 'float32', new SeededInitializer(this.args.biasInitializer));
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [batch, ...rest] = inputShape as number[];
    return [batch, ...partialConvOutputShape(rest, this.args.kernelSize, this.args.filters)];
  }

  /** `[connections, in · filters]`: row c has a single 1 at (input i, output j) of connection c. */
  private placement(): tf.Tensor2D {
    const { filters, connections } = this.args;
    const values = new Float32Array(this.connectionCount * this.inputChannels * filters);
    let c = 0;
    connections.forEach((inputs, j) => {
      for (const i of inputs) values[c++ * this.inputChannels * filters + i * filters + j] = 1;
    });
    return tf.tensor2d(values, [this.connectionCount, this.inputChannels * filters]);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const { kernelSize: k, filters } = this.args;
      const connected = tf.reshape(this.kernel!.read(), [k * k, this.connectionCount]);
      const full = tf.reshape(tf.matMul(connected, this.placement()), [k, k, this.inputChannels, filters]) as tf.Tensor4D;
      const y = tf.add(tf.conv2d(x, full, 1, 'valid'), this.bias!.read());
      return applyActivation(y, this.args.activation ?? 'linear');
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const { name: _name, trainable: _trainable, ...own } = this.args;
    return { ...super.getConfig(), ...(own as unknown as tf.serialization.ConfigDict) };
  }
}
tf.serialization.registerClass(PartialConv2D);
