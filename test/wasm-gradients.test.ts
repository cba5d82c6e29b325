import { describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels, wasmTrainingKernels } from '../src/wasm/register.js';
import { tf } from '../src/tf.js';
import { patchChunking } from '../src/wasm/kernels/patch-filter-gradient.js';
import { KernelScope, type WasmBackendLike } from '../src/wasm/kernels/kernel-scope.js';
import { TOLERANCE, expectWasmMatchesCpu, on, relativeError, restoreBackendAfterAll, sizeOf, values } from './helpers/wasm-vs-cpu.js';

// The contract: on wasm, every gradient the zoo's layers need exists and equals the cpu backend's
// (the pure-JS reference implementation of TF.js) on the same inputs, within 1e-4 relative error.
// Data moves between backends as plain arrays, so each side computes from scratch.

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

restoreBackendAfterAll();

describe('wasm gradient kernels are registered', () => {
  it('registers every kernel a Conv2D, DepthwiseConv2D, Dense, pooling or LRN layer needs for backprop', () => {
    // Conv2D: Conv2DBackpropInput/Filter; DepthwiseConv2D: the two depthwise ones; pools and LRN:
    // their Grad kernels (wasm 4.22 has those three already).
    const needed = [
      'Conv2DBackpropInput',
      'Conv2DBackpropFilter',
      'DepthwiseConv2dNativeBackpropInput',
      'DepthwiseConv2dNativeBackpropFilter',
      'MaxPoolGrad',
      'AvgPoolGrad',
      'LRNGrad',
      'BatchMatMul',
    ];
    for (const name of needed) expect(tf.getKernel(name, 'wasm'), name).toBeDefined();
  });

  it('registers once: a second call keeps the same kernel functions', () => {
    const before = Object.keys(wasmTrainingKernels).map((name) => tf.getKernel(name, 'wasm').kernelFunc);
    registerWasmTrainingKernels();
    const after = Object.keys(wasmTrainingKernels).map((name) => tf.getKernel(name, 'wasm').kernelFunc);
    expect(after).toEqual(before);
  });
});

