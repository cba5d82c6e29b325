/**
 * The zoo's Keras-convention networks with Keras's weights compute Keras's outputs. Each fixture of
 * test/fixtures/keras holds a Keras Applications network's layers (names, weights, shapes) and its
 * outputs on a formula input, computed by scripts/references/make-keras-references.py, a PyTorch
 * re-implementation of each network as Keras computes it (TF's padding, Keras's pad layers and
 * epsilons, ReLU6, channel-last flattening...) with every weight filled by the formula in Keras's
 * layout. Here the same formula fills a Keras weight file's worth of tensors, the mapper puts them
 * into the zoo model built with the variant the family declares for Keras's weights, and the
 * outputs are compared. One committed Keras 2 `.h5` (MobileNet V1, alpha 0.125, no top) goes through
 * the reader as well.
 *
 * Error measure, as for torchvision's parity: max |zoo - Keras| over all outputs of both images,
 * divided by max |Keras|, at most 1e-4; and the same measure on image 0 minus image 1 (the part of
 * the output that depends on the input), at most 1e-3.
 */
import { describe, expect, it } from 'vitest';
import { getModelDefinition, tf, type ModelName } from '../src/index.js';
import { WeightsError } from '../src/weights/errors.js';
import { readWeightFile } from '../src/import/readers/index.js';
import { assignKerasWeights, KerasMappingError } from '../src/import/keras-map.js';
import { float32Checksum, formulaInput, KERAS_FORMULA, kerasFixturePath, kerasFormulaWeights, readKerasFixture, type KerasFixture } from './helpers/formula-weights.js';
import { relativeError } from './helpers/relative-error.js';

/** The Keras-convention models the zoo imports Keras Applications' weights into (every family whose registry entry declares `sources.keras`). */
const MODELS = ['vgg16', 'vgg19', 'resnet50', 'mobilenetV1', 'mobilenetV2'] as const satisfies readonly ModelName[];

/** What these tests use of a model's definition: where Keras's weights come from, and the builder. */
interface Definition {
  sources: { keras?: { variant?: string } };
  build(options: Record<string, unknown>): tf.LayersModel;
}

/** Image 0 minus image 1 of a batch of two, whatever the output's shape. */
function imageDifference(values: ArrayLike<number>): Float32Array {
  const half = values.length / 2;
  return Float32Array.from({ length: half }, (_, i) => values[i] - values[half + i]);
}

/** The zoo model of a fixture: its options, the variant the family declares for Keras's weights, logits out. */
function buildFor(name: ModelName, fixture: KerasFixture): tf.LayersModel {
  const definition: Definition = getModelDefinition(name);
  const variant = definition.sources.keras!.variant;
  // The fixture records the variant it was computed for; it must be the one the family declares.
  expect(fixture.zooOptions.variant).toBe(variant);
  return definition.build({ ...fixture.zooOptions, ...(variant && { variant }), initialize: false, classifierActivation: 'linear' });
}

/** Runs the fixture's input through the model and compares every output with Keras's; returns the figures. */
function compare(label: string, model: tf.LayersModel, fixture: KerasFixture): string {
  const input = formulaInput(fixture);
  expect(float32Checksum(input.nchw)).toBe(fixture.input.checksum);
  const x = tf.tensor4d(input.nhwc, input.shape);
  const outputs = [model.predict(x)].flat() as tf.Tensor[];
  try {
    const expected = Object.entries(fixture.outputs);
    expect(outputs.length).toBe(expected.length);
    return expected
      .map(([name, reference], i) => {
        expect(outputs[i].shape).toEqual(reference.shape);
        const actual = outputs[i].dataSync() as Float32Array;
        const error = relativeError(actual, reference.values);
        const difference = relativeError(imageDifference(actual), imageDifference(reference.values));
        expect(error, `${label} ${name}`).toBeLessThanOrEqual(1e-4);
        expect(difference, `${label} ${name}, image 0 - image 1`).toBeLessThanOrEqual(1e-3);
        return `${name} ${error.toExponential(2)} (image difference ${difference.toExponential(2)})`;
      })
      .join(', ');
  } finally {
    tf.dispose([x, ...outputs]);
  }
}

