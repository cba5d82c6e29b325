import { describe, expect, it } from 'vitest';
import { Conv2D } from '../src/wasm/conv2d.js';
import { registerWasmTrainingKernels } from '../src/wasm/register.js';
import { tf } from '../src/tf.js';
import { restoreBackendAfterAll, sizeOf, values } from './helpers/wasm-vs-cpu.js';

// The contract: cnn-zoo's Conv2D (src/layers/conv2d.ts) computes exactly what tfjs-layers' Conv2D
// computes, output and gradients, in training mode too, but a training step of a convolution
// without a bias that needs only the weights' gradients no longer computes the input's
// (Conv2DBackpropInput), which the fused op's gradient always did. Exactly: without a bias both
// paths make the same sums, and with one the layer keeps the parent's path.

registerWasmTrainingKernels();

type ConvArgs = Parameters<typeof tf.layers.conv2d>[0];

const cases: Array<{ label: string; args: ConvArgs }> = [
  { label: '3x3 stride 2, same, no bias, linear (a ResNet stem)', args: { filters: 4, kernelSize: 3, strides: 2, padding: 'same', useBias: false } },
  { label: '3x3 valid, no bias, relu', args: { filters: 5, kernelSize: 3, padding: 'valid', activation: 'relu', useBias: false } },
  { label: '5x5 stride 2, valid, no bias, linear', args: { filters: 2, kernelSize: 5, strides: 2, padding: 'valid', useBias: false } },
  { label: '1x1 with bias, linear (the parent path)', args: { filters: 3, kernelSize: 1 } },
  { label: '3x3 same with bias, relu (the parent path)', args: { filters: 5, kernelSize: 3, padding: 'same', activation: 'relu' } },
];

interface Outcome {
  y: number[];
  grads: number[][];
  kernels: string[];
}

/**
 * A training-mode call on x [2, 7, 7, 3] with fixed weights, and the gradients of sum(y * dy) with
 * respect to `wrt` ('weights': the kernel and bias only; 'all': x too).
 */
async function trainingCall(layer: tf.layers.Layer, wrt: 'weights' | 'all'): Promise<Outcome> {
  const x = tf.variable(tf.tensor(values(2 * 7 * 7 * 3, 1), [2, 7, 7, 3]));
  layer.apply(x, { training: false }); // builds the weights
  layer.setWeights(layer.getWeights().map((w, i) => tf.tensor(values(w.size, 10 + i), w.shape)));
  const outShape = layer.computeOutputShape([2, 7, 7, 3]) as number[];
  const dy = tf.tensor(values(sizeOf(outShape), 2), outShape);
  const weights = layer.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  const wrtList = wrt === 'all' ? [x, ...weights] : weights;
  let y: tf.Tensor | undefined;
  const profile = await tf.profile(() => {
    const { grads } = tf.variableGrads(() => {
      y = tf.keep(layer.apply(x, { training: true }) as tf.Tensor);
      return tf.sum(tf.mul(y, dy)) as tf.Scalar;
    }, wrtList);
    return [y!, ...wrtList.map((v) => grads[v.name])];
  });
  const [yOut, ...grads] = profile.result as tf.Tensor[];
  const outcome = { y: Array.from(yOut.dataSync()), grads: grads.map((g) => Array.from(g.dataSync())), kernels: profile.kernelNames };
  tf.dispose([x, dy, yOut, ...grads]);
  return outcome;
}

restoreBackendAfterAll();

describe("cnn-zoo's Conv2D trains as tfjs-layers' Conv2D", () => {
  for (const { label, args } of cases) {
    it(`${label}: exactly the same output and gradients of x, kernel and bias, on wasm and on cpu`, async () => {
      for (const backend of ['wasm', 'cpu']) {
        await tf.setBackend(backend);
        const ours = await trainingCall(new Conv2D(args), 'all');
        const theirs = await trainingCall(tf.layers.conv2d(args), 'all');
        expect(ours.y).toEqual(theirs.y);
        expect(ours.grads.length).toBe(theirs.grads.length);
        ours.grads.forEach((g, i) => expect(g).toEqual(theirs.grads[i]));
      }
    });
  }

  it("leaves out the input gradient when only the weights' are asked for (the fused op computed it anyway)", async () => {
    await tf.setBackend('wasm');
    const args = cases[0].args;
    const theirs = await trainingCall(tf.layers.conv2d(args), 'weights');
    const ours = await trainingCall(new Conv2D(args), 'weights');
    expect(theirs.kernels).toContain('Conv2DBackpropInput');
    expect(ours.kernels).not.toContain('Conv2DBackpropInput');
    expect(ours.kernels).toContain('Conv2DBackpropFilter');
    ours.grads.forEach((g, i) => expect(g).toEqual(theirs.grads[i]));
  });

  it('keeps the fused op, input gradient included, for a convolution with a bias (whose sums it would change)', async () => {
    await tf.setBackend('wasm');
    const ours = await trainingCall(new Conv2D(cases[3].args), 'weights');
    expect(ours.kernels).toContain('FusedConv2D');
    expect(ours.kernels).toContain('Conv2DBackpropInput');
  });

  it('a dilated convolution, which TF.js cannot differentiate, fails in training as the parent does', async () => {
    await tf.setBackend('cpu');
    const args: ConvArgs = { filters: 2, kernelSize: 3, padding: 'same', dilationRate: 2 };
    await expect(trainingCall(tf.layers.conv2d(args), 'weights')).rejects.toThrow(/dilation/);
    await expect(trainingCall(new Conv2D(args), 'weights')).rejects.toThrow(/dilation/);
  });

  it('saves as class_name Conv2D', () => {
    const input = tf.input({ shape: [5, 5, 2] });
    const output = new Conv2D({ name: 'conv', filters: 2, kernelSize: 3 }).apply(input) as tf.SymbolicTensor;
    const json = tf.model({ inputs: input, outputs: output }).toJSON(undefined, false) as { config: { layers: Array<{ class_name: string }> } };
    expect(json.config.layers.map((l) => l.class_name)).toEqual(['InputLayer', 'Conv2D']);
    expect(new Conv2D({ filters: 2, kernelSize: 3 })).toBeInstanceOf(tf.layers.conv2d({ filters: 2, kernelSize: 3 }).constructor);
  });
});
