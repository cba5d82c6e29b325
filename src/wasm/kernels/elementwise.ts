/**
 * Element-wise kernels on wasm that a training step runs on every activation: Identity, the
 * float32 comparisons and LogicalAnd, as plain loops over the wasm heap.
 *
 * Why: MobileNet V2's ReLU6 is tfjs-layers' ReLU layer with maxValue 6, i.e. relu then
 * clipByValue(0, 6); clipByValue's gradient is
 * `select(logicalAnd(greaterEqual(x, 0), lessEqual(x, 6)), dy, zeros)`, four kernels over the
 * full activation for each of its 35 ReLU6 layers. The wasm backend runs comparisons and logical
 * ops through its generic broadcasting loop, which computes every element's index in both
 * operands: 8-12 ns an element here, 59 ms for one GreaterEqual of a 4x112x112x96 activation
 * against a scalar, and about 390 ms of a 2.2 s MobileNet V2 step at batch 4 for the four kernels.
 * A JavaScript loop over the heap with the scalar held in a local does the same in a few ms.
 * (On wasm that gradient now runs as one loop of its own, activation-gradients.ts; these kernels
 * still serve it where the wrapper hands back to TF.js's chain, under an outer gradient tape, and
 * any other comparison a model makes.)
 *
 * Identity: TF.js's engine clones (Identity) every tensor it saves for the backward pass while it
 * records a gradient tape, and the wasm backend's Identity copies the whole buffer: 1618 copies
 * and 80-190 ms per MobileNet V2 step. The cpu and webgl backends' Identity shares the input's
 * buffer under a reference count, as the wasm backend's own Reshape does; this Identity does the
 * same. Tensors are immutable in TF.js (a Variable's assign swaps in another buffer, never writes
 * into one), so sharing is safe.
 *
 * Numerics are unchanged: comparisons of float32 values (read as doubles, exactly) give the same
 * booleans as C++'s float comparisons, NaN included (every comparison with NaN is false), and
 * Identity returns the very same values. Cases these loops do not cover (other dtypes,
 * broadcasting other than same-size or scalar operands) go to the wasm backend's kernels.
 */
import { tf } from '../../tf.js';
import type { WasmBackendLike } from './kernel-scope.js';

type Comparison = 'Greater' | 'GreaterEqual' | 'Less' | 'LessEqual';

/** `out[i] = a[i] OP b[i]`, one loop per operator so that V8 compiles each comparison inline. */
const elementLoops: Record<Comparison, (a: Float32Array, b: Float32Array, out: Uint8Array) => void> = {
  Greater: (a, b, out) => {
    for (let i = 0; i < out.length; i++) out[i] = a[i] > b[i] ? 1 : 0;
  },
  GreaterEqual: (a, b, out) => {
    for (let i = 0; i < out.length; i++) out[i] = a[i] >= b[i] ? 1 : 0;
  },
  Less: (a, b, out) => {
    for (let i = 0; i < out.length; i++) out[i] = a[i] < b[i] ? 1 : 0;
  },
  LessEqual: (a, b, out) => {
    for (let i = 0; i < out.length; i++) out[i] = a[i] <= b[i] ? 1 : 0;
  },
};

/** `out[i] = a[i] OP s` for a scalar `s`. */
const scalarLoops: Record<Comparison, (a: Float32Array, s: number, out: Uint8Array) => void> = {
  Greater: (a, s, out) => {
    for (let i = 0; i < out.length; i++) out[i] = a[i] > s ? 1 : 0;
  },
  GreaterEqual: (a, s, out) => {
    for (let i = 0; i < out.length; i++) out[i] = a[i] >= s ? 1 : 0;
  },
  Less: (a, s, out) => {
    for (let i = 0; i < out.length; i++) out[i] = a[i] < s ? 1 : 0;
  },
  LessEqual: (a, s, out) => {
    for (let i = 0; i < out.length; i++) out[i] = a[i] <= s ? 1 : 0;
  },
};

/** `s OP b[i]` is `b[i] MIRROR s`: a scalar on the left swaps the comparison's direction. */
const mirrored: Record<Comparison, Comparison> = { Greater: 'Less', GreaterEqual: 'LessEqual', Less: 'Greater', LessEqual: 'GreaterEqual' };

/**
 * How two operands of a binary kernel line up: element by element (both have every element of
 * the output, in the same order), one of them a single value, or a broadcast these loops leave
 * to the wasm backend.
 */
