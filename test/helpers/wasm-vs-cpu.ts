/**
 * What the wasm tests compare: the same computation run from scratch on the wasm backend and on the
 * cpu backend (TF.js's pure-JS reference), with data moving between them as plain arrays.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { tf } from '../../src/tf.js';
import { relativeError } from './relative-error.js';

export { relativeError };

/** The relative error the float comparisons allow: float32 sums taken in a different order. */
export const TOLERANCE = 1e-4;

/** Deterministic values in [-1, 1) (a linear congruential generator), the same on every backend. */
export function values(count: number, seed: number): number[] {
  let state = seed >>> 0;
  return Array.from({ length: count }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  });
}

/**
 * Deterministic floats in [-2, 8) (both sides of ReLU6's thresholds 0 and 6) with `special`'s
 * values, in turn, at every seventh place (indices 3, 10, 17...).
 */
export function floatsWithSpecials(count: number, seed: number, special: readonly number[]): number[] {
  let state = seed >>> 0;
  return Array.from({ length: count }, (_, i) => {
    if (i % 7 === 3) return special[(i / 7) % special.length | 0];
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state / 2 ** 32) * 10 - 2;
  });
}

/** The number of elements of a tensor of `shape`. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}


/** One output tensor read back as plain data. */
export interface Result {
  shape: number[];
  dtype: string;
  values: number[];
}

/** Runs `compute` on `backend`, reads its tensors back as arrays and disposes them. */
export async function on(backend: string, compute: () => tf.Tensor[]): Promise<Result[]> {
  await tf.setBackend(backend);
  const tensors = compute();
  const results = tensors.map((t) => ({ shape: t.shape, dtype: t.dtype, values: Array.from(t.dataSync()) }));
  tf.dispose(tensors);
  return results;
}

/**
 * Runs `compute` on wasm and on cpu, expects the same number of outputs with the same shapes and
 * dtypes, and hands each pair of values to `expectValues` (with `output i` as the message).
 */
async function expectWasmAgreesWithCpu(
  compute: () => tf.Tensor[],
  expectValues: (wasm: number[], cpu: number[], message: string) => void,
): Promise<void> {
  const wasm = await on('wasm', compute);
  const cpu = await on('cpu', compute);
  expect(wasm.length).toBe(cpu.length);
  wasm.forEach((result, i) => {
    expect(result.shape, `output ${i}`).toEqual(cpu[i].shape);
    expect(result.dtype, `output ${i}`).toBe(cpu[i].dtype);
    expectValues(result.values, cpu[i].values, `output ${i}`);
  });
}

/**
 * Runs `compute` on wasm and on cpu and expects identical outputs: shape, dtype and values
 * (toEqual, so NaN must meet NaN and -0 must meet -0).
 */
export async function expectWasmEqualsCpu(compute: () => tf.Tensor[]): Promise<void> {
  await expectWasmAgreesWithCpu(compute, (wasm, cpu, message) => expect(wasm, message).toEqual(cpu));
}

/**
 * Runs `compute` on wasm and on cpu and expects every output to agree: the same shape and dtype,
 * and values within TOLERANCE relative error.
 */
export async function expectWasmMatchesCpu(compute: () => tf.Tensor[]): Promise<void> {
  await expectWasmAgreesWithCpu(compute, (wasm, cpu, message) => expect(relativeError(wasm, cpu), message).toBeLessThan(TOLERANCE));
}

/**
 * Registers hooks that restore, after the file's tests, the backend that was current before them
 * (the tests switch between wasm and cpu). Call once at the top level of a test file.
 */
export function restoreBackendAfterAll(): void {
  let initialBackend = '';
  beforeAll(() => {
    initialBackend = tf.getBackend();
  });
  afterAll(async () => {
    await tf.setBackend(initialBackend);
  });
}
