/**
 * `cnn-zoo predict` on the shipped LeNet-5 with real MNIST digits written as PNG files, run
 * in-process through `runPredict` with the CLI's failure handling (exit code, one line on stderr);
 * and `decodePredictions`.
 *
 * The digits are the first held-out sample of each class in the project's fixed split
 * (scripts/mnist-data.ts), chosen by position, not by looking at what the model answers. The model
 * is 98.85% accurate on the held-out digits, so at least 9 of 10 right is what a correct pipeline
 * gives (all 10 with probability 0.89, at least 9 with 0.995), while a broken one (inverted,
 * transposed, mis-scaled, mis-cropped digits) falls to chance. A second check needs no accuracy:
 * for every digit, the probabilities predict prints equal the model's on the same digit quantised
 * to 8 bits by hand, to float32 rounding.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mnistSplit } from '../scripts/mnist-data.js';
import { describeFailure } from '../src/cli/errors.js';
import { runPredict, type PredictFlags } from '../src/cli/predict.js';
import { createModel } from '../src/families/create-model.js';
import { decodePredictions } from '../src/images/decode-predictions.js';
import { tf } from '../src/tf.js';
import { loadModel } from '../src/weights/load.js';
import { saveModel } from '../src/weights/save.js';

const WEIGHTS = 'weights/lenet5-mnist';
const dir = mkdtempSync(join(tmpdir(), 'cnn-zoo-predict-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the handler as the CLI does: output captured, an error turned into its stderr line and exit code. */
async function predict(weightsDir: string, images: string[], flags: PredictFlags = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  let code = 0;
  try {
    await runPredict({ columns: 80, stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text) }, weightsDir, images, flags);
  } catch (error) {
    const failure = describeFailure(error);
    stderr += `${failure.message}\n`;
    code = failure.exitCode;
  }
  return { code, stdout, stderr };
}

/** A usage error: exit 2, nothing on stdout, `lines` lines on stderr matching `message`. */
function expectUsageError(run: Run, message: RegExp, lines = 1): void {
  expect(run.code).toBe(2);
  expect(run.stdout).toBe('');
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(lines);
  expect(run.stderr.trimEnd()).toMatch(message);
}

interface Digit {
  file: string;
  label: number;
  /** The 784 values as the PNG holds them, back in [0, 1]. */
  quantised: Float32Array;
}

const digits: Digit[] = [];

