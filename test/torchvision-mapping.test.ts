/**
 * The torchvision mapping without Python: the rules name torchvision's keys, every committed
 * torchvision key/shape list maps completely onto its zoo model, anything that does not fit is one
 * error with nothing assigned, and the way back gives torchvision's key set and the same values.
 */
import { describe, expect, it } from 'vitest';
import { alexnet, getModelDefinition, googlenet, mobilenetV2, resnet18, resnet34, resnet50, tf, vgg16 } from '../src/index.js';
import type { ModelDefinition } from '../src/types.js';
import { checkpoints, type Checkpoint } from '../src/import/checkpoints.js';
import { imagenetClasses } from '../src/import/imagenet-classes.js';
import type { TensorSet } from '../src/import/tensors.js';
import { TorchvisionMappingError } from '../src/import/torchvision/errors.js';
import { assignTorchvisionWeights, mapTorchvisionWeights, planTorchvisionMapping, torchvisionKey, torchvisionStateDict } from '../src/import/torchvision/map.js';
import { GroupedConv2D, vgg, vggConfigurations } from '../src/net/index.js';
import { PreprocessingSchema, WeightsError } from '../src/weights/index.js';
import { formulaInput, formulaTensorSet, readFixture, shapesOnly, type FixtureTensor } from './helpers/formula-weights.js';

const noInit = { initialize: false } as const;

/** Every weight's values, copied, by name. */
function snapshot(model: tf.LayersModel): Map<string, Float32Array> {
  return new Map(model.weights.map((variable) => [variable.originalName, Float32Array.from(variable.read().dataSync() as Float32Array)]));
}

/** Names of the weights whose bits differ between two snapshots. */
function changed(before: Map<string, Float32Array>, after: Map<string, Float32Array>): string[] {
  return [...before].filter(([name, values]) => {
    const other = after.get(name)!;
    return values.length !== other.length || Buffer.compare(Buffer.from(values.buffer), Buffer.from(other.buffer)) !== 0;
  }).map(([name]) => name);
}

/** The error `run` throws, checked to be the mapping's. */
function mappingError(run: () => unknown): TorchvisionMappingError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TorchvisionMappingError);
    expect(error).toBeInstanceOf(WeightsError);
    return error as TorchvisionMappingError;
  }
  throw new Error('expected a TorchvisionMappingError, nothing was thrown');
}

/** A model of each family, by torchvision's family name: its registry entry declares the family's torchvision names. */
const TORCHVISION_MODEL = { alexnet: 'alexnet', vgg: 'vgg16', resnet: 'resnet50', googlenet: 'googlenet', mobilenet_v2: 'mobilenetV2' } as const;
type TorchvisionFamily = keyof typeof TORCHVISION_MODEL;

/** The mapping options of a family: its name and its torchvision names. */
function tv(family: TorchvisionFamily) {
  const definition: ModelDefinition = getModelDefinition(TORCHVISION_MODEL[family]);
  return { family: definition.family, names: definition.sources.torchvision!.names };
}

/** The zoo model an official torchvision file fits, as the checkpoints table and the family's source say. */
function buildCheckpoint(checkpoint: Checkpoint): tf.LayersModel {
  const definition: ModelDefinition = getModelDefinition(checkpoint.model);
  const variant = definition.sources.torchvision?.variant;
  return definition.build({ ...checkpoint.options, ...(variant && { variant }), ...noInit });
}

/** The torchvision builder an official file comes from (`vgg11_bn-6002323d.pth`: `vgg11_bn`), the name of its fixture. */
const builderOf = (checkpoint: Checkpoint) => checkpoint.file.split('-')[0];

/** Maps the fixture's keys and shapes onto the model; every weight filled, every key used or skipped. */
function expectCoverage(model: tf.LayersModel, tensors: FixtureTensor[], family: TorchvisionFamily): string[] {
  const { pairs, skipped } = planTorchvisionMapping(model, shapesOnly(tensors), tv(family));
  expect(pairs.map((pair) => pair.zoo).sort()).toEqual(model.weights.map((variable) => variable.originalName).sort());
  expect([...pairs.map((pair) => pair.key), ...skipped].sort()).toEqual(tensors.map(([key]) => key).sort());
  return skipped;
}

