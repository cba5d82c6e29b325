/**
 * Batch normalisation in training mode as two wasm kernels, the way TensorFlow has it
 * (FusedBatchNormV3 with is_training, and FusedBatchNormGradV3), instead of the dozen-odd
 * element-wise kernels TF.js composes it from.
 *
 * Why: tfjs-layers normalises a batch with `moments` (Mean, Sub, Square, Mean) and `batchNorm`,
 * and their gradients add about twenty passes over the activation (Sub, Multiply, Tile, Sum, ...)
 * for each BatchNormalization layer. MobileNet V2 has 52 of them, and at batch 4 (224x224) they
 * took about a quarter of a training step here. These kernels make five passes forward and seven
 * backward, each one XNNPACK call at about 0.2 ns an element (see ChannelPasses).
 *
 * - `CnnZooBatchNormTraining`: x [..., C], scale and offset [C] -> y, and the batch's mean and
 *   (biased) variance [C], as `tf.moments` over every axis but the last gives them.
 * - `CnnZooBatchNormTrainingGrad`: from dy and the saved x, mean, variance and scale -> dx, dscale,
 *   doffset; dx also takes the gradients that reach the mean and variance outputs, so the pair is
 *   exact whatever the outputs feed.
 *
 * The per-channel arithmetic between the passes is in float64; the tests hold these kernels to the
 * cpu backend's composition.
 */
import { tf } from '../../tf.js';
import { withKernelScope, type KernelScope, type WasmBackendLike } from './kernel-scope.js';

/** The forward kernel's name: normalise a batch with its own statistics, and return them. */
export const BATCH_NORM_TRAINING = 'CnnZooBatchNormTraining';

/** The gradient kernel's name. */
export const BATCH_NORM_TRAINING_GRAD = 'CnnZooBatchNormTrainingGrad';

/** Attributes of both kernels. */
export interface BatchNormTrainingAttrs {
  varianceEpsilon: number;
  [key: string]: number;
}

/** Checks the one layout the kernels take: float32, channels last, one value per channel. */
function channelsOf(kernel: string, x: tf.TensorInfo, perChannel: tf.TensorInfo[]): number {
  const channels = x.shape[x.shape.length - 1];
  const ok = x.dtype === 'float32' && x.shape.length >= 2 && perChannel.every((t) => t.dtype === 'float32' && t.shape.length === 1 && t.shape[0] === channels);
  if (!ok) {
    const shapes = [x, ...perChannel].map((t) => `${t.dtype} [${t.shape}]`).join(', ');
    throw new Error(`cnn-zoo wasm ${kernel}: needs float32 x [..., C] and float32 [C] per-channel inputs, got ${shapes}`);
  }
  return channels;
}

/**
 * The per-channel passes, each one XNNPACK call on the tensor seen as one column of pixels
 * [1, N, 1, C] (N values per channel): `affine` is a 1x1 depthwise convolution with a bias,
 * x * a[c] + b[c] (XNNPACK's channel-wise multiply-add, about 0.2 ns an element here, against
 * about 1 ns for a JavaScript loop over the heap and 4 ns for wasm's FusedBatchNorm), and the
 * reductions are average poolings (pooled-reductions.ts).
 */
class ChannelPasses {
  readonly count: number;

  constructor(
    private readonly k: KernelScope,
    readonly channels: number,
    size: number,
  ) {
    this.count = size / channels;
  }

  column(x: tf.TensorInfo): tf.TensorInfo {
    return this.k.reshape(x, [1, this.count, 1, this.channels]);
  }

  /** A [C] tensor of `values` (rounded to float32), shaped as `shape`. */
  private constants(values: ArrayLike<number>, shape: number[]): tf.TensorInfo {
    const out = this.k.allocate(shape, 'float32');
    (this.k.view(out) as Float32Array).set(values);
    return out;
  }

  /** x * scale[c] + shift[c] over a column. */
  affine(x: tf.TensorInfo, scale: ArrayLike<number>, shift: ArrayLike<number>): tf.TensorInfo {
    const filter = this.constants(scale, [1, 1, this.channels, 1]);
    const bias = this.constants(shift, [this.channels]);
    return this.k.run(
      'FusedDepthwiseConv2D',
      { x, filter, bias },
      { strides: [1, 1], pad: 'valid', dilations: [1, 1], dataFormat: 'NHWC', activation: 'linear' },
    );
  }

  /** x - mean[c] over a column. */
  centre(x: tf.TensorInfo, mean: Float32Array): tf.TensorInfo {
    return this.affine(x, new Float32Array(this.channels).fill(1), mean.map((m) => -m));
  }

  /** The per-channel sum or mean of a column, as float32 values. */
  reduce(kind: 'Sum' | 'Mean', x: tf.TensorInfo): Float32Array {
    const reduced = this.k.run(kind, { x }, { axis: [0, 1, 2], keepDims: false });
    return (this.k.view(reduced) as Float32Array).slice();
  }
}

/** A fresh [C] output of the wasm backend holding `values`. */
function channelOutput(backend: WasmBackendLike, values: ArrayLike<number>): tf.TensorInfo {
  const out = backend.makeOutput([values.length], 'float32');
  (backend.typedArrayFromHeap(out) as Float32Array).set(values);
  return out;
}