describe("Keras parity: the zoo's Keras-convention networks with Keras Applications' weights give Keras's outputs", () => {
  for (const name of MODELS) {
    it(name, () => {
      const fixture = readKerasFixture(name);
      expect(fixture.formula).toEqual(KERAS_FORMULA);
      const weights = kerasFormulaWeights(fixture);
      // Bit for bit the values the reference was given.
      const differing = fixture.layers.flatMap(([layer, , , list]) => list.filter(([weight, , checksum]) => float32Checksum(weights.tensors.get(`${layer}/${weight}`)!.data) !== checksum).map(([weight]) => weight));
      expect(differing).toEqual([]);
      const model = buildFor(name, fixture);
      try {
        expect(assignKerasWeights(model, weights, { file: `${name}.json` }).skipped).toEqual([]);
        const [, height, width] = model.inputs[0].shape;
        console.log(`Keras parity ${name} at ${height}x${width}: max |zoo - Keras| / max |Keras| = ${compare(name, model, fixture)}`);
      } finally {
        model.dispose();
      }
    });
  }

  it('a real Keras 2 weight file (MobileNet V1, alpha 0.125, no top) through readWeightFile and assignKerasWeights', async () => {
    const fixture = readKerasFixture('mobilenet_v1_0125_no_top');
    const file = await readWeightFile(kerasFixturePath(fixture.file!));
    if (file.format !== 'keras-h5') throw new Error(`read as ${file.format}`);
    expect(file).toMatchObject({ layout: 'weights', backend: 'tensorflow', kerasVersion: '2.13.1' });
    // Every layer as Keras lists it, layers without weights too, and the formula's values to the bit.
    expect(file.layers).toEqual(fixture.layers.map(([layer, , , weights]) => ({ name: layer, weights: weights.map(([weight]) => weight) })));
    const checksums = fixture.layers.flatMap(([layer, , , weights]) => weights.map(([weight, , checksum]) => [`${layer}/${weight}`, checksum]));
    expect(checksums.map(([key]) => [key, float32Checksum(file.tensors.get(key as string)!.data)])).toEqual(checksums);

    const definition: Definition = getModelDefinition('mobilenetV1');
    const model = definition.build({ ...fixture.zooOptions, initialize: false });
    try {
      expect(assignKerasWeights(model, file, { file: fixture.file }).skipped).toEqual([]);
      console.log(`Keras parity ${fixture.file} (alpha 0.125, no top, 80x64): max |zoo - Keras| / max |Keras| = ${compare(fixture.file!, model, fixture)}`);
    } finally {
      model.dispose();
    }
  });

  it("resnet50's torchvision variant cannot take Keras's weights: its convolutions have no biases (one error, 53 layers)", () => {
    const fixture = readKerasFixture('resnet50');
    const model = getModelDefinition('resnet50').build({ ...fixture.zooOptions, variant: 'torchvision', initialize: false });
    try {
      let error: unknown;
      try {
        assignKerasWeights(model, kerasFormulaWeights(fixture), { file: 'resnet50.json' });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(KerasMappingError);
      expect(error).toBeInstanceOf(WeightsError);
      const mapping = error as KerasMappingError;
      expect(mapping.counts.map((count) => count.layer)).toEqual(fixture.layers.filter(([, className]) => className === 'Conv2D').map(([layer]) => layer));
      expect(mapping.missing).toEqual([]);
      expect(mapping.extra).toEqual([]);
      expect(mapping.message).toMatch(/build the variant the family declares for Keras's weights \(its definition's sources\.keras\.variant\); nothing was assigned$/);
      expect(mapping.message).toContain(
        "layers whose weights differ in number (53): conv1_conv: 2 in the file (conv1_conv/conv1_conv/kernel:0 [7, 7, 3, 64], conv1_conv/conv1_conv/bias:0 [64]), 1 in the model's 'conv1_conv' (conv1_conv/kernel [7, 7, 3, 64])",
      );
    } finally {
      model.dispose();
    }
  });

  it("resnet50's torchvision variant computes otherwise even where the shapes fit: Keras's weights without the conv biases, against the keras variant given the same", () => {
    const fixture = readKerasFixture('resnet50');
    const full = kerasFormulaWeights(fixture);
    // The file without its conv biases; the keras variant gets zero biases instead, the same function.
    const convs = new Set(fixture.layers.filter(([, className]) => className === 'Conv2D').map(([layer]) => layer));
    const withoutBiases = {
      ...full,
      layers: full.layers.map((layer) => (convs.has(layer.name) ? { name: layer.name, weights: layer.weights.filter((weight) => !weight.endsWith('/bias:0')) } : layer)),
    };
    const zeroBiases = {
      ...full,
      tensors: new Map([...full.tensors].map(([key, tensor]) => [key, convs.has(key.split('/')[0]) && key.endsWith('/bias:0') ? { ...tensor, data: new Float32Array(tensor.data.length) } : tensor])),
    };
    const definition: Definition = getModelDefinition('resnet50');
    const keras = definition.build({ ...fixture.zooOptions, variant: 'keras', initialize: false, classifierActivation: 'linear' });
    const torchvision = definition.build({ ...fixture.zooOptions, variant: 'torchvision', initialize: false, classifierActivation: 'linear' });
    try {
      assignKerasWeights(keras, zeroBiases);
      assignKerasWeights(torchvision, withoutBiases);
      const x = tf.tensor4d(formulaInput(fixture).nhwc, [2, ...(fixture.zooOptions.inputShape as [number, number, number])]);
      const [a, b] = [keras.predict(x) as tf.Tensor, torchvision.predict(x) as tf.Tensor];
      const error = relativeError(b.dataSync(), a.dataSync());
      console.log(`resnet50 torchvision variant against the keras variant, same weights without conv biases: max |difference| / max |keras| = ${error.toExponential(2)}`);
      // The stride in the 3x3 instead of the first 1x1, and BatchNorm's epsilon 1e-5 instead of 1.001e-5.
      expect(error).toBeGreaterThan(0.05);
      tf.dispose([x, a, b]);
    } finally {
      keras.dispose();
      torchvision.dispose();
    }
  });
});
