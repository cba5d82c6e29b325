/**
 * Sum and Mean on wasm over every axis but the channels (BatchNormalization's statistics and its
 * gradient, bias gradients) or over the spatial axes (global average pooling), as one XNNPACK
 * average pooling. The wasm backend's own Sum and Mean first transpose the reduced axes innermost,
 * a full copy: summing a 4x112x112x96 gradient over [0, 1, 2] took 11 ms that way and 0.5 ms as an
 * average pooling here, and a ResNet-34 training step makes 185 such sums and 75 means.
 *
 * Other reductions (other axes, integer tensors) go to the wasm backend's kernels.
 */
import { tf } from '../../tf.js';
import type { WasmBackendLike } from './kernel-scope.js';

type Reduction = 'sum' | 'mean';

/** The average pooling that computes the reduction, or undefined where this file does not apply. */
function poolingPlan(shape: number[], axes: number[]): { view: [number, number, number, number]; count: number } | undefined {
  const rank = shape.length;
  const sorted = [...new Set(axes)].sort((a, b) => a - b);
  const channels = shape[rank - 1];
  // Every axis but the last: pool the whole tensor, seen as one image of R x 1 pixels.
  if (rank >= 2 && sorted.length === rank - 1 && sorted.every((axis, i) => axis === i)) {
    const count = tf.util.sizeFromShape(shape.slice(0, -1));
    return { view: [1, count, 1, channels], count };
  }
  // The spatial axes of an NHWC tensor.
  if (rank === 4 && sorted.length === 2 && sorted[0] === 1 && sorted[1] === 2) {
    return { view: shape as [number, number, number, number], count: shape[1] * shape[2] };
  }
  return undefined;
}

function makeReduction(kind: Reduction, fallback: tf.KernelFunc | undefined): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
    const backend = args.backend as WasmBackendLike;
    const axes = tf.util.parseAxisParam(axis, x.shape);
    const plan = x.dtype === 'float32' && tf.util.sizeFromShape(x.shape) > 0 ? poolingPlan(x.shape, axes) : undefined;
    if (!plan || plan.count < 2) {
      if (!fallback) throw new Error(`cnn-zoo wasm ${kind}: no wasm kernel for this reduction`);
      return fallback(args);
    }
    const avgPool = tf.getKernel('AvgPool', 'wasm');
    const [, height, width] = plan.view;
    const reshape = tf.getKernel('Reshape', 'wasm');
    const view = reshape.kernelFunc({ inputs: { x }, backend, attrs: { shape: plan.view } }) as tf.TensorInfo;
    let pooled: tf.TensorInfo;
    try {
      pooled = avgPool.kernelFunc({
        inputs: { x: view },
        backend,
        attrs: { filterSize: [height, width], strides: [1, 1], pad: 'valid' },
      }) as tf.TensorInfo;
    } finally {
      backend.disposeData(view.dataId);
    }
    if (kind === 'sum') {
      // The pooling divides by the window; the sum is that mean times the count (in place, only
      // batch x channels values).
      const values = backend.typedArrayFromHeap(pooled);
      for (let i = 0; i < values.length; i++) values[i] *= plan.count;
    }
    const kept = x.shape.map((size, i) => (axes.includes(i) ? 1 : size));
    const outShape = keepDims ? kept : x.shape.filter((_, i) => !axes.includes(i));
    pooled.shape = outShape;
    return pooled;
  };
}

export function makeSumKernel(fallback: tf.KernelFunc | undefined): tf.KernelFunc {
  return makeReduction('sum', fallback);
}

export function makeMeanKernel(fallback: tf.KernelFunc | undefined): tf.KernelFunc {
  return makeReduction('mean', fallback);
}
