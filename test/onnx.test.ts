/**
 * ONNX export: every registered model and the variants, run by ONNX Runtime, against the TF.js model
 * itself; the graph's shape (channels-first, BatchNorm folded, pads folded); the layers the zoo does
 * not combine this way; errors; the predictor; writing files.
 *
 * Agreement is measured as max |onnx - tfjs| / max |tfjs| over each output (the error relative to the
 * output's scale, as the wasm tests measure it), at most 1e-4, at batch 1 and 3, in both layouts.
 * BatchNorm's moving statistics (and gamma, beta) are set to random values first, so that a fold that
 * forgot one of them shows.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { BackendError, ConfigError } from '../src/errors.js';
import { createModel, listModels, tf, type ModelName } from '../src/index.js';
import { AdaptiveAveragePooling2D } from '../src/net/index.js';
import { writeFileAtomic } from '../src/onnx/atomic.js';
import { OnnxExportError } from '../src/onnx/errors.js';
import { onnxPredictor, toOnnx, type OnnxArray } from '../src/onnx/index.js';
import { loadOnnxRuntime, type OrtModule } from '../src/onnx/ort.js';
import { decodeModel, type OnnxModel } from '../src/onnx/schema.js';
import { relativeError } from './helpers/relative-error.js';

const TOLERANCE = 1e-4;
const LAYOUTS = ['nhwc', 'nchw'] as const;
type Layout = (typeof LAYOUTS)[number];

let ortModule: OrtModule | undefined;
const ort = async () => (ortModule ??= await loadOnnxRuntime());

/** Deterministic values in [0, 1) (a linear congruential generator). */
function uniforms(count: number, seed: number): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length: count }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  });
}

/** Sets every BatchNormalization's gamma, beta, moving mean and variance to random values (variance in [0.5, 1.5)). */
function randomizeBatchNorm(model: tf.LayersModel, seed = 5): number {
  let count = 0;
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    count++;
    for (const variable of layer.weights) {
      const size = variable.shape.reduce<number>((a, b) => a * (b as number), 1);
      const u = uniforms(size, seed++);
      const kind = variable.originalName.split('/').pop();
      const values = u.map((v) => (kind === 'moving_variance' || kind === 'gamma' ? 0.5 + v : v - 0.5));
      variable.write(tf.tensor(values, variable.shape as number[]));
    }
  }
  return count;
}

function opCounts(graph: OnnxModel): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const node of graph.graph.node) counts[node.op_type] = (counts[node.op_type] ?? 0) + 1;
  return counts;
}

/**
 * Exports `model` in both layouts, runs batches of 1 and 3 in ONNX Runtime and compares every output
 * with TF.js's. Returns the decoded graphs by layout.
 */
