/**
 * The way back, checked by torchvision itself (optional; not part of `npm test`):
 *
 *     npx tsx scripts/references/dump-torchvision-export.ts /tmp/torchvision-export
 *     /usr/bin/python3 scripts/references/make-torchvision-references.py --check-export /tmp/torchvision-export
 *
 * For a few zoo models with formula weights in the zoo's own layout, this writes `torchvisionStateDict(model)` as raw
 * float32 values plus a JSON index (no file format of the zoo's own is needed), a formula input and
 * the zoo's logits on it. The Python side loads each into the torchvision model with
 * `load_state_dict(strict=True)` and compares torchvision's logits with the zoo's.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { alexnet, getModelDefinition, googlenet, mobilenetV2, resnet50, tf, useBackend, vgg11, type ModelName } from '../../src/index.js';
import type { ModelDefinition } from '../../src/types.js';
import { torchvisionStateDict } from '../../src/import/torchvision/map.js';
import { formulaValues } from '../../test/helpers/formula-weights.js';

const out = process.argv[2];
if (!out) throw new Error('usage: dump-torchvision-export.ts <output folder>');
mkdirSync(out, { recursive: true });
await useBackend();

/**
 * Fills every zoo weight with the formula of formula-weights.ts keyed by its zoo name, in the zoo's
 * layout (He-uniform kernels, fan-in from the zoo's shape; BatchNorm as the torchvision roles): values
 * that owe nothing to the torchvision layouts, unlike weights mapped from a torchvision file.
 */
function zooFormula(model: tf.LayersModel): tf.LayersModel {
  const roles: Record<string, [number, number]> = { gamma: [1, 0.25], beta: [0, 0.1], bias: [0, 0.1], moving_mean: [0, 0.1], moving_variance: [1, 0.5] };
  for (const variable of model.weights) {
    const shape = variable.shape as number[];
    const shortName = variable.originalName.split('/').at(-1)!;
    const count = shape.reduce((a, b) => a * b, 1);
    const fanIn = shortName === 'depthwise_kernel' ? shape[0] * shape[1] : count / shape.at(-1)!;
    const [centre, halfWidth] = roles[shortName] ?? [0, Math.sqrt(6 / fanIn)];
    variable.write(tf.tensor(formulaValues(variable.originalName, count, centre, halfWidth), shape));
  }
  return model;
}

const common = { initialize: false, classifierActivation: 'linear' } as const;
const models: { name: string; builder: string; family: ModelName; size: number; build: (size: number) => tf.LayersModel }[] = [
  { name: 'resnet50', builder: 'models.resnet50()', family: 'resnet50', size: 112, build: (s) => resnet50({ ...common, inputShape: [s, s, 3] }) },
  { name: 'alexnet', builder: 'models.alexnet()', family: 'alexnet', size: 224, build: (s) => alexnet({ ...common, inputShape: [s, s, 3] }) },
  { name: 'vgg11_bn', builder: 'models.vgg11_bn()', family: 'vgg11', size: 224, build: (s) => vgg11({ ...common, batchNorm: true, inputShape: [s, s, 3] }) },
  {
    name: 'googlenet',
    builder: 'models.googlenet(aux_logits=True, transform_input=False, init_weights=False)',
    family: 'googlenet',
    size: 128,
    build: (s) => googlenet({ ...common, auxLogits: true, inputShape: [s, s, 3] }),
  },
  { name: 'mobilenet_v2', builder: 'models.mobilenet_v2()', family: 'mobilenetV2', size: 96, build: (s) => mobilenetV2({ ...common, variant: 'torchvision', inputShape: [s, s, 3] }) },
];

for (const { name, builder, family, size, build } of models) {
  const model = zooFormula(build(size));
  const definition: ModelDefinition = getModelDefinition(family);
  const tensors = torchvisionStateDict(model, { family: definition.family, names: definition.sources.torchvision!.names });
  const index: { key: string; shape: number[]; dtype: string; offset: number }[] = [];
  const chunks: Float32Array[] = [];
  let offset = 0;
  for (const [key, tensor] of tensors) {
    index.push({ key, shape: tensor.shape, dtype: tensor.dtype, offset });
    chunks.push(tensor.data);
    offset += tensor.data.length;
  }
  const values = new Float32Array(offset);
  chunks.reduce((at, chunk) => (values.set(chunk, at), at + chunk.length), 0);
  const nchw = formulaValues('input', 2 * 3 * size * size, 0, 2);
  const nhwc = new Float32Array(nchw.length);
  for (let i = 0; i < nchw.length; i++) {
    const [b, c, y, x] = [Math.floor(i / (3 * size * size)), Math.floor(i / (size * size)) % 3, Math.floor(i / size) % size, i % size];
    nhwc[((b * size + y) * size + x) * 3 + c] = nchw[i];
  }
  const input = tf.tensor4d(nhwc, [2, size, size, 3]);
  const outputs = [model.predict(input)].flat() as tf.Tensor[];
  writeFileSync(join(out, `${name}.bin`), new Uint8Array(values.buffer));
  writeFileSync(
    join(out, `${name}.json`),
    JSON.stringify({ name, builder, index, input: { key: 'input', shape: [2, 3, size, size], centre: 0, halfWidth: 2 }, logits: Array.from(outputs[0].dataSync()) }),
  );
  console.log(`${name}: ${tensors.size} tensors, ${offset} values`);
  tf.dispose([input, ...outputs]);
  model.dispose();
}
