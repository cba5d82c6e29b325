/**
 * The layers that become a Conv or a Gemm: Conv2D, DepthwiseConv2D, the zoo's GroupedConv2D,
 * PartialConv2D and SubSampling2D, Dense; and BatchNormalization, folded into the one before it
 * when it can be. Each returns a {@link PendingLinear}, written when something reads it, so that a
 * BatchNormalization or an activation after it can still join it.
 */
import { activationOf, pair, requireChannelsLast, windowPads, type Converter, type LayerContext } from './layer-context.js';
import { chwToHwcOrder, convKernel, denseKernel, depthwiseKernel, foldBatchNorm, transpose2d, type BatchNormParams } from './weights.js';
import { materialize, nchwInput, type Activation, type Pads, type PendingLinear, type Tensor } from './values.js';

/** The NCHW input of a convolution, with a ZeroPadding2D before it taken into its pads (exact: both pad with zeros). */
function convInput(ctx: LayerContext): { input: Tensor; extra: Pads } {
  const value = ctx.inputs[0];
  if (value.kind === 'pad') return { input: value.input, extra: value.pads };
  return { input: nchwInput(ctx.graph, value, ctx.fail), extra: [0, 0, 0, 0] };
}

function bias(ctx: LayerContext, useBias: unknown): Float32Array | undefined {
  return useBias === false ? undefined : Float32Array.from(ctx.weight('bias').values);
}

/** A Conv node-to-be with TF's padding (plus any folded zero padding) made explicit. */
function pendingConv(
  ctx: LayerContext,
  weight: Float32Array,
  weightDims: number[],
  group: number,
  options: { kernel: [number, number]; strides: [number, number]; dilations?: [number, number]; bias?: Float32Array; activation: Activation },
): PendingLinear {
  const { input, extra } = convInput(ctx);
  const dilations = options.dilations ?? [1, 1];
  const pads = windowPads(ctx, input.shape, options.kernel, options.strides, dilations, extra);
  return {
    kind: 'linear',
    op: 'Conv',
    layerName: ctx.name,
    input,
    weight,
    weightDims,
    bias: options.bias,
    attributes: { kernel_shape: options.kernel, strides: options.strides, pads, dilations, group },
    activation: options.activation,
    shape: ctx.outputShape,
  };
}

const conv2d: Converter = (ctx) => {
  requireChannelsLast(ctx);
  const kernel = ctx.weight('kernel');
  const [kh, kw, inputs, outputs] = kernel.shape;
  return pendingConv(ctx, convKernel(kernel.values, kernel.shape), [outputs, inputs, kh, kw], 1, {
    kernel: pair(ctx, 'kernelSize'),
    strides: pair(ctx, 'strides', 1),
    dilations: pair(ctx, 'dilationRate', 1),
    bias: bias(ctx, ctx.config.useBias),
    activation: activationOf(ctx),
  });
};

const depthwiseConv2d: Converter = (ctx) => {
  requireChannelsLast(ctx);
  const kernel = ctx.weight('depthwise_kernel');
  const [kh, kw, channels, multiplier] = kernel.shape;
  return pendingConv(ctx, depthwiseKernel(kernel.values, kernel.shape), [channels * multiplier, 1, kh, kw], channels, {
    kernel: pair(ctx, 'kernelSize'),
    strides: pair(ctx, 'strides', 1),
    dilations: pair(ctx, 'dilationRate', 1),
    bias: bias(ctx, ctx.config.useBias),
    activation: activationOf(ctx),
  });
};

/** The zoo's GroupedConv2D: one kernel `[k, k, in / groups, filters]`, ONNX's Conv with `group`. */
const groupedConv2d: Converter = (ctx) => {
  const kernel = ctx.weight('kernel');
  const [kh, kw, inputs, outputs] = kernel.shape;
  const groups = ctx.config.groups;
  if (typeof groups !== 'number' || !Number.isInteger(groups) || groups < 1) return ctx.fail(`groups must be a positive integer, received ${JSON.stringify(groups)}`);
  return pendingConv(ctx, convKernel(kernel.values, kernel.shape), [outputs, inputs, kh, kw], groups, {
    kernel: pair(ctx, 'kernelSize'),
    strides: pair(ctx, 'strides', 1),
    bias: bias(ctx, ctx.config.useBias),
    activation: activationOf(ctx),
  });
};

/**
 * The zoo's PartialConv2D (LeNet-5's C3): a full convolution whose kernel holds zeros where an output
 * map does not see an input map; the connected kernels `[k, k, connections]` are listed output map
 * by output map, as the layer stores them.
 */
const partialConv2d: Converter = (ctx) => {
  const { input, extra } = convInput(ctx);
  const connections = ctx.config.connections as number[][];
  const filters = ctx.config.filters as number;
  const inputs = input.shape[2];
  const kernel = ctx.weight('kernel');
  const [kh, kw, connected] = kernel.shape;
  if (!Array.isArray(connections) || connections.length !== filters || connections.reduce((n, maps) => n + maps.length, 0) !== connected) {
    ctx.fail(`connections must list, for each of the ${filters} filters, the input maps it sees (${connected} in all, as the kernel holds), received ${JSON.stringify(connections)}`);
  }
  const weight = new Float32Array(filters * inputs * kh * kw);
  let c = 0;
  connections.forEach((maps, o) => {
    for (const i of maps) {
      for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) weight[((o * inputs + i) * kh + y) * kw + x] = kernel.values[(y * kw + x) * connected + c];
      c++;
    }
  });
  const kernelSize: [number, number] = [kh, kw];
  // C3 is stride 1, 'valid' (the layer has no padding option).
  const pads = windowPads({ ...ctx, config: { ...ctx.config, padding: 'valid' } }, input.shape, kernelSize, [1, 1], [1, 1], extra);
  return {
    kind: 'linear',
    op: 'Conv',
    layerName: ctx.name,
    input,
    weight,
    weightDims: [filters, inputs, kh, kw],
    bias: Float32Array.from(ctx.weight('bias').values),
    attributes: { kernel_shape: kernelSize, strides: [1, 1], pads, dilations: [1, 1], group: 1 },
    activation: activationOf(ctx),
    shape: ctx.outputShape,
  };
};

