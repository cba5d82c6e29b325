import { createHash } from 'node:crypto';
import * as nodeFs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../src/errors.js';
import { BatchNormalization } from '../src/wasm/batch-normalization.js';
import { Conv2D } from '../src/wasm/conv2d.js';
import { createModel, lenet5, modelInfo, resnet18 } from '../src/index.js';
import { tf } from '../src/tf.js';
import {
  MANIFEST_FILE,
  WeightsError,
  WeightsManifestSchema,
  fileSystem,
  loadModel,
  loadWeights,
  saveModel,
  type WeightsInfo,
} from '../src/weights/index.js';

const fs = nodeFs.promises;

// LeNet-5's weights as the layer list (architectures/lenet5.ts) gives them, written out by hand:
// conv 5x5 1→6, conv 5x5 6→16, dense 5·5·16=400→120, 120→84, 84→10, each with its bias.
const LENET_WEIGHTS: [string, number[]][] = [
  ['c1/kernel', [5, 5, 1, 6]],
  ['c1/bias', [6]],
  ['c3/kernel', [5, 5, 6, 16]],
  ['c3/bias', [16]],
  ['c5/kernel', [400, 120]],
  ['c5/bias', [120]],
  ['f6/kernel', [120, 84]],
  ['f6/bias', [84]],
  ['predictions/kernel', [84, 10]],
  ['predictions/bias', [10]],
];
// 61,706 float32 parameters (test/lenet5.test.ts counts them) at 4 bytes each.
const LENET_BYTES = 61_706 * 4;
expect(LENET_BYTES).toBe(246_824);

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
const info: WeightsInfo = {
  config: { seed: 1 },
  source: 'random initialisation, seed 1 (test fixture)',
  licence: 'MIT',
  preprocessing: { range: [0, 1] },
  classNames: DIGITS,
  metrics: { testAccuracy: 0.1 },
};

/** The sha256 of every weight's bytes: equal lists mean bit-identical weights (and compare fast). */
function weightBits(model: tf.LayersModel): string[] {
  return model.getWeights().map((tensor) => {
    const values = tensor.dataSync();
    return `${tensor.shape.join('x')}:${sha256(new Uint8Array(values.buffer, values.byteOffset, values.byteLength))}`;
  });
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

let root: string;
let source: tf.LayersModel;
/** lenet5 seed 1 saved with the default (4 MiB) shard size: model.json + group1-shard1of1.bin. */
let good: string;
const SHARD = 'group1-shard1of1.bin';
/** The target of the failing loads; its bits must never change. */
let target: tf.LayersModel;
let targetBefore: string[];

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'cnn-zoo-weights-'));
  source = lenet5({ seed: 1 });
  good = path.join(root, 'good');
  await saveModel(source, good, info);
  target = lenet5({ seed: 3 });
  targetBefore = weightBits(target);
});

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

afterEach(() => {
  vi.restoreAllMocks();
});

let copies = 0;
/** A fresh copy of the good folder to corrupt. */
async function copyOfGood(): Promise<string> {
  const dir = path.join(root, `case-${++copies}`);
  await fs.cp(good, dir, { recursive: true });
  return dir;
}

async function readJson(file: string): Promise<any> {
  return JSON.parse(await fs.readFile(file, 'utf8'));
}

/** Recomputes the manifest's sizes and checksums: a folder that is consistent but wrong. */
async function resign(dir: string): Promise<void> {
  const manifest = await readJson(path.join(dir, MANIFEST_FILE));
  for (const file of manifest.files) {
    const bytes = await fs.readFile(path.join(dir, file.path));
    file.sha256 = sha256(bytes);
    file.bytes = bytes.byteLength;
  }
  await fs.writeFile(path.join(dir, MANIFEST_FILE), JSON.stringify(manifest));
}

