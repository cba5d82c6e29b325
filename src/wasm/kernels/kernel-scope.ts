/**
 * Running the wasm backend's own kernels from inside another wasm kernel.
 *
 * A kernel function receives and returns `TensorInfo`s (a data id, a shape, a dtype), not tensors:
 * it runs below the engine, so `tf.tidy` cannot see what it allocates. A {@link KernelScope} calls
 * the kernels that the wasm backend registered (XNNPACK convolutions, transposes, pads...) and
 * frees every intermediate it made once the result is known, or when a step throws, so that a
 * gradient kernel built from several of them leaks nothing (tf.memory() counts only the result).
 */
import { tf } from '../../tf.js';

type TensorInfo = tf.TensorInfo;

/** Kernel inputs by name, as the registry hands them over. */
export type KernelInputs = Record<string, TensorInfo>;

/** One explicit padding per NHWC axis, `[before, after]`, as TF.js's Conv2D accepts it. */
export type ExplicitPadding = [[number, number], [number, number], [number, number], [number, number]];

/** What a {@link KernelScope} needs of the wasm backend: its public kernel-facing methods. */
export interface WasmBackendLike extends tf.KernelBackend {
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): tf.TypedArray;
}

export class KernelScope {
  private readonly made: TensorInfo[] = [];

  constructor(readonly backend: WasmBackendLike) {}

  /** Runs the wasm backend's registered kernel `name`; its output is freed by {@link finish}. */
  run(name: string, inputs: KernelInputs, attrs: tf.NamedAttrMap = {}): TensorInfo {
    const kernel = tf.getKernel(name, 'wasm');
    if (!kernel) throw new Error(`cnn-zoo wasm gradients: kernel '${name}' is not registered for backend 'wasm'`);
    const out = kernel.kernelFunc({ inputs, backend: this.backend, attrs }) as TensorInfo;
    this.made.push(out);
    return out;
  }

  /**
   * Frees every intermediate except `result`, which becomes the calling kernel's output. A
   * Reshape output shares its input's buffer under a reference count, so freeing both the input
   * and a kept reshape of it is safe: the buffer lives on in the reshape.
   */
  finish(result: TensorInfo): TensorInfo {
    for (const info of this.made) if (info !== result) this.backend.disposeData(info.dataId);
    this.made.length = 0;
    return result;
  }

  /** Frees everything made so far (after a failure). */
  abandon(): void {
    for (const info of this.made) this.backend.disposeData(info.dataId);
    this.made.length = 0;
  }

