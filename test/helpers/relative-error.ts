import { expect } from 'vitest';

/**
 * max |a - b| / max |b|: the error relative to the reference's scale, the measure every parity test
 * uses (a scale under 1e-6 counts as 1e-6, so an all-zero reference asks for an absolute error).
 * Expects equal lengths.
 */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return diff / Math.max(1e-6, scale);
}
