/**
 * Keras Applications' `correct_pad`: the explicit zero padding its MobileNet V2 (and EfficientNet)
 * put before a stride-2 'valid' convolution, so that the padding is a layer of its own, named in
 * the weights' layer list.
 */

/**
 * `[[top, bottom], [left, right]]` for a kernel of `kernelSize` on a `[height, width]` map:
 * `k // 2` after, and `k // 2` before on an odd size but one less on an even size. For k = 3 that
 * is `((0, 1), (0, 1))` on even sizes and `((1, 1), (1, 1))` on odd ones, which is what TF's
 * 'same' pads at stride 2, so the output is `ceil(n / 2)`.
 *
 * @param kernelSize - The square kernel of the strided layer that follows.
 *
 * @category Shared blocks
 */
export function correctPad(
  [height, width]: readonly [number, number] | readonly number[],
  kernelSize: number,
): [[number, number], [number, number]] {
  const correct = Math.floor(kernelSize / 2);
  const side = (size: number): [number, number] => [correct - (1 - (size % 2)), correct];
  return [side(height), side(width)];
}
