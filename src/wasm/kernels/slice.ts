/**
 * Slice on wasm as block copies inside the wasm heap. The wasm backend's Slice first copies its
 * whole input out of the heap (readSync, a fresh ArrayBuffer each time) and then copies each
 * innermost row through a fresh subarray. ResNet's stem slices a 4x114x114x64 gradient at batch 4
 * (ZeroPadding2D's, before the max pool): 6.5 ms alone and 7-11 ms inside a training step here
 * (39 ms in an earlier profile on a loaded machine), against 0.4 ms and 1.2 ms this way. Here the
 * innermost axes that are taken whole merge with the next one into a single contiguous run, and
 * every run is one copyWithin from the input's place in the heap to the output's; an outer
 * odometer walks the rest.
 *
 * Bits are moved, not values: copyWithin copies bytes, and short runs go element by element
 * through integer views (a float32 read into a JavaScript number and written back may change a
 * NaN's payload). Strings (and any dtype other than float32, int32 and bool) go to the wasm
 * backend's kernel. Only lookups through the kernel registry see this kernel: the wasm backend's
 * own kernels that slice (Split, for one) call its Slice function directly.
 */
import { tf } from '../../tf.js';
import type { WasmBackendLike } from './kernel-scope.js';

/** Runs shorter than this go element by element: a copyWithin call costs more than a few copies. */
const SHORT_RUN = 16;

/** A Slice kernel for wasm that hands strings and other dtypes to `fallback`. */
export function makeSliceKernel(fallback: tf.KernelFunc | undefined): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { begin, size } = args.attrs as unknown as tf.SliceAttrs;
    if (x.dtype !== 'float32' && x.dtype !== 'int32' && x.dtype !== 'bool') {
      if (!fallback) throw new Error(`cnn-zoo wasm Slice: ${x.dtype} tensors need the wasm backend Slice kernel`);
      return fallback(args);
    }
    const backend = args.backend as WasmBackendLike;
    // Validates begin and size against x (a negative size other than -1 throws there) and turns
    // -1 into "to the end".
    const [start, extent] = tf.slice_util.parseSliceParams(x, begin, size);
    tf.slice_util.assertParamsValid(x, start, extent);
    const out = backend.makeOutput(extent, x.dtype);
    if (tf.util.sizeFromShape(extent) === 0) return out;
    copyRuns(backend.typedArrayFromHeap(x), x.shape, backend.typedArrayFromHeap(out), start, extent);
    return out;
  };
}

/**
 * out = from[start .. start + extent) along every axis of `shape`, both row-major. `from` and `to`
 * are views of the same wasm heap (taken after the output's allocation).
 */
function copyRuns(from: tf.TypedArray, shape: number[], to: tf.TypedArray, start: number[], extent: number[]): void {
  const rank = shape.length;
  // The run: the innermost axes taken whole, and the next one out, however much of it is taken.
  let axis = rank - 1;
  let run = 1;
  while (axis > 0 && extent[axis] === shape[axis]) run *= shape[axis--];
  const runAxis = axis;
  run *= rank === 0 ? 1 : extent[runAxis];
  const strides = shape.map((_, a) => tf.util.sizeFromShape(shape.slice(a + 1)));
  let source = 0;
  for (let a = 0; a < rank; a++) source += start[a] * strides[a];
  const runs = tf.util.sizeFromShape(extent.slice(0, Math.max(0, runAxis)));

  // One view over the whole heap, in elements of the dtype's width, so that each run is a
  // copyWithin between two offsets without a view object per run.
  const width = from.BYTES_PER_ELEMENT;
  const heap = width === 4 ? new Int32Array(from.buffer) : new Uint8Array(from.buffer);
  const fromBase = from.byteOffset / width;
  let target = to.byteOffset / width;
  const counter = new Array<number>(Math.max(0, runAxis)).fill(0);
  for (let r = 0; r < runs; r++) {
    const at = fromBase + source;
    if (run >= SHORT_RUN) heap.copyWithin(target, at, at + run);
    else for (let i = 0; i < run; i++) heap[target + i] = heap[at + i];
    target += run;
    // Next run: the odometer over the outer axes, innermost first.
    for (let a = runAxis - 1; a >= 0; a--) {
      source += strides[a];
      if (++counter[a] < extent[a]) break;
      counter[a] = 0;
      source -= extent[a] * strides[a];
    }
  }
}
