/**
 * The Keras mapping without Python: how zoo layers pair with a Keras file's (by name, by order as
 * Keras's own loader does, by class and rank in a Keras 3 file) and that the three agree on every
 * Keras-convention model; old Keras 1 weight names; and strictness: anything that does not fit is
 * one KerasMappingError naming both sides, with nothing assigned.
 */
import { describe, expect, it } from 'vitest';
import { getModelDefinition, tf, type ModelName } from '../src/index.js';
import { WeightsError } from '../src/weights/errors.js';
import { readWeightFile, type KerasWeights } from '../src/import/readers/index.js';
import { assignKerasWeights, KerasMappingError, mapKerasWeights, planKerasMapping, type KerasWeightsInput } from '../src/import/keras-map.js';
import type { SourceTensor } from '../src/import/tensors.js';
import { kerasFormulaValues, kerasFormulaWeights, readKerasFixture, type KerasFixture } from './helpers/formula-weights.js';

const MODELS = ['vgg16', 'vgg19', 'resnet50', 'mobilenetV1', 'mobilenetV2'] as const satisfies readonly ModelName[];

/** What these tests use of a model's definition: where Keras's weights come from, and the builder. */
interface Definition {
  sources: { keras?: { variant?: string } };
  build(options: Record<string, unknown>): tf.LayersModel;
}

/** The zoo model of a fixture, as the parity test builds it (the variant the family declares for Keras's weights). */
function buildFor(name: ModelName, fixture: KerasFixture, options: Record<string, unknown> = {}): tf.LayersModel {
  const definition: Definition = getModelDefinition(name);
  const variant = definition.sources.keras!.variant;
  return definition.build({ ...fixture.zooOptions, ...(variant && { variant }), initialize: false, ...options });
}

/** The fixture's layers as a Keras file holds them, shapes only (planning needs no values). */
function shapesOnly(fixture: KerasFixture, layout: 'weights' | 'vars' = 'weights'): KerasWeightsInput {
  const tensors = new Map<string, Pick<SourceTensor, 'shape' | 'dtype'>>();
  const layers: KerasWeights['layers'] = [];
  for (const [name, , keras3Path, weights] of fixture.layers) {
    if (layout === 'vars' && weights.length === 0) continue;
    const layer = layout === 'vars' ? keras3Path : name;
    const names = weights.map(([weight], i) => (layout === 'vars' ? String(i) : weight));
    layers.push({ name: layer, weights: names });
    weights.forEach(([, shape], i) => tensors.set(`${layer}/${names[i]}`, { shape, dtype: 'float32' }));
  }
  return { format: layout === 'vars' ? 'keras' : 'keras-h5', layout, layers, tensors };
}

/** Every weight's values, copied, by name. */
function snapshot(model: tf.LayersModel): Map<string, Float32Array> {
  return new Map(model.weights.map((variable) => [variable.originalName, Float32Array.from(variable.read().dataSync() as Float32Array)]));
}

/** Names of the weights whose bits differ between two snapshots. */
function changed(before: Map<string, Float32Array>, after: Map<string, Float32Array>): string[] {
  return [...before]
    .filter(([name, values]) => Buffer.compare(Buffer.from(values.buffer), Buffer.from(after.get(name)!.buffer)) !== 0)
    .map(([name]) => name);
}

/** The error `run` throws, checked to be the mapping's. */
function mappingError(run: () => unknown): KerasMappingError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(KerasMappingError);
    expect(error).toBeInstanceOf(WeightsError);
    return error as KerasMappingError;
  }
  throw new Error('expected a KerasMappingError, nothing was thrown');
}

/** A copy of a Keras file whose layers and tensors `edit` may change freely. */
function copyOf(file: KerasWeights): KerasWeights {
  return { ...file, layers: file.layers.map((layer) => ({ name: layer.name, weights: [...layer.weights] })), tensors: new Map(file.tensors) };
}