describe('the rules: zoo layer and weight → torchvision state_dict key', () => {
  it('resnet: conv1/bn1, layer{s-1}.{b-1}.conv{i}/bn{i}, downsample.0/.1, fc', () => {
    const model = resnet50({ ...noInit, inputShape: [32, 32, 3] });
    const key = (weight: string) => torchvisionKey(model, weight, tv('resnet'));
    expect(key('conv1_conv/kernel')).toBe('conv1.weight');
    expect(['gamma', 'beta', 'moving_mean', 'moving_variance'].map((w) => key(`conv1_bn/${w}`))).toEqual(['bn1.weight', 'bn1.bias', 'bn1.running_mean', 'bn1.running_var']);
    expect(key('conv2_block1_1_conv/kernel')).toBe('layer1.0.conv1.weight');
    expect(key('conv2_block1_0_conv/kernel')).toBe('layer1.0.downsample.0.weight');
    expect(key('conv2_block1_0_bn/moving_variance')).toBe('layer1.0.downsample.1.running_var');
    expect(key('conv5_block3_3_bn/gamma')).toBe('layer4.2.bn3.weight');
    expect(key('predictions/kernel')).toBe('fc.weight');
    expect(key('predictions/bias')).toBe('fc.bias');
    model.dispose();
  });

  it("vgg: features numbered by position (conv, [BN,] ReLU; a pool per stage), classifier.0/3/6", () => {
    const plain = vgg16({ ...noInit, inputShape: [32, 32, 3] });
    const bn = vgg16({ ...noInit, inputShape: [32, 32, 3], batchNorm: true });
    expect(torchvisionKey(plain, 'block1_conv1/kernel', tv('vgg'))).toBe('features.0.weight');
    expect(torchvisionKey(plain, 'block2_conv1/bias', tv('vgg'))).toBe('features.5.bias');
    expect(torchvisionKey(plain, 'block5_conv3/kernel', tv('vgg'))).toBe('features.28.weight');
    expect(torchvisionKey(bn, 'block5_conv3/kernel', tv('vgg'))).toBe('features.40.weight');
    expect(torchvisionKey(bn, 'block5_conv3_bn/moving_mean', tv('vgg'))).toBe('features.41.running_mean');
    expect(['fc1', 'fc2', 'predictions'].map((layer) => torchvisionKey(plain, `${layer}/kernel`, tv('vgg')))).toEqual(['classifier.0.weight', 'classifier.3.weight', 'classifier.6.weight']);
    plain.dispose();
    bn.dispose();
  });

  it('alexnet, googlenet (module paths with _ for .) and mobilenet_v2 (Keras names onto features.N.conv.*)', () => {
    const a = alexnet(noInit);
    expect(['conv1', 'conv2', 'conv3', 'conv4', 'conv5', 'fc6', 'fc7', 'predictions'].map((layer) => torchvisionKey(a, `${layer}/kernel`, tv('alexnet')))).toEqual(
      ['features.0', 'features.3', 'features.6', 'features.8', 'features.10', 'classifier.1', 'classifier.4', 'classifier.6'].map((module) => `${module}.weight`),
    );
    a.dispose();
    const g = googlenet({ ...noInit, auxLogits: true });
    expect(torchvisionKey(g, 'inception5b_branch4_1_conv/kernel', tv('googlenet'))).toBe('inception5b.branch4.1.conv.weight');
    expect(torchvisionKey(g, 'aux1_conv_bn/moving_variance', tv('googlenet'))).toBe('aux1.conv.bn.running_var');
    expect(torchvisionKey(g, 'aux2_fc2/bias', tv('googlenet'))).toBe('aux2.fc2.bias');
    expect(torchvisionKey(g, 'fc/kernel', tv('googlenet'))).toBe('fc.weight');
    g.dispose();
    const m = mobilenetV2(noInit);
    const key = (weight: string) => torchvisionKey(m, weight, tv('mobilenet_v2'));
    expect(key('Conv1/kernel')).toBe('features.0.0.weight');
    expect(key('bn_Conv1/gamma')).toBe('features.0.1.weight');
    expect(key('expanded_conv_depthwise/depthwise_kernel')).toBe('features.1.conv.0.0.weight');
    expect(key('expanded_conv_project/kernel')).toBe('features.1.conv.1.weight');
    expect(key('expanded_conv_project_BN/beta')).toBe('features.1.conv.2.bias');
    expect(key('block_1_expand/kernel')).toBe('features.2.conv.0.0.weight');
    expect(key('block_1_depthwise_BN/moving_mean')).toBe('features.2.conv.1.1.running_mean');
    expect(key('block_16_project_BN/moving_variance')).toBe('features.17.conv.3.running_var');
    expect(key('Conv_1/kernel')).toBe('features.18.0.weight');
    expect(key('Conv_1_bn/gamma')).toBe('features.18.1.weight');
    expect(key('predictions/kernel')).toBe('classifier.1.weight');
    m.dispose();
  });
});