describe('Conv2D gradients on wasm equal cpu', () => {
  // tf.grads of sum(conv2d(x, w) * r) gives dx (Conv2DBackpropInput) and dw (Conv2DBackpropFilter).
  // TF.js 4.22 has no dilation for these two kernels (their attributes lack it, and conv2d's
  // gradient rejects dilation > 1), so dilation is tested on the depthwise kernels below.
  const cases: Array<{ size: [number, number]; kernel: number; stride: number; pad: Pad; channels?: [number, number] }> = [];
  for (const size of [
    [7, 9],
    [13, 13],
  ] as Array<[number, number]>) {
    for (const kernel of [1, 3, 5]) {
      for (const stride of [1, 2]) for (const pad of ['same', 'valid'] as const) cases.push({ size, kernel, stride, pad });
    }
  }
  cases.push({ size: [13, 13], kernel: 7, stride: 2, pad: 'same' }); // a ResNet stem
  cases.push({ size: [9, 11], kernel: 3, stride: 2, pad: [[0, 0], [1, 2], [2, 0], [0, 0]] }); // explicit, asymmetric
  cases.push({ size: [8, 8], kernel: 1, stride: 2, pad: 'valid' }); // a ResNet shortcut
  // The input gradient swaps each tap's [in, out] block into [out, in] in 32x32 tiles
  // (KernelScope.gatherTaps): channel counts on both sides of a tile edge, and of 1 (no transpose).
  cases.push({ size: [5, 7], kernel: 1, stride: 1, pad: 'valid', channels: [33, 70] });
  cases.push({ size: [7, 9], kernel: 3, stride: 1, pad: 'same', channels: [33, 70] });
  cases.push({ size: [9, 9], kernel: 3, stride: 2, pad: 'valid', channels: [70, 33] });
  cases.push({ size: [15, 13], kernel: 7, stride: 2, pad: 'same', channels: [3, 64] }); // ResNet's stem
  cases.push({ size: [7, 8], kernel: 3, stride: 2, pad: [[0, 0], [1, 1], [0, 2], [0, 0]], channels: [70, 70] });
  cases.push({ size: [6, 6], kernel: 3, stride: 2, pad: 'same', channels: [64, 32] });
  cases.push({ size: [7, 7], kernel: 5, stride: 1, pad: [[0, 0], [2, 1], [1, 3], [0, 0]], channels: [1, 33] });
  cases.push({ size: [9, 7], kernel: 1, stride: 2, pad: 'valid', channels: [33, 1] });

  for (const { size, kernel, stride, pad, channels = [3, 4] } of cases) {
    const [cin, cout] = channels;
    it(`${size.join('x')}x${cin} input, ${kernel}x${kernel} kernel to ${cout} channels, stride ${stride}, padding ${JSON.stringify(pad)}`, async () => {
      const xShape = [2, ...size, cin];
      const wShape = [kernel, kernel, cin, cout];
      const x = values(sizeOf(xShape), 1);
      const w = values(sizeOf(wShape), 2);
      await expectWasmMatchesCpu(() => {
        const conv = (a: tf.Tensor4D, b: tf.Tensor4D) => tf.conv2d(a, b, stride, pad);
        const outShape = tf.tidy(() => conv(tf.tensor4d(x, xShape as never), tf.tensor4d(w, wShape as never)).shape);
        const r = tf.tensor(values(sizeOf(outShape), 3), outShape);
        const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a as tf.Tensor4D, b as tf.Tensor4D), r)))([
          tf.tensor(x, xShape),
          tf.tensor(w, wShape),
        ]);
        return [dx, dw];
      });
    });
  }

  it('also in NCHW, as direct kernel calls (wasm runs the NCHW forward pass not at all)', async () => {
    const xShape = [2, 3, 7, 9];
    const dyShape = [2, 4, 4, 5];
    const x = values(sizeOf(xShape), 4);
    const dy = values(sizeOf(dyShape), 5);
    const w = values(3 * 3 * 3 * 4, 6);
    const attrs = { strides: 2, pad: 'same', dataFormat: 'NCHW' };
    const run = (name: string, inputs: tf.NamedTensorMap, extra: tf.NamedAttrMap) => tf.engine().runKernel(name, inputs, { ...attrs, ...extra }) as tf.Tensor;
    await expectWasmMatchesCpu(() => [
      run('Conv2DBackpropFilter', { x: tf.tensor(x, xShape), dy: tf.tensor(dy, dyShape) }, { filterShape: [3, 3, 3, 4] }),
      run('Conv2DBackpropInput', { dy: tf.tensor(dy, dyShape), filter: tf.tensor(w, [3, 3, 3, 4]) }, { inputShape: xShape }),
    ]);
  });
});

