import { describe, expect, it } from 'vitest';
import { ConfigError, lenet5, lenet5Definition, planModel, tf } from '../src/index.js';

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
    const planned = planModel(lenet5Definition, {});
    expect(planned.map((l) => [l.name, [...l.outputShape]])).toEqual(model.layers.map((l) => [l.name, (l.outputShape as number[]).slice(1)]));
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