describe("coverage: torchvision's key/shape lists map completely onto the zoo's models", () => {
  for (const checkpoint of checkpoints.filter((c) => c.from === 'torchvision')) {
    const name = builderOf(checkpoint);
    it(`${name}: every zoo weight filled, every tensor used or skipped`, () => {
      const model = buildCheckpoint(checkpoint);
      try {
        const family = name.startsWith('vgg') ? 'vgg' : name.startsWith('resnet') ? 'resnet' : (name as TorchvisionFamily);
        const skipped = expectCoverage(model, readFixture(name).tensors, family);
        // googlenet's checkpoint carries the auxiliary heads; the default model has none.
        const auxiliary = name === 'googlenet' ? /^aux[12]\./ : /^$/;
        expect(skipped.filter((key) => !key.endsWith('.num_batches_tracked') && !auxiliary.test(key))).toEqual([]);
        if (name === 'googlenet') expect(skipped.filter((key) => auxiliary.test(key) && !key.endsWith('.num_batches_tracked'))).toHaveLength(18); // per head: conv, BN (4), fc1 and fc2 (weight, bias)
      } finally {
        model.dispose();
      }
    });
  }

  it('googlenet with auxiliary heads takes aux1.*/aux2.*; without them, a file without them fits exactly', () => {
    const withAux = googlenet({ ...noInit, auxLogits: true });
    expect(expectCoverage(withAux, readFixture('googlenet').tensors, 'googlenet').every((key) => key.endsWith('.num_batches_tracked'))).toBe(true);
    withAux.dispose();
    const plain = googlenet(noInit);
    expect(expectCoverage(plain, readFixture('googlenet_noaux').tensors, 'googlenet').every((key) => key.endsWith('.num_batches_tracked'))).toBe(true);
    plain.dispose();
  });

  it('mobilenet_v2 (width 1.0) onto the default MobileNet V2 (Keras names, the same shapes)', () => {
    const model = mobilenetV2(noInit);
    expect(expectCoverage(model, readFixture('mobilenet_v2').tensors, 'mobilenet_v2').every((key) => key.endsWith('.num_batches_tracked'))).toBe(true);
    model.dispose();
  });
});

