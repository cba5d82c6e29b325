/**
 * The arithmetic that turns a convolution's gradients into forward convolutions, one spatial axis
 * at a time.
 *
 * Forward, along one axis: y[o] = sum_k x[o*s + k*d - p] * w[k], for o < O, where s is the stride,
 * d the dilation, p the padding before (TF's 'same' puts floor(total / 2) before) and K the taps.
 *
 * Input gradient: dx[i] = sum over (o, k) with o*s + k*d - p = i of dy[o] * w[k]. Spread dy by the
 * stride (s - 1 zeros after each value, so that z[o*s] = dy[o]) and flip the kernel; then
 * dx[i] = sum_k' zpad[i + k'*d] * w[K-1-k'], a stride-1 correlation with dilation d of z padded
 * by (K-1)*d - p before, and by enough after that exactly I outputs come out.
 *
 * Filter gradient: dw[k] = sum_o x[k*d + o*s - p] * dy[o], a correlation of x with dy in which the
 * roles swap: dy is the kernel (O taps, dilated by the forward stride s) and the forward dilation d
 * is the stride; x is padded by p before and by whatever the last tap needs after. Rows of x that
 * the forward convolution never reached (odd sizes with 'valid' or stride 2) add nothing; if the
 * padding leaves room for more than K outputs, the extra ones are cut off.
 */
import { tf } from '../../tf.js';

/** One spatial axis of a forward convolution. */
export interface ConvAxis {
  /** Input size (unpadded). */
  inSize: number;
  /** Output size. */
  outSize: number;
  /** Taps of the kernel (not dilated). */
  kernel: number;
  stride: number;
  dilation: number;
  /** Padding before the first input row (top or left). */
  padBefore: number;
}

/** The height and width axes of a forward convolution, as TF.js computes it. */
export function convAxes(info: tf.backend_util.Conv2DInfo): [ConvAxis, ConvAxis] {
  return [
    {
      inSize: info.inHeight,
      outSize: info.outHeight,
      kernel: info.filterHeight,
      stride: info.strideHeight,
      dilation: info.dilationHeight,
      padBefore: info.padInfo.top,
    },
    {
      inSize: info.inWidth,
      outSize: info.outWidth,
      kernel: info.filterWidth,
      stride: info.strideWidth,
      dilation: info.dilationWidth,
      padBefore: info.padInfo.left,
    },
  ];
}

/** The extent of the dilated kernel: d(K - 1) + 1. */
export function effectiveKernel(axis: ConvAxis): number {
  return axis.dilation * (axis.kernel - 1) + 1;
}

/**
 * How to pad dy, already spread to `outSize * stride` (s - 1 zeros after each value), so that a
 * stride-1 correlation with dilation d gives the input gradient, exactly `inSize` long. A negative
 * amount means: cut that many off instead (possible only with explicit paddings wider than the
 * kernel).
 */
export function inputGradientPadding(axis: ConvAxis): [number, number] {
  const before = effectiveKernel(axis) - 1 - axis.padBefore;
  // before + spread length + after = inSize + effectiveKernel - 1, the padded length that a
  // stride-1 correlation needs for inSize outputs.
  const after = axis.inSize + axis.padBefore - axis.outSize * axis.stride;
  return [before, after];
}

/** One output phase of a strided convolution's input gradient along one axis (see {@link inputGradientPhases}). */
export interface AxisPhase {
  /** Forward taps that reach this phase, in the order of the flipped sub-kernel. */
  taps: number[];
  /** Padding of dy before and after for a stride-1 correlation; negative means cut. */
  pad: [number, number];
}

/** The input gradient along one axis as `stride` stride-1 correlations of dy, interleaved. */
export interface AxisPhases {
  /** One entry per phase 0 .. stride-1. */
  phases: AxisPhase[];
  /** Outputs each phase computes; the interleaved length is count * stride. */
  count: number;
  /** Where dx starts in the interleaved result. */
  offset: number;
}

/**
 * The input gradient without spreading dy (polyphase): with padded position t = i + p written as
 * t = q*s + phase, only the taps k = phase + s*j reach t, and
 *   dx[q*s + phase - p] = sum_j dy[q - j] * w[phase + s*j],
 * a stride-1 correlation of dy with a sub-kernel of every s-th tap, flipped. The s phases together
 * do exactly the forward convolution's multiplications, where spreading dy does s times as many
 * per axis (the inserted zeros). With stride 1 there is one phase, the whole kernel (dilated).
 * A strided and dilated convolution (which TF.js's gradients reject) needs the spreading instead.
 */
export function inputGradientPhases(axis: ConvAxis): AxisPhases {
  const { stride, dilation, kernel, padBefore, inSize, outSize } = axis;
  if (stride > 1 && dilation > 1) throw new Error('cnn-zoo wasm gradients: polyphase needs stride 1 or dilation 1');
  const first = Math.floor(padBefore / stride);
  const count = Math.floor((padBefore + inSize - 1) / stride) - first + 1;
  const phases: AxisPhase[] = [];
  for (let phase = 0; phase < stride; phase++) {
    const taps: number[] = [];
    for (let k = phase; k < kernel; k += stride) taps.unshift(k);
    // The correlation reads dy from first - (J-1)*d up to first + count - 1.
    const reach = (taps.length - 1) * dilation;
    phases.push({ taps, pad: [reach - first, first + count - outSize] });
  }
  return { phases, count, offset: padBefore - first * stride };
}

/**
 * How to pad x so that correlating it with dy (O taps dilated by the stride s, moving by the
 * dilation d) gives at least `kernel` outputs; `outputs` is how many it gives, to cut to `kernel`.
 */
export function filterGradientPadding(axis: ConvAxis): { pad: [number, number]; outputs: number } {
  const span = (axis.outSize - 1) * axis.stride + 1;
  const needed = (axis.kernel - 1) * axis.dilation + span;
  const after = Math.max(0, needed - axis.inSize - axis.padBefore);
  const outputs = Math.floor((axis.inSize + axis.padBefore + after - span) / axis.dilation) + 1;
  return { pad: [axis.padBefore, after], outputs };
}