async function expectSameAsTfjs(model: tf.LayersModel, options: { outputs?: 'all' | 'main'; batches?: number[] } = {}): Promise<Record<Layout, OnnxModel>> {
  const { InferenceSession, Tensor } = await ort();
  const inputShape = model.inputs[0].shape.slice(1) as number[];
  const references = (options.batches ?? [1, 3]).map((batch, i) => {
    const x = tf.randomNormal([batch, ...inputShape], 0, 1, 'float32', 100 + i);
    const predicted = model.predict(x) as tf.Tensor | tf.Tensor[];
    const all = Array.isArray(predicted) ? predicted : [predicted];
    const kept = options.outputs === 'main' ? all.slice(0, 1) : all;
    const ys = kept.map((y) => ({ shape: y.shape, nchw: y.rank === 4 ? (tf.tidy(() => tf.transpose(y, [0, 3, 1, 2]).dataSync()) as Float32Array) : undefined, values: y.dataSync() as Float32Array }));
    tf.dispose(all);
    return { x, ys };
  });
  const graphs = {} as Record<Layout, OnnxModel>;
  try {
    for (const layout of LAYOUTS) {
      const bytes = toOnnx(model, { layout, outputs: options.outputs });
      graphs[layout] = decodeModel(bytes);
      const session = await InferenceSession.create(bytes, { intraOpNumThreads: 2 });
      try {
        for (const { x, ys } of references) {
          const feed = layout === 'nchw' ? tf.tidy(() => tf.transpose(x, [0, 3, 1, 2])) : x;
          const data = feed.dataSync() as Float32Array;
          const results = await session.run({ input: new Tensor('float32', data, feed.shape) });
          if (feed !== x) feed.dispose();
          expect(session.outputNames).toHaveLength(ys.length);
          ys.forEach((y, i) => {
            const out = results[session.outputNames[i]];
            const [n, h, w, c] = y.shape;
            const expectedDims = y.shape.length === 4 && layout === 'nchw' ? [n, c, h, w] : y.shape;
            expect([...out.dims], `${model.name} ${layout} output ${i} dims`).toEqual(expectedDims);
            const expected = layout === 'nchw' && y.nchw ? y.nchw : y.values;
            expect(relativeError(out.data as Float32Array, expected), `${model.name} ${layout} batch ${x.shape[0]} output ${i}`).toBeLessThan(TOLERANCE);
          });
        }
      } finally {
        await session.release();
      }
    }
  } finally {
    for (const { x } of references) x.dispose();
  }
  return graphs;
}

/**
 * The graph of a classifier as the brief asks for it: channels-first from end to end (one Transpose,
 * at the input, and only in nhwc), every BatchNorm folded, every ZeroPadding2D folded, a dynamic batch.
 */
function expectLeanGraph(graphs: Record<Layout, OnnxModel>, transposesNhwc = 1): void {
  for (const layout of LAYOUTS) {
    const graph = graphs[layout];
    const ops = opCounts(graph);
    expect(ops.Transpose ?? 0, `${layout} Transposes`).toBe(layout === 'nhwc' ? transposesNhwc : 0);
    expect(ops.BatchNormalization, 'a BatchNormalization node (not folded)').toBeUndefined();
    expect(ops.Pad, 'a Pad node (not folded)').toBeUndefined();
    expect(ops.Identity).toBeUndefined();
    if (layout === 'nhwc') {
      const transpose = graph.graph.node.find((node) => node.op_type === 'Transpose');
      if (transposesNhwc === 1) expect(transpose?.input).toEqual(['input']);
    }
    // proto2 leaves out an empty domain, which means ai.onnx.
    expect(graph.opset_import.map(({ domain, version }) => [domain ?? '', version])).toEqual([['', 17]]);
    expect(graph.ir_version).toBe(8);
    for (const io of [...graph.graph.input, ...graph.graph.output]) expect(io.type.tensor_type.shape.dim[0]).toEqual({ dim_param: 'batch' });
  }
}

/** Small test builds: 10 classes, logits (a softmax would hide small errors), 32x32 where the architecture allows. */
async function buildForTest(name: ModelName, extra: Record<string, unknown> = {}): Promise<tf.LayersModel> {
  // Options are checked at run time; the test passes variants' options for any model by name.
  const base: Record<string, unknown> = { seed: 11, numClasses: 10, classifierActivation: 'linear', ...extra };
  // LeNet-5 takes 32x32x1 (its default); AlexNet's first stride-4 conv and three pools need 63 px.
  if (name === 'lenet5' || 'inputShape' in extra) return createModel(name, base);
  if (name === 'alexnet') return createModel(name, { ...base, inputShape: [63, 63, 3] });
  try {
    return await createModel(name, { ...base, inputShape: [32, 32, 3] });
  } catch (error) {
    if (error instanceof ConfigError && error.field === 'inputShape') return createModel(name, base);
    throw error;
  }
}

