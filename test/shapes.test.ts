/**
 * The shape-check suite, over every registered model: the per-layer shapes predicted from the
 * config by the conv arithmetic (planModel) against the built model, at several input sizes, and
 * one real forward pass on the active backend. `npm run test:gpu` runs this file on tensorflow-gpu.
 */
import { describe, expect, it } from 'vitest';
import { getModelDefinition, listModels, tf } from '../src/index.js';
import type { ModelDefinition } from '../src/types.js';

describe.each(listModels())('%s', (name) => {
  const definition: ModelDefinition = getModelDefinition(name);
  const defaults = definition.parse({});
  const [height, width, channels] = defaults.inputShape;
  // The default size, a larger and a smaller non-square one with odd sides (they exercise the padding rules).
  const sizes: [number, number][] = [
    [height, width],
    [height + 33, width + 17],
    [Math.ceil(height / 2) + 1, Math.ceil(width / 2) + 3],
  ];

  it.each(sizes)('builds every layer with the planned class and shape at %ix%i', (h, w) => {
    const options = { inputShape: [h, w, channels], initialize: false };
    // Compared by name: tfjs orders a branching model's layers by depth, not by call order.
    const planned = new Map(definition.plan(options).map((layer) => [layer.name, [layer.type, ...layer.outputShape]]));
    const model = definition.build(options);
    const built = new Map(model.layers.map((layer) => [layer.name, [layer.getClassName(), ...(layer.outputShape as number[]).slice(1)]]));
    model.dispose();
    expect(built.size).toBe(planned.size);
    expect(built).toEqual(planned);
  });

  it('runs a forward pass on the active backend: right shape, finite values, no leak', () => {
    const model = definition.build({});
    const before = tf.memory().numTensors;
    const input = tf.randomUniform([1, height, width, channels]);
    const output = model.predict(input);
    const outputs = Array.isArray(output) ? output : [output];
    const shape = outputs[0].shape;
    const finite = outputs.every((tensor) => Array.from(tensor.dataSync()).every(Number.isFinite));
    tf.dispose([input, ...outputs]);
    const after = tf.memory().numTensors;
    model.dispose();
    expect(shape).toEqual([1, defaults.numClasses]);
    expect(finite).toBe(true);
    expect(after).toBe(before);
  });
});