describe("the Conv2D input gradient's sub-kernels", () => {
  // Conv2DBackpropInput gathers each stride phase's flipped taps with the filter's in and out
  // channels swapped in one pass; it used to run wasm's Transpose first and then gather. The
  // convolutions then see the very same sub-kernels, so the input gradient is unchanged bit for
  // bit, NaN payloads included (the copy moves integers, not floats).
  const kernels: Array<{ shape: [number, number, number, number]; rows: number[]; cols: number[] }> = [
    { shape: [3, 3, 33, 70], rows: [2, 1, 0], cols: [2, 1, 0] }, // stride 1: the whole kernel flipped
    { shape: [3, 3, 70, 33], rows: [-1, 2, 0], cols: [1] }, // a stride-2 phase, a zero tap in front
    { shape: [7, 7, 3, 64], rows: [5, 3, 1], cols: [-1, 6, 4, 2, 0] },
    { shape: [2, 3, 64, 64], rows: [1, 0], cols: [2, 0] },
    { shape: [1, 1, 1, 5], rows: [0], cols: [0] },
    { shape: [1, 2, 65, 1], rows: [0, -1], cols: [1, 0] },
  ];
  for (const { shape, rows, cols } of kernels) {
    it(`[${shape}] at rows ${JSON.stringify(rows)} and columns ${JSON.stringify(cols)}: the same bits as Transpose then gather`, async () => {
      await tf.setBackend('wasm');
      const data = new Float32Array(values(sizeOf(shape), 40));
      const bits = new Int32Array(data.buffer);
      bits[1] = 0x7fa00001; // a signalling NaN
      bits[bits.length - 2] = -0x3edcbb; // a negative quiet NaN with a payload (0xffc12345)
      const filter = tf.tensor4d(data, shape);
      const scope = new KernelScope(tf.backend() as WasmBackendLike);
      try {
        const info = { dataId: filter.dataId, shape: filter.shape, dtype: filter.dtype };
        const fused = scope.gatherTaps(info, rows, cols, true);
        const separate = scope.gatherTaps(scope.transpose(info, [0, 1, 3, 2]), rows, cols);
        expect(fused.shape).toEqual([rows.length, cols.length, shape[3], shape[2]]);
        expect(fused.shape).toEqual(separate.shape);
        const read = (t: tf.TensorInfo) => {
          const view = scope.view(t);
          return Array.from(new Int32Array(view.buffer, view.byteOffset, view.length));
        };
        const fusedBits = read(fused);
        expect(fusedBits).toEqual(read(separate));
        // The NaNs sit in the first tap and the last one; each reaches the sub-kernel as it was
        // when the taps include its tap.
        const [kh, kw] = shape;
        if (rows.includes(0) && cols.includes(0)) expect(fusedBits).toContain(0x7fa00001);
        if (rows.includes(kh - 1) && cols.includes(kw - 1)) expect(fusedBits).toContain(-0x3edcbb);
      } finally {
        scope.abandon();
        filter.dispose();
      }
    });
  }
});

describe('Conv2D filter gradient through patches (im2col) on wasm equals cpu', () => {
  // patch-filter-gradient.ts splits the input's columns by the stride's phase (padding W up to a
  // multiple of it) and takes the batch in chunks; these cases reach what the square, stride-1/2
  // cases above do not.
  type Strides = [number, number];
  const cases: Array<{ label: string; xShape: number[]; kernel: [number, number]; strides: Strides; pad: Pad; cout: number; budget?: number }> = [
    { label: 'stride 3, width 11 (not a multiple of 3)', xShape: [2, 10, 11, 3], kernel: [5, 5], strides: [3, 3], pad: 'same', cout: 4 },
    { label: 'strides [1, 2], 3x5 kernel', xShape: [2, 9, 10, 5], kernel: [3, 5], strides: [1, 2], pad: 'same', cout: 7 },
    { label: 'strides [2, 1], valid', xShape: [2, 9, 10, 5], kernel: [3, 3], strides: [2, 1], pad: 'valid', cout: 7 },
    {
      label: 'explicit padding wider than the kernel',
      xShape: [2, 7, 10, 3],
      kernel: [3, 3],
      strides: [2, 2],
      pad: [[0, 0], [4, 1], [3, 5], [0, 0]],
      cout: 4,
    },
    // 7x7 stride-2 'same' on 13x13: 7*7*49*3 = 7203 floats of patches per image.
    { label: 'batch in chunks of two images (budget 15000 floats)', xShape: [5, 13, 13, 3], kernel: [7, 7], strides: [2, 2], pad: 'same', cout: 4, budget: 15000 },
    { label: 'one image per chunk (budget below one image)', xShape: [3, 13, 13, 3], kernel: [7, 7], strides: [2, 2], pad: 'same', cout: 4, budget: 100 },
  ];
  for (const { label, xShape, kernel, strides, pad, cout, budget } of cases) {
    it(label, async () => {
      const wShape = [...kernel, xShape[3], cout];
      const x = values(sizeOf(xShape), 13);
      const w = values(sizeOf(wShape), 14);
      const saved = patchChunking.budget;
      if (budget !== undefined) patchChunking.budget = budget;
      try {
        await expectWasmMatchesCpu(() => {
          const conv = (a: tf.Tensor4D, b: tf.Tensor4D) => tf.conv2d(a, b, strides, pad);
          const outShape = tf.tidy(() => conv(tf.tensor4d(x, xShape as never), tf.tensor4d(w, wShape as never)).shape);
          const r = tf.tensor(values(sizeOf(outShape), 15), outShape);
          const [dw] = tf.grads((b: tf.Tensor) => tf.sum(tf.mul(conv(tf.tensor4d(x, xShape as never), b as tf.Tensor4D), r)))([tf.tensor(w, wShape)]);
          return [dw];
        });
      } finally {
        patchChunking.budget = saved;
      }
    });
  }
});

