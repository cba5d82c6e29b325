import { beforeAll, describe, expect, it } from 'vitest';
import { correctPad } from '../src/blocks/correct-pad.js';
import { makeDivisible } from '../src/blocks/make-divisible.js';
import { ConfigError } from '../src/errors.js';
import { getModelDefinition, mobilenetV2, planModel, type MobileNetV2Options } from '../src/index.js';
import { tf } from '../src/tf.js';
import { builtShapes, plannedShapes, trainableCount } from './helpers/model-shapes.js';

/** Table 2 of Sandler et al. 2018, written out again here: the bottleneck rows [t, c, n, s]. */
const TABLE_2: [number, number, number, number][] = [
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
];

/**
 * Parameters of MobileNet V2 counted by hand: `stem` filters, the bottleneck output widths per
 * row of Table 2 (already scaled and rounded), the `head` filters, `classes`. Every conv has no
 * bias and a BatchNormalization (4 numbers per channel, 2 of them trainable).
 */
function countByHand(stem: number, widths: number[], head: number, classes: number): { total: number; trainable: number } {
  let total = 3 * 3 * 3 * stem + 4 * stem; // Conv1, bn_Conv1
  let bnChannels = stem;
  let channels = stem;
  TABLE_2.forEach(([t, , n], row) => {
    const out = widths[row];
    for (let repeat = 0; repeat < n; repeat++) {
      const hidden = t * channels;
      if (t !== 1) {
        total += channels * hidden + 4 * hidden; // expand 1x1 Cin x tCin, expand_BN
        bnChannels += hidden;
      }
      total += 3 * 3 * hidden + 4 * hidden; // depthwise 3x3 per channel, depthwise_BN
      total += hidden * out + 4 * out; // project 1x1 tCin x Cout, project_BN
      bnChannels += hidden + out;
      channels = out;
    }
  });
  total += channels * head + 4 * head; // Conv_1, Conv_1_bn
  bnChannels += head;
  total += head * classes + classes; // predictions: Dense
  return { total, trainable: total - 2 * bnChannels };
}


function plannedVsBuilt(model: tf.LayersModel, options: object) {
  const planned = planModel('mobilenetV2', options);
  return { planned: plannedShapes(planned), built: builtShapes(model) };
}

describe('makeDivisible (Keras _make_divisible)', () => {
  it('rounds to the nearest multiple of 8, never more than 10% down, never below 8', () => {
    expect(makeDivisible(32, 8)).toBe(32);
    expect(makeDivisible(12, 8)).toBe(16); // int(12 + 4) = 16 -> 16
    expect(makeDivisible(11.2, 8)).toBe(16); // int(15.2) // 8 * 8 = 8 < 0.9 * 11.2 = 10.08 -> 16
    expect(makeDivisible(20, 8)).toBe(24); // int(24) -> 24
    expect(makeDivisible(17, 8)).toBe(16); // int(21) // 8 * 8 = 16 >= 0.9 * 17 = 15.3 -> 16
    expect(makeDivisible(19.9, 8)).toBe(24); // int(23.9) = 23 // 8 * 8 = 16 < 0.9 * 19.9 = 17.91 -> 24
    expect(makeDivisible(5, 8)).toBe(8); // int(9) // 8 * 8 = 8
    expect(makeDivisible(1792, 8)).toBe(1792);
  });
});

describe('correctPad (Keras correct_pad)', () => {
  it('pads (0, 1) on even sizes and (1, 1) on odd ones for a 3x3 kernel', () => {
    expect(correctPad([112, 112], 3)).toEqual([[0, 1], [0, 1]]);
    expect(correctPad([57, 8], 3)).toEqual([[1, 1], [0, 1]]);
    expect(correctPad([9, 10], 5)).toEqual([[2, 2], [1, 2]]);
  });
});

