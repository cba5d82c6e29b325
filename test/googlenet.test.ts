import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convOutputSize, poolOutputSize } from '../src/conv-arithmetic.js';
import { ConfigError } from '../src/errors.js';
import { AdaptiveAveragePooling2D, adaptiveBins } from '../src/layers/adaptive-avg-pool2d.js';
import { googlenet, withoutAuxHeads } from '../src/index.js';
import { ceilModeMaxPool, type GoogLeNetArchitectureInput } from '../src/net/index.js';
import { getModelDefinition, planModel } from '../src/index.js';
import { LayersNet, ShapeNet } from '../src/net/interpreter.js';
import { tf } from '../src/tf.js';
import { builtShapes, trainableCount } from './helpers/model-shapes.js';

// ---- Independent figures: Table 1 of Szegedy et al. 2015, typed in again here. ----

/** Table 1's Inception rows: #1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj, output depth. */
const table1: Array<[string, number, number, number, number, number, number, number]> = [
  ['3a', 64, 96, 128, 16, 32, 32, 256],
  ['3b', 128, 128, 192, 32, 96, 64, 480],
  ['4a', 192, 96, 208, 16, 48, 64, 512],
  ['4b', 160, 112, 224, 24, 64, 64, 512],
  ['4c', 128, 128, 256, 24, 64, 64, 512],
  ['4d', 112, 144, 288, 32, 64, 64, 528],
  ['4e', 256, 160, 320, 32, 128, 128, 832],
  ['5a', 256, 160, 320, 32, 128, 128, 832],
  ['5b', 384, 192, 384, 48, 128, 128, 1024],
];

/** A conv's parameters: k*k*cin*cout weights, plus per output channel a bias (paper) or BN's gamma and beta (torchvision). */
type ConvCount = (k: number, cin: number, cout: number) => number;
/** torchvision's BasicConv2d: conv without bias, then BN (gamma, beta; the running statistics are not trainable). */
const basicConv: ConvCount = (k, cin, cout) => k * k * cin * cout + 2 * cout;
/** The paper's conv: weights and a bias. */
const paperConv: ConvCount = (k, cin, cout) => k * k * cin * cout + cout;
const linear = (nin: number, nout: number) => nin * nout + nout;

/** The whole network's trainable parameters: stem, nine modules, FC 1024 -> 1000, and optionally the aux heads. */
function countByHand(conv: ConvCount, fiveByFive: number, aux: boolean): number {
  // stem: conv1 7x7/2 3 -> 64; conv2 1x1 64 -> 64 (#3x3 reduce); conv3 3x3 64 -> 192 (#3x3); LRN and pools have none
  let total = conv(7, 3, 64) + conv(1, 64, 64) + conv(3, 64, 192);
  let cin = 192;
  let auxIn: number[] = [];
  for (const [name, c1, c3r, c3, c5r, c5, pool, depth] of table1) {
    // branch1: 1x1 | branch2: 1x1 reduce, 3x3 | branch3: 1x1 reduce, "5x5" | branch4: max pool, 1x1 pool proj
    total += conv(1, cin, c1) + conv(1, cin, c3r) + conv(3, c3r, c3) + conv(1, cin, c5r) + conv(fiveByFive, c5r, c5) + conv(1, cin, pool);
    cin = c1 + c3 + c5 + pool;
    expect(cin).toBe(depth); // Table 1's output depth: the concatenation of the four branches
    if (name === '4a' || name === '4d') auxIn = [...auxIn, cin];
  }
  total += linear(1024, 1000); // the final FC; avg pool and dropout have none
  // Aux heads (Section 5; torchvision's InceptionAux): avg pool (none), 1x1 conv -> 128, FC 4*4*128 -> 1024, dropout, FC 1024 -> 1000
  if (aux) for (const c of auxIn) total += conv(1, c, 128) + linear(4 * 4 * 128, 1024) + linear(1024, 1000);
  return total;
}

const plannedShapes = (options: Record<string, unknown>) => new Map(planModel('googlenet', options).map((l) => [l.name, [...l.outputShape]]));
const builtShapeMap = (model: tf.LayersModel) => new Map(builtShapes(model));

