/**
 * The counters and the receptive fields on hand-built models: every supported layer type, with
 * each figure worked out by hand in the comments.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { receptiveFields } from '../src/analysis/analyse.js';
import { countFlops } from '../src/analysis/count-flops.js';
import { countParams } from '../src/analysis/count-params.js';
import { registerLayerCost, type CountableLayer } from '../src/analysis/layer-costs.js';
import { useBackend } from '../src/backend.js';
import { ConfigError } from '../src/errors.js';
import { GroupedConv2D } from '../src/layers/grouped-conv2d.js';
import { tf } from '../src/tf.js';

beforeAll(async () => {
  await useBackend('cpu');
  tf.enableProdMode();
});

const zeros = { spec: { kind: 'zeros' as const }, seed: 0 };

/**
 * A 16x16x3 input through one layer of every supported kind. Per layer: output shape; MACs;
 * parameters; other ops (bias adds, BN, activations, pooling, merges); receptive field / jump.
 */
function everyLayerModel(): tf.LayersModel {
  const L = tf.layers;
  const input = tf.input({ shape: [16, 16, 3], name: 'input' });
  // 16x16x8; 16·16·(3·3·3)·8 = 55,296; 3·3·3·8 + 8 = 224; bias 2,048 + relu 2,048; RF 3/1
  const a = L.conv2d({ name: 'a_conv', filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(input) as tf.SymbolicTensor;
  // 4·8 = 32 (16 trained, 16 moving statistics); 2 ops a value: 4,096; RF 3/1
  const b = L.batchNormalization({ name: 'b_bn' }).apply(a) as tf.SymbolicTensor;
  // 2,048
  const c = L.reLU({ name: 'c_relu6', maxValue: 6 }).apply(b) as tf.SymbolicTensor;
  // 18x18x8
  const d = L.zeroPadding2d({ name: 'd_pad', padding: 1 }).apply(c) as tf.SymbolicTensor;
  // floor((18 - 3) / 2) + 1 = 8: 8x8x8; 8·8·3·3·8 = 4,608; 72; no bias; RF 3 + 2·1 = 5 / 2
  const e = L.depthwiseConv2d({ name: 'e_depthwise', kernelSize: 3, strides: 2, useBias: false }).apply(d) as tf.SymbolicTensor;
  // 8x8x16; 8·8·(3·3·8 + 8·16) = 12,800; 72 + 128 + 16 = 216; bias 1,024; RF 5 + 2·2 = 9 / 2
  const f = L.separableConv2d({ name: 'f_separable', filters: 16, kernelSize: 3, padding: 'same' }).apply(e) as tf.SymbolicTensor;
  // 4x4x16; pooling reads 1,024 values; RF 9 + 1·2 = 11 / 4
  const g = L.maxPooling2d({ name: 'g_maxpool', poolSize: 2 }).apply(f) as tf.SymbolicTensor;
  // 4x4x16 in 4 groups; 4·4·3·3·(16/4)·16 = 9,216; 3·3·4·16 + 16 = 592; bias 256; RF 11 + 2·4 = 19 / 4
  const h = new GroupedConv2D({ name: 'h_grouped', filters: 16, kernelSize: 3, padding: 'same', groups: 4, kernelInitializer: zeros, biasInitializer: zeros }).apply(g) as tf.SymbolicTensor;
  // 4x4x16; 4·4·16·16 = 4,096; 256 + 16 = 272; bias 256; RF 11 / 4
  const i = L.conv2d({ name: 'i_shortcut', filters: 16, kernelSize: 1 }).apply(g) as tf.SymbolicTensor;
  // 256; RF max(19, 11) = 19 / 4
  const j = L.add({ name: 'j_add' }).apply([h, i]) as tf.SymbolicTensor;
  // 3x3x16; reads 256; RF 19 + 1·4 = 23 / 4
  const k = L.averagePooling2d({ name: 'k_avgpool', poolSize: 2, strides: 1 }).apply(j) as tf.SymbolicTensor;
  // 256
  const l = L.activation({ name: 'l_tanh', activation: 'tanh' }).apply(j) as tf.SymbolicTensor;
  // 8x8x4; every input position scatters the kernel [2,2,4,16]: 4·4·(2·2·4·16) = 4,096; 256 + 4 = 260; bias 256;
  // an output sees ceil(2/2) = 1 input position: RF 19 / jump 4/2 = 2
  const m = L.conv2dTranspose({ name: 'm_transposed', filters: 4, kernelSize: 2, strides: 2 }).apply(l) as tf.SymbolicTensor;
  // 16; reads 3·3·16 = 144; RF global: 23 + (3 - 1)·4 = 31
  const p = L.globalAveragePooling2d({ name: 'p_gap' }).apply(k) as tf.SymbolicTensor;
  // 4; reads 8·8·4 = 256; RF global: 19 + (8 - 1)·2 = 33
  const q = L.globalMaxPooling2d({ name: 'q_gmp' }).apply(m) as tf.SymbolicTensor;
  // 144; RF global 31
  const r = L.flatten({ name: 'r_flatten' }).apply(k) as tf.SymbolicTensor;
  const s = L.dropout({ name: 's_dropout', rate: 0.5 }).apply(r) as tf.SymbolicTensor;
  // 4; 144·4 = 576; 576 (no bias)
  const t = L.dense({ name: 't_dense', units: 4, useBias: false }).apply(s) as tf.SymbolicTensor;
  // 2x2
  const u = L.reshape({ name: 'u_reshape', targetShape: [2, 2] }).apply(t) as tf.SymbolicTensor;
  // a dense layer on [2, 2] runs at both leading positions: 2·(2·3) = 12; 2·3 + 3 = 9; bias 6
  const w = L.dense({ name: 'w_dense', units: 3 }).apply(u) as tf.SymbolicTensor;
  const x = L.flatten({ name: 'x_flatten' }).apply(w) as tf.SymbolicTensor;
  // 16 + 4 + 6 = 26; RF global max(31, 33, 31) = 33
  const y = L.concatenate({ name: 'y_concat' }).apply([p, q, x]) as tf.SymbolicTensor;
  // 26·10 = 260; 270; bias 10 + softmax 10
  const output = L.dense({ name: 'z_output', units: 10, activation: 'softmax' }).apply(y) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: 'every_layer' });
}

