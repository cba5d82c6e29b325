/**
 * The Conv2D layer the zoo builds: tfjs-layers' own, except that a training-mode call of a
 * convolution without a bias runs the plain convolution (then the activation) instead of TF.js's
 * fused one.
 *
 * Why: tfjs-layers runs a convolution with no activation through `tf.fused.conv2d` even while
 * recording gradients, and the fused op's gradient computes the input gradient eagerly, whether or
 * not anything needs it. A network's first convolution never needs it (its input is the data), and
 * it is an expensive one: for ResNet-34's 7x7/2 stem at batch 4 (224x224) it cost 58 ms of a 2.8 s
 * training step on wasm, and 25 ms of MobileNet V2's. The plain `tf.conv2d`'s gradient computes
 * each input's gradient only when the tape asks for it. Without a bias the fused op and the plain
 * one compute the very same sums, so training gives bit-identical values either way (tested); with
 * a bias the fused op adds it inside the sums, and those layers keep the parent's path, so that a
 * training run (LeNet-5's shipped weights) still reproduces its weights exactly.
 *
 * Everything else is the parent's (weights, inference, config, class name), so a saved model.json
 * says `Conv2D` and loads anywhere as TF.js's own layer.
 */
import { tf } from '../tf.js';
import { tfjsLayerClass } from './tfjs-layer-class.js';

type Kwargs = Parameters<tf.layers.Layer['call']>[1];
type TfjsConv2D = ReturnType<typeof tf.layers.conv2d>;
type ConvLayerArgs = Parameters<typeof tf.layers.conv2d>[0];

/** The parent's fields this layer reads (protected in tfjs-layers' declarations). */
interface Conv2DState {
  kernel: tf.LayerVariable;
  bias: tf.LayerVariable | null | undefined;
  strides: number[];
  padding: string;
  dataFormat: string;
  dilationRate: number[];
  activation: { apply(x: tf.Tensor): tf.Tensor } | null;
}

const TfjsConv2DClass: new (args: ConvLayerArgs) => TfjsConv2D = tfjsLayerClass('Conv2D');

/**
 * Conv2D whose training-mode gradient (without a bias) leaves out the input gradient nothing asks
 * for; see the file comment. Built by the zoo's models in place of `tf.layers.conv2d`, with the
 * same arguments.
 */
export class Conv2D extends TfjsConv2DClass {
  /** The parent's class name, so that model.json records (and TF.js loads) a plain Conv2D. */
  static className = 'Conv2D';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const state = this as unknown as Conv2DState;
    const plain =
      Boolean(kwargs.training) &&
      state.bias == null &&
      state.dataFormat === 'channelsLast' &&
      (state.padding === 'same' || state.padding === 'valid') &&
      // TF.js has no gradient for a dilated convolution; the parent's path says so in its own words.
      state.dilationRate.every((rate) => rate === 1);
    if (!plain || (Array.isArray(inputs) && inputs.length !== 1)) return super.call(inputs, kwargs);
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
    return tf.tidy(() => {
      const [strideH, strideW] = state.strides;
      const padding = state.padding as 'same' | 'valid';
      const y = tf.conv2d(x, state.kernel.read() as tf.Tensor4D, [strideH, strideW], padding);
      return state.activation ? state.activation.apply(y) : y;
    });
  }
}