type Spec = { name: string; shape: number[]; dtype: string };
/** Edits model.json's weight list and the shard together, then re-signs the manifest. */
async function rewrite(dir: string, edit: (specs: Spec[], data: Buffer) => { specs: Spec[]; data: Buffer }): Promise<void> {
  const modelJson = await readJson(path.join(dir, 'model.json'));
  const group = modelJson.weightsManifest[0];
  const out = edit(group.weights, await fs.readFile(path.join(dir, SHARD)));
  group.weights = out.specs;
  await fs.writeFile(path.join(dir, SHARD), out.data);
  await fs.writeFile(path.join(dir, 'model.json'), JSON.stringify(modelJson));
  await resign(dir);
}

/** Byte offset of a weight in the shard: the float32 sizes of the weights before it. */
function offsetOf(specs: Spec[], name: string): number {
  let offset = 0;
  for (const spec of specs) {
    if (spec.name === name) return offset;
    offset += spec.shape.reduce((a, b) => a * b, 1) * 4;
  }
  throw new Error(`no ${name}`);
}

/** loadWeights must reject with a WeightsError and leave the target bit for bit as it was. */
async function rejectsUntouched(dir: string, options?: { requireManifest?: boolean }): Promise<WeightsError> {
  const error = await loadWeights(target, dir, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WeightsError);
  expect(weightBits(target)).toEqual(targetBefore);
  return error as WeightsError;
}