describe('DepthwiseConv2D gradients on wasm equal cpu', () => {
  const cases: Array<{ size: [number, number]; kernel: number; stride: number; pad: Pad; multiplier: number }> = [];
  for (const size of [
    [7, 9],
    [13, 13],
  ] as Array<[number, number]>) {
    for (const kernel of [3, 5]) {
      for (const stride of [1, 2]) {
        for (const pad of ['same', 'valid'] as const) for (const multiplier of [1, 2]) cases.push({ size, kernel, stride, pad, multiplier });
      }
    }
  }

  for (const { size, kernel, stride, pad, multiplier } of cases) {
    it(`${size.join('x')} input, ${kernel}x${kernel} kernel, stride ${stride}, padding '${pad}', multiplier ${multiplier}`, async () => {
      const xShape = [2, ...size, 3];
      const wShape = [kernel, kernel, 3, multiplier];
      const x = values(sizeOf(xShape), 7);
      const w = values(sizeOf(wShape), 8);
      await expectWasmMatchesCpu(() => {
        const conv = (a: tf.Tensor4D, b: tf.Tensor4D) => tf.depthwiseConv2d(a, b, stride, pad as 'same' | 'valid');
        const outShape = tf.tidy(() => conv(tf.tensor4d(x, xShape as never), tf.tensor4d(w, wShape as never)).shape);
        const r = tf.tensor(values(sizeOf(outShape), 9), outShape);
        const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a as tf.Tensor4D, b as tf.Tensor4D), r)))([
          tf.tensor(x, xShape),
          tf.tensor(w, wShape),
        ]);
        return [dx, dw];
      });
    });
  }

  // Dilation: depthwiseConv2d's gradient rejects dilation > 1 and the cpu backprop kernels ignore
  // it (they walk the undilated taps), so the kernels are called directly and the reference is the
  // cpu kernel on the equivalent undilated kernel: a k x k kernel dilated by d is the
  // (d(k-1)+1)-square kernel with d-1 zeros between taps. Its filter gradient, taken every d-th tap,
  // is the dilated kernel's.
  const dilated: Array<{ size: [number, number]; stride: number; pad: 'same' | 'valid'; multiplier: number }> = [];
  for (const pad of ['same', 'valid'] as const) {
    for (const multiplier of [1, 2]) {
      dilated.push({ size: [13, 13], stride: 1, pad, multiplier });
      dilated.push({ size: [9, 11], stride: 1, pad, multiplier });
    }
  }
  dilated.push({ size: [13, 11], stride: 2, pad: 'same', multiplier: 2 }); // stride and dilation at once

  for (const { size, stride, pad, multiplier } of dilated) {
    it(`dilation 2: ${size.join('x')} input, 3x3 kernel, stride ${stride}, padding '${pad}', multiplier ${multiplier}`, async () => {
      const dilation = 2;
      const taps = 3;
      const wide = dilation * (taps - 1) + 1;
      const xShape = [2, ...size, 3];
      const wShape = [taps, taps, 3, multiplier];
      const info = tf.backend_util.computeConv2DInfo(xShape as never, wShape as never, stride, dilation, pad, undefined, true);
      const dyShape = [2, info.outHeight, info.outWidth, 3 * multiplier];
      const x = values(sizeOf(xShape), 10);
      const w = values(sizeOf(wShape), 11);
      const dy = values(sizeOf(dyShape), 12);
      // The undilated equivalent of w: tap (i, j) at (d*i, d*j), zeros elsewhere.
      const wWide = new Array<number>(wide * wide * 3 * multiplier).fill(0);
      for (let i = 0; i < taps; i++) {
        for (let j = 0; j < taps; j++) {
          const channels = 3 * multiplier;
          for (let c = 0; c < channels; c++) wWide[(dilation * i * wide + dilation * j) * channels + c] = w[(i * taps + j) * channels + c];
        }
      }
      const run = (filter: number[], filterShape: number[], d: number) => [
        tf.engine().runKernel(
          'DepthwiseConv2dNativeBackpropInput',
          { dy: tf.tensor(dy, dyShape), filter: tf.tensor(filter, filterShape) },
          { strides: stride, dilations: d, pad, inputShape: xShape },
        ) as tf.Tensor,
        tf.engine().runKernel(
          'DepthwiseConv2dNativeBackpropFilter',
          { x: tf.tensor(x, xShape), dy: tf.tensor(dy, dyShape) },
          { strides: stride, dilations: d, pad, filterShape },
        ) as tf.Tensor,
      ];
      const [wasmDx, wasmDw] = await on('wasm', () => run(w, wShape, dilation));
      const [cpuDx, cpuDwWide] = await on('cpu', () => {
        const [dx, dwWide] = run(wWide, [wide, wide, 3, multiplier], 1);
        const dw = tf.stridedSlice(dwWide, [0, 0, 0, 0], [wide, wide, 3, multiplier], [dilation, dilation, 1, 1]);
        tf.dispose(dwWide);
        return [dx, dw];
      });
      expect(wasmDx.shape).toEqual(cpuDx.shape);
      expect(relativeError(wasmDx.values, cpuDx.values)).toBeLessThan(TOLERANCE);
      expect(wasmDw.shape).toEqual(cpuDwWide.shape);
      expect(relativeError(wasmDw.values, cpuDwWide.values)).toBeLessThan(TOLERANCE);
    });
  }

  it('dilation 2 also passes the adjoint test <depthwise(x, w), dy> = <x, dx> = <w, dw>, which needs no backprop reference', async () => {
    await tf.setBackend('wasm');
    const xShape = [2, 11, 9, 3];
    const wShape = [3, 3, 3, 2];
    const pad = 'same';
    const x = tf.tensor4d(values(sizeOf(xShape), 13), xShape as never);
    const w = tf.tensor4d(values(sizeOf(wShape), 14), wShape as never);
    const y = tf.depthwiseConv2d(x, w, 1, pad, 'NHWC', 2);
    const dy = tf.tensor(values(y.size, 15), y.shape);
    const attrs = { strides: 1, dilations: 2, pad };
    const dx = tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter: w }, { ...attrs, inputShape: xShape }) as tf.Tensor;
    const dw = tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...attrs, filterShape: wShape }) as tf.Tensor;
    const forward = tf.sum(tf.mul(y, dy)).dataSync()[0];
    expect(tf.sum(tf.mul(x, dx)).dataSync()[0]).toBeCloseTo(forward, 3);
    expect(tf.sum(tf.mul(w, dw)).dataSync()[0]).toBeCloseTo(forward, 3);
    tf.dispose([x, w, y, dy, dx, dw]);
  });
});