describe('toOnnx: every registered model, run by ONNX Runtime, gives the TF.js outputs', () => {
  for (const name of listModels()) {
    it(name, async () => {
      const model = await buildForTest(name);
      try {
        const folded = randomizeBatchNorm(model);
        const graphs = await expectSameAsTfjs(model);
        expectLeanGraph(graphs);
        // Every BatchNorm went into a Conv's weights: as many Convs as conv layers, no other node for them.
        const convLayers = model.layers.filter((l) => ['Conv2D', 'DepthwiseConv2D', 'GroupedConv2D', 'PartialConv2D', 'SubSampling2D'].includes(l.getClassName())).length;
        expect(opCounts(graphs.nchw).Conv).toBe(convLayers);
        expect(folded === 0 || !('BatchNormalization' in opCounts(graphs.nchw))).toBe(true);
      } finally {
        model.dispose();
      }
    });
  }
});

describe('toOnnx: variants', () => {
  it("AlexNet 'paper' with groups 2 (grouped convolutions, LRN with ONNX's alpha / size)", async () => {
    const model = await createModel('alexnet', { variant: 'paper', groups: 2, numClasses: 10, seed: 3, classifierActivation: 'linear' });
    try {
      const graphs = await expectSameAsTfjs(model, { batches: [1, 2] });
      expectLeanGraph(graphs);
      const groups = graphs.nchw.graph.node.filter((n) => n.op_type === 'Conv').map((n) => n.attribute.find((a) => a.name === 'group')?.i);
      expect(groups).toEqual([1, 2, 1, 2, 2]);
      expect(opCounts(graphs.nchw).LRN).toBe(2);
    } finally {
      model.dispose();
    }
  });

  it("LeNet-5 'paper' (subsampling, partial C3, scaled tanh, Euclidean RBF)", async () => {
    const model = await createModel('lenet5', { variant: 'paper', seed: 4 });
    try {
      const graphs = await expectSameAsTfjs(model);
      expectLeanGraph(graphs);
    } finally {
      model.dispose();
    }
  });

  it('the shipped LeNet-5 (mnist weights, its ZeroPadding2D folded into c1)', async () => {
    const model = await createModel('lenet5', { weights: 'mnist' });
    try {
      const graphs = await expectSameAsTfjs(model);
      expectLeanGraph(graphs);
      const c1 = graphs.nchw.graph.node.find((n) => n.op_type === 'Conv')!;
      expect(c1.attribute.find((a) => a.name === 'pads')?.ints).toEqual([2, 2, 2, 2]);
    } finally {
      model.dispose();
    }
  });

  it("GoogLeNet 'paper' (LRN, 'same' max pools)", async () => {
    const model = await createModel('googlenet', { variant: 'paper', inputShape: [64, 64, 3], numClasses: 10, seed: 6, classifierActivation: 'linear' });
    try {
      expectLeanGraph(await expectSameAsTfjs(model));
    } finally {
      model.dispose();
    }
  });

  it("GoogLeNet with auxLogits: all three outputs, and 'main' alone without the auxiliary heads", async () => {
    // 96x96: the auxiliary heads pool 6x6 maps to 4x4 with PyTorch's overlapping bins (MatMul path).
    const model = await createModel('googlenet', { auxLogits: true, inputShape: [96, 96, 3], numClasses: 10, seed: 7 });
    try {
      randomizeBatchNorm(model);
      const all = await expectSameAsTfjs(model, { batches: [1, 2] });
      expectLeanGraph(all);
      expect(all.nhwc.graph.output.map((o) => o.name)).toEqual(['output', 'output_1', 'output_2']);
      const main = await expectSameAsTfjs(model, { outputs: 'main', batches: [2] });
      expect(main.nhwc.graph.output.map((o) => o.name)).toEqual(['output']);
      expect(opCounts(main.nchw).Gemm).toBe(1);
      expect(opCounts(main.nchw).MatMul).toBeUndefined();
    } finally {
      model.dispose();
    }
  });

  it('GoogLeNet with auxLogits at 32x32: the auxiliary pools upsample 2x2 maps to 4x4, as PyTorch repeats values', async () => {
    const model = await createModel('googlenet', { auxLogits: true, inputShape: [32, 32, 3], numClasses: 10, seed: 8, classifierActivation: 'linear' });
    try {
      randomizeBatchNorm(model);
      expectLeanGraph(await expectSameAsTfjs(model, { batches: [2] }));
    } finally {
      model.dispose();
    }
  });

  it('MobileNet V2 with alpha 0.35 (ReLU6 as Clip, stride-2 pads folded into the depthwise convolutions)', async () => {
    const model = await createModel('mobilenetV2', { alpha: 0.35, inputShape: [32, 32, 3], numClasses: 10, seed: 9 });
    try {
      randomizeBatchNorm(model);
      const graphs = await expectSameAsTfjs(model);
      expectLeanGraph(graphs);
      // Each Clip follows a Conv directly, where ORT fuses the two.
      const producers = new Map(graphs.nchw.graph.node.map((n) => [n.output[0], n.op_type]));
      for (const clip of graphs.nchw.graph.node.filter((n) => n.op_type === 'Clip')) expect(producers.get(clip.input[0])).toBe('Conv');
    } finally {
      model.dispose();
    }
  });

  for (const [name, options, transposesNhwc] of [
    ['resnet18', { includeTop: false }, 2],
    ['resnet18', { includeTop: false, pooling: 'avg' }, 1],
    ['mobilenetV1', { includeTop: false, pooling: 'max' }, 1],
    ['vgg16', { includeTop: false }, 2],
  ] as const) {
    it(`headless ${name} ${JSON.stringify(options)}: a feature map leaves in the input's layout`, async () => {
      const model = await createModel(name, { ...options, inputShape: [32, 32, 3], seed: 10 });
      try {
        randomizeBatchNorm(model);
        expectLeanGraph(await expectSameAsTfjs(model), transposesNhwc);
      } finally {
        model.dispose();
      }
    });
  }
});