describe('counters on a model with every supported layer type', () => {
  let model: tf.LayersModel;
  beforeAll(() => {
    model = everyLayerModel();
  });

  it('counts the parameters: trained, and BatchNorm statistics apart', () => {
    const trainable = 224 + 16 + 72 + 216 + 592 + 272 + 260 + 576 + 9 + 270;
    expect(countParams(model)).toEqual({ total: trainable + 16, trainable, nonTrainable: 16 });
    expect(countParams(model).total).toBe(model.countParams());
  });

  it('counts MACs of convolutions and dense layers only, layer by layer', () => {
    const expected: Record<string, number> = {
      a_conv: 55_296,
      e_depthwise: 4_608,
      f_separable: 12_800,
      h_grouped: 9_216,
      i_shortcut: 4_096,
      m_transposed: 4_096,
      t_dense: 576,
      w_dense: 12,
      z_output: 260,
    };
    const count = countFlops(model);
    const macsByLayer = Object.fromEntries(count.byLayer.filter((layer) => layer.macs > 0).map((layer) => [layer.name, layer.macs]));
    expect(macsByLayer).toEqual(expected);
    const total = Object.values(expected).reduce((a, b) => a + b, 0);
    expect(count.macs).toBe(total);
    expect(count.flops).toBe(2 * total);
    expect(count.unknownLayers).toEqual([]);
  });

  it('counts every other operation apart, by the documented rules', () => {
    const expected: Record<string, number> = {
      a_conv: 2_048 + 2_048, // bias + relu
      b_bn: 2 * 2_048,
      c_relu6: 2_048,
      d_pad: 0,
      e_depthwise: 0, // no bias, linear
      f_separable: 1_024,
      g_maxpool: 1_024,
      h_grouped: 256,
      i_shortcut: 256,
      j_add: 256,
      k_avgpool: 256,
      l_tanh: 256,
      m_transposed: 256,
      p_gap: 144,
      q_gmp: 256,
      r_flatten: 0,
      s_dropout: 0,
      t_dense: 0,
      u_reshape: 0,
      w_dense: 6,
      x_flatten: 0,
      y_concat: 0,
      z_output: 10 + 10, // bias + softmax
    };
    const count = countFlops(model);
    expect(Object.fromEntries(count.byLayer.map((layer) => [layer.name, layer.otherOps]))).toEqual(expected);
    expect(count.otherOps).toBe(Object.values(expected).reduce((a, b) => a + b, 0));
  });

  it('groups the counts by layer type, most MACs first', () => {
    const byType = countFlops(model).byType;
    expect(byType[0]).toEqual({ type: 'Conv2D', layers: 2, macs: 55_296 + 4_096, otherOps: 4_096 + 256 });
    expect(byType.find((entry) => entry.type === 'Dense')).toEqual({ type: 'Dense', layers: 3, macs: 576 + 12 + 260, otherOps: 6 + 20 });
    expect(byType.reduce((sum, entry) => sum + entry.layers, 0)).toBe(model.layers.length - 1);
  });

  it('scales with the batch size, and refuses a bad one', () => {
    const one = countFlops(model);
    const eight = countFlops(model, { batchSize: 8 });
    expect([eight.macs, eight.otherOps, eight.batchSize]).toEqual([8 * one.macs, 8 * one.otherOps, 8]);
    expect(() => countFlops(model, { batchSize: 0 })).toThrow(ConfigError);
    expect(() => countFlops(model, { batchSize: 0 })).toThrow(/batchSize: must be a positive integer, received 0/);
  });

  it('computes the receptive field of every layer', () => {
    const fields = receptiveFields(model);
    const table = Object.fromEntries(Object.entries(fields).map(([name, field]) => [name, field && [field.size[0], field.global ? 'global' : field.jump[0]]]));
    expect(table).toEqual({
      input: [1, 1],
      a_conv: [3, 1],
      b_bn: [3, 1],
      c_relu6: [3, 1],
      d_pad: [3, 1],
      e_depthwise: [5, 2],
      f_separable: [9, 2],
      g_maxpool: [11, 4],
      h_grouped: [19, 4],
      i_shortcut: [11, 4],
      j_add: [19, 4],
      k_avgpool: [23, 4],
      l_tanh: [19, 4],
      m_transposed: [19, 2],
      p_gap: [31, 'global'],
      q_gmp: [33, 'global'],
      r_flatten: [31, 'global'],
      s_dropout: [31, 'global'],
      t_dense: [31, 'global'],
      u_reshape: [31, 'global'],
      w_dense: [31, 'global'],
      x_flatten: [31, 'global'],
      y_concat: [33, 'global'],
      z_output: [33, 'global'],
    });
  });
});

