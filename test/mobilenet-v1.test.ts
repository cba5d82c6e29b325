import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/errors.js';
import { mobilenetV1, planModel, type MobileNetV1Options } from '../src/index.js';
import { tf } from '../src/tf.js';
import { builtShapes, plannedShapes, trainableCount } from './helpers/model-shapes.js';

/** Table 1 of Howard et al. 2017, written out again here: [depthwise stride, pointwise filters] per row. */
const TABLE_1: [number, number][] = [
  [1, 64], [2, 128], [1, 128], [2, 256], [1, 256], [2, 512],
  [1, 512], [1, 512], [1, 512], [1, 512], [1, 512],
  [2, 1024], [1, 1024],
];


function plannedVsBuilt(model: tf.LayersModel, options: object) {
  const planned = planModel('mobilenetV1', options);
  return { planned: plannedShapes(planned), built: builtShapes(model) };
}

describe('mobilenetV1', () => {
  let model: tf.LayersModel;
  beforeAll(() => {
    model = mobilenetV1({ seed: 1 });
  });

  it('has 4,253,864 parameters (4,231,976 trainable), counted by hand from Table 1', () => {
    // conv (no bias) + BatchNormalization (gamma, beta trainable; moving mean and variance not).
    let total = 3 * 3 * 3 * 32 + 4 * 32; // conv1 3x3x3x32, conv1_bn
    let bnChannels = 32;
    let channels = 32;
    for (const [, filters] of TABLE_1) {
      total += 3 * 3 * channels + 4 * channels; // conv_dw_i: 3x3 per channel, conv_dw_i_bn
      total += channels * filters + 4 * filters; // conv_pw_i: 1x1xCinxCout, conv_pw_i_bn
      bnChannels += channels + filters;
      channels = filters;
    }
    total += 1024 * 1000 + 1000; // conv_preds: 1x1x1024x1000 kernel + bias
    const trainable = total - 2 * bnChannels; // the moving mean and variance of every BN
    expect(total).toBe(4_253_864);
    expect(trainable).toBe(4_231_976);
    expect(model.countParams()).toBe(total);
    expect(trainableCount(model)).toBe(trainable);
  });

  it("uses Keras Applications' layer names", () => {
    const names = model.layers.map((l) => l.name);
    expect(names.slice(0, 18)).toEqual([
      'input',
      'conv1', 'conv1_bn', 'conv1_relu',
      'conv_dw_1', 'conv_dw_1_bn', 'conv_dw_1_relu', 'conv_pw_1', 'conv_pw_1_bn', 'conv_pw_1_relu',
      'conv_pad_2', 'conv_dw_2', 'conv_dw_2_bn', 'conv_dw_2_relu', 'conv_pw_2', 'conv_pw_2_bn', 'conv_pw_2_relu',
      'conv_dw_3',
    ]);
    expect(names.slice(-13)).toEqual([
      'conv_pw_12_relu',
      'conv_dw_13', 'conv_dw_13_bn', 'conv_dw_13_relu', 'conv_pw_13', 'conv_pw_13_bn', 'conv_pw_13_relu',
      'global_average_pooling2d', 'reshape_1', 'dropout', 'conv_preds', 'reshape_2', 'predictions',
    ]);
    // The whole list, from Keras's pattern: padding only before the stride-2 rows (2, 4, 6, 12).
    const expected = ['input', 'conv1', 'conv1_bn', 'conv1_relu'];
    for (let i = 1; i <= 13; i++) {
      if ([2, 4, 6, 12].includes(i)) expected.push(`conv_pad_${i}`);
      expected.push(`conv_dw_${i}`, `conv_dw_${i}_bn`, `conv_dw_${i}_relu`, `conv_pw_${i}`, `conv_pw_${i}_bn`, `conv_pw_${i}_relu`);
    }
    expected.push('global_average_pooling2d', 'reshape_1', 'dropout', 'conv_preds', 'reshape_2', 'predictions');
    expect(names).toEqual(expected);
  });

  it('follows Keras numerically: BN epsilon 1e-3 momentum 0.99, ReLU(6), padding of the stride-2 rows', () => {
    const bn = model.getLayer('conv_dw_1_bn').getConfig();
    expect([bn.epsilon, bn.momentum]).toEqual([1e-3, 0.99]);
    expect(model.getLayer('conv1_relu').getConfig().maxValue).toBe(6);
    expect(model.getLayer('conv1').getConfig().padding).toBe('same');
    expect(model.getLayer('conv_pad_2').getConfig().padding).toEqual([[0, 1], [0, 1]]);
    expect(model.getLayer('conv_dw_2').getConfig().padding).toBe('valid');
    expect(model.getLayer('conv_dw_3').getConfig().padding).toBe('same');
    expect(model.getLayer('conv_dw_1').getConfig().useBias).toBe(false);
    expect(model.getLayer('conv_pw_1').getConfig().useBias).toBe(false);
    expect(model.getLayer('conv_preds').getWeights()[0].shape).toEqual([1, 1, 1024, 1000]);
  });

  it('predicts the shapes the built model has, at 224', () => {
    const { planned, built } = plannedVsBuilt(model, {});
    expect(planned).toEqual(built);
    // 224 -> conv1 'same' /2: 112 -> four stride-2 rows, each (n + 1 - 3) / 2 + 1 on even n: 56, 28, 14, 7
    expect(planned.find(([name]) => name === 'conv_pw_13_relu')?.[1]).toEqual([7, 7, 1024]);
    expect(planned.at(-1)?.[1]).toEqual([1000]);
  });

  it('predicts the shapes at 128 and at an odd 113, where the (0, 1) padding shows', () => {
    const options128: MobileNetV1Options = { inputShape: [128, 128, 3], includeTop: false, initialize: false };
    const small = mobilenetV1(options128);
    const at128 = plannedVsBuilt(small, options128);
    expect(at128.planned).toEqual(at128.built);
    expect(at128.planned.at(-1)?.[1]).toEqual([4, 4, 1024]); // 128 / 32

    // 113 -> conv1 'same': ceil(113 / 2) = 57; each stride-2 row pads to n + 1 and then
    // floor((n + 1 - 3) / 2) + 1: 57 -> 28 -> 14 -> 7 -> 3 (TF's 'same' would give 4).
    const options113: MobileNetV1Options = { inputShape: [113, 113, 3], includeTop: false, initialize: false };
    const odd = mobilenetV1(options113);
    const at113 = plannedVsBuilt(odd, options113);
    expect(at113.planned).toEqual(at113.built);
    const sizeAfter = (name: string) => at113.planned.find(([n]) => n === name)?.[1];
    expect(sizeAfter('conv1')).toEqual([57, 57, 32]);
    expect(sizeAfter('conv_pad_2')).toEqual([58, 58, 64]);
    expect(sizeAfter('conv_dw_2')).toEqual([28, 28, 64]);
    expect(sizeAfter('conv_dw_4')).toEqual([14, 14, 128]);
    expect(sizeAfter('conv_dw_6')).toEqual([7, 7, 256]);
    expect(sizeAfter('conv_dw_12')).toEqual([3, 3, 512]);
    expect(at113.planned.at(-1)?.[1]).toEqual([3, 3, 1024]);
  });

  it('pools the features without the top, under the shared names', () => {
    const planned = planModel('mobilenetV1', { includeTop: false, pooling: 'max', inputShape: [96, 96, 3] });
    expect(planned.at(-1)).toEqual({ name: 'max_pool', type: 'GlobalMaxPooling2D', outputShape: [1024] });
  });

  it('scales widths by int(filters * alpha) and depthwise channels by depthMultiplier', () => {
    const planned = planModel('mobilenetV1', { alpha: 0.75, depthMultiplier: 2, includeTop: false });
    const shape = (name: string) => planned.find((l) => l.name === name)?.outputShape;
    expect(shape('conv1')).toEqual([112, 112, 24]); // int(32 * 0.75)
    expect(shape('conv_dw_1')).toEqual([112, 112, 48]); // 24 channels x depth multiplier 2
    expect(shape('conv_pw_1')).toEqual([112, 112, 48]); // int(64 * 0.75)
    expect(shape('conv_pw_13')).toEqual([7, 7, 768]); // int(1024 * 0.75)
    // alpha 0.25, depthMultiplier 1, by hand: widths 8, then 16, 32, 32, 64, 64, 128 x6, 256, 256.
    const quarter = mobilenetV1({ alpha: 0.25, numClasses: 10, initialize: false });
    const widths = [8, 16, 32, 32, 64, 64, 128, 128, 128, 128, 128, 128, 256, 256];
    let expected = 3 * 3 * 3 * widths[0] + 4 * widths[0];
    for (let i = 1; i < widths.length; i++) {
      expected += 9 * widths[i - 1] + 4 * widths[i - 1] + widths[i - 1] * widths[i] + 4 * widths[i];
    }
    expected += 256 * 10 + 10;
    expect(quarter.countParams()).toBe(expected);
  });

  it('runs a forward pass at 128x128 with finite softmax outputs, leaking no tensor', () => {
    const small = mobilenetV1({ inputShape: [128, 128, 3], numClasses: 10, seed: 3 });
    const x = tf.randomUniform([1, 128, 128, 3], -1, 1);
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

  it('rejects an input too small, naming the layer', () => {
    // 30 -> conv1: ceil(30 / 2) = 15 -> conv_dw_2 pads to 16: floor((16 - 3) / 2) + 1 = 7 -> conv_dw_4: 3
    // -> conv_dw_6: 1 -> conv_dw_12 pads 1 to 2: floor((2 - 3) / 2) + 1 = 0. At 31: 16, 8, 4, 2, 1.
    expect(() => mobilenetV1({ inputShape: [30, 30, 3] })).toThrow(ConfigError);
    expect(() => mobilenetV1({ inputShape: [30, 30, 3] })).toThrow(/inputShape: too small for mobilenetV1: at layer 'conv_dw_12'.*smallest square input that works is 31x31/);
  });

  it('rejects bad options, naming the field', () => {
    expect(() => mobilenetV1({ alpha: 0 })).toThrow(/alpha: must be a positive number, received 0/);
    expect(() => mobilenetV1({ alpha: 0.01 })).toThrow(/alpha: gives layer 'conv1' int\(32 \* 0.01\) = 0 filters/);
    expect(() => mobilenetV1({ architecture: { stem: { filters: 32, stride: 2 }, rows: [{ stride: 3, filters: 64 }] } } as never)).toThrow(
      /architecture\.rows\.0\.stride: must be 1 or 2, received 3/,
    );
  });
});