describe('strict: anything that does not fit is one error, and nothing is assigned', () => {
  /** A seeded (non-zero) resnet18, its weights, and resnet18's formula tensors. */
  function setUp() {
    const model = resnet18({ seed: 7, inputShape: [32, 32, 3] });
    return { model, before: snapshot(model), tensors: formulaTensorSet(readFixture('resnet18').tensors) };
  }
  const edit = (tensors: TensorSet, change: (copy: TensorSet) => void): TensorSet => {
    const copy = new Map(tensors);
    change(copy);
    return copy;
  };

  it('a missing tensor, an extra one, one of another shape: one error naming each on its side, with shapes', () => {
    const { model, before, tensors } = setUp();
    const broken = edit(tensors, (copy) => {
      copy.delete('layer3.1.bn2.running_var');
      copy.set('layer5.0.conv1.weight', { shape: [8, 8, 3, 3], dtype: 'float32', data: new Float32Array(576) });
      copy.set('fc.weight', { shape: [10, 512], dtype: 'float32', data: new Float32Array(5120) });
    });
    const error = mappingError(() => assignTorchvisionWeights(model, broken, { ...tv('resnet'), file: 'resnet18.safetensors' }));
    expect(error.file).toBe('resnet18.safetensors');
    expect(error.missing).toEqual([{ name: 'layer3.1.bn2.running_var', shape: [256], zoo: 'conv4_block2_2_bn/moving_variance' }]);
    expect(error.extra).toEqual([{ name: 'layer5.0.conv1.weight', shape: [8, 8, 3, 3] }]);
    expect(error.mismatched).toEqual([{ name: 'fc.weight', found: [10, 512], expected: [1000, 512], zoo: 'predictions/kernel', why: 'shape' }]);
    expect(error.message).toContain('missing from the tensors (1): layer3.1.bn2.running_var [256] for conv4_block2_2_bn/moving_variance');
    expect(error.message).toContain('not taken by the model (1): layer5.0.conv1.weight [8, 8, 3, 3]');
    expect(error.message).toContain('fc.weight is [10, 512] in the tensors, the model needs [1000, 512] for predictions/kernel');
    expect(error.message).toContain('nothing was assigned');
    expect(error.expected).toHaveLength(model.weights.length);
    expect(error.found).toHaveLength(broken.size);
    expect(changed(before, snapshot(model))).toEqual([]);
    model.dispose();
  });

  it('each alone is refused too: a missing tensor; an extra one; a wrong shape; a non-float dtype; data of the wrong length', () => {
    const { model, before, tensors } = setUp();
    const cases: [string, (copy: TensorSet) => void, RegExp][] = [
      ['missing', (copy) => copy.delete('conv1.weight'), /missing from the tensors \(1\): conv1\.weight \[64, 3, 7, 7\] for conv1_conv\/kernel/],
      ['extra', (copy) => copy.set('head.weight', { shape: [2], dtype: 'float32', data: new Float32Array(2) }), /not taken by the model \(1\): head\.weight \[2\]/],
      // A Linear weight handed over already transposed (Keras's layout) is a shape error, not a silent transpose.
      ['shape', (copy) => copy.set('fc.weight', { ...copy.get('fc.weight')!, shape: [512, 1000] }), /fc\.weight is \[512, 1000\] in the tensors, the model needs \[1000, 512\]/],
      ['dtype', (copy) => copy.set('bn1.weight', { ...copy.get('bn1.weight')!, dtype: 'int64' }), /bn1\.weight \[64\]: dtype int64, not a float/],
      ['length', (copy) => copy.set('bn1.bias', { ...copy.get('bn1.bias')!, data: new Float32Array(3) }), /bn1\.bias \[64\]: data holds 3 values, not 64/],
      // A BatchNorm counter is skipped only beside its BatchNorm.
      ['counter', (copy) => copy.set('layer9.num_batches_tracked', { shape: [], dtype: 'int64', data: new Float32Array(1) }), /not taken by the model \(1\): layer9\.num_batches_tracked \[\]/],
    ];
    for (const [label, change, message] of cases) {
      const error = mappingError(() => assignTorchvisionWeights(model, edit(tensors, change), tv('resnet')));
      expect(error.message, label).toMatch(message);
      expect(error.message, label).toMatch(/^state_dict: the tensors do not fit model/);
    }
    expect(changed(before, snapshot(model))).toEqual([]);
    model.dispose();
  });

  it("another architecture's state_dict: resnet50 onto resnet34", () => {
    const model = resnet34({ seed: 3, inputShape: [32, 32, 3] });
    const before = snapshot(model);
    const error = mappingError(() => assignTorchvisionWeights(model, formulaTensorSet(readFixture('resnet50').tensors), { ...tv('resnet'), file: 'resnet50.pth' }));
    expect(error.missing).toEqual([]);
    expect(error.extra.map((e) => e.name)).toContain('layer1.0.conv3.weight');
    expect(error.extra.map((e) => e.name)).toContain('layer1.0.downsample.0.weight');
    expect(error.mismatched).toContainEqual({ name: 'layer1.0.conv1.weight', found: [64, 64, 1, 1], expected: [64, 64, 3, 3], zoo: 'conv2_block1_1_conv/kernel', why: 'shape' });
    expect(error.mismatched).toContainEqual({ name: 'fc.weight', found: [1000, 2048], expected: [1000, 512], zoo: 'predictions/kernel', why: 'shape' });
    expect(error.message).toMatch(/^resnet50\.pth: the tensors do not fit model '\w+' under the torchvision resnet rule/);
    expect(error.message).toMatch(/not taken by the model \(\d+\): layer1\.0\.conv3\.weight \[256, 64, 1, 1\];.*; and \d+ more/);
    expect(error.message).toMatch(/The model needs 182 tensors, the file holds 320/);
    expect(changed(before, snapshot(model))).toEqual([]);
    model.dispose();
  });

  it('another width: mobilenet_v2 width 0.5 onto width 1.0', () => {
    const model = mobilenetV2({ seed: 5, inputShape: [32, 32, 3] });
    const before = snapshot(model);
    const error = mappingError(() => assignTorchvisionWeights(model, formulaTensorSet(readFixture('mobilenet_v2_w050').tensors), tv('mobilenet_v2')));
    expect(error.missing).toEqual([]);
    expect(error.extra).toEqual([]);
    expect(error.mismatched).toContainEqual({ name: 'features.0.0.weight', found: [16, 3, 3, 3], expected: [32, 3, 3, 3], zoo: 'Conv1/kernel', why: 'shape' });
    expect(error.message).toContain('features.0.0.weight is [16, 3, 3, 3] in the tensors, the model needs [32, 3, 3, 3] for Conv1/kernel');
    expect(changed(before, snapshot(model))).toEqual([]);
    model.dispose();
  });

  it('a GoogLeNet with auxiliary heads refuses a file without them; a model the rule cannot name is refused', () => {
    const g = googlenet({ ...noInit, auxLogits: true });
    const error = mappingError(() => planTorchvisionMapping(g, shapesOnly(readFixture('googlenet_noaux').tensors), tv('googlenet')));
    expect(error.missing.map((m) => m.name)).toContain('aux1.fc1.weight');
    expect(error.missing.every((m) => /^aux[12]\./.test(m.name))).toBe(true);
    g.dispose();
    const r = resnet18({ ...noInit, inputShape: [32, 32, 3] });
    const unnamed = mappingError(() => planTorchvisionMapping(r, shapesOnly(readFixture('vgg11').tensors), tv('vgg')));
    expect(unnamed.unmapped[0]).toMatch(/^conv1_conv\/kernel \[7, 7, 3, 64\] \(Conv2D: the vgg rule has no torchvision module for layer 'conv1_conv'\)/);
    expect(() => torchvisionStateDict(r, tv('vgg'))).toThrow(/cannot be written under the torchvision vgg rule: zoo weights with no torchvision key \(\d+\): conv1_conv\/kernel/);
    r.dispose();
  });
});

