/**
 * How a TF.js tensor lives in the ONNX graph.
 *
 * TF.js computes channels-last; ONNX Runtime's convolutions and pools are channels-first, so the
 * exporter keeps every image-shaped tensor NCHW from the input to the output and never transposes
 * between layers. Each TF.js tensor is one of:
 *
 * - a {@link Tensor} that exists in the graph, in one of three layouts: `nchw` (a TF.js
 *   `[N, H, W, C]` map stored `[N, C, H, W]`), `plain` (stored as TF.js has it), or `chw-flat` (a
 *   TF.js flatten of an `[H, W, C]` map, which TF.js orders h, w, c, stored in c, h, w order, as a
 *   flatten of the NCHW map gives it: a Dense layer reading it takes its kernel rows in that order
 *   instead, and only an order-sensitive consumer pays for a transpose);
 * - a {@link PendingLinear}: a Conv or Gemm not yet written, so that a BatchNormalization after it
 *   can still be folded into its weights and an activation placed right after it (where ORT fuses
 *   Conv+Relu, Conv+Clip...);
 * - a {@link PendingPad}: a ZeroPadding2D not yet written, so that the convolution (or, where that is
 *   exact, the max pool) after it can take the padding into its own `pads`.
 *
 * Pending values are written once, when a consumer needs the tensor ({@link materialize}).
 */
import type { Attributes, OnnxGraph } from './graph.js';

/**
 * An activation as the exporter places it: TF.js's by name, or a clip to `[0, max]` (ReLU6 and
 * ReLU's `maxValue`).
 */
export type Activation = 'linear' | 'relu' | 'tanh' | 'sigmoid' | 'softmax' | { clipMax: number };

/** Pads of a 2-D window op, in ONNX's `pads` order: top, left, bottom, right. */
export type Pads = [number, number, number, number];

export interface Tensor {
  kind: 'tensor';
  /** The ONNX value name. */
  name: string;
  /** TF.js's shape without the batch axis (`[H, W, C]` for a map, `[units]` for a vector). */
  shape: number[];
  layout: 'nchw' | 'plain' | 'chw-flat';
  /** `chw-flat` only: the `[H, W, C]` map the vector is a flatten of. */
  map?: [number, number, number];
  /** Known to be >= 0 everywhere (after ReLU...): zero padding then never exceeds a max pool's true maximum. */
  nonNegative: boolean;
}

export interface PendingLinear {
  kind: 'linear';
  op: 'Conv' | 'Gemm';
  /** The layer the op comes from (names its nodes and weights). */
  layerName: string;
  input: Tensor;
  /** ONNX's weight layout: Conv `[O, I / group, kH, kW]`, Gemm `[I, O]` (TF.js's, transB = 0). */
  weight: Float32Array;
  weightDims: number[];
  /** One per output channel; undefined when the layer has none and no fold gave it one. */
  bias?: Float32Array;
  /** Conv's attributes (kernel_shape, strides, pads, dilations, group). */
  attributes: Attributes;
  activation: Activation;
  shape: number[];
  written?: Tensor;
}

export interface PendingPad {
  kind: 'pad';
  layerName: string;
  input: Tensor;
  pads: Pads;
  shape: number[];
  written?: Tensor;
}

export type Value = Tensor | PendingLinear | PendingPad;

/** Whether the activation's output is >= 0 whatever its input. */
function nonNegativeAfter(activation: Activation): boolean {
  return activation === 'relu' || activation === 'sigmoid' || activation === 'softmax' || typeof activation === 'object';
}

/** Writes `activation` after `x` (nothing for 'linear'); the output keeps x's layout. */
export function applyActivation(graph: OnnxGraph, x: Tensor, activation: Activation, name: string): Tensor {
  if (activation === 'linear') return x;
  let out: string;
  if (typeof activation === 'object') {
    out = graph.node('Clip', [x.name, graph.scalar(0), graph.scalar(activation.clipMax)], name);
  } else if (activation === 'softmax') {
    // TF.js's softmax runs over the last axis, the channels: axis 1 of an NCHW map. A chw-flat
    // vector holds the same values in another order, and a softmax over all of them is unchanged.
    out = graph.node('Softmax', [x.name], name, { axis: x.layout === 'nchw' ? 1 : -1 });
  } else {
    const op = { relu: 'Relu', tanh: 'Tanh', sigmoid: 'Sigmoid' }[activation];
    out = graph.node(op, [x.name], name);
  }
  return { ...x, name: out, nonNegative: nonNegativeAfter(activation) };
}

/** The tensor itself, writing a pending op first if it is one. */
export function materialize(graph: OnnxGraph, value: Value): Tensor {
  if (value.kind === 'tensor') return value;
  if (value.written) return value.written;
  if (value.kind === 'pad') {
    const [top, left, bottom, right] = value.pads;
    const out = graph.node('Pad', [value.input.name, graph.int64s([0, 0, top, left, 0, 0, bottom, right])], value.layerName, { mode: 'constant' });
    value.written = { kind: 'tensor', name: out, shape: value.shape, layout: 'nchw', nonNegative: value.input.nonNegative };
    return value.written;
  }
  const weight = graph.weight(`${value.layerName}.weight`, value.weight, value.weightDims);
  const inputs = [value.input.name, weight];
  if (value.bias) inputs.push(graph.weight(`${value.layerName}.bias`, value.bias, [value.bias.length]));
  const attributes = value.op === 'Gemm' ? {} : value.attributes;
  const out = graph.node(value.op, inputs, value.layerName, attributes);
  const layout = value.op === 'Conv' ? 'nchw' : 'plain';
  const raw: Tensor = { kind: 'tensor', name: out, shape: value.shape, layout, nonNegative: false };
  value.written = applyActivation(graph, raw, value.activation, `${value.layerName}_act`);
  return value.written;
}

/**
 * The tensor in TF.js's own element order (`plain`): a chw-flat vector is put back in h, w, c order
 * (Reshape to the NCHW map, Transpose, Flatten), an NCHW map transposed to NHWC. Only for the few
 * consumers whose result depends on the order (a reshape, an output, a custom vector layer).
 */
export function inTfOrder(graph: OnnxGraph, value: Value, name: string): Tensor {
  const x = materialize(graph, value);
  if (x.layout === 'plain') return x;
  if (x.layout === 'nchw') {
    const out = graph.node('Transpose', [x.name], `${name}_nhwc`, { perm: [0, 2, 3, 1] });
    return { ...x, name: out, layout: 'plain' };
  }
  const [h, w, c] = x.map!;
  const map = graph.node('Reshape', [x.name, graph.int64s([0, c, h, w])], `${name}_chw`);
  const nhwc = graph.node('Transpose', [map], `${name}_hwc`, { perm: [0, 2, 3, 1] });
  const flat = graph.node('Flatten', [nhwc], `${name}_flat`, { axis: 1 });
  return { kind: 'tensor', name: flat, shape: x.shape, layout: 'plain', nonNegative: x.nonNegative };
}

/** The NCHW map a layer of the image kind needs; a pending pad is written out. */
export function nchwInput(graph: OnnxGraph, value: Value, fail: (message: string) => never): Tensor {
  const x = materialize(graph, value);
  if (x.layout !== 'nchw') fail(`needs an image-shaped [height, width, channels] input, received shape [${x.shape.join(', ')}]`);
  return x;
}
