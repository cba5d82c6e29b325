/**
 * The zoo's networks with torchvision's weights compute torchvision's logits. Each fixture holds a
 * torchvision state_dict's keys and shapes and torchvision's outputs on a formula input, with every
 * tensor filled by the formula (scripts/references/make-torchvision-references.py); here the same
 * formula fills a TensorSet, the mapper puts it into the zoo model, and the outputs are compared.
 *
 * Error measure: max |zoo - torchvision| over all outputs of both images, divided by max
 * |torchvision| (the largest logit), at most 1e-4. Random-weight networks give both images similar
 * logits (the input-dependent part, image 0 minus image 1, has 3-20% of the logits' spread), so the
 * same measure is also taken on that difference, at most 1e-3.
 */
import { describe, expect, it } from 'vitest';
import { alexnet, googlenet, mobilenetV2, resnet18, resnet34, resnet50, tf, vgg16 } from '../src/index.js';
import { assignTorchvisionWeights } from '../src/import/torchvision/map.js';
import { getModelDefinition } from '../src/index.js';
import type { ModelDefinition } from '../src/types.js';

type TorchvisionFamily = 'resnet' | 'alexnet' | 'googlenet' | 'vgg' | 'mobilenet_v2';
const TORCHVISION_MODEL = { alexnet: 'alexnet', vgg: 'vgg16', resnet: 'resnet50', googlenet: 'googlenet', mobilenet_v2: 'mobilenetV2' } as const;
/** The mapping options of a family: its name and the torchvision names its registry entry declares. */
function tv(family: TorchvisionFamily) {
  const definition: ModelDefinition = getModelDefinition(TORCHVISION_MODEL[family]);
  return { family: definition.family, names: definition.sources.torchvision!.names };
}
import { float32Checksum, FORMULA, formulaInput, formulaTensorSet, readFixture } from './helpers/formula-weights.js';
import { relativeError } from './helpers/relative-error.js';

type Build = (inputShape: [number, number, number]) => tf.LayersModel;
const common = { initialize: false, classifierActivation: 'linear' } as const;

const cases: { name: string; family: TorchvisionFamily; build: Build }[] = [
  { name: 'resnet18', family: 'resnet', build: (inputShape) => resnet18({ ...common, inputShape }) },
  { name: 'resnet34', family: 'resnet', build: (inputShape) => resnet34({ ...common, inputShape }) },
  { name: 'resnet50', family: 'resnet', build: (inputShape) => resnet50({ ...common, inputShape }) },
  { name: 'alexnet', family: 'alexnet', build: (inputShape) => alexnet({ ...common, inputShape }) },
  { name: 'googlenet', family: 'googlenet', build: (inputShape) => googlenet({ ...common, inputShape, auxLogits: true }) },
  { name: 'vgg16', family: 'vgg', build: (inputShape) => vgg16({ ...common, inputShape }) },
  // The zoo's torchvision variant of MobileNet V2: torchvision's padding and BN epsilon, same layer names.
  { name: 'mobilenet_v2', family: 'mobilenet_v2', build: (inputShape) => mobilenetV2({ ...common, inputShape, variant: 'torchvision' }) },
];

/** Image 0 minus image 1 of a [2, classes] batch. */
function imageDifference(values: ArrayLike<number>): Float32Array {
  const classes = values.length / 2;
  return Float32Array.from({ length: classes }, (_, i) => values[i] - values[classes + i]);
}

async function parity(name: string, family: TorchvisionFamily, build: Build): Promise<void> {
  const fixture = readFixture(name);
  expect(fixture.formula).toEqual(FORMULA);
  const tensors = formulaTensorSet(fixture.tensors);
  // Bit for bit the values torchvision was given.
  const differing = fixture.tensors.filter(([key, , , checksum]) => float32Checksum(tensors.get(key)!.data) !== checksum).map(([key]) => key);
  expect(differing).toEqual([]);
  const input = formulaInput(fixture);
  expect(float32Checksum(input.nchw)).toBe(fixture.input!.checksum);

  const [, height, width, channels] = input.shape;
  const model = build([height, width, channels]);
  try {
    const { skipped } = assignTorchvisionWeights(model, tensors, { ...tv(family), file: `${name}.json` });
    expect(skipped.every((key) => key.endsWith('.num_batches_tracked'))).toBe(true);
    const x = tf.tensor4d(input.nhwc, input.shape);
    const outputs = [model.predict(x)].flat() as tf.Tensor[];
    const expected = Object.entries(fixture.outputs!);
    expect(outputs.length).toBe(expected.length);
    const figures: string[] = [];
    for (const [i, [label, reference]] of expected.entries()) {
      expect(outputs[i].shape).toEqual(reference.shape);
      const actual = outputs[i].dataSync() as Float32Array;
      const error = relativeError(actual, reference.values);
      const differenceError = relativeError(imageDifference(actual), imageDifference(reference.values));
      figures.push(`${label} ${error.toExponential(2)} (image difference ${differenceError.toExponential(2)})`);
      expect(error, `${name} ${label}`).toBeLessThanOrEqual(1e-4);
      expect(differenceError, `${name} ${label}, image 0 - image 1`).toBeLessThanOrEqual(1e-3);
    }
    console.log(`torchvision parity ${name} at ${height}x${width}: max |zoo - torchvision| / max |torchvision| = ${figures.join(', ')}`);
    tf.dispose([x, ...outputs]);
  } finally {
    model.dispose();
  }
}

describe("torchvision parity: the zoo's networks with torchvision's state_dicts give torchvision's logits", () => {
  for (const { name, family, build } of cases) {
    it(`${name}`, () => parity(name, family, build));
  }

  // The two departures of torchvision's MobileNet V2 from Keras's matter: at 96x96 (even maps before
  // every stride-2 layer) the Keras variant, given the same weights, does not give torchvision's logits.
  it("mobilenet_v2: the default (Keras) variant does not give torchvision's logits", async () => {
    await expect(parity('mobilenet_v2', 'mobilenet_v2', (inputShape) => mobilenetV2({ ...common, inputShape }))).rejects.toThrow(/expected .* to be less than/);
  });
});
