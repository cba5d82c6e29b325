import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alexnet, ConfigError, planModel, tf, type AlexNetOptions } from '../src/index.js';
import { AdaptiveAveragePooling2D } from '../src/layers/adaptive-avg-pool2d.js';
import { LocalResponseNormalization } from '../src/layers/lrn.js';
import { builtShapes, plannedShapes } from './helpers/model-shapes.js';

// ---- Hand arithmetic from the tables (architectures/alexnet.ts, the paper's Section 3.5). ----

/** A k x k conv from cin to cout maps in `groups` groups, with biases. */
const conv = (k: number, cin: number, cout: number, groups = 1) => k * k * (cin / groups) * cout + cout;
const dense = (nin: number, nout: number) => nin * nout + nout;
/** PyTorch's (and TF's 'valid') output size: floor((n + 2p - k) / s) + 1. */
const out = (n: number, k: number, s = 1, p = 0) => Math.floor((n + 2 * p - k) / s) + 1;

/** pool5's side for the paper's (227, no conv1 padding) or torchvision's (conv1 padding 2) network. */
function pool5Side(n: number, conv1Padding: number): number {
  const c1 = out(n, 11, 4, conv1Padding);
  const p1 = out(c1, 3, 2);
  const p2 = out(p1, 3, 2); // conv2 keeps the size (5x5, pad 2)
  return out(p2, 3, 2); // conv3-5 keep it too (3x3, pad 1)
}

const built = builtShapes;
const planned = (options: AlexNetOptions) => plannedShapes(planModel('alexnet', options));