/**
 * The zoo's SubSampling2D (LeNet-5's S2, S4): per map, the window's sum times a coefficient plus a
 * bias, which is a depthwise convolution whose p x p kernel holds the coefficient everywhere.
 */
const subSampling2d: Converter = (ctx) => {
  const p = ctx.config.poolSize as number;
  const coefficient = ctx.weight('coefficient').values;
  const channels = coefficient.length;
  const weight = new Float32Array(channels * p * p);
  for (let c = 0; c < channels; c++) weight.fill(coefficient[c], c * p * p, (c + 1) * p * p);
  return pendingConv({ ...ctx, config: { ...ctx.config, padding: 'valid' } }, weight, [channels, 1, p, p], channels, {
    kernel: [p, p],
    strides: [p, p],
    bias: Float32Array.from(ctx.weight('bias').values),
    activation: activationOf(ctx),
  });
};

/**
 * Dense: a Gemm on a vector. On the flatten of an NCHW map its kernel rows are taken in that
 * flatten's order (TF.js flattens h, w, c), so no transpose runs. On a map it is what TF.js makes of
 * it, a product over the channels at every pixel: a 1x1 convolution.
 */
const dense: Converter = (ctx) => {
  const x = materialize(ctx.graph, ctx.inputs[0]);
  const kernel = ctx.weight('kernel');
  const [inputs, units] = kernel.shape;
  const common = { kind: 'linear', layerName: ctx.name, input: x, bias: bias(ctx, ctx.config.useBias), activation: activationOf(ctx), shape: ctx.outputShape } as const;
  if (x.layout === 'nchw') {
    const weight = transpose2d(kernel.values, inputs, units);
    return { ...common, op: 'Conv', weight, weightDims: [units, inputs, 1, 1], attributes: { kernel_shape: [1, 1], strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], group: 1 } };
  }
  if (x.shape.length !== 1) ctx.fail(`needs a vector or an image-shaped input, received shape [${x.shape.join(', ')}]`);
  const order = x.layout === 'chw-flat' ? chwToHwcOrder(x.map!) : undefined;
  return { ...common, op: 'Gemm', weight: denseKernel(kernel.values, kernel.shape, order), weightDims: [inputs, units], attributes: {} };
};

function batchNormParams(ctx: LayerContext): BatchNormParams {
  const read = (name: string) => (ctx.hasWeight(name) ? ctx.weight(name).values : undefined);
  const epsilon = ctx.config.epsilon;
  if (typeof epsilon !== 'number') ctx.fail(`epsilon must be a number, received ${JSON.stringify(epsilon)}`);
  return { gamma: read('gamma'), beta: read('beta'), mean: ctx.weight('moving_mean').values, variance: ctx.weight('moving_variance').values, epsilon };
}

/** Permutes per-feature values of a vector into the order of a chw-flat vector of `map`. */
function toChwOrder(values: Float32Array, map: [number, number, number]): Float32Array {
  const order = chwToHwcOrder(map);
  return Float32Array.from(order, (from) => values[from]);
}

/**
 * BatchNormalization over the last axis: folded into the Conv/Gemm before it when that op feeds only
 * it and has no activation yet; else ONNX's BatchNormalization (inference form).
 */
const batchNormalization: Converter = (ctx) => {
  const rank = ctx.outputShape.length + 1;
  const axis = ctx.config.axis;
  if (axis !== -1 && axis !== rank - 1) ctx.fail(`axis must be the last (-1 or ${rank - 1}), the channels, received ${JSON.stringify(axis)}`);
  const params = batchNormParams(ctx);
  const value = ctx.inputs[0];
  if (value.kind === 'linear' && value.activation === 'linear' && ctx.ownsInput(0)) {
    const folded = foldBatchNorm(value.weight, value.bias, params, value.op === 'Gemm');
    return { ...value, weight: folded.weight, bias: folded.bias, shape: ctx.outputShape, written: undefined };
  }
  const x = materialize(ctx.graph, value);
  let { gamma, beta, mean, variance } = params;
  const channels = mean.length;
  gamma ??= new Float32Array(channels).fill(1);
  beta ??= new Float32Array(channels);
  if (x.layout === 'chw-flat') [gamma, beta, mean, variance] = [gamma, beta, mean, variance].map((v) => toChwOrder(v, x.map!));
  const inputs = [x.name, ...[gamma, beta, mean, variance].map((v, i) => ctx.graph.weight(`${ctx.name}.${['scale', 'bias', 'mean', 'var'][i]}`, v, [v.length]))];
  const out = ctx.graph.node('BatchNormalization', inputs, ctx.name, { epsilon: { float: params.epsilon } });
  return { ...x, name: out, nonNegative: false };
};

export const linearConverters: Record<string, Converter> = {
  Conv2D: conv2d,
  DepthwiseConv2D: depthwiseConv2d,
  GroupedConv2D: groupedConv2d,
  PartialConv2D: partialConv2d,
  SubSampling2D: subSampling2d,
  Dense: dense,
  BatchNormalization: batchNormalization,
};