describe('toOnnx: layers in combinations the zoo does not use', () => {
  it('a shared conv output (no fold), zero padding before a max pool of signed values, Dense on a map, a real reshape, BN and tanh on a flatten', async () => {
    const input = tf.input({ shape: [9, 9, 4], name: 'image' });
    const conv = tf.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', useBias: false, name: 'conv' }).apply(input) as tf.SymbolicTensor;
    const bn = tf.layers.batchNormalization({ name: 'bn' }).apply(conv) as tf.SymbolicTensor;
    const sum = tf.layers.add({ name: 'sum' }).apply([conv, bn]) as tf.SymbolicTensor;
    const padded = tf.layers.zeroPadding2d({ padding: [[1, 0], [0, 2]], name: 'pad' }).apply(sum) as tf.SymbolicTensor;
    const pooled = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, name: 'pool' }).apply(padded) as tf.SymbolicTensor;
    const averaged = tf.layers.averagePooling2d({ poolSize: 2, strides: 1, padding: 'same', name: 'avg' }).apply(pooled) as tf.SymbolicTensor;
    const perPixel = tf.layers.dense({ units: 5, activation: 'relu', name: 'per_pixel' }).apply(averaged) as tf.SymbolicTensor;
    const [h, w] = perPixel.shape.slice(1) as number[];
    const reshaped = tf.layers.reshape({ targetShape: [w, h, 5], name: 'reshape' }).apply(perPixel) as tf.SymbolicTensor;
    const flat = tf.layers.flatten({ name: 'flat' }).apply(reshaped) as tf.SymbolicTensor;
    const squashed = tf.layers.activation({ activation: 'tanh', name: 'tanh' }).apply(flat) as tf.SymbolicTensor;
    const normed = tf.layers.batchNormalization({ name: 'bn_flat' }).apply(squashed) as tf.SymbolicTensor;
    const logits = tf.layers.dense({ units: 7, name: 'logits' }).apply(tf.layers.dropout({ rate: 0.5 }).apply(normed)) as tf.SymbolicTensor;
    const maxed = tf.layers.globalMaxPooling2d({ name: 'gmp' }).apply(averaged) as tf.SymbolicTensor;
    const joined = tf.layers.concatenate({ name: 'joined' }).apply([logits, maxed]) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: [joined, flat, reshaped], name: 'odd' });
    try {
      randomizeBatchNorm(model);
      const graphs = await expectSameAsTfjs(model);
      const ops = opCounts(graphs.nchw);
      expect(ops.BatchNormalization).toBe(2); // bn's conv has a second reader; bn_flat follows a tanh
      // The sum is signed, so a padded zero can win the max: kept as a mask, not as a Pad (see maxPooling2d).
      expect(ops.Pad).toBeUndefined();
      expect(ops.Max).toBe(1);
    } finally {
      model.dispose();
    }
  });

  it("ReLU's maxValue, dilation, depthwise multipliers, 'same' max pools on a folded pad, channel softmax, sigmoid", async () => {
    const input = tf.input({ shape: [12, 10, 3] });
    let x = tf.layers.conv2d({ filters: 8, kernelSize: 3, dilationRate: 2, padding: 'same', activation: 'relu' }).apply(input) as tf.SymbolicTensor;
    x = tf.layers.zeroPadding2d({ padding: 1 }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'same' }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.reLU({ maxValue: 3 }).apply(x) as tf.SymbolicTensor;
    const gate = tf.layers.activation({ activation: 'sigmoid' }).apply(x) as tf.SymbolicTensor;
    const scores = tf.layers.activation({ activation: 'softmax' }).apply(tf.layers.conv2d({ filters: 4, kernelSize: 1 }).apply(gate)) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: scores });
    try {
      const graphs = await expectSameAsTfjs(model);
      expectLeanGraph(graphs, 2);
      expect(graphs.nchw.graph.node.find((n) => n.op_type === 'Clip')).toBeDefined();
    } finally {
      model.dispose();
    }
  });

  it("AdaptiveAveragePooling2D with PyTorch's bins: overlapping, divisible, identity, and maps smaller than the output", async () => {
    for (const [[height, width], outputSize] of [
      [[13, 13], [6, 6]],
      [[8, 12], [4, 3]],
      [[6, 5], [4, 5]],
      [[7, 7], [7, 7]],
      [[2, 2], [4, 4]],
      [[1, 3], [3, 2]],
    ] as [[number, number], [number, number]][]) {
      const input = tf.input({ shape: [height, width, 3] });
      const pooled = new AdaptiveAveragePooling2D({ outputSize }).apply(input) as tf.SymbolicTensor;
      const model = tf.model({ inputs: input, outputs: tf.layers.flatten().apply(pooled) as tf.SymbolicTensor });
      try {
        await expectSameAsTfjs(model, { batches: [2] });
      } finally {
        model.dispose();
      }
    }
  });
});

