import { describe, expect, it } from 'vitest';
import { ConfigError, lenet5, planModel, tf } from '../src/index.js';
import { PartialConv2D } from '../src/layers/partial-conv2d.js';
import { ScaledTanh } from '../src/layers/scaled-tanh.js';
import { SubSampling2D } from '../src/layers/subsampling2d.js';
import { lenet5Architectures, lenet5DigitBitmaps } from '../src/net/index.js';
import { builtShapes, plannedShapes } from './helpers/model-shapes.js';

describe('lenet5 (classic)', () => {
  it('has 61,706 parameters, counted by hand from the layer list', () => {
    const conv = (k: number, cin: number, cout: number) => k * k * cin * cout + cout;
    const dense = (nin: number, nout: number) => nin * nout + nout;
    const expected = conv(5, 1, 6) + conv(5, 6, 16) + dense(5 * 5 * 16, 120) + dense(120, 84) + dense(84, 10);
    expect(expected).toBe(61_706);
    expect(lenet5().countParams()).toBe(expected);
  });

  it('predicts the shapes the built model has', () => {
    const model = lenet5();
    const planned = planModel('lenet5', {});
    expect(plannedShapes(planned)).toEqual(builtShapes(model));
    expect(planned.at(-1)?.outputShape).toEqual([10]);
  });

  it('is seedable: the same seed gives the same weights, another seed others', () => {
    const a = lenet5({ seed: 7 }).getWeights()[0].dataSync();
    const b = lenet5({ seed: 7 }).getWeights()[0].dataSync();
    const c = lenet5({ seed: 8 }).getWeights()[0].dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it('runs a forward pass with finite outputs that sum to one', () => {
    const model = lenet5();
    const y = model.predict(tf.randomUniform([3, 32, 32, 1])) as tf.Tensor;
    expect(y.shape).toEqual([3, 10]);
    const values = Array.from(y.dataSync());
    expect(values.every(Number.isFinite)).toBe(true);
    expect(values.slice(0, 10).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    tf.dispose(y);
  });

  it('rejects an input too small, naming the layer', () => {
    expect(() => lenet5({ inputShape: [8, 8, 1] })).toThrow(ConfigError);
    expect(() => lenet5({ inputShape: [8, 8, 1] })).toThrow(/inputShape: too small for lenet5: at layer 'c3'/);
  });
});

// ---- The paper's LeNet-5 (LeCun et al. 1998, Section II.B, Fig. 2, Table I). ----

/** The paper's text on C3: 6 maps on contiguous triples, 6 on contiguous quadruples, 3 on discontinuous quadruples, 1 on all. */
function c3ConnectionsFromText(): number[][] {
  const contiguous = (start: number, length: number) => Array.from({ length }, (_, i) => (start + i) % 6).sort((a, b) => a - b);
  return [
    ...Array.from({ length: 6 }, (_, j) => contiguous(j, 3)),
    ...Array.from({ length: 6 }, (_, j) => contiguous(j, 4)),
    // Table I's three discontinuous subsets of four
    [0, 1, 3, 4],
    [1, 2, 4, 5],
    [0, 2, 3, 5],
    [0, 1, 2, 3, 4, 5],
  ];
}

const size = (w: { shape: readonly (number | null)[] }) => w.shape.reduce<number>((a, b) => a * (b ?? 1), 1);

describe('lenet5 (paper)', () => {
  const paper = lenet5({ variant: 'paper', seed: 3 });

  it('has exactly 60,000 trainable parameters, counted by hand from Section II.B', () => {
    const c1 = 6 * (5 * 5 * 1 + 1); // 156
    const s2 = 6 * 2; // a coefficient and a bias per map: 12
    const c3 = 25 * (6 * 3 + 6 * 4 + 3 * 4 + 1 * 6) + 16; // 60 connections of 5x5, 16 biases: 1,516
    const s4 = 16 * 2; // 32
    const c5 = 120 * (5 * 5 * 16 + 1); // 48,120
    const f6 = 84 * (120 + 1); // 10,164
    expect([c1, s2, c3, s4, c5, f6]).toEqual([156, 12, 1_516, 32, 48_120, 10_164]);
    expect(c1 + s2 + c3 + s4 + c5 + f6).toBe(60_000);
    const trainable = paper.trainableWeights.reduce((sum, w) => sum + size(w), 0);
    expect(trainable).toBe(60_000);
    // plus the RBF's fixed vectors: 10 classes x 84 values, not trainable
    expect(paper.countParams()).toBe(60_000 + 10 * 84);
  });

  it("transcribes Table I: C3's connection table as the paper's text describes it", () => {
    const table = lenet5Architectures.paper.layers.find((l) => l.name === 'c3');
    expect(table?.type === 'conv' && table.connectionTable).toBeTruthy();
    const rows = (table as { connectionTable: string[] }).connectionTable;
    const byColumn = Array.from({ length: 16 }, (_, j) => rows.flatMap((row, i) => (row[j] === 'X' ? [i] : [])));
    expect(byColumn).toEqual(c3ConnectionsFromText());
  });

  it('keeps the RBF parameter vectors fixed: ±1 digit bitmaps, not trainable, unchanged by training', async () => {
    const centers = paper.getLayer('predictions').getWeights(); // [centers]
    expect(paper.nonTrainableWeights.map((w) => w.originalName)).toEqual(['predictions/centers']);
    expect(paper.trainableWeights.some((w) => w.originalName.startsWith('predictions'))).toBe(false);
    expect(centers[0].shape).toEqual([10, 84]);
    const values = Array.from(centers[0].dataSync());
    expect(values.every((v) => v === 1 || v === -1)).toBe(true);
    // the digit 1 bitmap, flattened row by row
    expect(values.slice(84, 2 * 84)).toEqual(Array.from(lenet5DigitBitmaps[1].join(''), (p) => (p === '#' ? 1 : -1)));

    const model = lenet5({ variant: 'paper', seed: 4 });
    const c1Before = Array.from(model.getLayer('c1').getWeights()[0].dataSync());
    const centersBefore = Array.from(model.getLayer('predictions').getWeights()[0].dataSync());
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
    const x = tf.randomUniform([4, 32, 32, 1]);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3], 'int32'), 10);
    await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
    expect(Array.from(model.getLayer('c1').getWeights()[0].dataSync())).not.toEqual(c1Before);
    expect(Array.from(model.getLayer('predictions').getWeights()[0].dataSync())).toEqual(centersBefore);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('outputs classifierActivation of the negated squared distances between F6 and the prototypes', () => {
    const linear = lenet5({ variant: 'paper', seed: 5, classifierActivation: 'linear' });
    const features = lenet5({ variant: 'paper', seed: 5, includeTop: false }); // same seed: same weights
    const x = tf.randomUniform([2, 32, 32, 1]);
    const logits = linear.predict(x) as tf.Tensor;
    const f6 = features.predict(x) as tf.Tensor;
    expect(f6.shape).toEqual([2, 84]);
    const feats = f6.arraySync() as number[][];
    const protos = lenet5DigitBitmaps.map((bitmap) => Array.from(bitmap.join(''), (p) => (p === '#' ? 1 : -1)));
    const expected = feats.map((f) => protos.map((p) => -p.reduce((sum, v, j) => sum + (f[j] - v) ** 2, 0)));
    const got = logits.arraySync() as number[][];
    // float32 sums of 84 squares: agree to a few parts per million
    expected.flat().forEach((v, i) => expect(Math.abs(got.flat()[i] - v)).toBeLessThanOrEqual(2e-5 * Math.abs(v) + 1e-5));
    // the scaled tanh bounds F6 by A = 1.7159
    expect(feats.flat().every((v) => Math.abs(v) < 1.7159)).toBe(true);
    tf.dispose([x, logits, f6]);
    linear.dispose();
    features.dispose();
  });

  it('runs a forward pass: finite softmax outputs, no tensor leak', () => {
    const x = tf.randomUniform([3, 32, 32, 1]);
    const before = tf.memory().numTensors;
    const y = paper.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([3, 10]);
    const values = Array.from(y.dataSync());
    expect(values.every(Number.isFinite)).toBe(true);
    expect(values.slice(0, 10).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    tf.dispose(y);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(x);
  });

  it('predicts the shapes the built model has, at 32x32 and 40x40', () => {
    const built = builtShapes;
    const planned = (options: object) => plannedShapes(planModel('lenet5', options));
    expect(planned({ variant: 'paper' })).toEqual(built(paper));
    const larger = lenet5({ variant: 'paper', inputShape: [40, 40, 1], initialize: false });
    expect(planned({ variant: 'paper', inputShape: [40, 40, 1] })).toEqual(built(larger));
    // 40 -> c1 36 -> s2 18 -> c3 14 -> s4 7 -> c5 3: C5 stays a convolution (3x3x120) on a larger input
    expect(larger.getLayer('c5').outputShape).toEqual([null, 3, 3, 120]);
    larger.dispose();
  });

  it('saves and loads: the custom layers are registered, the restored model predicts the same', async () => {
    let artifacts: tf.io.ModelArtifacts | undefined;
    await paper.save(tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    const restored = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
    expect(restored.layers.map((l) => l.getClassName())).toEqual(paper.layers.map((l) => l.getClassName()));
    const x = tf.randomUniform([2, 32, 32, 1]);
    const [a, b] = [paper.predict(x) as tf.Tensor, restored.predict(x) as tf.Tensor];
    const expected = Array.from(a.dataSync());
    Array.from(b.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
    tf.dispose([x, a, b]);
    restored.dispose();
  });

  it('names its layers after Fig. 2, with the scaled tanh as a layer of its own', () => {
    expect(paper.layers.map((l) => l.name)).toEqual([
      'input',
      'c1', 'c1_scaled_tanh',
      's2', 's2_scaled_tanh',
      'c3', 'c3_scaled_tanh',
      's4', 's4_scaled_tanh',
      'c5', 'c5_scaled_tanh',
      'flatten',
      'f6', 'f6_scaled_tanh',
      'predictions',
    ]);
    expect(paper.getLayer('c3').getClassName()).toBe('PartialConv2D');
    expect(paper.getLayer('s2').getClassName()).toBe('SubSampling2D');
    expect(paper.getLayer('predictions').getClassName()).toBe('EuclideanRBF');
  });

  it('rejects a class count the prototypes do not cover, and pooling after a dense layer', () => {
    expect(() => lenet5({ variant: 'paper', numClasses: 26 })).toThrow(/^numClasses: must equal the number of RBF prototypes .*\(10\).*received 26$/);
    expect(() => lenet5({ includeTop: false, pooling: 'avg' })).toThrow(/^pooling: only applies when the features end with a feature map.*'f6'.*received "avg"$/);
    const wrongRows = { ...lenet5Architectures.paper, layers: lenet5Architectures.paper.layers.map((l) => (l.name === 'c3' ? { ...l, connectionTable: ['X'.repeat(16)] } : l)) };
    expect(() => lenet5({ architecture: wrongRows })).toThrow(/^architecture\.layers\.2\.connectionTable: must have one row per input map of layer 'c3' \(6\), received 1 rows$/);
    expect(() => lenet5({ architecture: { layers: [{ type: 'conv', name: 'c1', filters: 2, kernelSize: 5, connectionTable: ['X.'] }] } })).toThrow(
      /^architecture\.layers\.0\.connectionTable: must connect every output map to at least one input map; column 1 has no 'X'/,
    );
  });

  it('generates fixed ±1 codes when the rbf output has no bitmaps (any class count)', () => {
    const architecture = { ...lenet5Architectures.paper, output: { type: 'rbf' as const } };
    const a = lenet5({ architecture, numClasses: 26, seed: 1 });
    const b = lenet5({ architecture, numClasses: 26, seed: 2 });
    const codes = Array.from(a.getLayer('predictions').getWeights()[0].dataSync());
    expect(codes.length).toBe(26 * 84);
    expect(codes.every((v) => v === 1 || v === -1)).toBe(true);
    // independent of the model seed
    expect(Array.from(b.getLayer('predictions').getWeights()[0].dataSync())).toEqual(codes);
    // all 26 codes distinct
    expect(new Set(Array.from({ length: 26 }, (_, i) => codes.slice(i * 84, (i + 1) * 84).join())).size).toBe(26);
    a.dispose();
    b.dispose();
  });
});

describe('LeNet-5 custom layers, against hand arithmetic', () => {
  const constant = (value: number) => ({ spec: { kind: 'constant' as const, value }, seed: 0 });

  it('SubSampling2D: window sum times the coefficient plus the bias', () => {
    const layer = new SubSampling2D({ name: 'sub', poolSize: 2, coefficientInitializer: constant(0.5), biasInitializer: constant(1) });
    const x = tf.tensor4d(Array.from({ length: 16 }, (_, i) => i), [1, 4, 4, 1]);
    const y = layer.apply(x) as tf.Tensor;
    // windows {0,1,4,5}, {2,3,6,7}, {8,9,12,13}, {10,11,14,15}: sums 10, 18, 42, 50
    expect(Array.from(y.dataSync())).toEqual([10, 18, 42, 50].map((s) => 0.5 * s + 1));
    tf.dispose([x, y]);
  });

  it("PartialConv2D: output map j sums exactly Table I's input maps", () => {
    const connections = c3ConnectionsFromText();
    // 1x1 kernel of ones, input map i a constant i + 1: output j = Σ_{i in C_j} (i + 1)
    const layer = new PartialConv2D({ name: 'partial', filters: 16, kernelSize: 1, connections, kernelInitializer: constant(1), biasInitializer: constant(0) });
    const x = tf.tidy(() => tf.tile(tf.tensor4d([1, 2, 3, 4, 5, 6], [1, 1, 1, 6]), [1, 2, 2, 1]));
    const y = layer.apply(x) as tf.Tensor;
    expect(y.shape).toEqual([1, 2, 2, 16]);
    expect(Array.from(y.dataSync()).slice(0, 16)).toEqual(connections.map((inputs) => inputs.reduce((s, i) => s + i + 1, 0)));
    expect(layer.countParams()).toBe(60 + 16);
    tf.dispose([x, y]);
  });

  it('ScaledTanh: f(±1) = ±1 with A = 1.7159, S = 2/3 (Appendix A)', () => {
    const layer = new ScaledTanh({ name: 'f', amplitude: 1.7159, slope: 2 / 3 });
    const y = layer.apply(tf.tensor1d([-1, 0, 1])) as tf.Tensor;
    const [minus, zero, plus] = Array.from(y.dataSync());
    expect(plus).toBeCloseTo(1, 3);
    expect(minus).toBeCloseTo(-1, 3);
    expect(zero).toBe(0);
    tf.dispose(y);
  });

  it('pads 28x28 digits to the 32x32 field inside the model', () => {
    const model = lenet5({ inputShape: [28, 28, 1], inputPadding: 2, initialize: false });
    expect(model.getLayer('input_pad').outputShape).toEqual([null, 32, 32, 1]);
    // The same 61,706 parameters as on 32x32 inputs: padding has none.
    expect(model.countParams()).toBe(61_706);
    expect(() => lenet5({ inputPadding: -1 })).toThrow('inputPadding: must be a non-negative integer, received -1');
  });
});