describe('receptive fields of a small stack, by hand', () => {
  it('adds d(k - 1) times the jump at each layer, and multiplies the jump by the stride', () => {
    const input = tf.input({ shape: [64, 48, 1], name: 'input' });
    let x = tf.layers.conv2d({ name: 'dilated', filters: 2, kernelSize: 3, dilationRate: 2, padding: 'same' }).apply(input) as tf.SymbolicTensor;
    x = tf.layers.conv2d({ name: 'strided', filters: 2, kernelSize: 3, strides: 2 }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.maxPooling2d({ name: 'pool', poolSize: 3, strides: 2 }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.conv2d({ name: 'dilated_late', filters: 2, kernelSize: 3, dilationRate: 2, padding: 'same' }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.conv2d({ name: 'tall', filters: 2, kernelSize: [5, 1] }).apply(x) as tf.SymbolicTensor;
    const fields = receptiveFields(tf.model({ inputs: input, outputs: x }));
    // 1 + 2·2·1 = 5 / 1; 5 + 2·1 = 7 / 2; 7 + 2·2 = 11 / 4; 11 + 2·2·4 = 27 / 4; height 27 + 4·4 = 43, width 27
    expect(fields.dilated).toEqual({ size: [5, 5], jump: [1, 1], global: false });
    expect(fields.strided).toEqual({ size: [7, 7], jump: [2, 2], global: false });
    expect(fields.pool).toEqual({ size: [11, 11], jump: [4, 4], global: false });
    expect(fields.dilated_late).toEqual({ size: [27, 27], jump: [4, 4], global: false });
    expect(fields.tall).toEqual({ size: [43, 27], jump: [4, 4], global: false });
  });

  it('has no field for a vector input', () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ name: 'only', units: 2, inputShape: [3] })] });
    expect(receptiveFields(model).only).toBeNull();
  });
});

/** A layer no rule covers: the counter must say so, not count it silently as free. */
class MysteryLayer extends tf.layers.Layer {
  static className = 'MysteryLayer';
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return Array.isArray(inputs) ? inputs[0] : inputs;
  }
}

/** A custom layer that reports its own cost: a 2x2 window scaled per channel. */
class SelfCountingLayer extends tf.layers.Layer implements CountableLayer {
  static className = 'SelfCountingLayer';
  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [batch, height, width, channels] = inputShape as number[];
    return [batch, height / 2, width / 2, channels];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.avgPool((Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D, 2, 2, 'valid');
  }
  countMacs(_inputShapes: number[][], outputShape: number[]): number {
    return 4 * outputShape.reduce((a, b) => a * b, 1);
  }
  countOtherOps(inputShapes: number[][]): number {
    return inputShapes[0].reduce((a, b) => a * b, 1);
  }
  receptiveWindow() {
    return { kind: 'window' as const, kernel: [2, 2], stride: [2, 2], dilation: [1, 1] };
  }
}

