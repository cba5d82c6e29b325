/**
 * Padding and pooling: ZeroPadding2D (left pending, for the op after it to take into its pads),
 * MaxPooling2D, AveragePooling2D, the global pools, and the zoo's AdaptiveAveragePooling2D.
 */
import { adaptiveBins } from '../layers/adaptive-avg-pool2d.js';
import { pair, requireChannelsLast, windowPads, type Converter, type LayerContext } from './layer-context.js';
import { nchwInput, type Pads, type Tensor } from './values.js';

/** ZeroPadding2D: pending, so that a Conv (always) or a MaxPool (where exact) after it absorbs it. */
const zeroPadding2d: Converter = (ctx) => {
  requireChannelsLast(ctx);
  const padding = ctx.config.padding;
  const valid = Array.isArray(padding) && padding.length === 2 && padding.every((p) => Array.isArray(p) && p.length === 2 && p.every((n) => Number.isInteger(n) && n >= 0));
  if (!valid) ctx.fail(`padding must be [[top, bottom], [left, right]], received ${JSON.stringify(padding)}`);
  const [[top, bottom], [left, right]] = padding as number[][];
  const value = ctx.inputs[0];
  // Two paddings in a row add up.
  const [input, before]: [Tensor, Pads] = value.kind === 'pad' ? [value.input, value.pads] : [nchwInput(ctx.graph, value, ctx.fail), [0, 0, 0, 0]];
  const pads: Pads = [before[0] + top, before[1] + left, before[2] + bottom, before[3] + right];
  return { kind: 'pad', layerName: ctx.name, input, pads, shape: ctx.outputShape };
};

/**
 * MaxPooling2D. TF's 'same' ignores the padding, as ONNX's MaxPool pads do (they count as -inf). A
 * ZeroPadding2D before it is different: its zeros can win a max. It is folded into the pool's pads
 * where that is exact: the input is known to be >= 0 (it comes from a ReLU...), so a zero never
 * exceeds a window's true maximum, and no window lies wholly in the padding (every side's padding is
 * smaller than the window). Every zoo model's padded max pools are of this kind.
 *
 * On a signed input the zeros are kept, but not as a Pad node: ONNX Runtime's PadFusion (basic level,
 * since 1.17, microsoft/onnxruntime#18136) folds a zero Pad into a MaxPool's -inf pads and changes the
 * result wherever a window's real values are all negative. Instead the pool takes the padding as its
 * own pads and a Max with a constant [oh, ow] mask, 0 where a window reaches into the zeros and -inf
 * elsewhere, puts the zeros back: max(window's values, 0) is the max over the window with its zeros.
 */
const maxPooling2d: Converter = (ctx) => {
  requireChannelsLast(ctx);
  const kernel = pair(ctx, 'poolSize');
  const strides = pair(ctx, 'strides', kernel[0]);
  const value = ctx.inputs[0];
  if (value.kind !== 'pad') {
    const input = nchwInput(ctx.graph, value, ctx.fail);
    return maxPool(ctx, input, kernel, strides, windowPads(ctx, input.shape, kernel, strides));
  }
  const pads = windowPads(ctx, value.input.shape, kernel, strides, [1, 1], value.pads);
  const pooled = maxPool(ctx, value.input, kernel, strides, pads);
  const exact = value.input.nonNegative && pads.every((p, i) => p < kernel[i % 2]);
  if (exact) return pooled;
  const mask = zeroPaddingMask(value.input.shape, value.pads, pads, kernel, strides, ctx.outputShape);
  if (!mask) return pooled;
  const [outHeight, outWidth] = ctx.outputShape;
  const out = ctx.graph.node('Max', [pooled.name, ctx.graph.weight(`${ctx.name}.zero_padding_mask`, mask, [outHeight, outWidth])], `${ctx.name}_zero_padding`);
  return { ...pooled, name: out, nonNegative: false };
};

/**
 * `[oh, ow]`: 0 where the pool's window reaches into the zero padding `zeros` (top, left, bottom,
 * right) of an `[h, w]` map, -inf elsewhere; undefined when no window does. `pads` are the pool's
 * pads in all (the zeros plus TF's own 'same' padding, which stays -inf).
 */
function zeroPaddingMask([height, width]: number[], zeros: Pads, pads: Pads, kernel: [number, number], strides: [number, number], [outHeight, outWidth]: number[]): Float32Array | undefined {
  // Along one axis, in the coordinates of the zero-padded map [0, zeroBefore + size + zeroAfter):
  // whether window i covers a zero (a padded row or column).
  const touches = (size: number, zeroBefore: number, zeroAfter: number, ownBefore: number, k: number, stride: number, count: number) =>
    Array.from({ length: count }, (_, i) => {
      const start = Math.max(i * stride - ownBefore, 0);
      const end = Math.min(i * stride - ownBefore + k, zeroBefore + size + zeroAfter);
      return start < zeroBefore || end > zeroBefore + size;
    });
  const rows = touches(height, zeros[0], zeros[2], pads[0] - zeros[0], kernel[0], strides[0], outHeight);
  const columns = touches(width, zeros[1], zeros[3], pads[1] - zeros[1], kernel[1], strides[1], outWidth);
  if (!rows.some(Boolean) && !columns.some(Boolean)) return undefined;
  const mask = new Float32Array(outHeight * outWidth).fill(-Infinity);
  for (let i = 0; i < outHeight; i++) for (let j = 0; j < outWidth; j++) if (rows[i] || columns[j]) mask[i * outWidth + j] = 0;
  return mask;
}

