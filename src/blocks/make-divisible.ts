/**
 * Channel rounding for width multipliers: the one place the zoo rounds a channel count to a
 * multiple of a divisor (MobileNet V2 and its descendants; MobileNet V1 in Keras does not use it).
 */

/**
 * Rounds `value` to the nearest multiple of `divisor`, never below `minValue` (default `divisor`)
 * and never more than 10% below `value`: Keras Applications' and torchvision's `_make_divisible`.
 * The 8-channel granularity suits vector hardware; the 10% floor keeps a thin layer from losing
 * too much width (11 channels would round to 8, 27% off, so it becomes 16).
 *
 * @category Shared blocks
 */
export function makeDivisible(value: number, divisor: number, minValue: number = divisor): number {
  // Python's int() truncates; for the positive values here that is Math.floor.
  let rounded = Math.max(minValue, Math.floor(Math.floor(value + divisor / 2) / divisor) * divisor);
  if (rounded < 0.9 * value) rounded += divisor;
  return rounded;
}