beforeAll(async () => {
  const heldOut = mnistSplit('heldOut');
  for (let label = 0; label < 10; label++) {
    const index = heldOut.labels.indexOf(label);
    const levels = Uint8Array.from(heldOut.images.subarray(index * 784, (index + 1) * 784), (v) => Math.round(v * 255));
    const file = join(dir, `held-out-${index}-digit-${label}.png`);
    await sharp(levels, { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(file);
    digits.push({ file, label, quantised: Float32Array.from(levels, (level) => level / 255) });
  }
});

describe('cnn-zoo predict on the shipped LeNet-5', () => {
  it('prints a table per digit whose top class is the digit (at least 9 of 10), within 80 columns', async () => {
    const run = await predict(WEIGHTS, digits.map((digit) => digit.file), { top: '3' });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const blocks = run.stdout.trimEnd().split('\n\n');
    expect(blocks).toHaveLength(10);
    let right = 0;
    blocks.forEach((block, i) => {
      const lines = block.split('\n');
      expect(lines[0]).toBe(digits[i].file);
      expect(lines[1]).toMatch(/^ {2}# {2}Class {2}Index {2}Probability$/);
      expect(lines).toHaveLength(2 + 1 + 3);
      const top = lines[3].match(/^ {2}1 {2}(\d) +(\d) +>?\d+\.\d\d%$/);
      expect(top, lines[3]).not.toBeNull();
      expect(top![1]).toBe(top![2]);
      if (Number(top![1]) === digits[i].label) right++;
      for (const line of lines.slice(1)) expect(line.length).toBeLessThanOrEqual(80);
    });
    expect(right).toBeGreaterThanOrEqual(9);
  });

  it("prints --json whose probabilities are the model's on the same digits quantised by hand", async () => {
    const run = await predict(WEIGHTS, digits.map((digit) => digit.file), { top: '10', json: true });
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(json).toMatchObject({ weights: WEIGHTS, model: 'lenet5', probabilities: 'softmax' });
    expect(json.images.map((image: { image: string }) => image.image)).toEqual(digits.map((digit) => digit.file));

    const model = await loadModel(WEIGHTS);
    const batch = tf.tensor4d(Float32Array.from(digits.flatMap((digit) => Array.from(digit.quantised))), [10, 28, 28, 1]);
    const reference = (model.predict(batch) as tf.Tensor).arraySync() as number[][];
    tf.dispose(batch);
    model.dispose();

    let right = 0;
    json.images.forEach((image: { predictions: { index: number; className: string; probability: number }[] }, i: number) => {
      expect(image.predictions).toHaveLength(10);
      expect(image.predictions.map((p) => p.className)).toEqual(image.predictions.map((p) => String(p.index)));
      for (const p of image.predictions) expect(p.probability).toBeCloseTo(reference[i][p.index], 6);
      // Sorted, and all ten classes of a softmax sum to 1.
      const probabilities = image.predictions.map((p) => p.probability);
      expect(probabilities).toEqual([...probabilities].sort((a, b) => b - a));
      expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      if (image.predictions[0].index === digits[i].label) right++;
    });
    expect(right).toBeGreaterThanOrEqual(9);
  });

  it('--runtime onnx gives the same classes, with probabilities equal to the TF.js run within 1e-5', async () => {
    const files = digits.map((digit) => digit.file);
    const [tfjs, onnx] = [await predict(WEIGHTS, files, { top: '10', json: true }), await predict(WEIGHTS, files, { top: '10', json: true, runtime: 'onnx' })];
    expect(onnx.code, onnx.stderr).toBe(0);
    type Image = { predictions: { index: number; probability: number }[] };
    const [a, b] = [JSON.parse(tfjs.stdout).images as Image[], JSON.parse(onnx.stdout).images as Image[]];
    expect(b).toHaveLength(10);
    a.forEach((image, i) => {
      expect(b[i].predictions[0].index).toBe(image.predictions[0].index);
      const byIndex = new Map(b[i].predictions.map((p) => [p.index, p.probability]));
      for (const p of image.predictions) expect(Math.abs(byIndex.get(p.index)! - p.probability)).toBeLessThan(1e-5);
    });
    expectUsageError(await predict(WEIGHTS, files, { runtime: 'tensorrt' }), /^error: --runtime: must be 'tfjs' or 'onnx', received "tensorrt"$/);
  });

  it('prints class indices for a folder without class names, and at most K classes for a larger --top', async () => {
    const unnamed = join(dir, 'unnamed');
    cpSync(WEIGHTS, unnamed, { recursive: true });
    // The manifest is not among the checksummed files, so it can be edited.
    const manifest = JSON.parse(readFileSync(join(unnamed, 'cnn-zoo.json'), 'utf8'));
    delete manifest.classNames;
    writeFileSync(join(unnamed, 'cnn-zoo.json'), JSON.stringify(manifest));

    const table = await predict(unnamed, [digits[3].file], { top: '20' });
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[1]).toMatch(/^ {2} #\s{2}Class {2}Probability$/);
    expect(lines).toHaveLength(2 + 1 + 10);
    expect(lines[3]).toMatch(/^ {2} 1 {2}\d {6}\s*\d+\.\d\d%$/);

    const json = JSON.parse((await predict(unnamed, [digits[3].file], { json: true })).stdout);
    expect(json.images[0].predictions).toHaveLength(5);
    expect(Object.keys(json.images[0].predictions[0])).toEqual(['index', 'probability']);
  });

  it('cuts long class names to fit the table in 80 columns', async () => {
    const long = join(dir, 'long-names');
    cpSync(WEIGHTS, long, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(long, 'cnn-zoo.json'), 'utf8'));
    manifest.classNames = manifest.classNames.map((name: string) => `the handwritten digit ${name}, as written in the United States Census Bureau's forms`);
    writeFileSync(join(long, 'cnn-zoo.json'), JSON.stringify(manifest));
    const run = await predict(long, [digits[7].file], { top: '2' });
    expect(run.code).toBe(0);
    const rows = run.stdout.trimEnd().split('\n').slice(1);
    for (const row of rows) expect(row.length).toBeLessThanOrEqual(80);
    // The class column takes what the other columns leave of the 80, and the cut is marked.
    expect(rows[2]).toMatch(/^ {2}1 {2}the handwritten digit 7, as written in the [^…]+… +7 +[>\d.]+%$/);
    expect(rows[2]).toHaveLength(80);
  });

  it("softmaxes a model whose output is logits (classifierActivation 'linear')", async () => {
    const logits = await createModel('lenet5', { weights: 'mnist', classifierActivation: 'linear' });
    const folder = join(dir, 'logits');
    await saveModel(logits, folder);
    logits.dispose();
    const files = digits.map((digit) => digit.file);
    const fromLogits = JSON.parse((await predict(folder, files, { json: true })).stdout);
    const fromSoftmax = JSON.parse((await predict(WEIGHTS, files, { json: true })).stdout);
    expect(fromLogits.probabilities).toBe('softmax of the logits');
    fromLogits.images.forEach((image: { predictions: { index: number; probability: number }[] }, i: number) => {
      const expected = fromSoftmax.images[i].predictions;
      expect(image.predictions.map((p) => p.index)).toEqual(expected.map((p: { index: number }) => p.index));
      image.predictions.forEach((p, k) => expect(p.probability).toBeCloseTo(expected[k].probability, 6));
    });
  });
});

describe('cnn-zoo predict: mistakes are exit code 2 and one line each, nothing on stdout', () => {
  it('a folder that is not a weights folder', async () => {
    expectUsageError(await predict(dir, [digits[0].file]), /^error: .*cnn-zoo-predict-\w+: not a cnn-zoo weights folder: it has no cnn-zoo\.json /);
    expectUsageError(await predict(join(dir, 'nope'), [digits[0].file]), /^error: .*nope: does not exist; expected a weights folder with model\.json$/);
    expectUsageError(await predict(digits[0].file, [digits[0].file]), /^error: .*\.png: is not a folder; expected a weights folder/);
  });

  it('an image that cannot be decoded or read fails the whole run, naming every such file', async () => {
    const text = join(dir, 'notes.jpg');
    writeFileSync(text, 'not a photo\n');
    const whole = readFileSync(digits[1].file);
    const truncated = join(dir, 'truncated.png');
    writeFileSync(truncated, whole.subarray(0, whole.length - 20));
    expectUsageError(await predict(WEIGHTS, [digits[0].file, text]), /^error: .*notes\.jpg: sharp cannot decode it: Input buffer contains unsupported image format$/);
    const run = await predict(WEIGHTS, [text, digits[0].file, truncated, join(dir, 'missing.png')], { json: true });
    expectUsageError(run, /notes\.jpg: sharp cannot decode it: /, 3);
    expect(run.stderr).toMatch(/^error: .*truncated\.png: sharp cannot decode it: /m);
    expect(run.stderr).toMatch(/^error: .*missing\.png: no such file$/m);
  });

  it('a bad --top', async () => {
    expectUsageError(await predict(WEIGHTS, [digits[0].file], { top: '0' }), /^error: --top: must be a positive integer, received "0"$/);
    expectUsageError(await predict(WEIGHTS, [digits[0].file], { top: 'all' }), /^error: --top: must be a positive integer, received "all"$/);
  });
});

describe('decodePredictions', () => {
  const names = ['cat', 'dog', 'fox', 'owl'];

  it('sorts by probability, most probable first, and keeps topK', () => {
    expect(decodePredictions([0.1, 0.4, 0.2, 0.3], names, 3)).toEqual([
      [
        { index: 1, className: 'dog', probability: 0.4 },
        { index: 3, className: 'owl', probability: 0.3 },
        { index: 2, className: 'fox', probability: 0.2 },
      ],
    ]);
    // Default 5, and never more than K.
    expect(decodePredictions([0.1, 0.4, 0.2, 0.3], names)[0]).toHaveLength(4);
    expect(decodePredictions([0.1, 0.4, 0.2, 0.3], names, 100)[0].map((p) => p.index)).toEqual([1, 3, 2, 0]);
  });

  it('breaks ties by index, and puts NaN last', () => {
    expect(decodePredictions([0.25, 0.25, 0.25, 0.25], names, 4)[0].map((p) => p.index)).toEqual([0, 1, 2, 3]);
    expect(decodePredictions([0.2, 0.3, 0.2, 0.3], names, 4)[0].map((p) => p.index)).toEqual([1, 3, 0, 2]);
    expect(decodePredictions([NaN, 0.1, NaN, 0.9], names, 4)[0].map((p) => p.index)).toEqual([3, 1, 0, 2]);
  });

  it('reads [N, K] and [K] tensors and Float32Arrays, one list per image, without disposing them', () => {
    const batch = tf.tensor2d([
      [0.7, 0.1, 0.1, 0.1],
      [0, 0, 0.5, 0.5],
    ]);
    const result = decodePredictions(batch, names, 2);
    expect(result.map((image) => image.map((p) => p.className))).toEqual([['cat', 'dog'], ['fox', 'owl']]);
    expect(result[0][0].probability).toBe(Math.fround(0.7));
    expect(batch.isDisposed).toBe(false);
    const single = tf.tensor1d([0.1, 0.2, 0.3, 0.4]);
    expect(decodePredictions(single, names, 1)).toEqual([[{ index: 3, className: 'owl', probability: Math.fround(0.4) }]]);
    expect(decodePredictions(Float32Array.from([0.5, 0.1, 0.1, 0.3]), names, 1)[0][0].className).toBe('cat');
    tf.dispose([batch, single]);
  });

  it('refuses a class-count mismatch (naming both numbers), a bad topK and a tensor of another rank', () => {
    expect(() => decodePredictions([0.5, 0.5], names)).toThrow('decodePredictions: the probabilities have 2 classes but classNames has 4 names');
    const wide = tf.zeros([3, 1000]);
    expect(() => decodePredictions(wide, names)).toThrow(/have 1000 classes but classNames has 4 names/);
    expect(() => decodePredictions([0.1, 0.2, 0.3, 0.4], names, 0)).toThrow('decodePredictions: topK must be a positive integer, received 0');
    expect(() => decodePredictions([0.1, 0.2, 0.3, 0.4], names, 1.5)).toThrow(RangeError);
    const cube = tf.zeros([1, 2, 4]);
    expect(() => decodePredictions(cube, names)).toThrow('decodePredictions: probabilities must be a [N, K] or [K] tensor, received shape [1, 2, 4]');
    tf.dispose([wide, cube]);
  });
});