// The documented naming pattern (top of src/models/googlenet.ts), written out by hand.
const unit = (p: string, bn = true) => [`${p}_conv`, ...(bn ? [`${p}_bn`] : []), `${p}_relu`];
const inceptionNames = (p: string, bn = true) => [
  ...unit(`${p}_branch1`, bn),
  ...unit(`${p}_branch2_0`, bn),
  ...unit(`${p}_branch2_1`, bn),
  ...unit(`${p}_branch3_0`, bn),
  ...unit(`${p}_branch3_1`, bn),
  `${p}_branch4_0`,
  ...unit(`${p}_branch4_1`, bn),
  `${p}_concat`,
];
const auxNames = (p: string, bn = true) => [`${p}_pool`, ...unit(`${p}_conv`, bn), `${p}_flatten`, `${p}_fc1`, `${p}_dropout`, `${p}_fc2`];

describe('googlenet (torchvision variant)', () => {
  let training: tf.LayersModel; // auxLogits: true at 224
  let small: tf.LayersModel; // auxLogits: false at 96

  beforeAll(() => {
    training = googlenet({ auxLogits: true, seed: 1 });
    small = googlenet({ inputShape: [96, 96, 3], seed: 2 });
  });
  afterAll(() => {
    training.dispose();
    small.dispose();
  });

  it("has torchvision's 6,624,904 trainable parameters without aux heads, 13,004,888 with", () => {
    // torchvision's published figures; the same by hand from Table 1 with BasicConv2d and a 3x3 "5x5" branch
    expect(countByHand(basicConv, 3, false)).toBe(6_624_904);
    expect(countByHand(basicConv, 3, true)).toBe(13_004_888);
    expect(trainableCount(small)).toBe(6_624_904); // at 96x96: the adaptive pools make the count size-independent
    expect(trainableCount(training)).toBe(13_004_888);
  });

  it('has three outputs with auxLogits: [main, aux1 after 4a, aux2 after 4d]', () => {
    expect(training.outputs.map((o) => o.shape)).toEqual([
      [null, 1000],
      [null, 1000],
      [null, 1000],
    ]);
    expect(training.outputNames).toEqual(['fc', 'aux1_fc2', 'aux2_fc2']);
    const inputOf = (name: string) => training.getLayer(name).inboundNodes[0].inboundLayers[0].name;
    expect(inputOf('aux1_pool')).toBe('inception4a_concat');
    expect(inputOf('aux2_pool')).toBe('inception4d_concat');
    expect(small.outputs).toHaveLength(1);
  });

  it('gives an inference model with the main output only, sharing the layers and weights', () => {
    const inference = withoutAuxHeads(training);
    expect(inference.outputs).toHaveLength(1);
    expect(inference.outputNames).toEqual(['fc']);
    expect(inference.getLayer('fc')).toBe(training.getLayer('fc'));
    expect(inference.layers.some((l) => l.name.startsWith('aux'))).toBe(false);
    expect(trainableCount(inference)).toBe(6_624_904);
    const x = tf.randomUniform([1, 224, 224, 3], 0, 1, 'float32', 3);
    const before = tf.memory().numTensors;
    const [main, aux1, aux2] = training.predict(x) as tf.Tensor[];
    const alone = inference.predict(x) as tf.Tensor;
    expect(alone.shape).toEqual([1, 1000]);
    expect(Array.from(alone.dataSync())).toEqual(Array.from(main.dataSync()));
    for (const y of [main, aux1, aux2]) expect(Array.from(y.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([main, aux1, aux2, alone]);
    expect(tf.memory().numTensors).toBe(before); // no tensor leaked by the forward passes
    x.dispose();
    expect(withoutAuxHeads(small)).toBe(small);
  });

  it('predicts the shapes the built model has, at 224 and at 96', () => {
    expect(builtShapeMap(training)).toEqual(plannedShapes({ auxLogits: true }));
    expect(builtShapeMap(small)).toEqual(plannedShapes({ inputShape: [96, 96, 3] }));
    expect(plannedShapes({ inputShape: [96, 96, 3] }).get('inception5b_concat')).toEqual([3, 3, 1024]);
    // the aux heads pool to 4x4 at any size (at 96 their input is 6x6)
    expect(plannedShapes({ inputShape: [96, 96, 3], auxLogits: true }).get('aux1_pool')).toEqual([4, 4, 512]);
  });

  it('reproduces ceil-mode max pooling at 224: 112 -> 56 -> 28 -> 14 -> 7', () => {
    const shapes = plannedShapes({});
    const pools: Array<[string, string, number, number, number]> = [
      // [pool, its input, kernel, stride, torchvision's output (its forward() comments)]
      ['maxpool1', 'conv1_relu', 3, 2, 56],
      ['maxpool2', 'conv3_relu', 3, 2, 28],
      ['maxpool3', 'inception3b_concat', 3, 2, 14],
      ['maxpool4', 'inception4e_concat', 2, 2, 7],
    ];
    for (const [pool, input, kernel, stride, out] of pools) {
      const size = shapes.get(input)![0];
      expect(size).toBe(out * 2);
      expect(poolOutputSize({ size, kernel, stride, padding: 0, ceilMode: true })).toBe(out);
      expect(shapes.get(pool)!.slice(0, 2)).toEqual([out, out]);
    }
    // Floor mode would lose a row at 112 and 56: the pools whose last window hangs over the edge use 'same'.
    expect(convOutputSize({ size: 112, kernel: 3, stride: 2, padding: 'valid' })).toBe(55);
    expect(small.getLayer('maxpool1').getConfig().padding).toBe('same');
    expect(training.getLayer('maxpool1').getConfig().padding).toBe('same');
    expect(training.getLayer('maxpool4').getConfig().padding).toBe('valid'); // 14 -> 7 fits exactly
  });

  it("is torchvision's numerics: BN eps 1e-3, momentum 0.1 (0.9 in Keras), a 3x3 \"5x5\" branch, symmetric conv1 padding", () => {
    const bn = training.getLayer('conv1_bn').getConfig();
    expect(bn.epsilon).toBe(1e-3);
    expect(bn.momentum).toBe(0.9);
    expect(training.getLayer('inception3a_branch3_1_conv').getConfig().kernelSize).toEqual([3, 3]);
    expect(training.getLayer('conv1_conv').getConfig().useBias).toBe(false);
    // PyTorch pads 3 on every side of 224; TF's 'same' would pad 2 and 3
    expect(training.getLayer('conv1_pad').getConfig().padding).toEqual([
      [3, 3],
      [3, 3],
    ]);
    // init: N(0, 0.01), not cut at 2 sigma (torch's trunc_normal_ bounds of +-2 are absolute), BN gamma 1
    const kernel = Array.from(training.getLayer('inception5b_branch1_conv').getWeights()[0].dataSync());
    const mean = kernel.reduce((s, v) => s + v, 0) / kernel.length;
    const std = Math.sqrt(kernel.reduce((s, v) => s + (v - mean) ** 2, 0) / kernel.length);
    expect(std).toBeCloseTo(0.01, 3);
    expect(kernel.reduce((m, v) => Math.max(m, Math.abs(v)), 0)).toBeGreaterThan(0.025); // 832 * 384 draws: some beyond 2.5 sigma
    expect(Array.from(training.getLayer('conv1_bn').getWeights()[0].dataSync()).every((g) => g === 1)).toBe(true);
  });

  it('serialises: its topology (custom layers included) loads back with the same layers', async () => {
    const restored = await tf.models.modelFromJSON({ modelTopology: training.toJSON(null, false) } as tf.io.ModelJSON);
    expect(restored.getLayer('aux1_pool').getClassName()).toBe('AdaptiveAveragePooling2D');
    expect(restored.outputNames).toEqual(['fc', 'aux1_fc2', 'aux2_fc2']);
    expect(builtShapeMap(restored)).toEqual(builtShapeMap(training));
    restored.dispose();
  });

  it('runs a forward pass at 96x96 with finite softmax outputs and no leaked tensor', () => {
    const x = tf.randomUniform([1, 96, 96, 3]);
    const before = tf.memory().numTensors;
    const y = small.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([1, 1000]);
    const values = Array.from(y.dataSync());
    expect(values.every(Number.isFinite)).toBe(true);
    expect(values.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('names every layer by the documented pattern (torchvision module paths, _ for .)', () => {
    const expected = [
      'input',
      'conv1_pad',
      ...unit('conv1'),
      'maxpool1',
      ...unit('conv2'),
      ...unit('conv3'),
      'maxpool2',
      ...inceptionNames('inception3a'),
      ...inceptionNames('inception3b'),
      'maxpool3',
      ...inceptionNames('inception4a'),
      ...auxNames('aux1'),
      ...inceptionNames('inception4b'),
      ...inceptionNames('inception4c'),
      ...inceptionNames('inception4d'),
      ...auxNames('aux2'),
      ...inceptionNames('inception4e'),
      'maxpool4',
      ...inceptionNames('inception5a'),
      ...inceptionNames('inception5b'),
      'avgpool',
      'dropout',
      'fc',
    ];
    expect(planModel('googlenet', { auxLogits: true }).map((l) => l.name)).toEqual(expected);
    expect(training.layers.map((l) => l.name).sort()).toEqual([...expected].sort());
  });

  it('rejects an input too small up front, naming the layer and a size that works', () => {
    expect(() => googlenet({ inputShape: [8, 8, 3] })).toThrow(ConfigError);
    // 8 -> conv1 4 -> maxpool1 2 -> maxpool2 1 -> maxpool3 (3x3/2 on 1x1) has no window
    expect(() => googlenet({ inputShape: [8, 8, 3] })).toThrow(/inputShape: too small for googlenet: at layer 'maxpool3'.*15x15/);
    expect(() => planModel('googlenet', { inputShape: [15, 15, 3], auxLogits: true })).not.toThrow();
  });

  it('validates its options', () => {
    expect(() => googlenet({ variant: 'caffe' as 'paper' })).toThrow(/variant: must be 'torchvision' or 'paper', received "caffe"/);
    expect(() => googlenet({ auxlogits: true } as never)).toThrow(/auxlogits: unknown option; did you mean 'auxLogits'\?/);
    expect(() => googlenet({ auxLogits: true, includeTop: false })).toThrow(/auxLogits: only applies when includeTop is true/);
    expect(getModelDefinition('googlenet').parse({}).dropout).toBe(0.2);
    expect(getModelDefinition('googlenet').parse({ variant: 'paper' }).dropout).toBe(0.4); // Table 1: dropout (40%)
    const features = planModel('googlenet', { includeTop: false, pooling: 'avg' });
    expect(features.at(-1)?.outputShape).toEqual([1024]);
    const duplicate: GoogLeNetArchitectureInput = {
      ch5x5KernelSize: 3,
      layers: [
        { type: 'conv', name: 'conv1', filters: 8, kernelSize: 3, strides: 1 },
        { type: 'conv', name: 'conv1', filters: 8, kernelSize: 3, strides: 1 },
      ],
    };
    expect(() => planModel('googlenet', { architecture: duplicate })).toThrow(/architecture\.layers\.1\.name: must be unique/);
  });
});

describe('googlenet (paper variant)', () => {
  let paper: tf.LayersModel;
  beforeAll(() => {
    paper = googlenet({ variant: 'paper', initialize: false });
  });
  afterAll(() => paper.dispose());

  it('has the parameter count derived by hand from Table 1', () => {
    // What the paper variant contains: convs with biases and ReLU (no BN), a true 5x5 branch, the two
    // LRN layers of the stem (Figure 3; no parameters), 'same' max pools, avg pool + 40% dropout +
    // FC 1024 -> 1000. Aux heads (Section 5): 5x5/3 avg pool, 1x1 conv 128 + ReLU, FC 1024 + ReLU,
    // dropout 0.7, linear -> classes; at 224 their pool gives 4x4, so FC 1 has 4*4*128 inputs.
    expect(countByHand(paperConv, 5, false)).toBe(6_998_552);
    expect(trainableCount(paper)).toBe(countByHand(paperConv, 5, false));
    const withAux = googlenet({ variant: 'paper', auxLogits: true, initialize: false });
    expect(trainableCount(withAux)).toBe(countByHand(paperConv, 5, true));
    expect(countByHand(paperConv, 5, true)).toBe(13_378_280);
    expect(withAux.getLayer('aux1_pool').getConfig()).toMatchObject({ poolSize: [5, 5], strides: [3, 3], padding: 'valid' });
    withAux.dispose();
  });

  it('has true 5x5 branches, conv biases, LRN in the stem and Table 1 shapes at 224', () => {
    expect(paper.getLayer('inception3a_branch3_1_conv').getConfig().kernelSize).toEqual([5, 5]);
    expect(paper.getLayer('conv1_conv').getConfig().useBias).toBe(true);
    // Caffe's bvlc_googlenet LRN: local_size 5, alpha 1e-4 (divided by the window in Caffe), beta 0.75
    const norm1 = paper.getLayer('norm1');
    expect(norm1.getClassName()).toBe('LocalResponseNormalization');
    expect(norm1.getConfig()).toMatchObject({ size: 5, beta: 0.75, k: 1 });
    expect((norm1.getConfig().alpha as number) * 5).toBeCloseTo(1e-4, 12);
    expect(builtShapeMap(paper)).toEqual(plannedShapes({ variant: 'paper' }));
    const shapes = plannedShapes({ variant: 'paper' });
    // Table 1's output column
    expect(shapes.get('maxpool1')).toEqual([56, 56, 64]);
    expect(shapes.get('conv3_relu')).toEqual([56, 56, 192]);
    expect(shapes.get('maxpool2')).toEqual([28, 28, 192]);
    expect(shapes.get('maxpool3')).toEqual([14, 14, 480]);
    expect(shapes.get('maxpool4')).toEqual([7, 7, 832]);
    expect(shapes.get('inception5b_concat')).toEqual([7, 7, 1024]);
    const stem = ['input', ...unit('conv1', false), 'maxpool1', 'norm1', ...unit('conv2', false), ...unit('conv3', false), 'norm2', 'maxpool2'];
    expect(planModel('googlenet', { variant: 'paper' }).slice(0, stem.length).map((l) => l.name)).toEqual(stem);
  });

  it('runs a forward pass through the LRN layers', () => {
    const x = tf.randomUniform([1, 224, 224, 3]);
    const y = paper.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([1, 1000]);
    expect(Array.from(y.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([x, y]);
  });

  it("rejects an input too small for the paper's 5x5/3 aux pool", () => {
    expect(() => planModel('googlenet', { variant: 'paper', auxLogits: true, inputShape: [64, 64, 3] })).toThrow(
      /too small for googlenet: at layer 'aux1_pool'.*65x65/,
    );
  });
});

describe('ceilModeMaxPool', () => {
  /** PyTorch's MaxPool2d(k, s, padding=0, ceil_mode=True), by brute force on [h, w] (one channel). */
  function torchCeilMaxPool(x: number[][], k: number, s: number): number[][] {
    const out = (n: number) => poolOutputSize({ size: n, kernel: k, stride: s, padding: 0, ceilMode: true });
    return Array.from({ length: out(x.length) }, (_, i) =>
      Array.from({ length: out(x[0].length) }, (_, j) => {
        let best = -Infinity;
        for (let a = i * s; a < Math.min(i * s + k, x.length); a++) for (let b = j * s; b < Math.min(j * s + k, x[0].length); b++) best = Math.max(best, x[a][b]);
        return best;
      }),
    );
  }

  it.each([
    [8, 3, 2, 'same'], // ceil 4 vs floor 3; 'same' pads one at the end
    [7, 3, 2, 'valid'], // ceil = floor = 3
    [14, 2, 2, 'valid'],
    [13, 2, 2, 'same'],
    [15, 5, 3, 'pad'], // ceil 5 vs floor 4; 'same' would pad 1 at the top: explicit bottom/right zero padding
  ] as const)('matches PyTorch ceil mode: %i pixels, kernel %i, stride %i (%s)', (n, k, s, how) => {
    const plan = new ShapeNet();
    const planned = ceilModeMaxPool(plan, plan.input([n, n, 1], 'x'), { name: 'pool', poolSize: k, strides: s });
    const out = poolOutputSize({ size: n, kernel: k, stride: s, padding: 0, ceilMode: true });
    expect(planned).toEqual([out, out, 1]);
    expect(plan.layers.some((l) => l.name === 'pool_pad')).toBe(how === 'pad');

    const net = new LayersNet({ seed: 0, random: false });
    const input = net.input([n, n, 1], 'x');
    const model = tf.model({ inputs: input, outputs: ceilModeMaxPool(net, input, { name: 'pool', poolSize: k, strides: s }) });
    if (how !== 'pad') expect(model.getLayer('pool').getConfig().padding).toBe(how);
    // post-ReLU inputs: >= 0
    const values = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => ((i * 7 + j * 13) % 17) / 17));
    const x = tf.tensor4d(values.flat(), [1, n, n, 1]);
    const y = model.predict(x) as tf.Tensor;
    const expected = torchCeilMaxPool(values, k, s);
    expect(y.shape).toEqual([1, expected.length, expected.length, 1]);
    const got = Array.from(y.dataSync());
    expected.flat().forEach((v, i) => expect(got[i]).toBeCloseTo(v, 6));
    tf.dispose([x, y]);
  });
});

describe('AdaptiveAveragePooling2D (aux heads)', () => {
  it("uses PyTorch's overlapping bins for 14 -> 4, not a 5x5/3 average pool", () => {
    expect(adaptiveBins(14, 4)).toEqual([
      [0, 4],
      [3, 7],
      [7, 11],
      [10, 14],
    ]);
    // x[h][w] = 14h + w: a bin's mean is 14 * (mean of its rows) + (mean of its columns)
    const x = tf.tensor4d(Array.from({ length: 14 * 14 }, (_, i) => i), [1, 14, 14, 1]);
    const layer = new AdaptiveAveragePooling2D({ name: 'pool', outputSize: [4, 4] });
    const y = layer.apply(x) as tf.Tensor;
    const centres = [1.5, 4.5, 8.5, 11.5]; // (0+3)/2, (3+6)/2, (7+10)/2, (10+13)/2
    expect(y.shape).toEqual([1, 4, 4, 1]);
    const expected = centres.flatMap((r) => centres.map((c) => 14 * r + c));
    Array.from(y.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 4));
    // a 5x5/3 average pool would centre its windows on 2, 5, 8, 11
    const fixed = tf.avgPool(x, 5, 3, 'valid');
    expect(fixed.dataSync()[0]).toBeCloseTo(14 * 2 + 2, 4);
    expect(fixed.dataSync()[0]).not.toBeCloseTo(expected[0], 2);
    tf.dispose([x, y, fixed]);
  });

  it('has a gradient: each pixel gets 1/16 from every 4x4 bin that contains it', () => {
    const layer = new AdaptiveAveragePooling2D({ name: 'pool_grad', outputSize: [4, 4] });
    const x = tf.zeros([1, 14, 14, 1]);
    const g = tf.grad((input: tf.Tensor) => tf.sum(layer.apply(input) as tf.Tensor))(x);
    const at = (h: number, w: number) => g.dataSync()[h * 14 + w];
    expect(at(0, 0)).toBeCloseTo(1 / 16, 6); // one bin
    expect(at(3, 0)).toBeCloseTo(2 / 16, 6); // row 3 is in row bins 0 and 1
    expect(at(3, 3)).toBeCloseTo(4 / 16, 6); // in 2 x 2 bins
    expect(at(5, 5)).toBeCloseTo(1 / 16, 6);
    tf.dispose([x, g]);
  });
});
