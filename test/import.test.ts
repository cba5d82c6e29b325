/**
 * Importing another library's weight file, end to end: a real torch.save file of torchvision's
 * MobileNet V2 (width 0.1, 10 classes; made by scripts/references/make-import-fixtures.py) through
 * `cnn-zoo import`, and a safetensors file in torchvision's names through `importWeights`, each
 * giving torchvision's own logits; and every malformed input refused with nothing written.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/program.js';
import { ConfigError } from '../src/errors.js';
import { importWeights } from '../src/import/import-weights.js';
import { readWeightFile, writeSafetensors } from '../src/import/readers/index.js';
import { createModel, getModelDefinition, loadModel, modelInfo, readManifest, resnet18, saveModel, tf } from '../src/index.js';
import { exportSafetensors } from '../src/import/export-safetensors.js';
import { assignTorchvisionWeights } from '../src/import/torchvision/map.js';
import { WeightsError } from '../src/weights/errors.js';
import { formulaInput, formulaTensorSet, readFixture, type TorchvisionFixture } from './helpers/formula-weights.js';
import { relativeError } from './helpers/relative-error.js';

const FIXTURES = path.join(import.meta.dirname, 'fixtures');
const PTH = path.join(FIXTURES, 'import', 'mobilenet_v2_w010.pth');
const reference = JSON.parse(readFileSync(path.join(FIXTURES, 'import', 'mobilenet_v2_w010.json'), 'utf8')) as TorchvisionFixture;
const dir = mkdtempSync(path.join(tmpdir(), 'cnn-zoo-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...args: string[]) {
  let [stdout, stderr] = ['', ''];
  const code = await runCli(args, { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text) });
  return { code, stdout, stderr };
}

/** The model's logits on the fixture's formula input, against torchvision's. */
function logitsError(model: tf.LayersModel, fixture: TorchvisionFixture): number {
  const input = formulaInput(fixture);
  const x = tf.tensor4d(input.nhwc, input.shape);
  const y = model.predict(x) as tf.Tensor;
  const error = relativeError(y.dataSync(), Object.values(fixture.outputs!)[0].values);
  tf.dispose([x, y]);
  return error;
}