function alignment(a: tf.TensorInfo, b: tf.TensorInfo): { shape: number[]; kind: 'elements' | 'scalarA' | 'scalarB' | 'other' } {
  const shape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
  const size = tf.util.sizeFromShape(shape);
  const aSize = tf.util.sizeFromShape(a.shape);
  const bSize = tf.util.sizeFromShape(b.shape);
  // Equal sizes and equal to the output's: the shapes differ at most by axes of size 1, so the
  // row-major orders agree.
  if (aSize === size && bSize === size) return { shape, kind: 'elements' };
  if (bSize === 1 && aSize === size) return { shape, kind: 'scalarB' };
  if (aSize === 1 && bSize === size) return { shape, kind: 'scalarA' };
  return { shape, kind: 'other' };
}

/** A float32 comparison kernel for wasm, handing other cases to `fallback`. */
export function makeComparisonKernel(op: Comparison, fallback: tf.KernelFunc | undefined): tf.KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const backend = args.backend as WasmBackendLike;
    const { shape, kind } = alignment(a, b);
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || kind === 'other') {
      if (!fallback) throw new Error(`cnn-zoo wasm ${op}: no wasm kernel for ${a.dtype} [${a.shape}] and ${b.dtype} [${b.shape}]`);
      return fallback(args);
    }
    const out = backend.makeOutput(shape, 'bool');
    if (tf.util.sizeFromShape(shape) === 0) return out;
    // Views taken after makeOutput: allocating can grow the heap and detach older views.
    const aValues = backend.typedArrayFromHeap(a) as Float32Array;
    const bValues = backend.typedArrayFromHeap(b) as Float32Array;
    const outValues = backend.typedArrayFromHeap(out) as Uint8Array;
    if (kind === 'elements') elementLoops[op](aValues, bValues, outValues);
    else if (kind === 'scalarB') scalarLoops[op](aValues, bValues[0], outValues);
    else scalarLoops[mirrored[op]](bValues, aValues[0], outValues);
    return out;
  };
}

/**
 * `out[i] = a[i] AND b[i]` for bools stored one per byte as 0 or 1: four at a time as 32-bit words
 * where all three buffers are word-aligned (the wasm heap's allocations are), since AND of 0/1
 * bytes is their bitwise AND; the remaining bytes one by one.
 */
function andBytes(a: Uint8Array, b: Uint8Array, out: Uint8Array): void {
  let done = 0;
  if (a.byteOffset % 4 === 0 && b.byteOffset % 4 === 0 && out.byteOffset % 4 === 0) {
    const words = out.length >> 2;
    const a32 = new Uint32Array(a.buffer, a.byteOffset, words);
    const b32 = new Uint32Array(b.buffer, b.byteOffset, words);
    const out32 = new Uint32Array(out.buffer, out.byteOffset, words);
    for (let i = 0; i < words; i++) out32[i] = a32[i] & b32[i];
    done = words * 4;
  }
  for (let i = done; i < out.length; i++) out[i] = a[i] && b[i] ? 1 : 0;
}

/** LogicalAnd of two bool tensors for wasm, handing other cases to `fallback`. */
export function makeLogicalAndKernel(fallback: tf.KernelFunc | undefined): tf.KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const backend = args.backend as WasmBackendLike;
    const { shape, kind } = alignment(a, b);
    if (a.dtype !== 'bool' || b.dtype !== 'bool' || kind === 'other') {
      if (!fallback) throw new Error(`cnn-zoo wasm LogicalAnd: no wasm kernel for ${a.dtype} [${a.shape}] and ${b.dtype} [${b.shape}]`);
      return fallback(args);
    }
    const out = backend.makeOutput(shape, 'bool');
    if (tf.util.sizeFromShape(shape) === 0) return out;
    const aValues = backend.typedArrayFromHeap(a) as Uint8Array;
    const bValues = backend.typedArrayFromHeap(b) as Uint8Array;
    const outValues = backend.typedArrayFromHeap(out) as Uint8Array;
    if (kind === 'elements') {
      andBytes(aValues, bValues, outValues);
    } else {
      // One operand is a single bool: the result is the other operand, or all false.
      const [single, full] = kind === 'scalarB' ? [bValues[0], aValues] : [aValues[0], bValues];
      if (single) for (let i = 0; i < outValues.length; i++) outValues[i] = full[i] ? 1 : 0;
      else outValues.fill(0);
    }
    return out;
  };
}

/** Identity for wasm sharing the input's buffer (strings go to `fallback`). */
export function makeIdentityKernel(fallback: tf.KernelFunc | undefined): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype === 'string') {
      if (!fallback) throw new Error('cnn-zoo wasm Identity: string tensors need the wasm backend Identity kernel');
      return fallback(args);
    }
    (args.backend as WasmBackendLike).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}
