/**
 * Conv2DBackpropFilter on wasm (the wasm backend lacks it). Float32 convolutions without dilation
 * (every Conv2D the zoo trains: TF.js 4.22's conv2d gradient rejects dilation anyway) go through
 * one matrix product over image patches (patch-filter-gradient.ts), 1.5-3x faster than the
 * convolution below on ResNet-34's layers; 1x1 stride-1 layers through a plain x^T dy.
 *
 * The rest falls back to one XNNPACK convolution with batch and channels swapped: x as
 * [C_in, H, W, N] (C_in images of N channels), dy as the kernel [O_h, O_w, N, C_out], dilated by
 * the forward stride. Each of the C_in images gives a K_h x K_w x C_out output, which is
 * dw[:, :, c_in, :] (conv-geometry.ts has the arithmetic).
 */
import { tf } from '../../tf.js';
import { convAxes, filterGradientPadding } from './conv-geometry.js';
import { withKernelScope, type KernelScope, type WasmBackendLike } from './kernel-scope.js';
import { patchFilterGradient } from './patch-filter-gradient.js';

export const conv2dBackpropFilterKernel: tf.KernelFunc = (args) => filterGradient(args, true);

/** The kernel without the patch path: the batch-as-channels convolution for every layer, to compare the two. */
export const batchAsChannelsFilterKernel: tf.KernelFunc = (args) => filterGradient(args, false);

function filterGradient({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0], usePatches: boolean): tf.TensorInfo {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  return withKernelScope(backend as WasmBackendLike, (k) => {
    const nchw = dataFormat === 'NCHW';
    const xNhwc = nchw ? k.transpose(x, [0, 2, 3, 1]) : x;
    const dyNhwc = nchw ? k.transpose(dy, [0, 2, 3, 1]) : dy;
    const info = tf.backend_util.computeConv2DInfo(
      xNhwc.shape as [number, number, number, number],
      filterShape,
      strides,
      1,
      pad,
      dimRoundingMode,
    );
    const [h, w] = convAxes(info);
    const [kh, kw, cin, cout] = filterShape;
    const { top, bottom, left, right } = info.padInfo;
    if (kh === 1 && kw === 1 && h.stride === 1 && w.stride === 1 && top + bottom + left + right === 0) {
      return pointwiseFilterGradient(k, xNhwc, dyNhwc, cin, cout);
    }
    if (usePatches && h.dilation === 1 && w.dilation === 1 && xNhwc.dtype === 'float32' && dyNhwc.dtype === 'float32') {
      return patchFilterGradient(k, xNhwc, dyNhwc, [h, w], cout);
    }
    const gh = filterGradientPadding(h);
    const gw = filterGradientPadding(w);
    const images = k.transpose(xNhwc, [3, 1, 2, 0]);
    const kernel = k.transpose(dyNhwc, [1, 2, 0, 3]);
    let dw = k.conv2d(images, kernel, [h.dilation, w.dilation], [h.stride, w.stride], [[0, 0], gh.pad, gw.pad, [0, 0]]);
    if (gh.outputs > kh || gw.outputs > kw) dw = k.slice(dw, [0, 0, 0, 0], [cin, kh, kw, cout]);
    return k.transpose(dw, [1, 2, 0, 3]);
  });
}

/**
 * A 1x1 stride-1 convolution is a matrix product over the pixels, so its filter gradient is
 * x^T dy ([C_in, P] by [P, C_out], P = N*H*W): one transpose and one BatchMatMul, which took 2-6 ms
 * for MobileNet V2's pointwise layers at batch 4 here where the batch-as-channels convolution took
 * 6-53 ms (its GEMM walks P pixels of N channels each). The tensor with fewer channels is the one
 * transposed; wasm's BatchMatMul with transposeA is far slower than a Transpose and a plain one.
 */
function pointwiseFilterGradient(k: KernelScope, x: tf.TensorInfo, dy: tf.TensorInfo, cin: number, cout: number): tf.TensorInfo {
  const pixels = tf.util.sizeFromShape(x.shape.slice(0, 3));
  const [narrow, wide] = cin <= cout ? [x, dy] : [dy, x];
  const [narrowChannels, wideChannels] = cin <= cout ? [cin, cout] : [cout, cin];
  const rows = k.reshape(k.transpose(k.reshape(narrow, [pixels, narrowChannels]), [1, 0]), [1, narrowChannels, pixels]);
  const product = k.batchMatMul(rows, k.reshape(wide, [1, pixels, wideChannels]), false, false);
  const dw = cin <= cout ? product : k.transpose(k.reshape(product, [cout, cin]), [1, 0]);
  return k.reshape(dw, [1, 1, cin, cout]);
}