describe('the faster Tile, Sum and Mean on wasm equal cpu', () => {
  it('batch normalisation in training mode: the gradients of x, gamma and beta', async () => {
    // What tfjs-layers' BatchNormalization computes when training: moments over N, H, W (Mean),
    // then batchNorm, whose gradient tiles 1/sqrt(var) (Tile) and sums over N, H, W (Sum).
    const xShape = [2, 7, 9, 5];
    const x = values(sizeOf(xShape), 16);
    const gamma = values(5, 17).map((v) => 1 + v / 2);
    const beta = values(5, 18);
    const r = values(sizeOf(xShape), 19);
    await expectWasmMatchesCpu(() =>
      tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const { mean, variance } = tf.moments(a, [0, 1, 2]);
        return tf.sum(tf.mul(tf.batchNorm(a, mean, variance, b, g, 1e-3), tf.tensor(r, xShape)));
      })([tf.tensor(x, xShape), tf.tensor1d(gamma), tf.tensor1d(beta)]),
    );
  });

  it('Tile, Sum and Mean over the shapes and axes they take over and some they hand back', async () => {
    const x4 = values(2 * 7 * 9 * 5, 20);
    const x2 = values(6 * 5, 21);
    await expectWasmMatchesCpu(() => {
      const a = tf.tensor(x4, [2, 7, 9, 5]);
      const b = tf.tensor(x2, [6, 5]);
      return [
        tf.tile(tf.tensor(values(5, 22), [1, 1, 1, 5]), [2, 3, 4, 1]),
        tf.tile(b, [2, 3]),
        tf.tile(tf.tensor([1, 2, 3, 4], [2, 2], 'int32'), [2, 1]),
        tf.sum(a, [0, 1, 2]),
        tf.sum(a, [0, 1, 2], true),
        tf.sum(a, [1, 2]),
        tf.sum(a, [0, 3]),
        tf.sum(b, 0),
        tf.sum(tf.tensor([1, 2, 3, 4], [2, 2], 'int32'), 0),
        tf.mean(a, [0, 1, 2]),
        tf.mean(a, [1, 2], true),
        tf.mean(a, -1),
      ];
    });
  });
});