/** One forward pass at batch 1 on a size x size x 3 input: 1000 finite probabilities, and no tensor left behind. */
function expectForwardPass(model: tf.LayersModel, size: number): void {
  const x = tf.randomUniform([1, size, size, 3]);
  const before = tf.memory().numTensors;
  const y = model.predict(x) as tf.Tensor;
  expect(y.shape).toEqual([1, 1000]);
  const values = Array.from(y.dataSync());
  expect(values.every(Number.isFinite)).toBe(true);
  expect(values.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
  tf.dispose(y);
  expect(tf.memory().numTensors).toBe(before);
  tf.dispose(x);
}

describe('alexnet parameter counts, by hand', () => {
  it('paper: 62,378,344; with groups 2: 60,965,224; torchvision: 61,100,840', () => {
    expect(pool5Side(227, 0)).toBe(6);
    expect(pool5Side(224, 2)).toBe(6);
    const classifier = dense(6 * 6 * 256, 4096) + dense(4096, 4096) + dense(4096, 1000);
    const paper = (g: number) => conv(11, 3, 96) + conv(5, 96, 256, g) + conv(3, 256, 384) + conv(3, 384, 384, g) + conv(3, 384, 256, g) + classifier;
    const torchvision = conv(11, 3, 64) + conv(5, 64, 192) + conv(3, 192, 384) + conv(3, 384, 256) + conv(3, 256, 256) + classifier;
    expect(paper(1)).toBe(62_378_344);
    expect(paper(2)).toBe(60_965_224);
    expect(torchvision).toBe(61_100_840);
  });
});

describe('alexnet (torchvision, the default)', () => {
  let model: tf.LayersModel;
  beforeAll(() => {
    model = alexnet({ seed: 1 });
  });
  afterAll(() => model.dispose());

  it('has 61,100,840 parameters', () => {
    expect(model.countParams()).toBe(61_100_840);
  });

  it('names its layers by the documented pattern', () => {
    expect(model.layers.map((l) => l.name)).toEqual([
      'input',
      'conv1_pad', // PyTorch's padding=2 on an 11x11/4 conv: TF's 'same' would pad 3 and 4
      'conv1',
      'pool1',
      'conv2',
      'pool2',
      'conv3',
      'conv4',
      'conv5',
      'pool5',
      'avgpool',
      'flatten',
      'dropout5', // torchvision drops the input of fc6 and of fc7
      'fc6',
      'dropout6',
      'fc7',
      'predictions',
    ]);
  });

  it('predicts the shapes the built model has, at 224 and (features) 256', () => {
    expect(planned({})).toEqual(built(model));
    const shapes = new Map(planned({}) as [string, number[]][]);
    expect(shapes.get('conv1')).toEqual([out(224, 11, 4, 2), out(224, 11, 4, 2), 64]); // 55
    expect(shapes.get('pool5')).toEqual([6, 6, 256]);
    // At 256 pool5 is 7x7: the adaptive pool's overlapping bins bring it to 6x6.
    expect(pool5Side(256, 2)).toBe(7);
    const at256 = planModel('alexnet', { inputShape: [256, 256, 3] });
    expect(at256.find((l) => l.name === 'avgpool')?.outputShape).toEqual([6, 6, 256]);
    expect(new AdaptiveAveragePooling2D({ name: 'p', outputSize: [6, 6] }).computeOutputShape([null, 7, 7, 256] as number[])).toEqual([null, 6, 6, 256]);
    const features = alexnet({ inputShape: [256, 256, 3], includeTop: false, initialize: false });
    expect(planned({ inputShape: [256, 256, 3], includeTop: false })).toEqual(built(features));
    expect(features.outputs[0].shape).toEqual([null, 7, 7, 256]);
    features.dispose();
  });

  it("starts from PyTorch's default init: uniform in ±1/sqrt(fanIn), biases too", () => {
    const [kernel, bias] = model.getLayer('conv1').getWeights();
    const limit = 1 / Math.sqrt(11 * 11 * 3);
    const k = Array.from(kernel.dataSync());
    expect(Math.max(...k.map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(Math.max(...k.map(Math.abs))).toBeGreaterThan(0.9 * limit);
    expect(Array.from(bias.dataSync()).every((b) => Math.abs(b) <= limit)).toBe(true);
  });

  it('runs a forward pass at batch 1: finite probabilities, no tensor leak', () => {
    expectForwardPass(model, 224);
  });
});

describe('alexnet (paper)', () => {
  let model: tf.LayersModel;
  beforeAll(() => {
    model = alexnet({ variant: 'paper', seed: 2 });
  });
  afterAll(() => model.dispose());

  it('has 62,378,344 parameters', () => {
    expect(model.countParams()).toBe(62_378_344);
  });

  it('names its layers by the documented pattern', () => {
    expect(model.layers.map((l) => l.name)).toEqual([
      'input',
      'conv1',
      'lrn1',
      'pool1',
      'conv2',
      'lrn2',
      'pool2',
      'conv3',
      'conv4',
      'conv5',
      'pool5',
      'flatten',
      'fc6',
      'dropout6', // the paper drops the outputs of fc6 and fc7
      'fc7',
      'dropout7',
      'predictions',
    ]);
    expect(model.getLayer('lrn1').getConfig()).toMatchObject({ size: 5, k: 2, alpha: 1e-4, beta: 0.75 });
  });

  it("has Figure 2's shapes at 227x227 and the planned ones", () => {
    expect(planned({ variant: 'paper' })).toEqual(built(model));
    const shapes = new Map(planned({ variant: 'paper' }) as [string, number[]][]);
    expect(shapes.get('conv1')).toEqual([55, 55, 96]);
    expect(shapes.get('pool1')).toEqual([27, 27, 96]);
    expect(shapes.get('conv2')).toEqual([27, 27, 256]);
    expect(shapes.get('pool2')).toEqual([13, 13, 256]);
    expect(shapes.get('conv5')).toEqual([13, 13, 256]);
    expect(shapes.get('pool5')).toEqual([6, 6, 256]);
    expect(shapes.get('flatten')).toEqual([9216]);
  });

  it('starts as Section 5 says: weights N(0, 0.01), biases 1 in conv2, conv4, conv5, fc6, fc7 and 0 elsewhere', () => {
    const bias = (name: string) => Array.from(model.getLayer(name).getWeights()[1].dataSync());
    for (const name of ['conv2', 'conv4', 'conv5', 'fc6', 'fc7']) expect(bias(name).every((b) => b === 1)).toBe(true);
    for (const name of ['conv1', 'conv3', 'predictions']) expect(bias(name).every((b) => b === 0)).toBe(true);
    const k = Array.from(model.getLayer('conv3').getWeights()[0].dataSync());
    const mean = k.reduce((a, b) => a + b, 0) / k.length;
    const std = Math.sqrt(k.reduce((a, b) => a + (b - mean) ** 2, 0) / k.length);
    expect(std).toBeGreaterThan(0.0098);
    expect(std).toBeLessThan(0.0102);
  });

  it('runs a forward pass at batch 1: finite probabilities, no tensor leak', () => {
    expectForwardPass(model, 227);
  });
});

describe('alexnet (paper, groups 2: the two GPUs)', () => {
  let model: tf.LayersModel;
  beforeAll(() => {
    model = alexnet({ variant: 'paper', groups: 2, seed: 3 });
  });
  afterAll(() => model.dispose());

  it('has 60,965,224 parameters, with conv2, conv4, conv5 split and conv1, conv3 whole', () => {
    expect(model.countParams()).toBe(60_965_224);
    const kernelShape = (name: string) => model.getLayer(name).getWeights()[0].shape;
    expect(kernelShape('conv1')).toEqual([11, 11, 3, 96]);
    expect(kernelShape('conv2')).toEqual([5, 5, 48, 256]);
    expect(kernelShape('conv3')).toEqual([3, 3, 256, 384]); // the layer where the GPUs talk
    expect(kernelShape('conv4')).toEqual([3, 3, 192, 384]);
    expect(kernelShape('conv5')).toEqual([3, 3, 192, 256]);
    expect(model.getLayer('conv2').getClassName()).toBe('GroupedConv2D');
  });

  it('predicts the shapes the built model has, at 227 and (features) 300x260', () => {
    expect(planned({ variant: 'paper', groups: 2 })).toEqual(built(model));
    const options: AlexNetOptions = { variant: 'paper', groups: 2, inputShape: [300, 260, 3], includeTop: false, pooling: 'avg', initialize: false };
    const features = alexnet(options);
    expect(planned(options)).toEqual(built(features));
    // 300: conv1 73, pool1 36, pool2 17, pool5 8; 260: conv1 63, pool1 31, pool2 15, pool5 7
    expect(planModel('alexnet', options).find((l) => l.name === 'pool5')?.outputShape).toEqual([pool5Side(300, 0), pool5Side(260, 0), 256]);
    expect(features.outputs[0].shape).toEqual([null, 256]);
    features.dispose();
  });

  it('runs a forward pass at batch 1: finite probabilities, no tensor leak', () => {
    expectForwardPass(model, 227);
  });
});

describe('alexnet configuration errors', () => {
  it("torchvision's runs from 63x63, its adaptive pool repeating pool5's values as PyTorch does", () => {
    // 64 -> conv1 (11/4, pad 2) 15 -> pool1 7 -> conv2 7 -> pool2 3 -> conv3-5 3 -> pool5 1; 62 -> pool5 0
    expect(pool5Side(64, 2)).toBe(1);
    expect(pool5Side(63, 2)).toBe(1);
    expect(pool5Side(62, 2)).toBe(0);
    const small = alexnet({ inputShape: [64, 64, 3], seed: 2, classifierActivation: 'linear' });
    expectForwardPass(alexnet({ inputShape: [63, 63, 3], seed: 2 }), 63);
    // PyTorch's bins for 1 -> 6 all cover the one pixel: fc6 sees 36 copies of each channel.
    const features = tf.model({ inputs: small.inputs, outputs: [small.getLayer('pool5').output as tf.SymbolicTensor, small.getLayer('avgpool').output as tf.SymbolicTensor] });
    const x = tf.randomUniform([1, 64, 64, 3], 0, 1, 'float32', 3);
    const [pool5, pooled] = features.predict(x) as tf.Tensor[];
    expect(pool5.shape).toEqual([1, 1, 1, 256]);
    expect(pooled.shape).toEqual([1, 6, 6, 256]);
    const expected = Array.from({ length: 36 }, () => Array.from(pool5.dataSync())).flat();
    expect(Array.from(pooled.dataSync())).toEqual(expected);
    tf.dispose([x, pool5, pooled]);
    small.dispose();
    expect(() => alexnet({ inputShape: [62, 62, 3] })).toThrow(
      /^inputShape: too small for alexnet: at layer 'pool5' .*smallest square input that works is 63x63, received \[62, 62, 3\]$/,
    );
  });

  it('rejects 64x64 for the paper variant, naming the layer and the smallest input that works', () => {
    // paper: 64 -> conv1 14 -> pool1 6 -> pool2 2 -> pool5 0; 67 is the first size with pool5 >= 1
    expect(pool5Side(66, 0)).toBe(0);
    expect(pool5Side(67, 0)).toBe(1);
    expect(() => alexnet({ variant: 'paper', inputShape: [64, 64, 3] })).toThrow(ConfigError);
    expect(() => alexnet({ variant: 'paper', inputShape: [64, 64, 3] })).toThrow(
      /^inputShape: too small for alexnet: at layer 'pool5' .*smallest square input that works is 67x67, received \[64, 64, 3\]$/,
    );
  });

  it('rejects groups that do not apply or do not divide', () => {
    expect(() => alexnet({ groups: 2 })).toThrow(/^groups: only splits the conv rows marked 'grouped'.*received 2$/);
    expect(() => alexnet({ variant: 'paper', groups: 3 })).toThrow(/^groups: must divide the input channels \(96\) and the filters \(256\) of grouped layer 'conv2', received 3$/);
    expect(() => alexnet({ variant: 'paper', groups: 0 })).toThrow(/^groups: must be a positive integer, received 0$/);
    expect(() => alexnet({ variant: 'caffe' as 'paper' })).toThrow(/^variant: must be 'torchvision' or 'paper', received "caffe"$/);
  });
});

describe('LocalResponseNormalization, against the paper formula', () => {
  /** b_i = a_i / (k + α Σ_{j = max(0, i - n/2)}^{min(N - 1, i + n/2)} a_j²)^β, written out. */
  function lrnByHand(a: number[], n: number, k: number, alpha: number, beta: number): number[] {
    const half = Math.floor(n / 2);
    return a.map((ai, i) => {
      let sum = 0;
      for (let j = Math.max(0, i - half); j <= Math.min(a.length - 1, i + half); j++) sum += a[j] ** 2;
      return ai / (k + alpha * sum) ** beta;
    });
  }

  it('computes b = a / (k + α Σ a²)^β over n adjacent channels (α on the raw sum)', () => {
    const a = [3, -1, 4, 1, -5, 9, 2, -6];
    // a large α, so that the normalisation visibly matters
    const layer = new LocalResponseNormalization({ name: 'lrn', size: 5, k: 2, alpha: 0.01, beta: 0.75 });
    const y = layer.apply(tf.tensor4d(a, [1, 1, 1, 8])) as tf.Tensor;
    const expected = lrnByHand(a, 5, 2, 0.01, 0.75);
    Array.from(y.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
    tf.dispose(y);
  });

  it('has a gradient, equal to that of the formula written with basic ops', () => {
    const [n, k, alpha, beta] = [5, 2, 0.01, 0.75];
    const layer = new LocalResponseNormalization({ name: 'lrn_grad', size: n, k, alpha, beta });
    const x = tf.randomNormal([1, 2, 2, 7], 0, 3, 'float32', 11);
    const weights = tf.randomUniform([1, 2, 2, 7], -1, 1, 'float32', 12);
    // the same formula from square, pad, slices and pow, whose gradients tfjs-core composes itself
    const formula = (input: tf.Tensor) => {
      const padded = tf.pad(tf.square(input), [[0, 0], [0, 0], [0, 0], [2, 2]]);
      const window = tf.addN([0, 1, 2, 3, 4].map((o) => tf.slice(padded, [0, 0, 0, o], [1, 2, 2, 7])));
      return tf.div(input, tf.pow(tf.add(k, tf.mul(alpha, window)), beta));
    };
    const viaLayer = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(layer.apply(input) as tf.Tensor, weights)))(x);
    const viaFormula = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(formula(input), weights)))(x);
    const got = Array.from(viaLayer.dataSync());
    expect(got.every(Number.isFinite)).toBe(true);
    Array.from(viaFormula.dataSync()).forEach((v, i) => expect(got[i]).toBeCloseTo(v, 4));
    tf.dispose([x, weights, viaLayer, viaFormula]);
  });

  it('saves and loads as a registered layer with the same config', async () => {
    const input = tf.input({ shape: [3, 3, 8] });
    const output = new LocalResponseNormalization({ name: 'lrn1', size: 5, k: 2, alpha: 1e-4, beta: 0.75 }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: output });
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    const restored = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
    expect(restored.getLayer('lrn1').getClassName()).toBe('LocalResponseNormalization');
    expect(restored.getLayer('lrn1').getConfig()).toMatchObject({ size: 5, k: 2, alpha: 1e-4, beta: 0.75 });
    model.dispose();
    restored.dispose();
  });

  it('rejects an even window', () => {
    expect(() => new LocalResponseNormalization({ name: 'bad', size: 4, k: 2, alpha: 1e-4, beta: 0.75 })).toThrow(/size must be an odd positive integer, received 4/);
  });
});

