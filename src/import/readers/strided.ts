/**
 * Strided views, as PyTorch describes a tensor in its storage: element `[i0, i1, ...]` is at
 * `offset + i0 * stride0 + i1 * stride1 + ...`. Several tensors may view one storage (a row of a
 * matrix, its transpose), and a view need not be contiguous.
 */

/** The number of elements of a shape (1 for a scalar's `[]`). */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((count, size) => count * size, 1);
}

/** How many storage elements, from the view's first, the view reaches over: 0 for an empty view. */
export function viewExtent(shape: readonly number[], strides: readonly number[]): number {
  if (shape.some((size) => size === 0)) return 0;
  return 1 + shape.reduce((last, size, axis) => last + (size - 1) * strides[axis], 0);
}

/** Whether the view's elements lie in row-major order, one after the other (axes of size 1 may have any stride). */
export function isContiguous(shape: readonly number[], strides: readonly number[]): boolean {
  let expected = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    if (shape[axis] !== 1 && strides[axis] !== expected) return false;
    expected *= shape[axis];
  }
  return true;
}

/** The view's elements in row-major order, from `source` whose element 0 is the view's first. */
export function gatherStrided(source: Float32Array, shape: readonly number[], strides: readonly number[]): Float32Array {
  const out = new Float32Array(elementCount(shape));
  if (out.length === 0) return out;
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  let position = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = source[position];
    // Advance the index like an odometer, the last axis fastest.
    for (let axis = rank - 1; axis >= 0; axis--) {
      index[axis]++;
      position += strides[axis];
      if (index[axis] < shape[axis]) break;
      position -= strides[axis] * shape[axis];
      index[axis] = 0;
    }
  }
  return out;
}