describe('saveModel', () => {
  it('writes model.json, shards of at most shardBytes and a manifest with every file’s sha256', async () => {
    const dir = path.join(root, 'sharded');
    const manifest = await saveModel(source, dir, info, { shardBytes: 65_536 });
    // 246,824 bytes in 64 KiB shards: three full ones and 246,824 - 3·65,536 = 50,216 bytes.
    const shards = ['group1-shard1of4.bin', 'group1-shard2of4.bin', 'group1-shard3of4.bin', 'group1-shard4of4.bin'];
    expect((await fs.readdir(dir)).sort()).toEqual([MANIFEST_FILE, ...shards, 'model.json'].sort());
    const sizes = await Promise.all(shards.map(async (shard) => (await fs.stat(path.join(dir, shard))).size));
    expect(sizes).toEqual([65_536, 65_536, 65_536, 50_216]);

    const onDisk = WeightsManifestSchema.parse(await readJson(path.join(dir, MANIFEST_FILE)));
    expect(onDisk).toEqual(manifest);
    expect(onDisk.model).toBe('lenet5');
    expect(onDisk.preprocessing).toEqual({ inputShape: [32, 32, 1], range: [0, 1], channelOrder: 'rgb' });
    expect(onDisk.classNames).toEqual(DIGITS);
    for (const file of onDisk.files) {
      const bytes = await fs.readFile(path.join(dir, file.path));
      expect([file.path, file.bytes, file.sha256]).toEqual([file.path, bytes.byteLength, sha256(bytes)]);
    }
    expect(onDisk.files.map((file) => file.path).sort()).toEqual(['model.json', ...shards].sort());

    const modelJson = await readJson(path.join(dir, 'model.json'));
    expect(modelJson.format).toBe('layers-model');
    expect(modelJson.weightsManifest).toHaveLength(1);
    expect(modelJson.weightsManifest[0].paths).toEqual(shards);
    expect(modelJson.weightsManifest[0].weights.map((w: Spec) => [w.name, w.shape])).toEqual(LENET_WEIGHTS);
  });

  it('refuses a non-empty folder unless overwrite: true, and then replaces it whole', async () => {
    const dir = await copyOfGood();
    const before = await fs.readFile(path.join(dir, MANIFEST_FILE));
    const other = lenet5({ seed: 9 });
    await expect(saveModel(other, dir, info)).rejects.toThrow(/already exists and is not empty; pass \{ overwrite: true \}/);
    expect(await fs.readFile(path.join(dir, MANIFEST_FILE))).toEqual(before);

    await saveModel(other, dir, { ...info, config: { seed: 9 } }, { overwrite: true });
    const loaded = await loadModel(dir);
    expect(weightBits(loaded)).toEqual(weightBits(other));
    // The exact config the model was built with (issue: a given config may restate it, not change it).
    expect((await readJson(path.join(dir, MANIFEST_FILE))).config).toMatchObject({ seed: 9, numClasses: 10, inputShape: [32, 32, 1] });
    expect((await fs.readdir(root)).filter((name) => name.startsWith('.'))).toEqual([]);
    loaded.dispose();
    other.dispose();
  });

  it('leaves neither the folder nor a temporary one when writing fails half-way', async () => {
    const dir = path.join(root, 'never');
    const open = fs.open;
    let calls = 0;
    // The second file fails as a full disk would, after the first shard was written.
    vi.spyOn(fs, 'open').mockImplementation(async (...args: Parameters<typeof open>) => {
      if (++calls === 2) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
      return open(...args);
    });
    await expect(saveModel(source, dir, info, { shardBytes: 65_536 })).rejects.toThrow(/never: could not be saved \(ENOSPC\)/);
    expect(calls).toBe(2);
    await expect(fs.stat(dir)).rejects.toThrow(/ENOENT/);
    expect((await fs.readdir(root)).filter((name) => name.includes('never'))).toEqual([]);
  });

  it('keeps the old folder when the final rename of an overwrite fails', async () => {
    const dir = await copyOfGood();
    const rename = fs.rename;
    vi.spyOn(fs, 'rename').mockImplementation(async (from, to) => {
      if (String(from).includes('.tmp-')) throw Object.assign(new Error('cross-device link'), { code: 'EXDEV' });
      return rename(from, to);
    });
    await expect(saveModel(lenet5({ seed: 9 }), dir, info, { overwrite: true })).rejects.toThrow(/could not be saved \(EXDEV\)/);
    vi.restoreAllMocks();
    const loaded = await loadModel(dir);
    expect(weightBits(loaded)).toEqual(weightBits(source));
    expect((await fs.readdir(root)).filter((name) => name.startsWith('.'))).toEqual([]);
    loaded.dispose();
  });

  it('rejects bad info before writing anything, naming the field', async () => {
    const dir = path.join(root, 'bad-info');
    // A licence is optional (absent: not said), but not an empty one.
    await expect(saveModel(source, dir, { ...info, licence: '' })).rejects.toThrow(ConfigError);
    await expect(saveModel(source, dir, { ...info, licence: '' })).rejects.toThrow(/^licence: must be a non-empty string, received ""/);
    await expect(saveModel(source, dir, { ...info, classNames: ['a', 'b'] })).rejects.toThrow(/^classNames: must have one name per output unit \(10\), received 2 names/);
    await expect(saveModel(source, dir, { ...info, preprocessing: { range: [0, 1], mean: [0.5, 0.5, 0.5], std: [0.2, 0.2, 0.2] } })).rejects.toThrow(
      /^preprocessing.mean: must have one value per channel \(1, from inputShape\)/,
    );
    await expect(saveModel(source, dir, { ...info, preprocessing: { range: [0, 1], inputShape: [28, 28, 1] } })).rejects.toThrow(
      /^preprocessing.inputShape: must match the model's input shape \[32,32,1\], received \[28,28,1\]/,
    );
    await expect(fs.stat(dir)).rejects.toThrow(/ENOENT/);
  });
});