describe('toOnnx: errors and options', () => {
  it('refuses a layer it cannot convert, naming the layer and its class, before returning anything', () => {
    const input = tf.input({ shape: [5, 3] });
    const lstm = tf.layers.lstm({ units: 4, name: 'my_lstm' }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2 }).apply(lstm) as tf.SymbolicTensor });
    try {
      expect(() => toOnnx(model)).toThrow(OnnxExportError);
      expect(() => toOnnx(model)).toThrow(/layer 'my_lstm' \(LSTM\): has no ONNX conversion/);
    } finally {
      model.dispose();
    }
  });

  it('refuses a custom layer class it does not know', () => {
    class Doubler extends tf.layers.Layer {
      static className = 'Doubler';
      override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
        return tf.mul(Array.isArray(inputs) ? inputs[0] : inputs, 2);
      }
    }
    const input = tf.input({ shape: [4, 4, 1] });
    const model = tf.model({ inputs: input, outputs: new Doubler({ name: 'twice' }).apply(input) as tf.SymbolicTensor });
    const error = (() => {
      try {
        toOnnx(model);
      } catch (e) {
        return e as OnnxExportError;
      }
    })();
    expect(error).toBeInstanceOf(OnnxExportError);
    expect(error?.layer).toBe('twice');
    expect(error?.className).toBe('Doubler');
    model.dispose();
  });

  it('checks its options', async () => {
    const model = await createModel('lenet5', { seed: 1 });
    try {
      expect(() => toOnnx(model, { opset: 16 })).toThrow(/options\.opset: must be an integer from 17 to 23, received 16/);
      expect(() => toOnnx(model, { layout: 'chw' as 'nchw' })).toThrow(ConfigError);
      expect(() => toOnnx(model, { outputs: 'aux' as 'all' })).toThrow(/options\.outputs/);
      // Later opsets declare the IR version of their ONNX release, and ORT runs them.
      for (const [opset, ir] of [[18, 8], [21, 10], [23, 11]]) {
        const bytes = toOnnx(model, { opset, name: 'lenet' });
        const graph = decodeModel(bytes);
        expect([graph.ir_version, graph.opset_import[0].version, graph.graph.name]).toEqual([ir, opset, 'lenet']);
        const { InferenceSession } = await ort();
        await (await InferenceSession.create(bytes)).release();
      }
    } finally {
      model.dispose();
    }
  });
});

