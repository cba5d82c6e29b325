/**
 * Activations and the zoo's other value-wise layers: Activation, ReLU, ScaledTanh,
 * LocalResponseNormalization, EuclideanRBF.
 */
import { activationOf, type Converter, type LayerContext } from './layer-context.js';
import { passThrough } from './convert-shape.js';
import { applyActivation, inTfOrder, materialize, nchwInput, type Activation, type Value } from './values.js';

/**
 * Places `activation` after the input: on a pending Conv/Gemm that this layer alone reads, as that
 * op's own activation (written right after it, where ORT fuses Conv+Relu, Conv+Clip, Gemm+Relu...).
 */
function activate(ctx: LayerContext, activation: Activation): Value {
  if (activation === 'linear') return passThrough(ctx);
  const value = ctx.inputs[0];
  if (value.kind === 'linear' && value.activation === 'linear' && ctx.ownsInput(0)) {
    return { ...value, activation, shape: ctx.outputShape, written: undefined };
  }
  return applyActivation(ctx.graph, materialize(ctx.graph, value), activation, ctx.name);
}

/** ReLU, with `maxValue` a clip to [0, maxValue] (MobileNet's ReLU6: ONNX's Clip, which ORT fuses into the Conv). */
const relu: Converter = (ctx) => {
  const max = ctx.config.maxValue;
  if (max === undefined || max === null) return activate(ctx, 'relu');
  if (typeof max !== 'number' || !(max > 0)) return ctx.fail(`maxValue must be a positive number, received ${JSON.stringify(max)}`);
  return activate(ctx, { clipMax: max });
};

/** The zoo's ScaledTanh, A·tanh(S·x). */
const scaledTanh: Converter = (ctx) => {
  const { amplitude, slope } = ctx.config as { amplitude: number; slope: number };
  const x = materialize(ctx.graph, ctx.inputs[0]);
  const scaled = ctx.graph.node('Mul', [x.name, ctx.graph.scalar(slope)], `${ctx.name}_slope`);
  const squashed = ctx.graph.node('Tanh', [scaled], ctx.name);
  const out = ctx.graph.node('Mul', [squashed, ctx.graph.scalar(amplitude)], `${ctx.name}_amplitude`);
  return { ...x, name: out, nonNegative: false };
};

/**
 * The zoo's LocalResponseNormalization. Its α multiplies the raw sum of squares over the n channels
 * (the paper's and TF's convention); ONNX's LRN divides its alpha by n, so alpha = α·n here.
 */
const localResponseNormalization: Converter = (ctx) => {
  const { size, k, alpha, beta } = ctx.config as { size: number; k: number; alpha: number; beta: number };
  const x = nchwInput(ctx.graph, ctx.inputs[0], ctx.fail);
  const out = ctx.graph.node('LRN', [x.name], ctx.name, { size, alpha: { float: alpha * size }, beta: { float: beta }, bias: { float: k } });
  return { ...x, name: out };
};

/**
 * The zoo's EuclideanRBF: activation(-Σ_j (x_j - w_ij)²), computed as written (broadcast difference,
 * square, sum), not as |x|² - 2x·w + |w|², whose cancellation would cost precision.
 */
const euclideanRbf: Converter = (ctx) => {
  const x = inTfOrder(ctx.graph, ctx.inputs[0], ctx.name);
  const centers = ctx.weight('centers');
  const { graph } = ctx;
  const expanded = graph.node('Unsqueeze', [x.name, graph.int64s([1])], `${ctx.name}_expand`);
  const difference = graph.node('Sub', [expanded, graph.weight(`${ctx.name}.centers`, Float32Array.from(centers.values), centers.shape)], `${ctx.name}_difference`);
  const squared = graph.node('Mul', [difference, difference], `${ctx.name}_square`);
  const distance = graph.node('ReduceSum', [squared, graph.int64s([2])], `${ctx.name}_distance`, { keepdims: 0 });
  const negated = graph.node('Neg', [distance], ctx.name);
  const out = { kind: 'tensor', name: negated, shape: ctx.outputShape, layout: 'plain', nonNegative: false } as const;
  return applyActivation(graph, out, activationOf(ctx), `${ctx.name}_act`);
};

export const elementwiseConverters: Record<string, Converter> = {
  Activation: (ctx) => activate(ctx, activationOf(ctx)),
  ReLU: relu,
  ScaledTanh: scaledTanh,
  LocalResponseNormalization: localResponseNormalization,
  EuclideanRBF: euclideanRbf,
};