describe('loading', () => {
  it('round-trips exactly: every weight bit-identical and the same predictions', async () => {
    const loaded = await loadModel(good);
    expect(loaded.weights.map((w) => [w.originalName, w.shape])).toEqual(LENET_WEIGHTS);
    expect(weightBits(loaded)).toEqual(weightBits(source));
    const x = tf.randomUniform([2, 32, 32, 1], 0, 1, 'float32', 42);
    const [a, b] = [source.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([x, a, b]);
    loaded.dispose();
  });

  it("builds the zoo's Conv2D and BatchNormalization, as a built model has them, and leaves TF.js's registry as it was", async () => {
    const input = tf.input({ shape: [8, 8, 3] });
    let x = new Conv2D({ name: 'conv', filters: 4, kernelSize: 3, useBias: false }).apply(input) as tf.SymbolicTensor;
    x = new BatchNormalization({ name: 'bn', axis: -1 }).apply(x) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: x });
    const dir = path.join(root, 'zoo-layers');
    await saveModel(model, dir, { ...info, classNames: undefined });
    const loaded = await loadModel(dir);
    expect(loaded.getLayer('conv')).toBeInstanceOf(Conv2D);
    expect(loaded.getLayer('bn')).toBeInstanceOf(BatchNormalization);
    expect(weightBits(loaded)).toEqual(weightBits(model));
    // Outside loadModel, TF.js deserialises its own classes again.
    const plain = await tf.models.modelFromJSON({ modelTopology: model.toJSON(undefined, false) as tf.io.ModelJSON['modelTopology'] });
    expect(plain.getLayer('conv')).not.toBeInstanceOf(Conv2D);
    expect(plain.getLayer('bn')).not.toBeInstanceOf(BatchNormalization);
    [model, loaded, plain].forEach((m) => m.dispose());
  });

  it('loadWeights fills a fresh model by the stable layer/weight name and returns the manifest', async () => {
    const fresh = lenet5({ seed: 2 });
    // The second 'c1' in this process: TF.js suffixes the variable's name, not its originalName.
    expect(fresh.weights[0].originalName).toBe('c1/kernel');
    expect(fresh.weights[0].name).not.toBe('c1/kernel');
    expect(weightBits(fresh)).not.toEqual(weightBits(source));
    const manifest = await loadWeights(fresh, good);
    expect(weightBits(fresh)).toEqual(weightBits(source));
    expect(manifest?.classNames).toEqual(DIGITS);
    // The exact config the model was built with, with the seed the info restated.
    expect(manifest?.config).toMatchObject({ seed: 1, numClasses: 10, inputShape: [32, 32, 1], variant: 'classic' });
    fresh.dispose();
  });

  it('writes the TF.js format: plain tf.loadLayersModel reads it through a minimal IOHandler', async () => {
    // Independent of src/weights: model.json plus its shards concatenated, as TF.js defines the format.
    const dir = path.join(root, 'sharded');
    const modelJson = await readJson(path.join(dir, 'model.json'));
    const shards = await Promise.all(modelJson.weightsManifest[0].paths.map((p: string) => fs.readFile(path.join(dir, p))));
    const data = new Uint8Array(Buffer.concat(shards)).buffer;
    const loaded = await tf.loadLayersModel({
      load: async () => ({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0].weights, weightData: data }),
    });
    expect(weightBits(loaded)).toEqual(weightBits(source));
    loaded.dispose();
  });

  it('reads a tfjs-node style folder (one ./weights.bin, no manifest) only with requireManifest: false', async () => {
    const dir = path.join(root, 'tfjs-node');
    await fs.mkdir(dir);
    const modelJson = await readJson(path.join(good, 'model.json'));
    modelJson.weightsManifest[0].paths = ['./weights.bin'];
    await fs.writeFile(path.join(dir, 'model.json'), JSON.stringify(modelJson));
    await fs.copyFile(path.join(good, SHARD), path.join(dir, 'weights.bin'));

    await expect(loadModel(dir)).rejects.toThrow(/cnn-zoo\.json: is missing: .* pass \{ requireManifest: false \}/);
    const loaded = await loadModel(dir, { requireManifest: false });
    expect(weightBits(loaded)).toEqual(weightBits(source));
    // The IOHandler alone, for model.save() and tf.loadLayersModel().
    const viaHandler = await tf.loadLayersModel(fileSystem(dir));
    expect(weightBits(viaHandler)).toEqual(weightBits(source));
    loaded.dispose();
    viaHandler.dispose();
  });

  it('saves through the IOHandler with model.save()', async () => {
    const dir = path.join(root, 'handler');
    await source.save(fileSystem(dir));
    expect((await fs.readdir(dir)).sort()).toEqual([SHARD, 'model.json']);
    const loaded = await loadModel(dir, { requireManifest: false });
    expect(weightBits(loaded)).toEqual(weightBits(source));
    loaded.dispose();
  });
});

