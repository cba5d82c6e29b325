import { describe, expect, it } from 'vitest';
import { fans, sampleWeights, SeededInitializer, glorotUniform, heNormalFanOut } from '../src/init.js';
import { tf } from '../src/tf.js';

function moments(values: Float32Array): { mean: number; std: number; min: number; max: number } {
  let sum = 0;
  let squares = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    sum += v;
    squares += v * v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = sum / values.length;
  return { mean, std: Math.sqrt(squares / values.length - mean * mean), min, max };
}

describe('weight initialisation', () => {
  it('computes fans as Keras does', () => {
    expect(fans([3, 3, 64, 128])).toEqual({ fanIn: 3 * 3 * 64, fanOut: 3 * 3 * 128 });
    expect(fans([4096, 1000])).toEqual({ fanIn: 4096, fanOut: 1000 });
  });

  it('draws Glorot uniform within ±sqrt(6 / (fanIn + fanOut)) with the uniform variance', () => {
    const values = sampleWeights(glorotUniform, [3, 3, 64, 128], 1);
    const limit = Math.sqrt(6 / (576 + 1152));
    const m = moments(values);
    expect(m.min).toBeGreaterThanOrEqual(-limit);
    expect(m.max).toBeLessThan(limit);
    expect(m.mean).toBeCloseTo(0, 3);
    expect(m.std / (limit / Math.sqrt(3))).toBeCloseTo(1, 2);
  });

  it('draws He normal (fan out) with standard deviation sqrt(2 / fanOut)', () => {
    const values = sampleWeights(heNormalFanOut, [3, 3, 64, 64], 2);
    const m = moments(values);
    expect(m.mean).toBeCloseTo(0, 2);
    expect(m.std / Math.sqrt(2 / 576)).toBeCloseTo(1, 1);
  });

  it('truncates at two standard deviations and keeps the truncated normal spread', () => {
    const values = sampleWeights({ kind: 'truncatedNormal', std: 0.01 }, [200_000], 3);
    const m = moments(values);
    expect(m.min).toBeGreaterThanOrEqual(-0.02);
    expect(m.max).toBeLessThanOrEqual(0.02);
    // The standard deviation of a normal truncated at ±2σ is 0.8796σ.
    expect(m.std / (0.01 * 0.8796)).toBeCloseTo(1, 2);
  });

  it("uses PyTorch's default bound 1/sqrt(fanIn)", () => {
    const m = moments(sampleWeights({ kind: 'torchDefault' }, [5, 5, 3, 16], 4));
    const bound = 1 / Math.sqrt(75);
    expect(m.max).toBeLessThan(bound);
    expect(m.min).toBeGreaterThanOrEqual(-bound);
    expect(m.max).toBeGreaterThan(0.99 * bound);
  });

  it('is deterministic per seed and gives the same values on every backend', async () => {
    const initializer = new SeededInitializer({ spec: heNormalFanOut, seed: 42 });
    const here = initializer.apply([3, 3, 8, 8]);
    const values = Array.from(here.dataSync());
    const backend = tf.getBackend();
    await tf.setBackend('cpu');
    const onCpu = Array.from(initializer.apply([3, 3, 8, 8]).dataSync());
    await tf.setBackend(backend);
    expect(onCpu).toEqual(values);
    expect(Array.from(sampleWeights(heNormalFanOut, [3, 3, 8, 8], 43))).not.toEqual(values);
    here.dispose();
  });

  it('serialises with the model so that a saved topology can be rebuilt', async () => {
    const model = tf.sequential({
      layers: [tf.layers.dense({ units: 3, inputShape: [4], kernelInitializer: new SeededInitializer({ spec: glorotUniform, seed: 5 }) })],
    });
    const topology = model.toJSON(null, false) as tf.io.ModelJSON['modelTopology'];
    expect(JSON.stringify(topology)).toContain('CnnZooSeededInitializer');
    const rebuilt = await tf.models.modelFromJSON({ modelTopology: topology } as tf.io.ModelJSON);
    expect(Array.from(rebuilt.getWeights()[0].dataSync())).toEqual(Array.from(model.getWeights()[0].dataSync()));
  });
});
