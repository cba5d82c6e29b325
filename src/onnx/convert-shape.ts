/**
 * Layers that move or combine values: Flatten, Reshape, Dropout (the identity at inference), Add,
 * Concatenate. NCHW maps stay NCHW; only a reshape that really mixes the spatial and channel axes
 * goes through TF.js's own order.
 */
import type { Converter, LayerContext } from './layer-context.js';
import { inTfOrder, materialize, type Tensor, type Value } from './values.js';

/**
 * The input unchanged. A pending Conv/Gemm passes on only if this layer is its only reader;
 * otherwise it is written here, so that nothing after can fold into it behind another reader's back.
 */
export function passThrough(ctx: LayerContext): Value {
  const value = ctx.inputs[0];
  return value.kind === 'linear' && !ctx.ownsInput(0) ? materialize(ctx.graph, value) : value;
}

const spatialSize = (shape: number[]) => shape[0] * shape[1];

/**
 * Flatten. An NCHW map is flattened as it lies, in c, h, w order, and marked `chw-flat`: the Dense
 * after it reads its kernel rows in that order instead of TF.js's h, w, c. A 1x1 map needs no mark.
 */
const flatten: Converter = (ctx) => {
  const x = materialize(ctx.graph, ctx.inputs[0]);
  if (x.layout === 'chw-flat' || (x.layout === 'plain' && x.shape.length === 1)) return x;
  const out = ctx.graph.node('Flatten', [x.name], ctx.name, { axis: 1 });
  if (x.layout === 'nchw' && spatialSize(x.shape) > 1) {
    return { kind: 'tensor', name: out, shape: ctx.outputShape, layout: 'chw-flat', map: x.shape as [number, number, number], nonNegative: x.nonNegative };
  }
  return { kind: 'tensor', name: out, shape: ctx.outputShape, layout: 'plain', nonNegative: x.nonNegative };
};

/**
 * Reshape (without the batch axis, as TF.js's `targetShape`). The zoo's are MobileNet V1's
 * `[C] -> [1, 1, C]` and `[1, 1, K] -> [K]`: where the map side is 1x1, NCHW and TF.js's order are the
 * same, and a single Reshape suffices. Any other reshape of a map runs in TF.js's order (a Transpose
 * to NHWC before, and one back to NCHW after when the result is a map).
 */
const reshape: Converter = (ctx) => {
  const x = materialize(ctx.graph, ctx.inputs[0]);
  const target = ctx.outputShape;
  const toMap = target.length === 3;
  // Undoing a flatten of the very map it came from: back to NCHW in one Reshape.
  if (x.layout === 'chw-flat' && toMap && target.every((size, i) => size === x.map![i])) {
    const [h, w, c] = target;
    const out = ctx.graph.node('Reshape', [x.name, ctx.graph.int64s([0, c, h, w])], ctx.name);
    return { ...x, name: out, shape: target, layout: 'nchw', map: undefined };
  }
  const source = x.layout === 'nchw' && spatialSize(x.shape) === 1 ? x : inTfOrder(ctx.graph, x, ctx.name);
  if (toMap) {
    const [h, w, c] = target;
    if (h * w === 1) {
      const out = ctx.graph.node('Reshape', [source.name, ctx.graph.int64s([0, c, 1, 1])], ctx.name);
      return { kind: 'tensor', name: out, shape: target, layout: 'nchw', nonNegative: x.nonNegative };
    }
    const nhwc = ctx.graph.node('Reshape', [source.name, ctx.graph.int64s([0, h, w, c])], ctx.name);
    const out = ctx.graph.node('Transpose', [nhwc], `${ctx.name}_nchw`, { perm: [0, 3, 1, 2] });
    return { kind: 'tensor', name: out, shape: target, layout: 'nchw', nonNegative: x.nonNegative };
  }
  const out = ctx.graph.node('Reshape', [source.name, ctx.graph.int64s([0, ...target])], ctx.name);
  return { kind: 'tensor', name: out, shape: target, layout: 'plain', nonNegative: x.nonNegative };
};

/** The inputs in one common layout: as they are if they share one, else all in TF.js's order. */
function commonLayout(ctx: LayerContext): Tensor[] {
  const xs = ctx.inputs.map((value) => materialize(ctx.graph, value));
  const first = xs[0];
  const same = xs.every((x) => x.layout === first.layout && (x.layout !== 'chw-flat' || x.map!.every((size, i) => size === first.map![i])));
  return same ? xs : xs.map((x, i) => inTfOrder(ctx.graph, x, `${ctx.name}_in${i}`));
}

/** Add: a chain of ONNX Adds (ORT fuses a Conv, an Add and a Relu after it). */
const add: Converter = (ctx) => {
  const xs = commonLayout(ctx);
  let sum = xs[0].name;
  for (let i = 1; i < xs.length; i++) sum = ctx.graph.node('Add', [sum, xs[i].name], ctx.name);
  return { ...xs[0], name: sum, shape: ctx.outputShape, nonNegative: xs.every((x) => x.nonNegative) };
};

/** Concatenate: TF.js's axis, mapped to NCHW's (channels: axis 1). */
const concatenate: Converter = (ctx) => {
  let xs = commonLayout(ctx);
  // Two chw-flat vectors side by side would be in no single map's order: join them in TF.js's.
  if (xs[0].layout === 'chw-flat') xs = xs.map((x, i) => inTfOrder(ctx.graph, x, `${ctx.name}_in${i}`));
  const rank = ctx.outputShape.length + 1;
  const raw = ctx.config.axis ?? -1;
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < -rank || raw >= rank) return ctx.fail(`axis must be an integer in [-${rank}, ${rank - 1}], received ${JSON.stringify(raw)}`);
  const axis = raw < 0 ? raw + rank : raw;
  if (axis === 0) ctx.fail('axis 0 (the batch) cannot be concatenated');
  // NHWC axis -> NCHW axis: H 1 -> 2, W 2 -> 3, C 3 -> 1.
  const onnxAxis = xs[0].layout === 'nchw' ? [0, 2, 3, 1][axis] : axis;
  const out = ctx.graph.node('Concat', xs.map((x) => x.name), ctx.name, { axis: onnxAxis });
  return { kind: 'tensor', name: out, shape: ctx.outputShape, layout: xs[0].layout, nonNegative: xs.every((x) => x.nonNegative) };
};

export const shapeConverters: Record<string, Converter> = {
  Flatten: flatten,
  Reshape: reshape,
  Dropout: passThrough,
  Add: add,
  Concatenate: concatenate,
};
