import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/errors.js';
import { listModels, planModel, vgg11, vgg13, vgg16, vgg19 } from '../src/index.js';
import type { ModelDefinition } from '../src/types.js';
import { vgg, vggConfigurations, vggFamily } from '../src/net/index.js';
import { tf } from '../src/tf.js';
import { builtShapes, plannedShapes, trainableCount } from './helpers/model-shapes.js';

// Parameters of a layer, by hand: a k x k conv with bias, a dense layer with bias.
const conv = (k: number, cin: number, cout: number) => k * k * cin * cout + cout;
const conv3 = (cin: number, cout: number) => conv(3, cin, cout);
const dense = (nin: number, nout: number) => nin * nout + nout;
const trainable = trainableCount;

/** Table 1, column D, the convolutions summed stage by stage. */
const vgg16Convs =
  conv3(3, 64) + conv3(64, 64) + // block1
  conv3(64, 128) + conv3(128, 128) + // block2
  conv3(128, 256) + 2 * conv3(256, 256) + // block3
  conv3(256, 512) + 2 * conv3(512, 512) + // block4
  3 * conv3(512, 512); // block5
/** Column E adds a fourth conv to blocks 3, 4 and 5. */
const vgg19Convs = vgg16Convs + conv3(256, 256) + 2 * conv3(512, 512);
/** FC-4096, FC-4096, FC-1000 on the 7x7x512 map a 224x224 input leaves after five 2x2 pools. */
const vggHead = (mapSize: number) => dense(mapSize * mapSize * 512, 4096) + dense(4096, 4096) + dense(4096, 1000);

/** Keras Applications' VGG16 layer names (its input is `input_1`; ours is `input`). */
const kerasVgg16Names = [
  'input',
  'block1_conv1', 'block1_conv2', 'block1_pool',
  'block2_conv1', 'block2_conv2', 'block2_pool',
  'block3_conv1', 'block3_conv2', 'block3_conv3', 'block3_pool',
  'block4_conv1', 'block4_conv2', 'block4_conv3', 'block4_pool',
  'block5_conv1', 'block5_conv2', 'block5_conv3', 'block5_pool',
  'flatten', 'fc1', 'fc2', 'predictions',
];


/** A column's parameters at 224x224, by hand: its convolutions, then the 7x7x512 head. */
const params = (stages: (number | { filters: number; kernelSize: number })[][]) => {
  let channels = 3;
  let total = 0;
  for (const stage of stages) {
    for (const layer of stage) {
      const { filters, kernelSize } = typeof layer === 'number' ? { filters: layer, kernelSize: 3 } : layer;
      total += conv(kernelSize, channels, filters);
      channels = filters;
    }
  }
  return total + vggHead(7);
};

describe('VGG architecture data (Table 1)', () => {
  it("matches Table 2's parameter counts (millions) for every column", () => {
    const millions = Object.fromEntries(Object.entries(vggConfigurations).map(([k, a]) => [k, Math.round(params(a.stages) / 1e6)]));
    expect(millions).toEqual({ A: 133, B: 133, C: 134, D: 138, E: 144 });
    // torchvision's vgg11 (configuration A) has 132,863,336 parameters, vgg13 (B) 133,047,848.
    expect(params(vggConfigurations.A.stages)).toBe(132_863_336);
    expect(params(vggConfigurations.B.stages)).toBe(133_047_848);
  });

  it.each([
    ['vgg11', vgg11, vggConfigurations.A, 132_863_336],
    ['vgg13', vgg13, vggConfigurations.B, 133_047_848],
  ] as const)('registers %s with its column of Table 1 and torchvision\'s parameter count', (name, build, column, torchvision) => {
    expect(listModels()).toContain(name);
    const model = build({ initialize: false });
    expect(model.countParams()).toBe(params(column.stages));
    expect(model.countParams()).toBe(torchvision);
    model.dispose();
  });
});

describe('vgg16 at 224x224 (Keras VGG16)', () => {
  let model: tf.LayersModel;
  beforeAll(() => {
    model = vgg16({ initialize: false }); // weights do not matter here: skip drawing 138M numbers
  });
  afterAll(() => model.dispose());

  it('has 138,357,544 parameters, summed by hand over Table 1, column D', () => {
    expect(vgg16Convs + vggHead(7)).toBe(138_357_544);
    expect(model.countParams()).toBe(138_357_544);
  });

  it("has Keras's layer names, in Keras's order", () => {
    expect(model.layers.map((l) => l.name)).toEqual(kerasVgg16Names);
  });

  it('has the shapes the plan predicts, 7x7x512 before the flatten', () => {
    const plan = planModel('vgg16', {});
    expect(plannedShapes(plan)).toEqual(builtShapes(model));
    expect(plan.find((l) => l.name === 'block5_pool')?.outputShape).toEqual([7, 7, 512]);
    expect(plan.at(-1)?.outputShape).toEqual([1000]);
  });

  it("fuses the ReLU into the convs with 'same' padding, and pools 2x2 / 2 (as Keras)", () => {
    const config = model.getLayer('block3_conv2').getConfig();
    expect(config).toMatchObject({ activation: 'relu', padding: 'same', kernelSize: [3, 3], strides: [1, 1] });
    expect(model.getLayer('block3_pool').getConfig()).toMatchObject({ poolSize: [2, 2], strides: [2, 2], padding: 'valid' });
    expect(model.getLayer('fc2').getConfig()).toMatchObject({ activation: 'relu', units: 4096 });
    expect(model.getLayer('predictions').getConfig()).toMatchObject({ activation: 'softmax', units: 1000 });
  });
});