describe('cnn-zoo import, a real torchvision file', () => {
  it("writes a weights folder whose model gives torchvision's logits, with the file's name, sha256 and skipped tensors in its manifest", async () => {
    const out = path.join(dir, 'mnv2');
    const options = JSON.stringify({ alpha: 0.1, inputShape: [64, 64, 3], classifierActivation: 'linear' });
    const run = await cli('import', PTH, '--model', 'mobilenetV2', '--options', options, '--licence', 'BSD-3-Clause', '--out', out);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^mobilenetV2 \([\d,]+ parameters\) from torchvision's mobilenet_v2_w010\.pth \(sha256 [0-9a-f]{12}…\) -> .*mnv2; skipped 52 tensors the model deliberately lacks \(num_batches_tracked x 52\)\n$/);
    const manifest = (await readManifest(out))!;
    expect(manifest.model).toBe('mobilenetV2');
    // The variant is the source's, the classes the file's.
    expect(manifest.config).toMatchObject({ variant: 'torchvision', alpha: 0.1, numClasses: 10, inputShape: [64, 64, 3] });
    expect(manifest.importedFrom).toEqual({
      file: 'mobilenet_v2_w010.pth',
      sha256: createHash('sha256').update(readFileSync(PTH)).digest('hex'),
      from: 'torchvision',
      skipped: reference.tensors.map(([key]) => key).filter((key) => key.endsWith('.num_batches_tracked')),
    });
    expect(manifest.licence).toBe('BSD-3-Clause');
    expect(manifest.preprocessing).toMatchObject({ inputShape: [64, 64, 3], range: [0, 1], mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], resizeShorterSide: 256 });
    expect(manifest.classNames).toBeUndefined(); // 10 classes: not ImageNet's
    const model = await loadModel(out);
    expect(logitsError(model, reference)).toBeLessThanOrEqual(1e-4);
    model.dispose();
  });

  it('refuses what does not fit, naming the file, and writes nothing', async () => {
    const cases: [string[], RegExp][] = [
      [['--model', 'resnet35'], /--model: unknown model "resnet35"/],
      [['--model', 'resnet18'], /mobilenet_v2_w010\.pth: the tensors do not fit model 'resnet18'/],
      [['--model', 'mobilenetV2', '--options', '{"alpha":0.5}'], /mobilenet_v2_w010\.pth: .*features\.0\.0\.weight is \[8, 3, 3, 3\] in the tensors, the model needs \[16, 3, 3, 3\]/],
      [['--model', 'mobilenetV2', '--variant', 'keras'], /variant: torchvision's weights compute as the 'torchvision' variant of mobilenetV2, received "keras"/],
      [['--model', 'mobilenetV2', '--from', 'keras'], /from: does not fit mobilenet_v2_w010\.pth, a pytorch file/],
      [['--model', 'lenet5'], /from: lenet5 has no torchvision weights the zoo can import \(it imports none\)/],
      [['--model', 'mobilenetV2', '--options', '[1]'], /--options: must be a JSON object of builder options/],
    ];
    for (const [flags, message] of cases) {
      const out = path.join(dir, 'refused');
      const run = await cli('import', PTH, ...flags, '--out', out);
      expect(run.code, flags.join(' ')).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(message);
      expect(existsSync(out), flags.join(' ')).toBe(false);
    }
  });

  it('refuses a truncated file, a pickle with a forbidden class and an unknown file, naming each', async () => {
    const truncated = path.join(dir, 'truncated.pth');
    writeFileSync(truncated, readFileSync(PTH).subarray(0, 200_000));
    const cases: [string, RegExp][] = [
      [truncated, /truncated\.pth: /],
      [path.join(FIXTURES, 'readers', 'forbidden-global.pth'), /forbidden-global\.pth: .*posix\.system/],
      [path.join(FIXTURES, 'readers', 'unknown.bin'), /unknown\.bin: /],
    ];
    for (const [file, message] of cases) {
      const out = path.join(dir, 'refused');
      await expect(importWeights(file, { model: 'mobilenetV2' })).rejects.toThrow(WeightsError);
      const run = await cli('import', file, '--model', 'mobilenetV2', '--out', out);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('needs --model for a file whose name it does not know, and knows an official one', async () => {
    await expect(importWeights(PTH)).rejects.toThrow(ConfigError);
    await expect(importWeights(PTH)).rejects.toThrow(/^model: required: mobilenet_v2_w010\.pth is not an official file/);
    // Under torchvision's official name it is taken for mobilenet_v2 at width 1: the shapes then say it is not.
    const official = path.join(dir, 'mobilenet_v2-b0353104.pth');
    copyFileSync(PTH, official);
    await expect(importWeights(official)).rejects.toThrow(/the tensors do not fit model 'mobilenetV2'/);
  });
});

describe('importWeights, a safetensors file in torchvision\'s names (timm\'s ResNets)', () => {
  it("gives torchvision's logits and records what the weights are on the model", async () => {
    const fixture = readFixture('resnet18');
    const file = path.join(dir, 'model.safetensors');
    await writeSafetensors(file, formulaTensorSet(fixture.tensors.filter(([key]) => !key.endsWith('num_batches_tracked'))));
    const progress: number[] = [];
    const [, , height, width] = fixture.input!.shape; // NCHW
    const model = await importWeights(file, {
      model: 'resnet18',
      options: { inputShape: [height, width, 3], classifierActivation: 'linear' },
      onProgress: ({ bytesRead }) => progress.push(bytesRead),
    });
    expect(logitsError(model, fixture)).toBeLessThanOrEqual(1e-4);
    const info = modelInfo(model)!;
    expect(info.importedFrom).toMatchObject({ file: 'model.safetensors', from: 'timm', skipped: [] });
    expect(info.classNames).toHaveLength(1000); // a 1,000-way head: ImageNet's names
    expect(info.classNames!.slice(0, 2)).toEqual(['tench', 'goldfish']);
    expect(progress.at(-1)).toBeGreaterThan(40_000_000);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    model.dispose();
  });
});

describe("importWeights, a Keras Applications .h5 file (the real-layout file of test/fixtures/keras)", () => {
  it("takes the file without its top as includeTop: false, and gives Keras's features", async () => {
    const fixture = JSON.parse(readFileSync(path.join(FIXTURES, 'keras', 'mobilenet_v1_0125_no_top.json'), 'utf8')) as TorchvisionFixture;
    const model = await importWeights(path.join(FIXTURES, 'keras', 'mobilenet_v1_0125_no_top.h5'), { model: 'mobilenetV1', options: { alpha: 0.125, inputShape: [80, 64, 3] } });
    const info = modelInfo(model)!;
    expect(info.config).toMatchObject({ includeTop: false, alpha: 0.125 });
    expect(info.importedFrom).toMatchObject({ from: 'keras', skipped: [] });
    // Keras's MobileNets take [-1, 1] RGB, resized to the input (no crop).
    expect(info.preprocessing).toEqual({ inputShape: [80, 64, 3], range: [-1, 1], channelOrder: 'rgb' });
    expect(logitsError(model, fixture)).toBeLessThanOrEqual(1e-4);
    model.dispose();
  });
});

describe('imported weights as a base for transfer learning', () => {
  it('createModel with includeTop: false leaves the classifier out, and the base computes what the full model does', async () => {
    const imported = await importWeights(PTH, { model: 'mobilenetV2', options: { alpha: 0.1, inputShape: [64, 64, 3] } });
    const out = path.join(dir, 'base');
    await saveModel(imported, out);
    const base = await createModel('mobilenetV2', { weights: out, includeTop: false, pooling: 'avg' });
    expect(base.weights.some((w) => w.originalName.startsWith('predictions/'))).toBe(false);
    expect(modelInfo(base)?.classNames).toBeUndefined();
    // The base's pooled features are the full model's, taken before its classifier.
    const pooled = tf.model({ inputs: imported.inputs, outputs: imported.getLayer('global_average_pooling2d').output as tf.SymbolicTensor });
    const x = tf.randomUniform([1, 64, 64, 3], 0, 1, 'float32', 4);
    const [a, b] = [base.predict(x) as tf.Tensor, pooled.predict(x) as tf.Tensor];
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    // Any other difference is still refused.
    await expect(createModel('mobilenetV2', { weights: out, includeTop: false, alpha: 0.35 })).rejects.toThrow(/alpha: the ".*base" weights of mobilenetV2 fix it to 0\.1, received 0\.35/);
    tf.dispose([x, a, b]);
    [imported, base].forEach((m) => m.dispose());
  });
});

describe('the way back: exportSafetensors', () => {
  it("writes torchvision's names and layouts: the file read back is the state_dict the model was imported from", async () => {
    const fixture = readFixture('resnet18');
    const source = formulaTensorSet(fixture.tensors);
    const model = resnet18({ initialize: false, inputShape: [64, 64, 3] });
    assignTorchvisionWeights(model, source, { family: 'resnet', names: getModelDefinition('resnet18').sources.torchvision!.names });
    const file = path.join(dir, 'resnet18-back.safetensors');
    expect(await exportSafetensors(model, file)).toBe(source.size);
    const back = await readWeightFile(file);
    expect([...back.tensors.keys()].sort()).toEqual([...source.keys()].sort());
    for (const [key, tensor] of source) {
      expect(back.tensors.get(key)!.shape, key).toEqual(tensor.shape);
      expect(Buffer.compare(Buffer.from(back.tensors.get(key)!.data.buffer), Buffer.from(tensor.data.buffer)), key).toBe(0);
    }
    // A variant whose numbers are not torchvision's is refused.
    const keras = resnet18({ variant: 'keras', initialize: false });
    await expect(exportSafetensors(keras, path.join(dir, 'refused.safetensors'))).rejects.toThrow(/^variant: torchvision's resnet computes as the 'torchvision' variant/);
    expect(existsSync(path.join(dir, 'refused.safetensors'))).toBe(false);
    [model, keras].forEach((m) => m.dispose());
  });
});