export const batchNormTrainingKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, scale, offset } = inputs as { x: tf.TensorInfo; scale: tf.TensorInfo; offset: tf.TensorInfo };
  const { varianceEpsilon } = attrs as unknown as BatchNormTrainingAttrs;
  const wasm = backend as WasmBackendLike;
  const channels = channelsOf(BATCH_NORM_TRAINING, x, [scale, offset]);
  const gamma = wasm.typedArrayFromHeap(scale).slice();
  const beta = wasm.typedArrayFromHeap(offset).slice();
  let mean: Float32Array = new Float32Array(channels);
  let variance: Float32Array = new Float32Array(channels);
  const y = withKernelScope(wasm, (k) => {
    const passes = new ChannelPasses(k, channels, tf.util.sizeFromShape(x.shape));
    const column = passes.column(x);
    mean = passes.reduce('Mean', column);
    // Two passes, not E[x^2] - E[x]^2, which cancels badly when the mean is large.
    const centred = passes.centre(column, mean);
    variance = passes.reduce('Mean', k.run('Square', { x: centred }));
    const factor = gamma.map((g, c) => g / Math.sqrt(variance[c] + varianceEpsilon));
    return k.reshape(passes.affine(centred, factor, beta), x.shape);
  });
  return [y, channelOutput(wasm, mean), channelOutput(wasm, variance)];
};

/**
 * With s = 1 / sqrt(variance + epsilon), N values per channel and sums over them:
 *   dscale = s * sum(dy * (x - mean)),  doffset = sum(dy),
 *   dx = scale * s * (dy - sum(dy) / N - (x - mean) * s^2 * sum(dy * (x - mean)) / N)
 *        + dmean / N + dvariance * 2 (x - mean) / N,
 * the last two from whatever the mean and variance outputs fed (zeros when nothing).
 */
export const batchNormTrainingGradKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, x, mean, variance, scale, dmean, dvariance } = inputs as Record<string, tf.TensorInfo>;
  const { varianceEpsilon } = attrs as unknown as BatchNormTrainingAttrs;
  const wasm = backend as WasmBackendLike;
  const channels = channelsOf(BATCH_NORM_TRAINING_GRAD, x, [mean, variance, scale, dmean, dvariance]);
  if (!tf.util.arraysEqual(dy.shape, x.shape)) throw new Error(`cnn-zoo wasm ${BATCH_NORM_TRAINING_GRAD}: dy [${dy.shape}] and x [${x.shape}] differ`);
  const [means, variances, gamma, dmeans, dvariances] = [mean, variance, scale, dmean, dvariance].map((t) => wasm.typedArrayFromHeap(t).slice());
  const dscale = new Float64Array(channels);
  let doffset: Float32Array = new Float32Array(channels);
  const dx = withKernelScope(wasm, (k) => {
    const passes = new ChannelPasses(k, channels, tf.util.sizeFromShape(x.shape));
    const dyColumn = passes.column(dy);
    // x - mean again rather than saved by the forward pass, which would keep one more
    // activation-sized tensor per layer for the whole step (the heap stops at 4 GiB).
    const centred = passes.centre(passes.column(x), means as Float32Array);
    const sumDy = passes.reduce('Sum', dyColumn);
    const sumDyCentred = passes.reduce('Sum', k.run('Multiply', { a: dyColumn, b: centred }));
    // dx = perDy * dy - (perCentred * (x - mean) + constant), per channel.
    const perDy = new Float64Array(channels);
    const perCentred = new Float64Array(channels);
    const constant = new Float64Array(channels);
    for (let c = 0; c < channels; c++) {
      const s = 1 / Math.sqrt(variances[c] + varianceEpsilon);
      dscale[c] = s * sumDyCentred[c];
      perDy[c] = gamma[c] * s;
      perCentred[c] = (perDy[c] * s * s * sumDyCentred[c] - 2 * dvariances[c]) / passes.count;
      constant[c] = (perDy[c] * sumDy[c] - dmeans[c]) / passes.count;
    }
    doffset = sumDy;
    const scaledDy = passes.affine(dyColumn, perDy, new Float32Array(channels));
    const rest = passes.affine(centred, perCentred, constant);
    return k.reshape(k.run('Sub', { a: scaledDy, b: rest }), x.shape);
  });
  return [dx, channelOutput(wasm, dscale), channelOutput(wasm, doffset)];
};

/**
 * The gradient of {@link BATCH_NORM_TRAINING}, backend-independent as TF.js gradients are; only
 * the wasm backend has the kernels, and only cnn-zoo's BatchNormalization layer calls them there.
 */
export const batchNormTrainingGradient: tf.GradConfig = {
  kernelName: BATCH_NORM_TRAINING,
  inputsToSave: ['x', 'scale'],
  outputsToSave: [false, true, true],
  gradFunc: (dys, saved, attrs) => {
    const [dy, dmean, dvariance] = dys as tf.Tensor[];
    const [x, scale, mean, variance] = saved;
    // One kernel computes all three gradients; the tape asks for them one by one.
    const [dx, dscale, doffset] = tf.engine().runKernel(
      BATCH_NORM_TRAINING_GRAD,
      { dy, x, mean, variance, scale, dmean, dvariance },
      attrs as tf.NamedAttrMap,
    ) as tf.Tensor[];
    return { x: () => dx, scale: () => dscale, offset: () => doffset };
  },
};