describe('the faster BatchMatMul and MaxPoolGrad on wasm equal cpu', () => {
  it("a Dense layer's gradients (matMul with transposeA and transposeB), batched and broadcast products", async () => {
    const x = values(8 * 96, 24);
    const w = values(96 * 40, 25);
    const r = values(8 * 40, 26);
    await expectWasmMatchesCpu(() => [
      ...tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D), tf.tensor(r, [8, 40]))))([
        tf.tensor(x, [8, 96]),
        tf.tensor(w, [96, 40]),
      ]),
      tf.matMul(tf.tensor(values(3 * 5 * 7, 27), [3, 5, 7]), tf.tensor(values(3 * 5 * 4, 28), [3, 5, 4]), true, false),
      tf.matMul(tf.tensor(values(2 * 5 * 7, 29), [2, 5, 7]), tf.tensor(values(4 * 7, 30), [1, 4, 7]), false, true),
      tf.matMul(tf.tensor(values(8 * 64, 31), [8, 64]), tf.tensor(values(3 * 8, 32), [3, 8]), true, true),
    ]);
  });

  // Values rounded after a ReLU: most windows hold ties (several zeros, or equal integers), where
  // the gradient must go to the window's first maximum, as on cpu.
  const pools: Array<{ size: [number, number]; pool: number; stride: number; pad: 'same' | 'valid' }> = [
    { size: [9, 9], pool: 3, stride: 2, pad: 'valid' },
    { size: [13, 11], pool: 3, stride: 2, pad: 'same' },
    { size: [8, 8], pool: 2, stride: 2, pad: 'valid' },
    { size: [7, 9], pool: 3, stride: 1, pad: 'same' },
  ];
  for (const { size, pool, stride, pad } of pools) {
    it(`max pooling ${pool}x${pool}/${stride} '${pad}' on ${size.join('x')}, with ties`, async () => {
      const xShape = [2, ...size, 3];
      const x = values(sizeOf(xShape), 33).map((v) => Math.max(0, Math.round(v * 2)));
      await expectWasmMatchesCpu(() => {
        const poolOf = (a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, pool, stride, pad);
        const outShape = tf.tidy(() => poolOf(tf.tensor(x, xShape)).shape);
        const r = tf.tensor(values(sizeOf(outShape), 34), outShape);
        return [tf.grad((a: tf.Tensor) => tf.sum(tf.mul(poolOf(a), r)))(tf.tensor(x, xShape))];
      });
    });
  }
});