describe('the way back: torchvisionStateDict', () => {
  /** Fixture keys → [shape, dtype], for comparing key sets. */
  const keySet = (tensors: FixtureTensor[]) => new Map(tensors.map(([key, shape, dtype]) => [key, JSON.stringify([shape, dtype])]));
  const exported = (set: TensorSet) => new Map([...set].map(([key, tensor]) => [key, JSON.stringify([tensor.shape, tensor.dtype])]));

  function roundTrip(model: tf.LayersModel, fresh: tf.LayersModel, family: TorchvisionFamily): TensorSet {
    const tensors = torchvisionStateDict(model, tv(family));
    assignTorchvisionWeights(fresh, tensors, tv(family));
    expect(changed(snapshot(model), snapshot(fresh))).toEqual([]);
    return tensors;
  }

  it("resnet18: torchvision's exact key set (shapes, dtypes, num_batches_tracked as int64 0), and back bit for bit", () => {
    const model = resnet18({ seed: 11 });
    const fresh = resnet18(noInit);
    const tensors = roundTrip(model, fresh, 'resnet');
    expect(exported(tensors)).toEqual(keySet(readFixture('resnet18').tensors));
    expect(tensors.get('bn1.num_batches_tracked')).toEqual({ shape: [], dtype: 'int64', data: new Float32Array([0]) });
    const without = torchvisionStateDict(model, { ...tv('resnet'), numBatchesTracked: false });
    expect([...without.keys()].filter((key) => key.endsWith('num_batches_tracked'))).toEqual([]);
    expect(without.size).toBe(tensors.size - 20);
    model.dispose();
    fresh.dispose();
  });

  it('torchvision → zoo → torchvision gives back the same bits (formula resnet18)', () => {
    const source = formulaTensorSet(readFixture('resnet18').tensors);
    const model = resnet18(noInit);
    assignTorchvisionWeights(model, source, tv('resnet'));
    const back = torchvisionStateDict(model, tv('resnet'));
    expect([...back.keys()].sort()).toEqual([...source.keys()].sort());
    for (const [key, tensor] of source) expect(Buffer.from(back.get(key)!.data.buffer).equals(Buffer.from(tensor.data.buffer)), key).toBe(true);
    model.dispose();
  });

  it('googlenet with and without auxiliary heads, mobilenet_v2 (depthwise): the key sets of torchvision and back', () => {
    const pairs: [() => tf.LayersModel, string, TorchvisionFamily][] = [
      [() => googlenet({ seed: 2, auxLogits: true, inputShape: [96, 96, 3] }), 'googlenet', 'googlenet'],
      [() => googlenet({ seed: 2, inputShape: [96, 96, 3] }), 'googlenet_noaux', 'googlenet'],
      [() => mobilenetV2({ seed: 2, inputShape: [64, 64, 3] }), 'mobilenet_v2', 'mobilenet_v2'],
    ];
    for (const [build, fixture, family] of pairs) {
      const model = build();
      const fresh = build();
      expect(exported(roundTrip(model, fresh, family))).toEqual(keySet(readFixture(fixture).tensors));
      model.dispose();
      fresh.dispose();
    }
  });

  it("vgg_bn with a flattened 2x2 map: back bit for bit, and fc1's columns in PyTorch's (C, H, W) order", () => {
    const build = (seed?: number) => vgg({ architecture: { ...vggConfigurations.A, fc: [16, 8] }, batchNorm: true, inputShape: [64, 64, 3], numClasses: 5, ...(seed === undefined ? noInit : { seed }) });
    const model = build(4);
    const fresh = build();
    const tensors = roundTrip(model, fresh, 'vgg');
    // zoo fc1 kernel row (h, w, c) of a [2, 2, 512] map is torchvision's column (c, h, w).
    const kernel = model.getLayer('fc1').getWeights()[0].dataSync();
    const torch = tensors.get('classifier.0.weight')!;
    expect(torch.shape).toEqual([16, 2048]);
    const [h, w, c, out] = [1, 0, 300, 7];
    expect(torch.data[out * 2048 + (c * 2 + h) * 2 + w]).toBe(kernel[((h * 2 + w) * 512 + c) * 16 + out]);
    model.dispose();
    fresh.dispose();
  });

  it("grouped convolutions: torchvision's (O, I/g, kh, kw) onto the zoo's GroupedConv2D, checked against torch's output", async () => {
    const fixture = readFixture('grouped_conv2d');
    const input = formulaInput(fixture);
    const [n, height, width, channels] = input.shape;
    const x = tf.input({ shape: [height, width, channels] });
    const layer = new GroupedConv2D({ name: 'conv1', filters: 6, kernelSize: 3, groups: 2, kernelInitializer: { spec: { kind: 'zeros' }, seed: 0 } });
    const model = tf.model({ inputs: x, outputs: layer.apply(x) as tf.SymbolicTensor });
    const { pairs } = planTorchvisionMapping(model, shapesOnly(fixture.tensors), tv('alexnet'));
    expect(pairs.map((pair) => [pair.key, pair.layout, pair.zooShape])).toEqual([
      ['features.0.weight', 'conv', [3, 3, 2, 6]],
      ['features.0.bias', 'copy', [6]],
    ]);
    assignTorchvisionWeights(model, formulaTensorSet(fixture.tensors), tv('alexnet'));
    const y = model.predict(tf.tensor4d(input.nhwc, input.shape)) as tf.Tensor;
    const nhwc = (await y.data()) as Float32Array;
    const [, , oh, ow] = fixture.outputs!.output.shape;
    const expected = fixture.outputs!.output.values;
    let error = 0;
    for (let b = 0; b < n; b++)
      for (let o = 0; o < 6; o++)
        for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) error = Math.max(error, Math.abs(nhwc[((b * oh + i) * ow + j) * 6 + o] - expected[((b * 6 + o) * oh + i) * ow + j]));
    expect(error).toBeLessThan(1e-5);
    model.dispose();
  });

  it('mapTorchvisionWeights returns TF-ready values by zoo name and assigns nothing', () => {
    const model = resnet18({ seed: 9, inputShape: [32, 32, 3] });
    const before = snapshot(model);
    const { weights, skipped } = mapTorchvisionWeights(model, formulaTensorSet(readFixture('resnet18').tensors), tv('resnet'));
    expect(weights.size).toBe(model.weights.length);
    expect(weights.get('conv1_conv/kernel')!.shape).toEqual([7, 7, 3, 64]);
    expect(weights.get('predictions/kernel')!.shape).toEqual([512, 1000]);
    expect(skipped).toHaveLength(20);
    expect(changed(before, snapshot(model))).toEqual([]);
    model.dispose();
  });
});