  // The few kernels the gradients are built from, with their attributes spelled out.

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }

  /** Zero padding, `[before, after]` per axis. */
  pad(x: TensorInfo, paddings: Array<[number, number]>): TensorInfo {
    return this.run('PadV2', { x }, { paddings, constantValue: 0 });
  }

  slice(x: TensorInfo, begin: number[], size: number[]): TensorInfo {
    return this.run('Slice', { x }, { begin, size });
  }

  /** Takes `x`, made outside this scope's helpers, into the intermediates it frees. */
  adopt(x: TensorInfo): TensorInfo {
    this.made.push(x);
    return x;
  }

  /** A fresh output of the wasm backend, freed by {@link finish} unless it is the result. */
  allocate(shape: number[], dtype: tf.DataType): TensorInfo {
    const out = this.backend.makeOutput(shape, dtype);
    this.made.push(out);
    return out;
  }

  /**
   * The wasm heap under `x`, to read or write in place. Take views after the last allocation:
   * allocating can grow the heap, which detaches older views.
   */
  view(x: TensorInfo): tf.TypedArray {
    return this.backend.typedArrayFromHeap(x);
  }

  /**
   * A kernel [k_h, k_w, ...] cut down to the taps (rows[a], cols[b]) at (a, b): the kernel flipped
   * in space (taps listed backwards), or every s-th tap of it; a tap -1 is zeros. Each tap is one
   * contiguous block, so this is one block copy per tap in the wasm heap, as the wasm backend's own
   * Concat copies; its Reverse kernel goes element by element and took 50 ms to flip a
   * 3x3x512x512 kernel here, longer than the convolution it feeds.
   *
   * With `swapChannels` the kernel is [k_h, k_w, a, b] and each tap comes out transposed, [b, a]
   * (a Conv2D filter's in and out channels swapped for its input gradient), in the same single pass
   * over the heap. For a 3x3x512x512 filter the wasm backend's Transpose took 13 ms here and this
   * pass 3.8 ms; the input gradient of a 4x7x7x512 activation went from 47 to 41 ms.
   */
  gatherTaps(x: TensorInfo, rows: number[], cols: number[], swapChannels = false): TensorInfo {
    const [, kw, ...rest] = x.shape;
    if (swapChannels && rest.length !== 2) throw new Error(`cnn-zoo wasm gradients: swapping channels needs a 4-D kernel, got [${x.shape}]`);
    const block = tf.util.sizeFromShape(rest);
    const out = this.allocate([rows.length, cols.length, ...(swapChannels ? [rest[1], rest[0]] : rest)], x.dtype);
    // A transpose with an axis of size 1 moves nothing: block copies do.
    const transposed = swapChannels && rest[0] > 1 && rest[1] > 1;
    const from = bitView(this.view(x));
    const to = bitView(this.view(out));
    let at = 0;
    for (const row of rows) {
      for (const col of cols) {
        const tap = (row * kw + col) * block;
        if (row < 0 || col < 0) to.fill(0, at, at + block);
        else if (transposed) transposeBlock(from, tap, to, at, rest[0], rest[1]);
        else to.set(from.subarray(tap, tap + block), at);
        at += block;
      }
    }
    return out;
  }

  /**
   * Item `index` of a batch, [1, ...rest], as one block copy in the wasm heap, without going
   * through a kernel lookup (the wasm backend's own Slice copies the whole input out of the heap
   * first; slice.ts replaces it for lookups).
   */
  batchItem(x: TensorInfo, index: number): TensorInfo {
    const [batch, ...rest] = x.shape;
    if (index < 0 || index >= batch) throw new Error(`cnn-zoo wasm gradients: batch item ${index} of ${batch}`);
    const size = tf.util.sizeFromShape(rest);
    const out = this.allocate([1, ...rest], x.dtype);
    const from = this.view(x);
    this.view(out).set(from.subarray(index * size, (index + 1) * size));
    return out;
  }

  /** Sum of equally shaped tensors. */
  addN(xs: TensorInfo[]): TensorInfo {
    return this.run('AddN', xs as unknown as KernelInputs);
  }

  sum(x: TensorInfo, axis: number[]): TensorInfo {
    return this.run('Sum', { x }, { axis, keepDims: false });
  }

  conv2d(x: TensorInfo, filter: TensorInfo, strides: [number, number], dilations: [number, number], pad: ExplicitPadding): TensorInfo {
    return this.run('Conv2D', { x, filter }, { strides, dilations, pad, dataFormat: 'NHWC' });
  }

  depthwiseConv2d(x: TensorInfo, filter: TensorInfo, strides: [number, number], dilations: [number, number], pad: ExplicitPadding): TensorInfo {
    return this.run('DepthwiseConv2dNative', { x, filter }, { strides, dilations, pad, dataFormat: 'NHWC' });
  }

  batchMatMul(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): TensorInfo {
    return this.run('BatchMatMul', { a, b }, { transposeA, transposeB });
  }
}

/**
 * The same heap bytes as integers of the element's width, so that copying element by element moves
 * bits: a float32 read into a JavaScript number and written back may change a NaN's payload.
 */
function bitView(view: tf.TypedArray): Int32Array | Uint8Array {
  if (view.BYTES_PER_ELEMENT === 4) return new Int32Array(view.buffer, view.byteOffset, view.length);
  return new Uint8Array(view.buffer, view.byteOffset, view.length);
}

/** Square tiles of the transpose, so that a tile's rows and columns stay in the cache (8 to 128 timed alike here). */
const TILE = 32;

/**
 * `to[toAt + j*rows + i] = from[fromAt + i*cols + j]`: a [rows, cols] block written as [cols, rows],
 * tile by tile, writing each tile's output rows in order.
 */
function transposeBlock(from: Int32Array | Uint8Array, fromAt: number, to: Int32Array | Uint8Array, toAt: number, rows: number, cols: number): void {
  for (let i0 = 0; i0 < rows; i0 += TILE) {
    const iEnd = Math.min(rows, i0 + TILE);
    for (let j0 = 0; j0 < cols; j0 += TILE) {
      const jEnd = Math.min(cols, j0 + TILE);
      for (let j = j0; j < jEnd; j++) {
        let source = fromAt + i0 * cols + j;
        let target = toAt + j * rows + i0;
        for (let i = i0; i < iEnd; i++, source += cols) to[target++] = from[source];
      }
    }
  }
}

/**
 * Runs `body` in a fresh scope and returns its result with every intermediate freed, also when
 * `body` throws.
 */
export function withKernelScope(backend: WasmBackendLike, body: (scope: KernelScope) => TensorInfo): TensorInfo {
  const scope = new KernelScope(backend);
  try {
    return scope.finish(body(scope));
  } catch (error) {
    scope.abandon();
    throw error;
  }
}