/** A custom layer whose class cannot be changed: its cost comes from a registered rule. */
class RegisteredLayer extends tf.layers.Layer {
  static className = 'AnalysisTestRegisteredLayer';
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return Array.isArray(inputs) ? inputs[0] : inputs;
  }
}

describe('custom and unknown layers', () => {
  it('lists a layer it has no rule for, counting it as zero', () => {
    const input = tf.input({ shape: [8, 8, 2] });
    const hidden = new MysteryLayer({ name: 'mystery' }).apply(input) as tf.SymbolicTensor;
    const output = tf.layers.conv2d({ name: 'conv', filters: 1, kernelSize: 1 }).apply(hidden) as tf.SymbolicTensor;
    const count = countFlops(tf.model({ inputs: input, outputs: output }));
    expect(count.unknownLayers).toEqual([{ name: 'mystery', type: 'MysteryLayer', reason: "no cost rule for layer class 'MysteryLayer'" }]);
    expect(count.byLayer.find((layer) => layer.name === 'mystery')).toMatchObject({ macs: 0, otherOps: 0, counted: false });
    expect(count.macs).toBe(8 * 8 * 2);
  });

  it("takes a layer's own countMacs, countOtherOps and receptiveWindow", () => {
    const input = tf.input({ shape: [8, 8, 2], name: 'input' });
    const output = new SelfCountingLayer({ name: 'self' }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: output });
    const count = countFlops(model);
    expect([count.macs, count.otherOps, count.unknownLayers]).toEqual([4 * 4 * 4 * 2, 8 * 8 * 2, []]);
    expect(receptiveFields(model).self).toEqual({ size: [2, 2], jump: [2, 2], global: false });
  });

  it('takes a rule registered by class name, and refuses a second rule for a class', () => {
    registerLayerCost('AnalysisTestRegisteredLayer', ({ outputShapes }) => ({ macs: 0, otherOps: 3 * outputShapes[0][0], window: { kind: 'pointwise' } }));
    const input = tf.input({ shape: [5] });
    const output = new RegisteredLayer({ name: 'registered' }).apply(input) as tf.SymbolicTensor;
    expect(countFlops(tf.model({ inputs: input, outputs: output })).otherOps).toBe(15);
    expect(() => registerLayerCost('AnalysisTestRegisteredLayer', () => ({ macs: 0, otherOps: 0, window: { kind: 'pointwise' } }))).toThrow(/already has a cost rule/);
    expect(() => registerLayerCost('Conv2D', () => ({ macs: 0, otherOps: 0, window: { kind: 'pointwise' } }))).toThrow(/already has a cost rule/);
  });
});

describe('models inside models, shared and frozen layers', () => {
  it('walks into a Sequential used as a layer', () => {
    const inner = tf.sequential({
      name: 'inner',
      layers: [tf.layers.dense({ name: 'inner_a', units: 4, inputShape: [8] }), tf.layers.dense({ name: 'inner_b', units: 2 })],
    });
    const input = tf.input({ shape: [8] });
    const output = tf.layers.dense({ name: 'outer', units: 1 }).apply(inner.apply(input) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: output });
    const count = countFlops(model);
    // 8·4 + 4·2 + 2·1 MACs; (32 + 4) + (8 + 2) + (2 + 1) parameters
    expect(count.macs).toBe(42);
    expect(count.byLayer.map((layer) => [layer.name, layer.path])).toEqual([
      ['inner_a', ['inner']],
      ['inner_b', ['inner']],
      ['outer', []],
    ]);
    expect(countParams(model)).toEqual({ total: 49, trainable: 49, nonTrainable: 0 });
  });

  it('counts a shared layer once in the parameters and at every call in the MACs', () => {
    const shared = tf.layers.dense({ name: 'shared', units: 3 });
    const a = tf.input({ shape: [5], name: 'a' });
    const b = tf.input({ shape: [5], name: 'b' });
    const sum = tf.layers.add({ name: 'sum' }).apply([shared.apply(a), shared.apply(b)] as tf.SymbolicTensor[]) as tf.SymbolicTensor;
    const model = tf.model({ inputs: [a, b], outputs: sum });
    expect(countParams(model).total).toBe(5 * 3 + 3);
    expect(countFlops(model).macs).toBe(2 * 5 * 3);
  });

  it('counts a frozen layer as non-trainable', () => {
    const frozen = tf.layers.dense({ name: 'frozen', units: 3, inputShape: [4], trainable: false });
    const model = tf.sequential({ layers: [frozen, tf.layers.dense({ name: 'head', units: 2 })] });
    expect(countParams(model)).toEqual({ total: 15 + 8, trainable: 8, nonTrainable: 15 });
  });
});