describe('vgg16 at 32x32 with the top (fc1 follows the map)', () => {
  let model: tf.LayersModel;
  beforeAll(() => {
    model = vgg16({ inputShape: [32, 32, 3], numClasses: 10, seed: 3 });
  });
  afterAll(() => model.dispose());

  it("sizes fc1 for the 1x1x512 map a 32x32 input leaves", () => {
    expect(model.getLayer('fc1').getWeights()[0].shape).toEqual([1 * 1 * 512, 4096]);
    expect(model.countParams()).toBe(vgg16Convs + dense(512, 4096) + dense(4096, 4096) + dense(4096, 10));
  });

  it('has the shapes the plan predicts', () => {
    expect(plannedShapes(planModel('vgg16', { inputShape: [32, 32, 3], numClasses: 10 }))).toEqual(builtShapes(model));
  });

  it("initialises as Keras: glorot_uniform kernels, zero biases", () => {
    const [kernel, bias] = model.getLayer('block1_conv1').getWeights();
    // glorot_uniform limit sqrt(6 / (fanIn + fanOut)), fanIn = 3*3*3, fanOut = 3*3*64.
    const limit = Math.sqrt(6 / (27 + 576));
    const largest = Array.from(kernel.dataSync()).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(largest).toBeLessThanOrEqual(limit);
    expect(largest).toBeGreaterThan(0.9 * limit);
    expect(Array.from(bias.dataSync()).every((b) => b === 0)).toBe(true);
  });

  it('runs a forward pass with finite probabilities and leaks no tensor', () => {
    const x = tf.randomUniform([1, 32, 32, 3], 0, 255);
    const before = tf.memory().numTensors;
    const y = model.predict(x) as tf.Tensor;
    expect(tf.memory().numTensors).toBe(before + 1); // only the output survives
    expect(y.shape).toEqual([1, 10]);
    const values = Array.from(y.dataSync());
    expect(values.every(Number.isFinite)).toBe(true);
    expect(values.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    tf.dispose([x, y]);
  });
});

describe('vgg19 (Keras VGG19)', () => {
  it('has 143,667,240 parameters, summed by hand over Table 1, column E', () => {
    expect(vgg19Convs + vggHead(7)).toBe(143_667_240);
    const model = vgg19({ initialize: false });
    expect(model.countParams()).toBe(143_667_240);
    const names = model.layers.map((l) => l.name);
    expect(names.filter((n) => /_conv\d$/.test(n))).toHaveLength(16);
    expect(names.slice(names.indexOf('block5_conv1'))).toEqual(['block5_conv1', 'block5_conv2', 'block5_conv3', 'block5_conv4', 'block5_pool', 'flatten', 'fc1', 'fc2', 'predictions']);
    expect(plannedShapes(planModel('vgg19', {}))).toEqual(builtShapes(model));
    model.dispose();
  });
});

describe('vgg with a user architecture', () => {
  it('builds VGG-11 (configuration A) with BatchNorm, without the top', () => {
    const model = vgg({ architecture: vggConfigurations.A, batchNorm: true, includeTop: false, pooling: 'avg', inputShape: [32, 32, 3] });
    // Table 1, column A's convolutions; BatchNorm adds gamma and beta (trainable) and the moving
    // mean and variance (not) for each of its 64 + 128 + 2*256 + 4*512 = 2752 channels.
    const convs = conv3(3, 64) + conv3(64, 128) + conv3(128, 256) + conv3(256, 256) + conv3(256, 512) + 3 * conv3(512, 512);
    expect(convs).toBe(9_220_480);
    const bnChannels = 64 + 128 + 2 * 256 + 4 * 512;
    expect(trainable(model)).toBe(convs + 2 * bnChannels);
    expect(model.countParams()).toBe(convs + 4 * bnChannels);
    const names = model.layers.map((l) => l.name);
    expect(names.slice(0, 5)).toEqual(['input', 'block1_conv1', 'block1_conv1_bn', 'block1_conv1_relu', 'block1_pool']);
    expect(names.at(-1)).toBe('avg_pool');
    expect((model.outputs[0].shape as number[]).slice(1)).toEqual([512]);
    // torchvision's BatchNorm2d numbers, momentum in Keras's convention.
    expect(model.getLayer('block3_conv2_bn').getConfig()).toMatchObject({ epsilon: 1e-5, momentum: 0.9 });
    expect(model.getLayer('block3_conv2').getConfig()).toMatchObject({ activation: 'linear', useBias: true });
    const plan = vggFamily.definition.plan({ architecture: vggConfigurations.A, batchNorm: true, includeTop: false, pooling: 'avg', inputShape: [32, 32, 3] });
    expect(plannedShapes(plan)).toEqual(builtShapes(model));
    model.dispose();
  });

  it("plans configuration C's 1x1 convolutions", () => {
    const plan = vggFamily.definition.plan({ architecture: vggConfigurations.C, includeTop: false });
    const names = plan.map((l) => l.name);
    expect(names).toContain('block3_conv3');
    expect(names).not.toContain('block3_conv4');
    expect(plan.at(-1)).toMatchObject({ name: 'block5_pool', outputShape: [7, 7, 512] });
  });

  it('takes its own stages and FC widths', () => {
    const plan = vggFamily.definition.plan({ architecture: { stages: [[32], [64, 64]], fc: [256] }, inputShape: [28, 28, 1], numClasses: 10 });
    expect(plannedShapes(plan)).toEqual([
      ['input', [28, 28, 1]],
      ['block1_conv1', [28, 28, 32]],
      ['block1_pool', [14, 14, 32]],
      ['block2_conv1', [14, 14, 64]],
      ['block2_conv2', [14, 14, 64]],
      ['block2_pool', [7, 7, 64]],
      ['flatten', [7 * 7 * 64]],
      ['fc1', [256]],
      ['predictions', [10]],
    ]);
  });
});

describe('vgg options', () => {
  it('adds no dropout by default (Keras), and one after each hidden FC layer when asked (paper, torchvision)', () => {
    expect(planModel('vgg16', {}).some((l) => l.type === 'Dropout')).toBe(false);
    const names = planModel('vgg16', { dropout: 0.5 }).map((l) => l.name);
    expect(names.slice(names.indexOf('flatten'))).toEqual(['flatten', 'fc1', 'fc1_dropout', 'fc2', 'fc2_dropout', 'predictions']);
  });

  it('plans any input the five pools leave at least 1x1, by conv arithmetic', () => {
    // 100 -> 50 -> 25 -> 12 -> 6 -> 3 and 60 -> 30 -> 15 -> 7 -> 3 -> 1 (floor(n / 2) at each pool).
    const plan = planModel('vgg16', { inputShape: [100, 60, 3], includeTop: false });
    expect(plan.at(-1)).toMatchObject({ name: 'block5_pool', outputShape: [3, 1, 512] });
    expect(planModel('vgg16', { inputShape: [100, 60, 3], includeTop: false, pooling: 'max' }).at(-1)).toMatchObject({ name: 'max_pool', outputShape: [512] });
  });

  it('rejects an input too small, naming the layer where the size reaches zero', () => {
    // 16 -> 8 -> 4 -> 2 -> 1, then block5_pool: floor((1 - 2) / 2) + 1 = 0.
    let error: unknown;
    try {
      vgg16({ inputShape: [16, 16, 3] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).field).toBe('inputShape');
    expect((error as ConfigError).message).toMatch(/at layer 'block5_pool'/);
    expect((error as ConfigError).message).toMatch(/smallest square input that works is 32x32/);
  });

  it('rejects bad architectures and options with the field, the rule and the value', () => {
    const options = (o: Record<string, unknown>) => () => (vggFamily.definition as ModelDefinition).plan(o);
    expect(options({})).toThrow(/^architecture: must be a VGG architecture/);
    expect(options({ architecture: { stages: [] } })).toThrow('architecture.stages: must list at least one stage, received []');
    expect(options({ architecture: { stages: [[64, 'x']] } })).toThrow(/^architecture\.stages\.0\.1: must be a number of filters .* received "x"/);
    expect(options({ architecture: { stages: [[64], []] } })).toThrow(/^architecture\.stages\.1: must list at least one convolution per stage/);
    expect(options({ architecture: { stages: [[64]], fcs: [10] } })).toThrow(/architecture\.fcs: unknown option; did you mean 'fc'\?/);
    expect(() => vgg16({ batchNorm: 'yes' as unknown as boolean })).toThrow('batchNorm: must be true or false, received "yes"');
    expect(() => vgg16({ pooling: 'avg' })).toThrow(/^pooling: only applies when includeTop is false/);
  });
});
