import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/errors.js';
import { listModels, planModel, resnet101, resnet152, resnet18, resnet34, resnet50 } from '../src/index.js';
import type { ModelDefinition } from '../src/types.js';
import { basicBlock, bottleneckBlock, resnet, resnetFamily, type PlannedLayer, type Shape } from '../src/net/index.js';
import { LayersNet, ShapeNet } from '../src/net/interpreter.js';
import { tf } from '../src/tf.js';
import { trainableCount } from './helpers/model-shapes.js';

// ---- Parameter counts by hand, from Table 1 (torchvision: no conv biases). ----
const conv = (k: number, cin: number, cout: number) => k * k * cin * cout;
/** Trainable parameters and channels of a BatchNorm: gamma and beta per channel (plus moving mean and variance, not trainable). */
const bn = (channels: number) => 2 * channels;

interface Count {
  trainable: number;
  bnChannels: number;
}
const sum = (parts: Count[]): Count => ({
  trainable: parts.reduce((s, p) => s + p.trainable, 0),
  bnChannels: parts.reduce((s, p) => s + p.bnChannels, 0),
});
const convBn = (k: number, cin: number, cout: number): Count => ({ trainable: conv(k, cin, cout) + bn(cout), bnChannels: cout });

/** Table 1's 18/34-layer block: two 3x3 convs; a 1x1 projection shortcut where the shape changes. */
function basic(cin: number, width: number, stride: number): Count {
  const projection = stride !== 1 || cin !== width ? [convBn(1, cin, width)] : [];
  return sum([convBn(3, cin, width), convBn(3, width, width), ...projection]);
}
/** Table 1's 50-layer block: 1x1 width, 3x3 width, 1x1 4x width; projection where the shape changes. */
function bottleneck(cin: number, width: number, stride: number): Count {
  const projection = stride !== 1 || cin !== 4 * width ? [convBn(1, cin, 4 * width)] : [];
  return sum([convBn(1, cin, width), convBn(3, width, width), convBn(1, width, 4 * width), ...projection]);
}
/** Stem (7x7, 64), the stages of Table 1 (widths 64, 128, 256, 512; stride 2 from conv3_x on), fc 1000. */
function resnetCount(block: 'basic' | 'bottleneck', layers: number[]): Count {
  const parts: Count[] = [convBn(7, 3, 64)];
  let channels = 64;
  [64, 128, 256, 512].forEach((width, stage) => {
    for (let i = 0; i < layers[stage]; i++) {
      parts.push(block === 'basic' ? basic(channels, width, i === 0 && stage > 0 ? 2 : 1) : bottleneck(channels, width, i === 0 && stage > 0 ? 2 : 1));
      channels = block === 'basic' ? width : 4 * width;
    }
  });
  parts.push({ trainable: channels * 1000 + 1000, bnChannels: 0 });
  return sum(parts);
}

const trainable = trainableCount;
const byName = (layers: { name: string; shape: Shape }[]) => new Map(layers.map((l) => [l.name, [...l.shape]]));
/** tfjs (like Keras) lists a branching model's layers by depth, not call order: compare by name. */
const builtShapes = (model: tf.LayersModel) => byName(model.layers.map((l) => ({ name: l.name, shape: (l.outputShape as number[]).slice(1) })));
const plannedShapes = (plan: PlannedLayer[]) => byName(plan.map((l) => ({ name: l.name, shape: l.outputShape })));