/** LRN as a layer, since tfjs-layers has none (AlexNet and GoogLeNet use it). */
class LocalResponseNorm extends tf.layers.Layer {
  static className = 'TestLocalResponseNorm';
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
    return tf.localResponseNormalization(x, 2, 1, 1e-4, 0.75);
  }
}

/** A small network with every layer type the zoo trains through. */
function everyLayerModel(seed: number): tf.LayersModel {
  const init = (s: number) => tf.initializers.glorotUniform({ seed: seed + s });
  const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => layer.apply(x) as tf.SymbolicTensor;
  const input = tf.input({ shape: [16, 16, 3] });
  let x = apply(tf.layers.zeroPadding2d({ padding: 1 }), input);
  x = apply(tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, kernelInitializer: init(1) }), x); // 8x8
  x = apply(tf.layers.batchNormalization(), x);
  x = apply(tf.layers.reLU({ maxValue: 6 }), x);
  let branch = apply(tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', depthMultiplier: 2, depthwiseInitializer: init(2) }), x);
  branch = apply(tf.layers.conv2d({ filters: 8, kernelSize: 1, kernelInitializer: init(3) }), branch);
  x = apply(tf.layers.add(), [x, branch]);
  const side = apply(tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(4) }), x);
  x = apply(tf.layers.concatenate(), [x, side]);
  x = apply(new LocalResponseNorm({}), x);
  x = apply(tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }), x); // 4x4
  x = apply(tf.layers.averagePooling2d({ poolSize: 2 }), x); // 2x2
  x = apply(tf.layers.flatten(), x);
  x = apply(tf.layers.dropout({ rate: 0.25, seed }), x);
  x = apply(tf.layers.dense({ units: 16, activation: 'tanh', kernelInitializer: init(5) }), x);
  x = apply(tf.layers.dense({ units: 8, activation: 'sigmoid', kernelInitializer: init(6) }), x);
  const output = apply(tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: init(7) }), x);
  return tf.model({ inputs: input, outputs: output });
}

function dataset(count: number): { xs: tf.Tensor; ys: tf.Tensor } {
  const labels = Array.from({ length: count }, (_, i) => i % 3);
  return {
    xs: tf.tensor(values(count * 16 * 16 * 3, 23).map((v) => v + 1), [count, 16, 16, 3]),
    ys: tf.oneHot(tf.tensor1d(labels, 'int32'), 3),
  };
}

describe('training on wasm', () => {
  it('model.fit through every layer type: the loss stays finite and falls', async () => {
    await tf.setBackend('wasm');
    const model = everyLayerModel(1);
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    const { xs, ys } = dataset(24);
    const history = await model.fit(xs, ys, { epochs: 8, batchSize: 8, shuffle: false, verbose: 0 });
    const losses = history.history.loss as number[];
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses.at(-1)!).toBeLessThan(losses[0] * 0.8);
    tf.dispose([xs, ys]);
    model.dispose();
  });

  for (const backend of ['wasm', 'cpu']) {
    it(`100 trainOnBatch steps on ${backend} leave the tensor count (and the backend's buffers) unchanged`, async () => {
      await tf.setBackend(backend);
      const model = everyLayerModel(2);
      model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
      const { xs, ys } = dataset(4);
      await model.trainOnBatch(xs, ys); // creates Adam's slots
      const tensors = tf.memory().numTensors;
      const buffers = tf.backend().numDataIds();
      for (let step = 0; step < 100; step++) await model.trainOnBatch(xs, ys);
      expect(tf.memory().numTensors).toBe(tensors);
      // Buffers that the gradient kernels allocate below the engine are not tensors; a leak of
      // theirs would show here only.
      expect(tf.backend().numDataIds()).toBe(buffers);
      tf.dispose([xs, ys]);
      model.dispose();
    });
  }
});