describe('rejected folders leave the model untouched', () => {
  it('a truncated shard, named, with and without a manifest', async () => {
    const dir = await copyOfGood();
    await fs.truncate(path.join(dir, SHARD), LENET_BYTES - 100);
    const error = await rejectsUntouched(dir);
    expect(error.file).toBe(path.join(await fs.realpath(dir), SHARD));
    expect(error.message).toMatch(/group1-shard1of1\.bin: truncated: the file has 246724 bytes, cnn-zoo\.json records 246824/);

    await fs.rm(path.join(dir, MANIFEST_FILE));
    const plain = await rejectsUntouched(dir, { requireManifest: false });
    expect(plain.message).toMatch(/group1-shard1of1\.bin: truncated: weightsManifest\.0 stores 10 weights that need 246824 bytes, its files hold 246724/);
  });

  it('one flipped byte in a shard or in model.json, named', async () => {
    const dir = await copyOfGood();
    const shard = await fs.readFile(path.join(dir, SHARD));
    shard[1000] ^= 0x01;
    await fs.writeFile(path.join(dir, SHARD), shard);
    expect((await rejectsUntouched(dir)).message).toMatch(/group1-shard1of1\.bin: sha256 mismatch: the file hashes to [0-9a-f]{64}, cnn-zoo\.json records [0-9a-f]{64} \(files\.1\.sha256\)/);
    await expect(loadModel(dir)).rejects.toThrow(/group1-shard1of1\.bin: sha256 mismatch/);

    const other = await copyOfGood();
    const json = await fs.readFile(path.join(other, 'model.json'), 'utf8');
    await fs.writeFile(path.join(other, 'model.json'), json.replace('"c1"', '"d1"'));
    expect((await rejectsUntouched(other)).message).toMatch(/model\.json: sha256 mismatch/);
  });

  it('a missing weight, named', async () => {
    const dir = await copyOfGood();
    await rewrite(dir, (specs, data) => {
      const at = offsetOf(specs, 'c3/bias');
      return { specs: specs.filter((s) => s.name !== 'c3/bias'), data: Buffer.concat([data.subarray(0, at), data.subarray(at + 16 * 4)]) };
    });
    const error = await rejectsUntouched(dir);
    expect(error.weight).toBe('c3/bias');
    expect(error.message).toMatch(/model\.json: the weights do not match model 'lenet5' \(missing from the file: c3\/bias\)/);
    await expect(loadModel(dir)).rejects.toThrow(/missing from the file: c3\/bias/);
  });

  it('an extra weight, named', async () => {
    const dir = await copyOfGood();
    await rewrite(dir, (specs, data) => ({
      specs: [...specs, { name: 'c9/kernel', shape: [2], dtype: 'float32' }],
      data: Buffer.concat([data, Buffer.alloc(8)]),
    }));
    const error = await rejectsUntouched(dir);
    expect(error.weight).toBe('c9/kernel');
    expect(error.message).toMatch(/\(not in the model: c9\/kernel\)/);
    await expect(loadModel(dir)).rejects.toThrow(/not in the model: c9\/kernel/);
  });

  it('a wrong shape with the right byte count, naming the weight and both shapes', async () => {
    const dir = await copyOfGood();
    await rewrite(dir, (specs, data) => ({ specs: specs.map((s) => (s.name === 'c1/kernel' ? { ...s, shape: [5, 5, 6, 1] } : s)), data }));
    const error = await rejectsUntouched(dir);
    expect(error.weight).toBe('c1/kernel');
    expect(error.message).toMatch(/weight 'c1\/kernel' has shape \[5, 5, 6, 1\] in the file but \[5, 5, 1, 6\] in the model/);
    // loadModel builds the topology, refuses the weights the same way, and leaves no tensor behind.
    const tensors = tf.memory().numTensors;
    await expect(loadModel(dir)).rejects.toThrow(/weight 'c1\/kernel' has shape \[5, 5, 6, 1\] in the file but \[5, 5, 1, 6\] in the model/);
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('weights saved for 5 classes into a 10-class model', async () => {
    const dir = path.join(root, 'five-classes');
    await saveModel(lenet5({ numClasses: 5, seed: 1 }), dir, { ...info, config: { numClasses: 5, seed: 1 }, classNames: undefined });
    const error = await rejectsUntouched(dir);
    expect(error.message).toMatch(
      /weight 'predictions\/kernel' has shape \[84, 5\] in the file but \[84, 10\] in the model, weight 'predictions\/bias' has shape \[5\] in the file but \[10\] in the model/,
    );
  });

  it('a manifest path outside the folder: ../, absolute, or a symbolic link', async () => {
    for (const [bad, rule] of [
      [`../${path.basename(good)}/${SHARD}`, /no '\.\.'/],
      [path.join(good, SHARD), /absolute paths and URLs are refused/],
      [`sub\\..\\..\\${SHARD}`, /backslashes are refused/],
    ] as const) {
      const dir = await copyOfGood();
      const manifest = await readJson(path.join(dir, MANIFEST_FILE));
      manifest.files[1].path = bad;
      await fs.writeFile(path.join(dir, MANIFEST_FILE), JSON.stringify(manifest));
      const error = await rejectsUntouched(dir);
      expect(error.field).toBe('files.1.path');
      expect(error.message).toContain(`cnn-zoo.json: files.1.path: must be a relative path inside the folder`);
      expect(error.message).toMatch(rule);
      expect(error.message).toContain(JSON.stringify(bad));
    }

    // model.json's own shard paths obey the same rule.
    const viaModelJson = await copyOfGood();
    const modelJson = await readJson(path.join(viaModelJson, 'model.json'));
    modelJson.weightsManifest[0].paths = [`../${path.basename(good)}/${SHARD}`];
    await fs.writeFile(path.join(viaModelJson, 'model.json'), JSON.stringify(modelJson));
    await resign(viaModelJson);
    expect((await rejectsUntouched(viaModelJson)).field).toBe('weightsManifest.0.paths.0');

    // A link to identical bytes outside the folder passes the checksum but not the boundary.
    const linked = await copyOfGood();
    const outside = path.join(root, 'outside.bin');
    await fs.copyFile(path.join(good, SHARD), outside);
    await fs.rm(path.join(linked, SHARD));
    await fs.symlink(outside, path.join(linked, SHARD));
    expect((await rejectsUntouched(linked)).message).toMatch(/group1-shard1of1\.bin: resolves to .*outside\.bin, outside the folder/);
  });

  it('a shard that model.json names but the manifest does not check', async () => {
    const dir = await copyOfGood();
    const manifest = await readJson(path.join(dir, MANIFEST_FILE));
    manifest.files = manifest.files.filter((file: { path: string }) => file.path !== SHARD);
    await fs.writeFile(path.join(dir, MANIFEST_FILE), JSON.stringify(manifest));
    const error = await rejectsUntouched(dir);
    expect(error.field).toBe('weightsManifest.0.paths.0');
    expect(error.message).toMatch(/names "group1-shard1of1\.bin", which cnn-zoo\.json does not list/);
  });

  it('a manifest that fails its schema, naming the field, the rule and the value', async () => {
    const cases: [(m: any) => void, string, RegExp][] = [
      [(m) => (m.licence = ''), 'licence', /licence: must be a non-empty string, received ""/],
      [(m) => (m.version = 2), 'version', /version: must be 1 .*received 2/],
      [(m) => (m.files[0].sha256 = m.files[0].sha256.toUpperCase()), 'files.0.sha256', /files\.0\.sha256: must be a sha256 digest: 64 lower-case hex digits/],
      [(m) => (m.preprocessing.range = [1, 0]), 'preprocessing.range', /preprocessing\.range: must be \[min, max\] with min < max, received \[1,0\]/],
      [(m) => (m.licenze = 'MIT'), 'licenze', /licenze: unknown option; did you mean 'licence'\?/],
      [(m) => m.files.push({ ...m.files[0] }), 'files.2.path', /files\.2\.path: lists the same file as files\.0\.path/],
    ];
    for (const [edit, field, message] of cases) {
      const dir = await copyOfGood();
      const manifest = await readJson(path.join(dir, MANIFEST_FILE));
      edit(manifest);
      await fs.writeFile(path.join(dir, MANIFEST_FILE), JSON.stringify(manifest));
      const error = await rejectsUntouched(dir);
      expect(error.field).toBe(field);
      expect(error.message).toMatch(message);
    }
    const broken = await copyOfGood();
    await fs.writeFile(path.join(broken, MANIFEST_FILE), '{"format": "cnn-zoo-weights",');
    expect((await rejectsUntouched(broken)).message).toMatch(/cnn-zoo\.json: is not valid JSON/);
  });
});

describe('saving without ceremony: what the zoo knows of a model goes into its manifest', () => {
  it('saves a model the zoo built with no info, and the exact config rebuilds it (5 classes at 64x64)', async () => {
    const model = resnet18({ numClasses: 5, inputShape: [64, 64, 3], seed: 4 });
    expect(modelInfo(model)).toMatchObject({ model: 'resnet18', config: { numClasses: 5, inputShape: [64, 64, 3], seed: 4 } });
    const dir = path.join(root, 'no-info');
    const manifest = await saveModel(model, dir);
    expect(manifest.model).toBe('resnet18');
    expect(manifest.config).toMatchObject({ numClasses: 5, inputShape: [64, 64, 3], variant: 'torchvision', architecture: { block: 'basic', layers: [2, 2, 2, 2] } });
    expect(manifest.preprocessing).toEqual({ inputShape: [64, 64, 3], range: [0, 1], channelOrder: 'rgb' });
    const [loaded, rebuilt] = [await loadModel(dir), await createModel('resnet18', { weights: dir })];
    const x = tf.randomUniform([1, 64, 64, 3], 0, 1, 'float32', 8);
    const outputs = [model, loaded, rebuilt].map((m) => m.predict(x) as tf.Tensor);
    expect(outputs[1].shape).toEqual([1, 5]);
    expect(Array.from(outputs[1].dataSync())).toEqual(Array.from(outputs[0].dataSync()));
    expect(Array.from(outputs[2].dataSync())).toEqual(Array.from(outputs[0].dataSync()));
    tf.dispose([x, ...outputs]);
    [model, loaded, rebuilt].forEach((m) => m.dispose());
  });

  it("accepts a config that restates the model's, refuses one that changes a weight, and reports every problem at once", async () => {
    const model = resnet18({ numClasses: 5, inputShape: [64, 64, 3], initialize: false });
    const dir = path.join(root, 'partial-config');
    // An empty config once loaded a 1000-class model's config: now the model's own is written.
    expect((await saveModel(model, dir, { config: {} })).config).toMatchObject({ numClasses: 5, inputShape: [64, 64, 3] });
    const error = await saveModel(model, path.join(root, 'wrong'), { config: { numClasses: 1000 }, classNames: ['a'], licence: '' }).catch((e: unknown) => e as ConfigError);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((issue) => issue.field)).toEqual(['licence', 'config', 'classNames']);
    expect((error as ConfigError).message).toMatch(/^config: must agree with the config the model was built with \(numClasses: 5\)/m);
    await expect(fs.stat(path.join(root, 'wrong'))).rejects.toThrow(/ENOENT/);
    model.dispose();
  });

  it('carries class names, preprocessing, source and licence over from loaded weights', async () => {
    const shipped = await createModel('lenet5', { weights: 'mnist' });
    const dir = path.join(root, 'resaved');
    const manifest = await saveModel(shipped, dir);
    expect(manifest.classNames).toEqual(DIGITS);
    expect(manifest.licence).toBe('CC-BY-SA-3.0');
    expect(manifest.preprocessing).toEqual({ inputShape: [28, 28, 1], range: [0, 1], channelOrder: 'rgb' });
    expect(manifest.config).toMatchObject({ inputShape: [28, 28, 1], inputPadding: 2, seed: 1998 });
    shipped.dispose();
  });
});