/** One real forward pass on a 64x64 image: finite probabilities, and nothing left behind but the output. */
function checkForwardPass(model: tf.LayersModel): void {
  const x = tf.randomUniform([1, 64, 64, 3]);
  const before = tf.memory().numTensors;
  const y = model.predict(x) as tf.Tensor;
  expect(tf.memory().numTensors).toBe(before + 1);
  expect(y.shape).toEqual([1, 1000]);
  const values = Array.from(y.dataSync());
  expect(values.every(Number.isFinite)).toBe(true);
  expect(values.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
  tf.dispose([x, y]);
}

describe('resnet18', () => {
  let model: tf.LayersModel;
  beforeAll(() => {
    model = resnet18({ inputShape: [64, 64, 3], seed: 1 });
  });
  afterAll(() => model.dispose());

  it('has 11,689,512 trainable parameters, summed by hand over Table 1', () => {
    const expected = resnetCount('basic', [2, 2, 2, 2]);
    expect(expected.trainable).toBe(11_689_512);
    expect(trainable(model)).toBe(expected.trainable);
    // countParams() adds the BatchNorms' moving mean and variance.
    expect(model.countParams()).toBe(expected.trainable + 2 * expected.bnChannels);
  });

  it('has the shapes the plan predicts, at 64x64 and at 97x80', () => {
    expect(builtShapes(model)).toEqual(plannedShapes(planModel('resnet18', { inputShape: [64, 64, 3] })));
    const other = resnet18({ inputShape: [97, 80, 3], includeTop: false, initialize: false });
    expect(builtShapes(other)).toEqual(plannedShapes(planModel('resnet18', { inputShape: [97, 80, 3], includeTop: false })));
    expect(other.layers.length).toBe(planModel('resnet18', { inputShape: [97, 80, 3], includeTop: false }).length);
    other.dispose();
  });

  it('names its layers in the Keras ResNet pattern, basic blocks with _1_ and _2_ convs', () => {
    const names = model.layers.map((l) => l.name);
    expect(names.slice(0, 20)).toEqual([
      'input',
      'conv1_pad', 'conv1_conv', 'conv1_bn', 'conv1_relu', 'pool1_pad', 'pool1_pool',
      // conv2_block1: 64 -> 64 at stride 1, so an identity shortcut
      'conv2_block1_1_conv', 'conv2_block1_1_bn', 'conv2_block1_1_relu', 'conv2_block1_2_conv', 'conv2_block1_2_bn', 'conv2_block1_add', 'conv2_block1_out',
      'conv2_block2_1_conv', 'conv2_block2_1_bn', 'conv2_block2_1_relu', 'conv2_block2_2_conv', 'conv2_block2_2_bn', 'conv2_block2_add',
    ]);
    // conv3_block1 halves the 16x16 map: padded symmetrically, projected shortcut.
    for (const name of ['conv3_block1_1_pad', 'conv3_block1_1_conv', 'conv3_block1_0_conv', 'conv3_block1_0_bn', 'conv3_block1_add', 'conv3_block1_out']) {
      expect(names).toContain(name);
    }
    expect(names.slice(-2)).toEqual(['avg_pool', 'predictions']);
    const count = (type: string) => model.layers.filter((l) => l.getClassName() === type).length;
    // 1 stem conv + 2 per block x 8 blocks + 3 projections (conv3_block1, conv4_block1, conv5_block1).
    expect(count('Conv2D')).toBe(1 + 2 * 8 + 3);
    expect(count('BatchNormalization')).toBe(1 + 2 * 8 + 3);
    expect(count('Add')).toBe(8);
    expect(count('Activation')).toBe(1 + 2 * 8); // conv1_relu, and _1_relu and _out per block
  });

  it('pads like PyTorch: explicit padding and a valid conv wherever TF would pad a stride-2 layer unevenly', () => {
    expect(model.getLayer('conv1_conv').getConfig()).toMatchObject({ padding: 'valid', kernelSize: [7, 7], strides: [2, 2], useBias: false });
    expect(model.getLayer('pool1_pool').getConfig()).toMatchObject({ padding: 'valid', poolSize: [3, 3], strides: [2, 2] });
    expect(model.getLayer('conv3_block1_1_pad').getConfig()).toMatchObject({ padding: [[1, 1], [1, 1]] });
    expect(model.getLayer('conv3_block1_1_conv').getConfig()).toMatchObject({ padding: 'valid', strides: [2, 2] });
    // stride 1: 'same' already pads 1 on every side
    expect(model.getLayer('conv3_block1_2_conv').getConfig()).toMatchObject({ padding: 'same', strides: [1, 1] });
    expect(model.getLayer('conv3_block1_0_conv').getConfig()).toMatchObject({ padding: 'valid', strides: [2, 2], kernelSize: [1, 1] });
  });

  it("initialises as torchvision: kaiming_normal_(fan_out) convs, BN 1 / 0 with PyTorch's numbers, nn.Linear's default fc", () => {
    const kernel = model.getLayer('conv2_block1_1_conv').getWeights()[0].dataSync();
    const std = Math.sqrt(Array.from(kernel).reduce((s, v) => s + v * v, 0) / kernel.length);
    expect(std / Math.sqrt(2 / (3 * 3 * 64))).toBeCloseTo(1, 1); // fan_out = 3 * 3 * 64
    const bnLayer = model.getLayer('conv2_block1_1_bn');
    expect(bnLayer.getConfig()).toMatchObject({ epsilon: 1e-5, momentum: 0.9 });
    const [gamma, beta] = bnLayer.getWeights();
    expect(Array.from(gamma.dataSync()).every((v) => v === 1)).toBe(true);
    expect(Array.from(beta.dataSync()).every((v) => v === 0)).toBe(true);
    const [fcKernel, fcBias] = model.getLayer('predictions').getWeights();
    const bound = 1 / Math.sqrt(512);
    for (const values of [fcKernel.dataSync(), fcBias.dataSync()]) {
      const largest = Array.from(values).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      expect(largest).toBeLessThanOrEqual(bound);
      expect(largest).toBeGreaterThan(0.9 * bound);
    }
  });

  it('runs a forward pass', () => checkForwardPass(model));
});

describe('resnet34', () => {
  it('has 21,797,672 trainable parameters, summed by hand over Table 1, and runs', () => {
    const expected = resnetCount('basic', [3, 4, 6, 3]);
    expect(expected.trainable).toBe(21_797_672);
    const model = resnet34({ inputShape: [64, 64, 3], seed: 2 });
    expect(trainable(model)).toBe(expected.trainable);
    expect(model.countParams()).toBe(expected.trainable + 2 * expected.bnChannels);
    expect(builtShapes(model)).toEqual(plannedShapes(planModel('resnet34', { inputShape: [64, 64, 3] })));
    expect(model.layers.filter((l) => l.getClassName() === 'Add')).toHaveLength(3 + 4 + 6 + 3);
    checkForwardPass(model);
    model.dispose();
  });
});

describe('resnet50', () => {
  let model: tf.LayersModel;
  beforeAll(() => {
    model = resnet50({ inputShape: [64, 64, 3], seed: 3 });
  });
  afterAll(() => model.dispose());

  it('has 25,557,032 trainable parameters, summed by hand over Table 1', () => {
    const expected = resnetCount('bottleneck', [3, 4, 6, 3]);
    expect(expected.trainable).toBe(25_557_032);
    expect(trainable(model)).toBe(expected.trainable);
    expect(model.countParams()).toBe(expected.trainable + 2 * expected.bnChannels);
  });

  it("has Keras ResNet50's first layers, in Keras's order", () => {
    expect(model.layers.slice(0, 25).map((l) => l.name)).toEqual([
      'input',
      'conv1_pad', 'conv1_conv', 'conv1_bn', 'conv1_relu', 'pool1_pad', 'pool1_pool',
      'conv2_block1_1_conv', 'conv2_block1_1_bn', 'conv2_block1_1_relu',
      'conv2_block1_2_conv', 'conv2_block1_2_bn', 'conv2_block1_2_relu',
      'conv2_block1_0_conv', 'conv2_block1_3_conv', 'conv2_block1_0_bn', 'conv2_block1_3_bn',
      'conv2_block1_add', 'conv2_block1_out',
      'conv2_block2_1_conv', 'conv2_block2_1_bn', 'conv2_block2_1_relu', 'conv2_block2_2_conv', 'conv2_block2_2_bn', 'conv2_block2_2_relu',
    ]);
    const names = model.layers.map((l) => l.name);
    expect(names.slice(-4)).toEqual(['conv5_block3_add', 'conv5_block3_out', 'avg_pool', 'predictions']);
    const count = (type: string) => model.layers.filter((l) => l.getClassName() === type).length;
    // 1 stem conv + 3 per block x 16 blocks + 4 projections (every stage's first block: 64 -> 256 in conv2_x too).
    expect(count('Conv2D')).toBe(1 + 3 * 16 + 4);
    expect(count('BatchNormalization')).toBe(1 + 3 * 16 + 4);
    expect(count('Add')).toBe(16);
  });

  it('strides in the 3x3 conv (torchvision v1.5), padded symmetrically', () => {
    expect(model.getLayer('conv3_block1_1_conv').getConfig()).toMatchObject({ strides: [1, 1], kernelSize: [1, 1] });
    expect(model.getLayer('conv3_block1_2_pad').getConfig()).toMatchObject({ padding: [[1, 1], [1, 1]] });
    expect(model.getLayer('conv3_block1_2_conv').getConfig()).toMatchObject({ strides: [2, 2], padding: 'valid', kernelSize: [3, 3] });
    expect(model.getLayer('conv3_block1_0_conv').getConfig()).toMatchObject({ strides: [2, 2], kernelSize: [1, 1] });
  });

  it('has the shapes the plan predicts', () => {
    expect(builtShapes(model)).toEqual(plannedShapes(planModel('resnet50', { inputShape: [64, 64, 3] })));
  });

  it('runs a forward pass', () => checkForwardPass(model));
});

describe('ResNet padding, by conv arithmetic (plans only)', () => {
  const shapeOf = (plan: PlannedLayer[], name: string) => plan.find((l) => l.name === name)?.outputShape;

  it("at 224: conv1_pad 230x230 -> conv1 112x112, pool1_pad 114x114 -> pool1 56x56 (PyTorch's floor((n + 2p - k) / s) + 1)", () => {
    const plan = planModel('resnet50', {});
    expect(shapeOf(plan, 'conv1_pad')).toEqual([230, 230, 3]);
    expect(shapeOf(plan, 'conv1_conv')).toEqual([112, 112, 64]); // floor((224 + 6 - 7) / 2) + 1
    expect(shapeOf(plan, 'pool1_pad')).toEqual([114, 114, 64]);
    expect(shapeOf(plan, 'pool1_pool')).toEqual([56, 56, 64]); // floor((112 + 2 - 3) / 2) + 1
    // A stride-2 3x3 conv on an even map: TF's 'same' would pad 0 before, 1 after; we pad 1 and 1.
    expect(shapeOf(plan, 'conv3_block1_2_pad')).toEqual([58, 58, 128]);
    expect(shapeOf(plan, 'conv3_block1_2_conv')).toEqual([28, 28, 128]);
    expect(shapeOf(plan, 'conv5_block3_out')).toEqual([7, 7, 2048]);
  });

  it("at 200: odd maps need no pad layer ('same' pads 1 and 1 there)", () => {
    // 200 -> conv1 100 -> pool1 50 -> conv3_x 25 (even input: padded) -> conv4_x 13 (odd: 'same') -> conv5_x 7 (odd: 'same')
    const plan = planModel('resnet18', { inputShape: [200, 200, 3] });
    const names = plan.map((l) => l.name);
    expect(names).toContain('conv3_block1_1_pad');
    expect(names).not.toContain('conv4_block1_1_pad');
    expect(names).not.toContain('conv5_block1_1_pad');
    expect(shapeOf(plan, 'conv3_block1_1_conv')).toEqual([25, 25, 128]);
    expect(shapeOf(plan, 'conv4_block1_1_conv')).toEqual([13, 13, 256]); // floor((25 + 2 - 3) / 2) + 1
    expect(shapeOf(plan, 'conv5_block1_1_conv')).toEqual([7, 7, 512]);
  });
});

describe("resnet50's keras variant (Keras Applications' ResNet50)", () => {
  it('has conv biases, the stride in the first 1x1, BatchNorm epsilon 1.001e-5: 25,636,712 parameters', () => {
    const model = resnet50({ variant: 'keras', initialize: false });
    // Keras's every conv has a bias, one per output channel, and each conv has its BatchNorm: as many
    // biases as BatchNorm channels, on top of torchvision's count.
    const expected = resnetCount('bottleneck', [3, 4, 6, 3]);
    expect(model.countParams()).toBe(expected.trainable + 2 * expected.bnChannels + expected.bnChannels);
    expect(model.countParams()).toBe(25_636_712);
    expect(model.getLayer('conv3_block1_1_conv').getConfig().strides).toEqual([2, 2]);
    expect(model.getLayer('conv3_block1_2_conv').getConfig().strides).toEqual([1, 1]);
    expect(model.getLayer('conv3_block1_1_bn').getConfig().epsilon).toBe(1.001e-5);
    // The same names as torchvision's variant, but for the 3x3's padding layers, which stride 1 does without.
    const torchvision = resnet50({ initialize: false });
    const unpadded = torchvision.layers.map((l) => l.name).filter((name) => !/^conv[345]_block1_2_pad$/.test(name));
    torchvision.dispose();
    expect(model.layers.map((l) => l.name)).toEqual(unpadded);
    model.dispose();
  });
});

describe('resnet101 and resnet152, registered from Table 1', () => {
  it.each([
    ['resnet101', resnet101, [3, 4, 23, 3], 44_549_160],
    ['resnet152', resnet152, [3, 8, 36, 3], 60_192_808],
  ] as const)("%s has torchvision's trainable parameter count, summed by hand over Table 1", (name, build, layers, torchvision) => {
    expect(listModels()).toContain(name);
    const expected = resnetCount('bottleneck', [...layers]);
    expect(expected.trainable).toBe(torchvision);
    const model = build({ initialize: false });
    expect(trainable(model)).toBe(expected.trainable);
    expect(model.countParams()).toBe(expected.trainable + 2 * expected.bnChannels);
    model.dispose();
  });
});

describe('resnet with a user architecture', () => {
  it('builds ResNet-18 from { block: "basic", layers: [2, 2, 2, 2] } (widths default to Table 1)', () => {
    const plan = resnetFamily.definition.plan({ architecture: { block: 'basic', layers: [2, 2, 2, 2] } });
    expect(plan).toEqual(planModel('resnet18', {}));
    expect(planModel('resnet101', {}).filter((l) => l.type === 'Add')).toHaveLength(3 + 4 + 23 + 3);
  });

  it('takes its own widths and stage count, and leaves the top off with pooling', () => {
    const plan = resnetFamily.definition.plan({
      architecture: { block: 'bottleneck', layers: [1, 1, 1], widths: [16, 32, 64] },
      inputShape: [32, 32, 3],
      includeTop: false,
      pooling: 'max',
    });
    expect(plan.find((l) => l.name === 'conv4_block1_out')?.outputShape).toEqual([2, 2, 256]);
    expect(plan.some((l) => l.name.startsWith('conv5'))).toBe(false);
    expect(plan.at(-1)).toMatchObject({ name: 'max_pool', outputShape: [256] });
  });

  it('rejects a bad architecture with the field, the rule and the value', () => {
    const options = (o: Record<string, unknown>) => () => (resnetFamily.definition as ModelDefinition).plan(o);
    expect(options({})).toThrow(ConfigError);
    expect(options({})).toThrow(/^architecture: must be a ResNet architecture like .* received undefined$/);
    expect(options({ architecture: { block: 'basic', layers: [2, 2, 2] } })).toThrow(
      /^architecture\.widths: must give one width per stage: layers has 3 stages but widths has 4 .* received \[64,128,256,512\]$/,
    );
    expect(options({ architecture: { block: 'wide', layers: [2, 2, 2, 2] } })).toThrow('architecture.block: must be \'basic\' or \'bottleneck\', received "wide"');
    expect(options({ architecture: { block: 'basic', layers: [2, 0, 2, 2] } })).toThrow('architecture.layers.1: must be a positive integer, received 0');
    expect(options({ architecture: { block: 'basic', layer: [2, 2, 2, 2] } })).toThrow(/^architecture\.layers: must be a list of block counts, one per stage, like \[2, 2, 2, 2\], received undefined$/m);
    expect(options({ architecture: { block: 'basic', layers: [2, 2, 2, 2], width: [8, 16, 32, 64] } })).toThrow(/^architecture\.width: unknown option; did you mean 'widths'\?/);
    expect(() => resnet18({ numClasses: 0 })).toThrow('numClasses: must be a positive integer, received 0');
  });
});

describe('exported blocks', () => {
  it('compose on any Net: shapes on a ShapeNet', () => {
    const net = new ShapeNet();
    const x = net.input([8, 8, 16], 'in');
    const y = bottleneckBlock(net, x, { name: 'b', filters: 8, strides: 2 });
    expect(y).toEqual([4, 4, 32]);
    expect(net.layers.map((l) => l.name)).toEqual([
      'in', 'b_0_conv', 'b_0_bn',
      'b_1_conv', 'b_1_bn', 'b_1_relu',
      'b_2_pad', 'b_2_conv', 'b_2_bn', 'b_2_relu',
      'b_3_conv', 'b_3_bn', 'b_add', 'b_out',
    ]);
    // Same shape in and out: identity shortcut, no projection.
    const identity = new ShapeNet();
    basicBlock(identity, identity.input([8, 8, 16], 'in'), { name: 'c', filters: 16 });
    expect(identity.layers.some((l) => l.name === 'c_0_conv')).toBe(false);
  });

  it('compose on any Net: a real model on a LayersNet', () => {
    const net = new LayersNet({ seed: 5, random: true });
    const input = net.input([8, 8, 16], 'in');
    const output = basicBlock(net, input, { name: 'b', filters: 32, strides: 2 });
    const model = tf.model({ inputs: input, outputs: output });
    expect(output.shape).toEqual([null, 4, 4, 32]);
    // two 3x3 convs + a 1x1 projection, each with a BatchNorm (gamma, beta trainable)
    expect(trainable(model)).toBe(conv(3, 16, 32) + bn(32) + conv(3, 32, 32) + bn(32) + conv(1, 16, 32) + bn(32));
    const x = tf.randomNormal([2, 8, 8, 16]);
    const y = model.predict(x) as tf.Tensor;
    expect(Math.min(...Array.from(y.dataSync()))).toBeGreaterThanOrEqual(0); // ends with a ReLU
    tf.dispose([x, y]);
    model.dispose();
  });
});
