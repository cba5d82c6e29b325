/**
 * Convolution and pooling arithmetic: one implementation shared by config validation, the shape
 * plans, the FLOP counter and the summary.
 *
 * For an input of size n, kernel k, stride s, dilation d and padding p on each side:
 *   out = floor((n + 2p - d(k - 1) - 1) / s) + 1
 * TF.js's string paddings are special cases: 'valid' is p = 0; 'same' gives ceil(n / s) and pads
 * max((out - 1)s + d(k - 1) + 1 - n, 0) in total, the odd one at the end (bottom/right). PyTorch
 * always pads symmetrically, which is why torchvision-faithful models use explicit zero padding
 * wherever 'same' would pad a strided layer asymmetrically.
 */

/**
 * How a layer pads along one axis: TF's string paddings (`'same'`, `'valid'`), a number of zeros
 * on each side (PyTorch's `padding=p`), or `[before, after]`.
 *
 * @category Conv arithmetic
 */
export type Padding = 'same' | 'valid' | number | readonly [number, number];

/**
 * One spatial axis of a convolution or pooling layer, as the conv arithmetic functions take it.
 *
 * @category Conv arithmetic
 */
export interface ConvArithmeticArgs {
  /** Input size along one spatial axis. */
  size: number;
  /** Kernel (or pooling window) size along that axis. */
  kernel: number;
  /** Stride. Default 1. */
  stride?: number;
  /** Padding. Default `'valid'` (none). */
  padding?: Padding;
  /** Dilation: the kernel's taps are this many pixels apart. Default 1. */
  dilation?: number;
}

/**
 * The kernel's extent once dilated: d(k - 1) + 1.
 *
 * @param kernel - Kernel size k.
 * @param dilation - Dilation d. Default 1.
 *
 * @category Conv arithmetic
 */
export function effectiveKernel(kernel: number, dilation = 1): number {
  return dilation * (kernel - 1) + 1;
}

/**
 * `[before, after]` padding as TF.js applies it for `padding` (explicit paddings are returned as
 * given). TF's `'same'` puts the odd pixel after (bottom/right), where PyTorch pads symmetrically.
 *
 * @category Conv arithmetic
 */
export function paddingAmounts({ size, kernel, stride = 1, padding = 'valid', dilation = 1 }: ConvArithmeticArgs): [number, number] {
  if (padding === 'valid') return [0, 0];
  if (typeof padding === 'number') return [padding, padding];
  if (padding === 'same') {
    const out = Math.ceil(size / stride);
    const total = Math.max((out - 1) * stride + effectiveKernel(kernel, dilation) - size, 0);
    return [Math.floor(total / 2), total - Math.floor(total / 2)];
  }
  return [padding[0], padding[1]];
}

/**
 * Output size of a convolution or pooling along one axis (floor mode, as TF.js computes it):
 * floor((n + before + after - d(k - 1) - 1) / s) + 1, or ceil(n / s) for `'same'`.
 *
 * @category Conv arithmetic
 */
export function convOutputSize(args: ConvArithmeticArgs): number {
  const { size, kernel, stride = 1, padding = 'valid', dilation = 1 } = args;
  if (padding === 'same') return Math.ceil(size / stride);
  const [before, after] = paddingAmounts(args);
  return Math.floor((size + before + after - effectiveKernel(kernel, dilation)) / stride) + 1;
}

/**
 * Output size of a pooling layer along one axis. With `ceilMode` (PyTorch's `ceil_mode=True`,
 * default false) the division rounds up, but a last window that would start in the right padding
 * is dropped, as PyTorch does.
 *
 * @category Conv arithmetic
 */
export function poolOutputSize(args: ConvArithmeticArgs & { ceilMode?: boolean }): number {
  if (!args.ceilMode || args.padding === 'same') return convOutputSize(args);
  const { size, kernel, stride = 1, dilation = 1 } = args;
  const [before, after] = paddingAmounts(args);
  let out = Math.ceil((size + before + after - effectiveKernel(kernel, dilation)) / stride) + 1;
  if ((out - 1) * stride >= size + before) out -= 1;
  return out;
}

/**
 * Output size of a transposed convolution along one axis, k' the dilated kernel: 'same' gives
 * n·s; 'valid' gives n·s + max(k' - s, 0) as TF.js computes it; an explicit padding p gives
 * (n - 1)s - 2p + k' + outputPadding (PyTorch's `ConvTranspose2d`; `outputPadding` default 0).
 *
 * @category Conv arithmetic
 */
export function convTransposeOutputSize(args: ConvArithmeticArgs & { outputPadding?: number }): number {
  const { size, kernel, stride = 1, padding = 'valid', dilation = 1, outputPadding = 0 } = args;
  const extent = effectiveKernel(kernel, dilation);
  if (padding === 'same') return size * stride;
  if (padding === 'valid') return size * stride + Math.max(extent - stride, 0);
  const [before, after] = paddingAmounts(args);
  return (size - 1) * stride - before - after + extent + outputPadding;
}

/** The arithmetic behind {@link convOutputSize}, written out for error messages. */
export function explainConvOutputSize(args: ConvArithmeticArgs): string {
  const { size, kernel, stride = 1, padding = 'valid', dilation = 1 } = args;
  const out = convOutputSize(args);
  if (padding === 'same') return `ceil(${size} / ${stride}) = ${out}`;
  const [before, after] = paddingAmounts(args);
  return `floor((${size} + ${before + after} - ${effectiveKernel(kernel, dilation)}) / ${stride}) + 1 = ${out}`;
}