describe("AdaptiveAveragePooling2D, with PyTorch's bins", () => {
  it('pools 7 -> 6 with overlapping bins of two: cell (i, j) of x = 7r + c is 7(i + 1/2) + (j + 1/2)', () => {
    // PyTorch's bins for 7 -> 6: [floor(7i/6), ceil(7(i+1)/6)) = [i, i + 2)
    const x = tf.tensor4d(Array.from({ length: 49 }, (_, v) => v), [1, 7, 7, 1]);
    const y = new AdaptiveAveragePooling2D({ name: 'p7', outputSize: [6, 6] }).apply(x) as tf.Tensor;
    expect(y.shape).toEqual([1, 6, 6, 1]);
    const expected = Array.from({ length: 36 }, (_, v) => 7 * (Math.floor(v / 6) + 0.5) + ((v % 6) + 0.5));
    Array.from(y.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 4));
    tf.dispose([x, y]);
  });

  it('is the identity on a 6x6 map (AlexNet at 224)', () => {
    const x = tf.randomUniform([2, 6, 6, 3]);
    const y = new AdaptiveAveragePooling2D({ name: 'p6', outputSize: [6, 6] }).apply(x) as tf.Tensor;
    expect(Array.from(y.dataSync())).toEqual(Array.from(x.dataSync()));
    tf.dispose([x, y]);
  });
});