describe('torchvision facts as data', () => {
  it("preprocessing: resize 256, crop 224, [0, 1], ImageNet mean/std; GoogLeNet's weights on the zoo's GoogLeNet: [-1, 1], no mean/std", () => {
    for (const checkpoint of checkpoints.filter((c) => c.from === 'torchvision')) {
      const name = builderOf(checkpoint);
      const { preprocessing } = (getModelDefinition(checkpoint.model) as ModelDefinition).sources.torchvision!;
      expect(PreprocessingSchema.parse(preprocessing), name).toEqual(preprocessing);
      expect(preprocessing.inputShape).toEqual([224, 224, 3]);
      expect(preprocessing.resizeShorterSide).toBe(256);
      if (name === 'googlenet') {
        expect(preprocessing).toEqual({ inputShape: [224, 224, 3], range: [-1, 1], channelOrder: 'rgb', resizeShorterSide: 256 });
      } else {
        expect(preprocessing).toMatchObject({ range: [0, 1], mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });
      }
    }
    // torchvision's transform_input=True on ImageNet-normalised input = no transform on 2p - 1 (measured in Python).
    expect(readFixture('googlenet').transformInput!.maxRelativeDifference as number).toBeLessThan(1e-5);
  });

  it("load_state_dict(strict=True) takes a plain dict without num_batches_tracked, not a state_dict's _metadata one (why they are written)", () => {
    const strict = readFixture('resnet18').strictLoading!;
    expect(strict.plainDictWithoutNumBatchesTracked).toBe('<All keys matched successfully>');
    expect(strict.stateDictWithMetadataWithoutNumBatchesTracked).toMatch(/^refused: Missing key\(s\) in state_dict: "bn1\.num_batches_tracked"/);
  });

  it("the 1,000 ImageNet classes in torchvision's order", () => {
    expect(imagenetClasses).toHaveLength(1000);
    expect(new Set(imagenetClasses).size).toBe(1000);
    expect([imagenetClasses[0], imagenetClasses[134], imagenetClasses[517], imagenetClasses[999]]).toEqual(['tench', 'crane bird', 'crane', 'toilet tissue']);
  });
});
