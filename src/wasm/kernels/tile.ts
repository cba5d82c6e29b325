/**
 * Tile on wasm as block copies in the wasm heap. TF.js's BatchNormalization gradient tiles
 * 1/sqrt(variance) from [1, 1, 1, C] to the full [N, H, W, C] activation for every BN layer, and
 * the wasm backend's Tile goes element by element: 650 ms of a 4.7 s ResNet-34 training step at
 * batch 4 here, more than any kernel but the convolutions. Here the innermost untiled axes are
 * copied as one block and every tiled axis is filled by doubling (copyWithin), as the wasm
 * backend's own Concat copies with TypedArray.set.
 */
import { tf } from '../../tf.js';
import type { WasmBackendLike } from './kernel-scope.js';

/** Beyond this many separate innermost blocks, the per-block JS overhead loses to the C++ loop. */
const MAX_BLOCKS = 1 << 16;

/** A Tile kernel for wasm that hands the cases it does not speed up to `fallback`. */
export function makeTileKernel(fallback: tf.KernelFunc | undefined): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { reps } = args.attrs as unknown as tf.TileAttrs;
    const backend = args.backend as WasmBackendLike;
    const rank = x.shape.length;
    // The innermost axes that are not tiled form one contiguous block of the input and the output.
    let inner = rank;
    while (inner > 0 && reps[inner - 1] === 1) inner--;
    const blocks = tf.util.sizeFromShape(x.shape.slice(0, inner));
    if (fallback && (x.dtype === 'string' || blocks > MAX_BLOCKS)) return fallback(args);
    if (x.dtype === 'string') throw new Error('cnn-zoo wasm Tile: string tensors need the wasm backend Tile kernel');

    const outShape = x.shape.map((size, axis) => size * reps[axis]);
    const out = backend.makeOutput(outShape, x.dtype);
    if (tf.util.sizeFromShape(outShape) === 0) return out;
    // Views taken after makeOutput: allocating can grow the heap and detach older views.
    const from = backend.typedArrayFromHeap(x);
    const to = backend.typedArrayFromHeap(out);
    const blockSize = tf.util.sizeFromShape(x.shape.slice(inner));
    const inStrides = x.shape.map((_, axis) => tf.util.sizeFromShape(x.shape.slice(axis + 1)));
    const outStrides = outShape.map((_, axis) => tf.util.sizeFromShape(outShape.slice(axis + 1)));

    const fill = (axis: number, fromOffset: number, toOffset: number): void => {
      if (axis === inner) {
        to.set(from.subarray(fromOffset, fromOffset + blockSize), toOffset);
        return;
      }
      // One copy of this axis's input rows, then that span doubled until it repeats reps[axis] times.
      for (let i = 0; i < x.shape[axis]; i++) fill(axis + 1, fromOffset + i * inStrides[axis], toOffset + i * outStrides[axis]);
      const span = x.shape[axis] * outStrides[axis];
      const total = span * reps[axis];
      for (let filled = span; filled < total; ) {
        const copy = Math.min(filled, total - filled);
        to.copyWithin(toOffset + filled, toOffset, toOffset + copy);
        filled += copy;
      }
    };
    fill(0, 0, 0);
    return out;
  };
}