describe('onnxPredictor', () => {
  it('predicts TF.js tensors and plain arrays, from a model or a weights folder', async () => {
    const model = await createModel('lenet5', { weights: 'mnist' });
    const predictor = await onnxPredictor('weights/lenet5-mnist', { threads: 1 });
    const nchw = await onnxPredictor(model, { layout: 'nchw' });
    const x = tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 3);
    try {
      const expected = model.predict(x) as tf.Tensor;
      const y = (await predictor.predict(x)) as tf.Tensor;
      expect(y.shape).toEqual([4, 10]);
      expect(relativeError(y.dataSync(), expected.dataSync())).toBeLessThan(TOLERANCE);
      const fromArray = (await nchw.predict({ data: tf.transpose(x, [0, 3, 1, 2]).dataSync() as Float32Array, shape: [4, 1, 28, 28] })) as OnnxArray;
      expect(fromArray.shape).toEqual([4, 10]);
      expect(fromArray.data).toBeInstanceOf(Float32Array);
      expect(relativeError(fromArray.data, expected.dataSync())).toBeLessThan(TOLERANCE);
      expect(predictor.input).toEqual({ name: 'input', dims: ['batch', 28, 28, 1], layer: expect.any(String) });
      await expect(predictor.predict(tf.zeros([1, 32, 32, 1]))).rejects.toThrow(/input: must have shape \[batch, 28, 28, 1\] \(layout nhwc, any batch size\), received \[1, 32, 32, 1\]/);
      tf.dispose([expected, y]);
    } finally {
      x.dispose();
      model.dispose();
      await predictor.dispose();
      await nchw.dispose();
    }
    await expect(predictor.predict({ data: new Float32Array(784), shape: [1, 28, 28, 1] })).rejects.toThrow(/after dispose/);
  });

  it('returns one array per output for GoogLeNet with its auxiliary heads', async () => {
    const model = await createModel('googlenet', { auxLogits: true, inputShape: [32, 32, 3], numClasses: 5, seed: 2 });
    const predictor = await onnxPredictor(model);
    try {
      const ys = (await predictor.predict(tf.zeros([2, 32, 32, 3]))) as tf.Tensor[];
      expect(ys.map((y) => y.shape)).toEqual([[2, 5], [2, 5], [2, 5]]);
      tf.dispose(ys);
    } finally {
      await predictor.dispose();
      model.dispose();
    }
  });

  it('leaks no tensor and keeps its memory over 100 predictions', async () => {
    const model = await createModel('lenet5', { seed: 3 });
    const predictor = await onnxPredictor(model, { threads: 1 });
    const x = tf.randomNormal([8, 32, 32, 1]);
    const array = { data: x.dataSync() as Float32Array, shape: x.shape };
    try {
      const run = async (times: number) => {
        for (let i = 0; i < times; i++) {
          tf.dispose((await predictor.predict(x)) as tf.Tensor);
          await predictor.predict(array);
        }
      };
      // Garbage that is merely not collected yet is no leak: collect it before each measurement.
      v8.setFlagsFromString('--expose-gc');
      const gc = vm.runInNewContext('gc') as () => void;
      await run(20);
      gc();
      const tensors = tf.memory().numTensors;
      const before = process.memoryUsage();
      await run(100);
      gc();
      const after = process.memoryUsage();
      expect(tf.memory().numTensors).toBe(tensors);
      // 200 runs move 200 x 32 KB of input through ORT: a leak of the feeds alone would be 6 MB.
      expect(after.rss - before.rss).toBeLessThan(32 * 2 ** 20);
      expect(after.external + after.arrayBuffers - (before.external + before.arrayBuffers)).toBeLessThan(4 * 2 ** 20);
    } finally {
      x.dispose();
      await predictor.dispose();
      model.dispose();
    }
  });

  it('says how to install onnxruntime-node when it is missing', async () => {
    const missing = Object.assign(new Error("Cannot find package 'onnxruntime-node'"), { code: 'ERR_MODULE_NOT_FOUND' });
    await expect(loadOnnxRuntime(() => Promise.reject(missing))).rejects.toThrow(BackendError);
    await expect(loadOnnxRuntime(() => Promise.reject(missing))).rejects.toThrow(/npm install onnxruntime-node/);
    await expect(loadOnnxRuntime(() => Promise.reject(new Error('libonnxruntime.so.1: cannot open shared object file')))).rejects.toThrow(/could not be loaded \(libonnxruntime/);
  });
});