describe('mobilenetV2', () => {
  let model: tf.LayersModel;
  beforeAll(() => {
    model = mobilenetV2({ seed: 1 });
  });

  it('has 3,538,984 parameters (3,504,872 trainable), counted by hand from Table 2', () => {
    const expected = countByHand(32, [16, 24, 32, 64, 96, 160, 320], 1280, 1000);
    expect(expected).toEqual({ total: 3_538_984, trainable: 3_504_872 });
    expect(model.countParams()).toBe(expected.total);
    expect(trainableCount(model)).toBe(expected.trainable);
  });

  it("has torchvision's variant: the same weights (3,504,872 trainable, torchvision's count), symmetric stride-2 padding, BatchNorm epsilon 1e-5", () => {
    const torchvision = mobilenetV2({ variant: 'torchvision', initialize: false });
    expect(torchvision.countParams()).toBe(3_538_984);
    expect(trainableCount(torchvision)).toBe(3_504_872);
    expect(torchvision.weights.map((w) => w.originalName)).toEqual(model.weights.map((w) => w.originalName));
    // PyTorch pads a stride-2 3x3 by one on every side: on the 112x112 map, [[1, 1], [1, 1]] (Keras: [[0, 1], [0, 1]]).
    expect(torchvision.getLayer('block_1_pad').getConfig().padding).toEqual([[1, 1], [1, 1]]);
    expect(model.getLayer('block_1_pad').getConfig().padding).toEqual([[0, 1], [0, 1]]);
    expect(torchvision.getLayer('Conv1_pad').getConfig().padding).toEqual([[1, 1], [1, 1]]);
    expect(torchvision.getLayer('bn_Conv1').getConfig().epsilon).toBe(1e-5);
    expect(model.getLayer('bn_Conv1').getConfig().epsilon).toBe(1e-3);
    expect(getModelDefinition('mobilenetV2').parse({ variant: 'torchvision' }).dropout).toBe(0.2); // torchvision's classifier dropout
    torchvision.dispose();
  });

  it('has the hand-derived count at alpha 0.5', () => {
    // Keras: stem makeDivisible(32 * 0.5) = 16; row widths makeDivisible(int(c * 0.5)):
    // 16 -> 8 (int(8 + 4) // 8 * 8 = 8), 24 -> 12 -> 16 (int(16) // 8 * 8), 32 -> 16 -> 16,
    // 64 -> 32 -> 32, 96 -> 48 -> 48, 160 -> 80 -> 80, 320 -> 160 -> 160; head stays 1280 (alpha <= 1).
    const expected = countByHand(16, [8, 16, 16, 32, 48, 80, 160], 1280, 1000);
    const half = mobilenetV2({ alpha: 0.5, initialize: false });
    expect(half.countParams()).toBe(expected.total);
    expect(trainableCount(half)).toBe(expected.trainable);
  });

  it('widens the stem and the head above alpha 1', () => {
    const planned = planModel('mobilenetV2', { alpha: 1.4, includeTop: false });
    const shape = (name: string) => planned.find((l) => l.name === name)?.outputShape;
    expect(shape('Conv1')).toEqual([112, 112, 48]); // makeDivisible(44.8): int(48.8) // 8 * 8 = 48
    expect(shape('expanded_conv_project')).toEqual([112, 112, 24]); // int(22.4) = 22 -> int(26) // 8 * 8 = 24
    expect(shape('block_1_expand')).toEqual([112, 112, 144]); // 6 x 24
    expect(shape('Conv_1')).toEqual([7, 7, 1792]); // makeDivisible(1280 * 1.4)
  });

  it("uses Keras Applications' layer names", () => {
    const names = model.layers.map((l) => l.name);
    expect(names.slice(0, 10)).toEqual([
      'input',
      'Conv1', 'bn_Conv1', 'Conv1_relu',
      'expanded_conv_depthwise', 'expanded_conv_depthwise_BN', 'expanded_conv_depthwise_relu',
      'expanded_conv_project', 'expanded_conv_project_BN',
      'block_1_expand',
    ]);
    const block = (id: number) => names.filter((name) => name.startsWith(`block_${id}_`));
    expect(block(1)).toEqual([
      'block_1_expand', 'block_1_expand_BN', 'block_1_expand_relu',
      'block_1_pad', 'block_1_depthwise', 'block_1_depthwise_BN', 'block_1_depthwise_relu',
      'block_1_project', 'block_1_project_BN',
    ]);
    expect(block(2)).toEqual([
      'block_2_expand', 'block_2_expand_BN', 'block_2_expand_relu',
      'block_2_depthwise', 'block_2_depthwise_BN', 'block_2_depthwise_relu',
      'block_2_project', 'block_2_project_BN', 'block_2_add',
    ]);
    expect(block(16)).toEqual([
      'block_16_expand', 'block_16_expand_BN', 'block_16_expand_relu',
      'block_16_depthwise', 'block_16_depthwise_BN', 'block_16_depthwise_relu',
      'block_16_project', 'block_16_project_BN',
    ]);
    expect(names.slice(-6)).toEqual(['block_16_project_BN', 'Conv_1', 'Conv_1_bn', 'out_relu', 'global_average_pooling2d', 'predictions']);
    // The whole list, from Keras's pattern: blocks 1..16, pads before the stride-2 blocks
    // (1, 3, 6, 13), adds where stride 1 keeps the width (all other blocks but 10 and 16).
    const expected = ['input', 'Conv1', 'bn_Conv1', 'Conv1_relu'];
    expected.push('expanded_conv_depthwise', 'expanded_conv_depthwise_BN', 'expanded_conv_depthwise_relu', 'expanded_conv_project', 'expanded_conv_project_BN');
    for (let i = 1; i <= 16; i++) {
      const p = `block_${i}_`;
      expected.push(`${p}expand`, `${p}expand_BN`, `${p}expand_relu`);
      if ([1, 3, 6, 13].includes(i)) expected.push(`${p}pad`);
      expected.push(`${p}depthwise`, `${p}depthwise_BN`, `${p}depthwise_relu`, `${p}project`, `${p}project_BN`);
      if (![1, 3, 6, 10, 13, 16].includes(i)) expected.push(`${p}add`);
    }
    expected.push('Conv_1', 'Conv_1_bn', 'out_relu', 'global_average_pooling2d', 'predictions');
    expect(names).toEqual(expected);
  });

  it('follows Keras numerically: BN epsilon 1e-3 momentum 0.999, ReLU(6), linear projection', () => {
    const bn = model.getLayer('block_5_project_BN').getConfig();
    expect([bn.epsilon, bn.momentum]).toEqual([1e-3, 0.999]);
    expect(model.getLayer('block_5_expand_relu').getConfig().maxValue).toBe(6);
    expect(model.getLayer('Conv1').getConfig().padding).toBe('same');
    expect(model.getLayer('block_1_depthwise').getConfig().padding).toBe('valid');
    expect(model.getLayer('block_2_depthwise').getConfig().padding).toBe('same');
    expect(model.getLayer('block_1_pad').getConfig().padding).toEqual([[0, 1], [0, 1]]); // 112 is even
    expect(model.getLayer('predictions').getWeights()[0].shape).toEqual([1280, 1000]);
  });

  it('predicts the shapes the built model has, at 224', () => {
    const { planned, built } = plannedVsBuilt(model, {});
    expect(planned).toEqual(built);
    expect(planned.find(([name]) => name === 'out_relu')?.[1]).toEqual([7, 7, 1280]);
    expect(planned.at(-1)?.[1]).toEqual([1000]);
  });

  it("predicts the shapes at 160 and at an odd 113, where correct_pad pads (1, 1)", () => {
    const options160: MobileNetV2Options = { inputShape: [160, 160, 3], includeTop: false, initialize: false };
    const at160 = plannedVsBuilt(mobilenetV2(options160), options160);
    expect(at160.planned).toEqual(at160.built);
    expect(at160.planned.at(-1)?.[1]).toEqual([5, 5, 1280]); // 160 / 32

    // 113 -> Conv1 'same': 57 -> block_1_pad (57 odd: 1, 1) 59 -> 29 -> block_3_pad (odd) 31 -> 15
    // -> block_6_pad (odd) 17 -> 8 -> block_13_pad (8 even: 0, 1) 9 -> 4: ceil(n / 2) all the way.
    const options113: MobileNetV2Options = { inputShape: [113, 113, 3], includeTop: false, initialize: false };
    const odd = mobilenetV2(options113);
    const at113 = plannedVsBuilt(odd, options113);
    expect(at113.planned).toEqual(at113.built);
    const sizeAfter = (name: string) => at113.planned.find(([n]) => n === name)?.[1];
    expect(sizeAfter('Conv1')).toEqual([57, 57, 32]);
    expect(sizeAfter('block_1_pad')).toEqual([59, 59, 96]);
    expect(sizeAfter('block_1_depthwise')).toEqual([29, 29, 96]);
    expect(sizeAfter('block_3_pad')).toEqual([31, 31, 144]);
    expect(sizeAfter('block_6_depthwise')).toEqual([8, 8, 192]);
    expect(sizeAfter('block_13_pad')).toEqual([9, 9, 576]);
    expect(at113.planned.at(-1)?.[1]).toEqual([4, 4, 1280]);
    expect(odd.getLayer('block_1_pad').getConfig().padding).toEqual([[1, 1], [1, 1]]);
    expect(odd.getLayer('block_13_pad').getConfig().padding).toEqual([[0, 1], [0, 1]]);
  });

  it('runs a forward pass at 96x96 with finite softmax outputs, leaking no tensor', () => {
    const small = mobilenetV2({ inputShape: [96, 96, 3], numClasses: 10, seed: 3 });
    const x = tf.randomUniform([1, 96, 96, 3], -1, 1);
    const before = tf.memory().numTensors;
    const y = small.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([1, 10]);
    const values = Array.from(y.dataSync());
    expect(values.every(Number.isFinite)).toBe(true);
    expect(values.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    tf.dispose(y);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(x);
  });

  it('pools without the top, and puts an optional dropout before the classifier', () => {
    const pooled = planModel('mobilenetV2', { includeTop: false, pooling: 'avg', inputShape: [96, 96, 3] });
    expect(pooled.at(-1)).toEqual({ name: 'avg_pool', type: 'GlobalAveragePooling2D', outputShape: [1280] });
    const withDropout = planModel('mobilenetV2', { dropout: 0.2, numClasses: 5 });
    expect(withDropout.slice(-3).map((l) => l.name)).toEqual(['global_average_pooling2d', 'dropout', 'predictions']);
  });

  it('has no input too small: correct_pad keeps every stride-2 layer at ceil(n / 2)', () => {
    // Unlike V1, whose (0, 1) padding loses a pixel on odd sizes, V2 maps 1x1 to 1x1 everywhere.
    const planned = planModel('mobilenetV2', { inputShape: [1, 1, 3], includeTop: false });
    expect(planned.filter((l) => l.outputShape.length === 3).every((l) => l.outputShape[0] === (l.type === 'ZeroPadding2D' ? 3 : 1))).toBe(true);
  });

  it('loops over a custom table, and rejects bad options naming the field', () => {
    const tiny = planModel('mobilenetV2', {
      architecture: { stem: { filters: 16, stride: 2 }, blocks: [{ t: 1, c: 16, n: 1, s: 1 }, { t: 4, c: 24, n: 2, s: 2 }], head: { filters: 64 } },
      inputShape: [64, 64, 3],
      numClasses: 3,
    });
    expect(tiny.map((l) => l.name)).toContain('expanded_conv_add'); // 16 -> 16 at stride 1
    expect(tiny.map((l) => l.name)).toContain('block_2_add');
    expect(tiny.find((l) => l.name === 'block_1_expand')?.outputShape).toEqual([32, 32, 64]); // 4 x 16
    expect(tiny.at(-1)?.outputShape).toEqual([3]);
    expect(() => mobilenetV2({ alpha: -1 })).toThrow(ConfigError);
    expect(() => mobilenetV2({ alpha: -1 })).toThrow(/alpha: must be a positive number, received -1/);
    expect(() => mobilenetV2({ architecture: { stem: { filters: 32, stride: 2 }, blocks: [], head: { filters: 1280 } } })).toThrow(
      /architecture\.blocks: must list at least one row/,
    );
    expect(() => mobilenetV2({ depthMultiplier: 2 } as never)).toThrow(/depthMultiplier: unknown option/);
  });
});