function maxPool(ctx: LayerContext, input: Tensor, kernel: [number, number], strides: [number, number], pads: Pads): Tensor {
  const out = ctx.graph.node('MaxPool', [input.name], ctx.name, { kernel_shape: kernel, strides, pads });
  return { kind: 'tensor', name: out, shape: ctx.outputShape, layout: 'nchw', nonNegative: input.nonNegative };
}

/** AveragePooling2D: TF's 'same' leaves the padding out of each window's count, ONNX's count_include_pad 0. */
const averagePooling2d: Converter = (ctx) => {
  requireChannelsLast(ctx);
  const kernel = pair(ctx, 'poolSize');
  const strides = pair(ctx, 'strides', kernel[0]);
  const input = nchwInput(ctx.graph, ctx.inputs[0], ctx.fail);
  const pads = windowPads(ctx, input.shape, kernel, strides);
  const out = ctx.graph.node('AveragePool', [input.name], ctx.name, { kernel_shape: kernel, strides, pads, count_include_pad: 0 });
  return { kind: 'tensor', name: out, shape: ctx.outputShape, layout: 'nchw', nonNegative: input.nonNegative };
}

/** GlobalAverage/MaxPooling2D: ONNX's global pool gives `[N, C, 1, 1]`, flattened to TF.js's `[N, C]`. */
function globalPool(op: 'GlobalAveragePool' | 'GlobalMaxPool'): Converter {
  return (ctx) => {
    requireChannelsLast(ctx);
    const input = nchwInput(ctx.graph, ctx.inputs[0], ctx.fail);
    const pooled = ctx.graph.node(op, [input.name], ctx.name);
    if (ctx.config.keepDims === true) return { kind: 'tensor', name: pooled, shape: ctx.outputShape, layout: 'nchw', nonNegative: input.nonNegative };
    const out = ctx.graph.node('Flatten', [pooled], `${ctx.name}_flatten`, { axis: 1 });
    return { kind: 'tensor', name: out, shape: ctx.outputShape, layout: 'plain', nonNegative: input.nonNegative };
  };
}

/** `[size, out]`: column i averages PyTorch's bin i (overlapping, or repeating a pixel when out > size). */
function binMatrix(size: number, out: number): Float32Array {
  const matrix = new Float32Array(size * out);
  adaptiveBins(size, out).forEach(([start, end], i) => {
    for (let j = start; j < end; j++) matrix[j * out + i] = 1 / (end - start);
  });
  return matrix;
}

/**
 * The zoo's AdaptiveAveragePooling2D, with PyTorch's bins. Where each output size divides the input
 * size the bins are plain windows: one AveragePool (none at all when the map already has the output
 * size). Otherwise each axis is a MatMul with a constant bin matrix, the layer's own method: the
 * width `[N, C, H, W] x [W, ow]`, then the height `[oh, H] x [N, C, H, ow]` (broadcast over N, C).
 * The matrices cover bins that overlap and maps smaller than the output alike.
 */
const adaptiveAveragePooling2d: Converter = (ctx) => {
  const input = nchwInput(ctx.graph, ctx.inputs[0], ctx.fail);
  const [height, width] = input.shape;
  const [outHeight, outWidth] = pair(ctx, 'outputSize');
  if (height === outHeight && width === outWidth) return input;
  if (height % outHeight === 0 && width % outWidth === 0) {
    const window: [number, number] = [height / outHeight, width / outWidth];
    const out = ctx.graph.node('AveragePool', [input.name], ctx.name, { kernel_shape: window, strides: window, pads: [0, 0, 0, 0] });
    return { kind: 'tensor', name: out, shape: ctx.outputShape, layout: 'nchw', nonNegative: input.nonNegative };
  }
  let x = input.name;
  if (width !== outWidth) {
    const columns = ctx.graph.weight(`${ctx.name}.width_bins`, binMatrix(width, outWidth), [width, outWidth]);
    x = ctx.graph.node('MatMul', [x, columns], `${ctx.name}_width`);
  }
  if (height !== outHeight) {
    const rows = binMatrix(height, outHeight);
    const transposed = new Float32Array(rows.length);
    for (let j = 0; j < height; j++) for (let i = 0; i < outHeight; i++) transposed[i * height + j] = rows[j * outHeight + i];
    x = ctx.graph.node('MatMul', [ctx.graph.weight(`${ctx.name}.height_bins`, transposed, [outHeight, height]), x], `${ctx.name}_height`);
  }
  return { kind: 'tensor', name: x, shape: ctx.outputShape, layout: 'nchw', nonNegative: input.nonNegative };
};

export const poolConverters: Record<string, Converter> = {
  ZeroPadding2D: zeroPadding2d,
  MaxPooling2D: maxPooling2d,
  AveragePooling2D: averagePooling2d,
  GlobalAveragePooling2D: globalPool('GlobalAveragePool'),
  GlobalMaxPooling2D: globalPool('GlobalMaxPool'),
  AdaptiveAveragePooling2D: adaptiveAveragePooling2d,
};
