/**
 * What a layer's conversion sees: its config, its input values, its weights, the graph to write
 * into, and whether it is the only reader of each input (so that it may absorb a pending op).
 */
import type { OnnxGraph } from './graph.js';
import type { Activation, Pads, Value } from './values.js';

export interface LayerContext {
  graph: OnnxGraph;
  /** The layer's name, for node and weight names. */
  name: string;
  className: string;
  config: Record<string, unknown>;
  inputs: Value[];
  /** TF.js's output shape without the batch axis. */
  outputShape: number[];
  /** Whether this layer is the only consumer of input `index` (and it is no model output). */
  ownsInput(index: number): boolean;
  /** A weight of the layer by its short name (`kernel`, `moving_mean`), with TF.js's shape. Read-only: the values may be the backend's own storage. */
  weight(name: string): { values: Float32Array; shape: number[] };
  hasWeight(name: string): boolean;
  /** Throws an {@link OnnxExportError} naming this layer and its class. */
  fail(message: string): never;
}

/** A layer's conversion: its output value. */
export type Converter = (ctx: LayerContext) => Value;

/** A size or a `[height, width]` pair from a config (`kernelSize: 3` or `[3, 3]`). */
export function pair(ctx: LayerContext, key: string, fallback?: number): [number, number] {
  const value = ctx.config[key] ?? fallback;
  if (typeof value === 'number') return [value, value];
  if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'number')) return [value[0], value[1]];
  return ctx.fail(`${key} must be a number or a pair of numbers, received ${JSON.stringify(value)}`);
}

/** Refuses channels-first layers: the exporter reads TF.js's default, channels-last. */
export function requireChannelsLast(ctx: LayerContext): void {
  const format = ctx.config.dataFormat;
  if (format !== undefined && format !== null && format !== 'channelsLast') {
    ctx.fail(`dataFormat must be 'channelsLast' (the only layout the exporter reads), received ${JSON.stringify(format)}`);
  }
}

/** The layer's `activation` config (a fused activation, or the Activation layer's own). */
export function activationOf(ctx: LayerContext, key = 'activation'): Activation {
  const value = String(ctx.config[key] ?? 'linear');
  switch (value) {
    case 'linear':
    case 'relu':
    case 'tanh':
    case 'sigmoid':
    case 'softmax':
      return value;
    case 'relu6':
      return { clipMax: 6 };
    default:
      return ctx.fail(`activation ${JSON.stringify(value)} has no ONNX conversion (supported: linear, relu, relu6, tanh, sigmoid, softmax)`);
  }
}

/**
 * TF's padding of one axis: 'valid' none; 'same' pads so that the output is ceil(size / stride),
 * the odd pixel after (bottom/right), as TF does.
 */
export function tfPadding(padding: unknown, size: number, kernel: number, stride: number, dilation = 1): [number, number] {
  if (padding !== 'same') return [0, 0];
  const effective = (kernel - 1) * dilation + 1;
  const total = Math.max((Math.ceil(size / stride) - 1) * stride + effective - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** The padding of a 2-D window op: TF's for `padding` on the `[height, width]` it sees, plus `extra` (folded zero padding). */
export function windowPads(ctx: LayerContext, [height, width]: number[], kernel: [number, number], strides: [number, number], dilations: [number, number] = [1, 1], extra: Pads = [0, 0, 0, 0]): Pads {
  const padding = ctx.config.padding;
  if (padding !== 'same' && padding !== 'valid') ctx.fail(`padding must be 'same' or 'valid', received ${JSON.stringify(padding)}`);
  // TF's 'same' is computed on the padded size the layer sees.
  const [top, bottom] = tfPadding(padding, height + extra[0] + extra[2], kernel[0], strides[0], dilations[0]);
  const [left, right] = tfPadding(padding, width + extra[1] + extra[3], kernel[1], strides[1], dilations[1]);
  return [top + extra[0], left + extra[1], bottom + extra[2], right + extra[3]];
}