describe("pairing: zoo layers with a Keras file's, by name, by order, by class and rank", () => {
  for (const name of MODELS) {
    it(`${name}: every weight filled and every tensor used; by name, by Keras's order and by Keras 3's groups the same pairs`, () => {
      const fixture = readKerasFixture(name);
      const model = buildFor(name, fixture);
      try {
        const byName = planKerasMapping(model, shapesOnly(fixture));
        expect(byName.match).toBe('name');
        expect(byName.pairs.map((pair) => pair.zoo).sort()).toEqual(model.weights.map((variable) => variable.originalName).sort());
        expect(byName.pairs.map((pair) => pair.key).sort()).toEqual(fixture.layers.flatMap(([layer, , , weights]) => weights.map(([weight]) => `${layer}/${weight}`)).sort());
        expect(byName.skipped).toEqual([]);
        // The zoo orders its layers as Keras's model.layers does (depth from the output, then the
        // walk's order), which is what the other two pairings rely on.
        const weighted = (layers: { name: string; weights: unknown[] }[]) => layers.filter((layer) => layer.weights.length > 0).map((layer) => layer.name);
        expect(weighted(model.layers.map((layer) => ({ name: layer.name, weights: layer.weights })))).toEqual(weighted(fixture.layers.map(([layer, , , weights]) => ({ name: layer, weights }))));
        const byOrder = planKerasMapping(model, shapesOnly(fixture), { match: 'order' });
        expect(byOrder.match).toBe('order');
        expect(byOrder.pairs).toEqual(byName.pairs);
        const keras3 = planKerasMapping(model, shapesOnly(fixture, 'vars'));
        expect(keras3.match).toBe('class');
        const groupOf = new Map(fixture.layers.map(([layer, , path]) => [layer, path]));
        expect(keras3.pairs.map(({ zoo, key }) => [zoo, key])).toEqual(byName.pairs.map(({ zoo, key, layer }) => [zoo, `${groupOf.get(layer)}/${fixture.layers.find(([l]) => l === layer)![3].findIndex(([w]) => `${layer}/${w}` === key)}`]));
      } finally {
        model.dispose();
      }
    });
  }

  it('reads the weights of a layer by their order in the file, whatever their names: Keras 1 names (block1_conv1_W_1:0)', () => {
    const fixture = readKerasFixture('mobilenet_v1_0125_no_top');
    const file = kerasFormulaWeights(fixture);
    // Keras 1 named a layer's weights `<layer>_<W|b|gamma|beta|running_mean|running_std>_<n>:0`
    // (no `/`): only their order in weight_names says which variable each fills.
    const keras1Names: Record<string, string> = { kernel: 'W', depthwise_kernel: 'depthwise_W', bias: 'b', gamma: 'gamma', beta: 'beta', moving_mean: 'running_mean', moving_variance: 'running_std' };
    const keras1 = { ...file, kerasVersion: '1.2.2', layers: [] as KerasWeights['layers'], tensors: new Map() as KerasWeights['tensors'] };
    for (const layer of file.layers) {
      const names = layer.weights.map((weight) => `${layer.name}_${keras1Names[weight.slice(weight.lastIndexOf('/') + 1, -':0'.length)]}_1:0`);
      keras1.layers.push({ name: layer.name, weights: names });
      layer.weights.forEach((weight, i) => keras1.tensors.set(`${layer.name}/${names[i]}`, file.tensors.get(`${layer.name}/${weight}`)!));
    }
    const model = buildFor('mobilenetV1', fixture);
    try {
      expect(keras1.layers.find((layer) => layer.name === 'conv1_bn')!.weights).toEqual(['conv1_bn_gamma_1:0', 'conv1_bn_beta_1:0', 'conv1_bn_running_mean_1:0', 'conv1_bn_running_std_1:0']);
      expect(keras1.layers.find((layer) => layer.name === 'conv_pw_1')!.weights).toEqual(['conv_pw_1_W_1:0']);
      assignKerasWeights(model, keras1, { file: 'keras1.h5' });
      const differing = model.weights.filter((variable) => {
        const expected = kerasFormulaValues(variable.originalName, variable.shape as number[]);
        return Buffer.compare(Buffer.from(expected.buffer), Buffer.from((variable.read().dataSync() as Float32Array).buffer)) !== 0;
      });
      expect(differing.map((variable) => variable.originalName)).toEqual([]);
    } finally {
      model.dispose();
    }
  });

  it("a file whose layers carry other names (an older release's classifier: 'Logits') fails by name, saying so, and loads by order as Keras loads it", () => {
    const fixture = readKerasFixture('mobilenetV2');
    const file = kerasFormulaWeights(fixture);
    const renamed = copyOf(file);
    renamed.layers = file.layers.map((layer) => (layer.name === 'predictions' ? { name: 'Logits', weights: ['Logits/kernel:0', 'Logits/bias:0'] } : layer));
    renamed.tensors = new Map([...file.tensors].map(([key, tensor]) => [key.replace(/^predictions\/predictions\//, 'Logits/Logits/'), tensor]));
    const model = buildFor('mobilenetV2', fixture);
    try {
      const error = mappingError(() => assignKerasWeights(model, renamed, { file: 'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5' }));
      expect(error.message).toContain('zoo weights with no tensor in the file (2): predictions (predictions/kernel [1280, 1000], predictions/bias [1000])');
      expect(error.message).toContain('file tensors no zoo weight takes (2): Logits (Logits/kernel:0 [1280, 1000], Logits/bias:0 [1000])');
      expect(error.message).toMatch(/Every layer fits by order, as Keras's own load_weights pairs them \(the file names its layers otherwise\): pass \{ match: 'order' \}; nothing was assigned$/);
      const byOrder = mapKerasWeights(model, renamed, { match: 'order' }).weights;
      const byName = mapKerasWeights(model, file).weights;
      expect([...byOrder.keys()]).toEqual([...byName.keys()]);
      expect([...byOrder].every(([zoo, weight]) => weight.data === byName.get(zoo)!.data)).toBe(true);
    } finally {
      model.dispose();
    }
  });

  it("a Keras 3 file: groups by class and rank (layers/conv2d_3), a Dropout's SeedGenerator state skipped, Keras 2.13's _layer_checkpoint_dependencies read alike", () => {
    const fixture = readKerasFixture('mobilenetV1');
    const keras3 = shapesOnly(fixture, 'vars');
    keras3.layers.push({ name: 'layers/dropout/seed_generator', weights: ['0'] });
    (keras3.tensors as Map<string, Pick<SourceTensor, 'shape' | 'dtype'>>).set('layers/dropout/seed_generator/0', { shape: [2], dtype: 'int64' });
    const model = buildFor('mobilenetV1', fixture);
    try {
      const plan = planKerasMapping(model, keras3);
      expect(plan.pairs.find((pair) => pair.zoo === 'conv_pw_1/kernel')).toEqual({ zoo: 'conv_pw_1/kernel', key: 'layers/conv2d_1/0', layer: 'layers/conv2d_1', shape: [1, 1, 32, 64] });
      expect(plan.pairs.find((pair) => pair.zoo === 'conv_dw_13_bn/moving_variance')?.key).toBe('layers/batch_normalization_25/3');
      expect(plan.skipped).toEqual(["layers/dropout/seed_generator/0: Keras 3's random-seed state of a layer (a SeedGenerator), not a weight"]);
      const legacy = { ...keras3, layers: keras3.layers.map((layer) => ({ ...layer, name: layer.name.replace(/^layers\//, '_layer_checkpoint_dependencies/') })) };
      legacy.tensors = new Map([...keras3.tensors].map(([key, tensor]) => [key.replace(/^layers\//, '_layer_checkpoint_dependencies/'), tensor]));
      expect(planKerasMapping(model, legacy).pairs.length).toBe(plan.pairs.length);
    } finally {
      model.dispose();
    }
  });
});

describe('strictness: anything that does not fit is one KerasMappingError naming both sides, and nothing is assigned', () => {
  // MobileNet V1 at alpha 0.125 without the top: 54 layers with weights, built in a few milliseconds.
  const fixture = readKerasFixture('mobilenet_v1_0125_no_top');
  const good = kerasFormulaWeights(fixture);

  /** Runs `assignKerasWeights` on a broken copy of the good file; checks the model is untouched; returns the error. */
  function refused(edit: (file: KerasWeights) => void, options: { match?: 'name' | 'order'; model?: Record<string, unknown> } = {}): KerasMappingError {
    const file = copyOf(good);
    edit(file);
    const model = buildFor('mobilenetV1', fixture, { seed: 1, initialize: true, ...options.model });
    try {
      const before = snapshot(model);
      const error = mappingError(() => assignKerasWeights(model, file, { file: 'mobilenet_2_5_128_tf_no_top.h5', match: options.match }));
      expect(changed(before, snapshot(model))).toEqual([]);
      expect(error.file).toBe('mobilenet_2_5_128_tf_no_top.h5');
      expect(error.message.startsWith('mobilenet_2_5_128_tf_no_top.h5: ')).toBe(true);
      expect(error.message).toMatch(/nothing was assigned$/);
      return error;
    } finally {
      model.dispose();
    }
  }

  const removeLayer = (file: KerasWeights, name: string) => {
    const layer = file.layers.find((entry) => entry.name === name)!;
    for (const weight of layer.weights) file.tensors.delete(`${name}/${weight}`);
    file.layers = file.layers.filter((entry) => entry !== layer);
  };
  const tensor = (shape: number[]): SourceTensor => ({ shape, dtype: 'float32', data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });

  it('the good file loads', () => {
    const model = buildFor('mobilenetV1', fixture);
    expect(assignKerasWeights(model, good).skipped).toEqual([]);
    model.dispose();
  });

  it('a layer the model has is missing from the file', () => {
    const error = refused((file) => removeLayer(file, 'conv_pw_13_bn'));
    expect(error.missing).toEqual(['gamma', 'beta', 'moving_mean', 'moving_variance'].map((w) => ({ name: 'conv_pw_13_bn', shape: [128], zoo: `conv_pw_13_bn/${w}` })));
    expect(error.weight).toBe('conv_pw_13_bn/gamma');
    expect(error.message).toContain(
      "the weights do not fit model 'mobilenetV1' matched by layer name (each zoo layer with weights takes the file layer of its name, its weights in the order the file lists them; every file layer with weights used): zoo weights with no tensor in the file (4): conv_pw_13_bn (conv_pw_13_bn/gamma [128], conv_pw_13_bn/beta [128], conv_pw_13_bn/moving_mean [128], conv_pw_13_bn/moving_variance [128]). The model has 135 weights in 54 layers, the file 131 tensors in 53 layers with weights",
    );
    expect(error.expected.length).toBe(135);
    expect(error.found.length).toBe(131);
  });

  it('a layer with weights the model lacks (the classifier of a file with the top, onto a model without)', () => {
    const error = refused((file) => {
      file.layers.push({ name: 'conv_preds', weights: ['conv_preds/kernel:0', 'conv_preds/bias:0'] });
      file.tensors.set('conv_preds/conv_preds/kernel:0', tensor([1, 1, 128, 1000]));
      file.tensors.set('conv_preds/conv_preds/bias:0', tensor([1000]));
    });
    expect(error.extra).toEqual([
      { name: 'conv_preds/conv_preds/kernel:0', shape: [1, 1, 128, 1000] },
      { name: 'conv_preds/conv_preds/bias:0', shape: [1000] },
    ]);
    expect(error.missing).toEqual([]);
    expect(error.message).toContain('file tensors no zoo weight takes (2): conv_preds (conv_preds/kernel:0 [1, 1, 128, 1000], conv_preds/bias:0 [1000])');
  });

  it('a weight in another shape (a file of another alpha)', () => {
    const error = refused((file) => file.tensors.set('conv_pw_1/conv_pw_1/kernel:0', tensor([1, 1, 8, 16])), { model: {} });
    expect(error.mismatched).toEqual([{ name: 'conv_pw_1/conv_pw_1/kernel:0', found: [1, 1, 8, 16], expected: [1, 1, 4, 8], zoo: 'conv_pw_1/kernel', why: 'shape' }]);
    expect(error.message).toContain('tensors that do not fit their zoo weight (1): conv_pw_1/conv_pw_1/kernel:0 is [1, 1, 8, 16] in the file, the model needs [1, 1, 4, 8] for conv_pw_1/kernel');
  });

  it('a layer with another number of weights (a conv with a bias)', () => {
    const error = refused((file) => {
      file.layers.find((layer) => layer.name === 'conv1')!.weights.push('conv1/bias:0');
      file.tensors.set('conv1/conv1/bias:0', tensor([4]));
    });
    expect(error.counts).toEqual([
      { layer: 'conv1', zoo: 'conv1', expected: [{ name: 'conv1/kernel', shape: [3, 3, 3, 4] }], found: [{ name: 'conv1/conv1/kernel:0', shape: [3, 3, 3, 4] }, { name: 'conv1/conv1/bias:0', shape: [4] }] },
    ]);
    expect(error.message).toContain("layers whose weights differ in number (1): conv1: 2 in the file (conv1/conv1/kernel:0 [3, 3, 3, 4], conv1/conv1/bias:0 [4]), 1 in the model's 'conv1' (conv1/kernel [3, 3, 3, 4])");
  });

  it("a file in torchvision's layout: OIHW kernels are named as such; a PyTorch file is refused as not Keras's", async () => {
    const error = refused((file) => {
      for (const [key, value] of file.tensors) {
        const [kh, kw, inputs, outputs] = value.shape;
        if (value.shape.length === 4 && key.endsWith('/kernel:0')) file.tensors.set(key, tensor([outputs, inputs, kh, kw]));
      }
    });
    expect(error.mismatched.length).toBe(14); // conv1 and the 13 pointwise convs; depthwise kernels are (3, 3, C, 1)
    expect(error.message).toContain("conv1/conv1/kernel:0 is [4, 3, 3, 3] in the file, the model needs [3, 3, 3, 4] for conv1/kernel (PyTorch's OIHW layout of the kernel the model needs: a torchvision file?)");

    const pytorch = await readWeightFile(new URL('./fixtures/readers/state-dict.pth', import.meta.url).pathname);
    const model = buildFor('mobilenetV1', fixture);
    try {
      const notKeras = mappingError(() => assignKerasWeights(model, pytorch as unknown as KerasWeights, { file: 'state-dict.pth' }));
      expect(notKeras.message).toBe(
        "state-dict.pth: is a pytorch file (no Keras layer list), so it cannot be mapped as Keras's: read a Keras .h5 or .keras file with readWeightFile, or map this one with torchvision's names (assignTorchvisionWeights); nothing was assigned",
      );
      expect(notKeras.found.length).toBe(pytorch.tensors.size);
    } finally {
      model.dispose();
    }
  });

  it("a weight whose Keras 2 name says it is another (BatchNorm's gamma listed where moving_mean belongs)", () => {
    const error = refused((file) => {
      const layer = file.layers.find((entry) => entry.name === 'conv1_bn')!;
      [layer.weights[0], layer.weights[2]] = [layer.weights[2], layer.weights[0]];
    });
    expect(error.mismatched.map((m) => m.why)).toEqual([
      "named moving_mean in the file, where the model's weight 1 of 'conv1_bn' is gamma",
      "named gamma in the file, where the model's weight 3 of 'conv1_bn' is moving_mean",
    ]);
  });

  it('a tensor that is not a float, and a Theano file (flipped kernels)', () => {
    const integer = refused((file) => file.tensors.set('conv1_bn/conv1_bn/gamma:0', { ...file.tensors.get('conv1_bn/conv1_bn/gamma:0')!, dtype: 'int64' }));
    expect(integer.mismatched).toEqual([{ name: 'conv1_bn/conv1_bn/gamma:0', found: [4], expected: [4], zoo: 'conv1_bn/gamma', why: 'dtype int64, not a float' }]);
    const theano = refused((file) => Object.assign(file, { backend: 'theano' }));
    expect(theano.message).toMatch(/written by Keras's Theano backend \(attribute backend = 'theano'\), whose convolution kernels are flipped/);
  });

  it('everything wrong at once is still one error with every list', () => {
    const error = refused((file) => {
      removeLayer(file, 'conv_dw_7');
      file.tensors.set('conv1/conv1/kernel:0', tensor([3, 3, 3, 8]));
      file.layers.push({ name: 'extra', weights: ['extra/kernel:0'] });
      file.tensors.set('extra/extra/kernel:0', tensor([2, 2]));
    });
    expect(error.missing.map((m) => m.zoo)).toEqual(['conv_dw_7/depthwise_kernel']);
    expect(error.extra.map((e) => e.name)).toEqual(['extra/extra/kernel:0']);
    expect(error.mismatched.map((m) => m.zoo)).toEqual(['conv1/kernel']);
    expect(error.message).toMatch(/zoo weights with no tensor in the file \(1\): conv_dw_7 .*\. file tensors no zoo weight takes \(1\): extra .*\. tensors that do not fit their zoo weight \(1\): conv1\/conv1\/kernel:0/);
  });

  it('by order: a layer too many or too few shifts every pair, and the error says pairing by order cannot work', () => {
    const error = refused((file) => removeLayer(file, 'conv1_bn'), { match: 'order' });
    expect(error.match).toBe('order');
    expect(error.message).toContain("matched by order, as Keras's load_weights does");
    expect(error.message).toContain('#54 (conv_pw_13_bn/gamma [128]');
    expect(error.message).toMatch(/The model has 135 weights in 54 layers, the file 131 tensors in 53 layers with weights\. Pairing by order needs as many layers with weights on both sides; nothing was assigned$/);
  });

  it('a Keras 3 file with a group the model lacks', () => {
    const keras3 = kerasFormulaWeights(fixture, 'vars');
    keras3.layers.push({ name: 'layers/dense', weights: ['0', '1'] });
    keras3.tensors.set('layers/dense/0', tensor([128, 10]));
    keras3.tensors.set('layers/dense/1', tensor([10]));
    const model = buildFor('mobilenetV1', fixture);
    try {
      const error = mappingError(() => assignKerasWeights(model, keras3, { file: 'model.weights.h5' }));
      expect(error.match).toBe('class');
      expect(error.extra).toEqual([
        { name: 'layers/dense/0', shape: [128, 10] },
        { name: 'layers/dense/1', shape: [10] },
      ]);
      expect(error.message).toContain("matched by class and rank, as Keras 3 names its layers' groups");
      expect(error.message).toContain('file tensors no zoo weight takes (2): layers/dense (0 [128, 10], 1 [10])');
    } finally {
      model.dispose();
    }
  });
});
