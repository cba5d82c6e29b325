/**
 * Times one builder in a fresh process (so no earlier model has already grown and touched the
 * wasm heap): `tsx bench/build-one.ts <model> <backend> <random|zeros|tfjs-init>`. Prints one JSON line.
 */
import { isModelName } from '../src/families/registry.js';
import { createModel, tf, useBackend, type BackendName } from '../src/index.js';

const [model = 'vgg16', backend = 'wasm', mode = 'random'] = process.argv.slice(2);
if (!isModelName(model)) throw new Error(`bench/build-one.ts: unknown model ${model}`);

let milliseconds: number;
let params: number;
if (mode === 'tfjs-init') {
  // The baseline: TF.js's own glorotUniform initialiser on the same weight shapes. The shapes come
  // from a zero-initialised build on cpu, which leaves the measured backend's memory untouched.
  await useBackend('cpu');
  const reference = await createModel(model, { initialize: false });
  const shapes = reference.weights.filter((w) => w.shape.length > 1).map((w) => w.shape as number[]);
  params = reference.countParams();
  reference.dispose();
  await useBackend(backend as BackendName);
  const start = performance.now();
  const tensors = shapes.map((shape) => tf.initializers.glorotUniform({}).apply(shape));
  milliseconds = performance.now() - start;
  tf.dispose(tensors);
} else {
  await useBackend(backend as BackendName);
  const start = performance.now();
  const built = await createModel(model, { initialize: mode !== 'zeros', seed: 1 });
  milliseconds = performance.now() - start;
  params = built.countParams();
}
console.log(JSON.stringify({ model, backend, mode, params, milliseconds: Math.round(milliseconds) }));
