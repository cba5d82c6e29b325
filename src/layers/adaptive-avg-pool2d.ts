import { tf, type LayerArgs } from '../tf.js';

/**
 * {@link AdaptiveAveragePooling2D}'s options (plus tfjs-layers' `LayerArgs`: `name`...).
 *
 * @category Layers
 */
export interface AdaptiveAveragePooling2DArgs extends LayerArgs {
  /** `[height, width]` of the output, whatever the input's. */
  outputSize: [number, number];
}

/**
 * PyTorch's bins for adaptive pooling of `size` pixels into `out` cells: cell i averages pixels
 * floor(i·size/out) .. ceil((i+1)·size/out) - 1, returned as `[start, end)` pairs. The bins
 * overlap when `out` does not divide `size`.
 *
 * @category Layers
 */
export function adaptiveBins(size: number, out: number): Array<[number, number]> {
  return Array.from({ length: out }, (_, i) => [Math.floor((i * size) / out), Math.ceil(((i + 1) * size) / out)]);
}

/** `[out, size]`: row i holds 1/len over bin i, so that the matrix times the pixels averages each bin. */
function binMatrix(size: number, out: number): tf.Tensor2D {
  const values = new Float32Array(out * size);
  adaptiveBins(size, out).forEach(([start, end], i) => {
    for (let j = start; j < end; j++) values[i * size + j] = 1 / (end - start);
  });
  return tf.tensor2d(values, [out, size]);
}

/**
 * PyTorch's `nn.AdaptiveAvgPool2d(outputSize)` (torchvision's AlexNet and VGG end their features
 * with one), with PyTorch's bins, so that results match torchvision at every input size. Where the
 * output size divides the input size the bins are plain non-overlapping windows and one average
 * pool computes it (at AlexNet's 224x224 the 6x6 map pools to itself); otherwise each axis is
 * averaged by a product with a constant bin matrix (a matmul, whose gradient every backend has).
 * No weights. (The layer itself upsamples a map smaller than the output, as PyTorch does; it is
 * AlexNet's shape check that refuses such inputs.)
 *
 * @category Layers
 */
export class AdaptiveAveragePooling2D extends tf.layers.Layer {
  /** The class name under which TF.js serialises the layer (model.json's `class_name`). */
  static className = 'AdaptiveAveragePooling2D';

  constructor(private readonly args: AdaptiveAveragePooling2DArgs) {
    super(args);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = inputShape as number[];
    return [shape[0], ...this.args.outputSize, shape[3]];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const [batch, height, width, channels] = x.shape;
      const [outHeight, outWidth] = this.args.outputSize;
      if (height % outHeight === 0 && width % outWidth === 0) {
        const window: [number, number] = [height / outHeight, width / outWidth];
        return tf.avgPool(x, window, window, 'valid');
      }
      // Height: [h, b·w·c] -> [oh, b·w·c], then back to [b, oh, w, c].
      const rows = tf.reshape(tf.transpose(x, [1, 0, 2, 3]), [height, batch * width * channels]);
      const pooledRows = tf.transpose(tf.reshape(tf.matMul(binMatrix(height, outHeight), rows), [outHeight, batch, width, channels]), [1, 0, 2, 3]);
      // Width: [w, b·oh·c] -> [ow, b·oh·c], then back to [b, oh, ow, c].
      const cols = tf.reshape(tf.transpose(pooledRows, [2, 0, 1, 3]), [width, batch * outHeight * channels]);
      return tf.transpose(tf.reshape(tf.matMul(binMatrix(width, outWidth), cols), [outWidth, batch, outHeight, channels]), [1, 2, 0, 3]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), outputSize: this.args.outputSize };
  }
}
tf.serialization.registerClass(AdaptiveAveragePooling2D);
