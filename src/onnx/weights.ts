/**
 * Weights from TF.js's layouts to ONNX's, and the folds done at export time: BatchNormalization into
 * the convolution before it, and a Dense kernel's rows into the order of a channels-first flatten.
 * Plain loops over Float32Arrays; sums that fold two weights are taken in float64.
 */

/** TF.js's conv kernel `[kH, kW, I, O]` as ONNX's `[O, I, kH, kW]`. */
export function convKernel(kernel: Float32Array, [kh, kw, inputs, outputs]: number[]): Float32Array {
  const out = new Float32Array(kernel.length);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let i = 0; i < inputs; i++) {
        const from = ((y * kw + x) * inputs + i) * outputs;
        for (let o = 0; o < outputs; o++) out[((o * inputs + i) * kh + y) * kw + x] = kernel[from + o];
      }
    }
  }
  return out;
}

/**
 * TF.js's depthwise kernel `[kH, kW, C, M]` as a grouped convolution's `[C·M, 1, kH, kW]` (group C):
 * output channel c·M + m filters input channel c, in both.
 */
export function depthwiseKernel(kernel: Float32Array, [kh, kw, channels, multiplier]: number[]): Float32Array {
  const out = new Float32Array(kernel.length);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let c = 0; c < channels; c++) {
        for (let m = 0; m < multiplier; m++) out[((c * multiplier + m) * kh + y) * kw + x] = kernel[((y * kw + x) * channels + c) * multiplier + m];
      }
    }
  }
  return out;
}

/**
 * For a Dense layer reading the flatten of an `[H, W, C]` map: input position j of the flatten of
 * the NCHW map (c, h, w order) holds TF.js's flatten position `order[j]` (h, w, c order).
 */
export function chwToHwcOrder([h, w, c]: readonly number[]): Int32Array {
  const order = new Int32Array(h * w * c);
  for (let ch = 0; ch < c; ch++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) order[(ch * h + y) * w + x] = (y * w + x) * c + ch;
    }
  }
  return order;
}

/**
 * TF.js's Dense kernel `[I, O]`, as Gemm takes it with transB = 0 (ORT packs B once, whichever way it
 * lies); with `rowOrder`, input j of the ONNX layer takes TF.js's kernel row `rowOrder[j]`. Permuting
 * the rows here costs nothing at run time, where a transpose of the activations would.
 */
export function denseKernel(kernel: Float32Array, [inputs, outputs]: number[], rowOrder?: Int32Array): Float32Array {
  if (!rowOrder) return kernel;
  const out = new Float32Array(kernel.length);
  for (let j = 0; j < inputs; j++) {
    const from = rowOrder[j] * outputs;
    out.set(kernel.subarray(from, from + outputs), j * outputs);
  }
  return out;
}

/** A `[rows, columns]` matrix transposed, in cache-sized tiles. */
export function transpose2d(matrix: Float32Array, rows: number, columns: number): Float32Array {
  const out = new Float32Array(matrix.length);
  const tile = 64;
  for (let r0 = 0; r0 < rows; r0 += tile) {
    for (let c0 = 0; c0 < columns; c0 += tile) {
      for (let r = r0; r < Math.min(r0 + tile, rows); r++) {
        for (let c = c0; c < Math.min(c0 + tile, columns); c++) out[c * rows + r] = matrix[r * columns + c];
      }
    }
  }
  return out;
}

/** BatchNormalization's inference parameters: y = (x - mean) / sqrt(variance + epsilon) · gamma + beta. */
export interface BatchNormParams {
  gamma?: Float32Array;
  beta?: Float32Array;
  mean: Float32Array;
  variance: Float32Array;
  epsilon: number;
}

/** Per channel: the scale and shift that BatchNormalization reduces to at inference. */
export function batchNormAffine({ gamma, beta, mean, variance, epsilon }: BatchNormParams): { scale: Float64Array; shift: Float64Array } {
  const channels = mean.length;
  const scale = new Float64Array(channels);
  const shift = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    scale[c] = (gamma ? gamma[c] : 1) / Math.sqrt(variance[c] + epsilon);
    shift[c] = (beta ? beta[c] : 0) - mean[c] * scale[c];
  }
  return { scale, shift };
}

/**
 * Folds BatchNormalization into the op before it: the weights of each output channel times its
 * scale, the bias times the scale plus the shift. The output channel is the weight's first axis
 * (Conv's `[O, I, kH, kW]`) or, with `outputsLast`, its last (Gemm's `[I, O]`). Returns new arrays.
 */
export function foldBatchNorm(weight: Float32Array, bias: Float32Array | undefined, bn: BatchNormParams, outputsLast = false): { weight: Float32Array; bias: Float32Array } {
  const { scale, shift } = batchNormAffine(bn);
  const channels = scale.length;
  const perChannel = weight.length / channels;
  const folded = new Float32Array(weight.length);
  for (let k = 0; k < weight.length; k++) folded[k] = weight[k] * scale[outputsLast ? k % channels : Math.floor(k / perChannel)];
  const foldedBias = new Float32Array(channels);
  for (let o = 0; o < channels; o++) foldedBias[o] = (bias ? bias[o] : 0) * scale[o] + shift[o];
  return { weight: folded, bias: foldedBias };
}