describe('writing an export', () => {
  const dir = path.join(os.tmpdir(), `cnn-zoo-onnx-${process.pid}`);
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  it('writes a file atomically, creating its folder', async () => {
    const file = path.join(dir, 'a', 'b', 'model.onnx');
    await writeFileAtomic(file, new Uint8Array([1, 2, 3]));
    await writeFileAtomic(file, new Uint8Array([4, 5]));
    expect([...(await fs.readFile(file))]).toEqual([4, 5]);
    expect(await fs.readdir(path.dirname(file))).toEqual(['model.onnx']);
  });

  it('refuses an unwritable path with a clear error and leaves nothing behind', async () => {
    await fs.mkdir(dir, { recursive: true });
    const blocker = path.join(dir, 'a-file');
    await fs.writeFile(blocker, 'x');
    await expect(writeFileAtomic(path.join(blocker, 'sub', 'model.onnx'), new Uint8Array(1))).rejects.toThrow(/cannot write '.*model\.onnx' \(ENOTDIR: .*\); nothing was written/);
    // A name too long for the file system fails after its folders were made: they go again.
    const tooLong = path.join(dir, 'new-parent', 'deeper', `${'m'.repeat(300)}.onnx`);
    await expect(writeFileAtomic(tooLong, new Uint8Array(1))).rejects.toThrow(/ENAMETOOLONG/);
    await expect(writeFileAtomic(dir, new Uint8Array(1))).rejects.toThrow(/it is a folder/);
    expect((await fs.readdir(dir)).sort()).toEqual(['a', 'a-file']);
  });

  it.runIf(process.platform === 'linux')('fails at once under /proc, where Node\'s recursive mkdir would retry for ever', async () => {
    await expect(writeFileAtomic('/proc/cnn-zoo/model.onnx', new Uint8Array(1))).rejects.toThrow(/cannot write '\/proc\/cnn-zoo\/model\.onnx' \(ENOENT: no such folder, and none can be created there\)/);
  }, 10_000);});
