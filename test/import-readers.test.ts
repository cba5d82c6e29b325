/**
 * The weight-file readers against figures PyTorch and h5py computed: test/fixtures/readers/ and its
 * expected.json are written by scripts/fixtures/make-reader-fixtures.py (run by hand; these tests
 * only read the committed files). Values must match exactly, as float32.
 */
import { promises as fs, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWeightFile, writeSafetensors, type KerasLayerWeights, type ReadProgress } from '../src/import/readers/index.js';
import type { SourceDType, TensorSet } from '../src/import/tensors.js';
import { WeightsError } from '../src/weights/errors.js';

const FIXTURES = path.join(import.meta.dirname, 'fixtures', 'readers');

interface ExpectedTensor {
  shape: number[];
  dtype: SourceDType;
  values: number[];
}

interface ExpectedFile {
  tensors: [string, ExpectedTensor][];
  unwrappedKey?: string;
  metadata?: Record<string, string>;
  layout?: string;
  layers?: KerasLayerWeights[];
  kerasVersion?: string;
  backend?: string;
}

const expected = JSON.parse(readFileSync(path.join(FIXTURES, 'expected.json'), 'utf8')) as Record<string, ExpectedFile>;

function fixture(name: string): string {
  return path.join(FIXTURES, name);
}

/** Names in order, then each tensor's shape, element type and every value, exactly. */
function expectTensors(actual: TensorSet, wanted: [string, ExpectedTensor][]): void {
  expect([...actual.keys()]).toEqual(wanted.map(([name]) => name));
  for (const [name, { shape, dtype, values }] of wanted) {
    const tensor = actual.get(name)!;
    expect({ name, shape: tensor.shape, dtype: tensor.dtype }).toEqual({ name, shape, dtype });
    expect(tensor.data).toBeInstanceOf(Float32Array);
    expect(Array.from(tensor.data)).toEqual(values);
  }
}

/** The WeightsError reading `name` throws. */
async function readError(name: string): Promise<WeightsError> {
  const error = await readWeightFile(fixture(name)).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(WeightsError);
  expect((error as WeightsError).file).toBe(fixture(name));
  return error as WeightsError;
}

describe('readWeightFile: PyTorch torch.save files', () => {
  it('reads a state_dict as torch reads it: float32, float16, bfloat16, float64, integers, views, scalars, empty, a Parameter', async () => {
    const weights = await readWeightFile(fixture('state-dict.pth'));
    expect(weights.format).toBe('pytorch');
    expectTensors(weights.tensors, expected['state-dict.pth'].tensors);
    expect(weights).not.toHaveProperty('unwrappedKey');
  });

  it('honours the storage offsets and strides of views that share one storage', async () => {
    const { tensors } = await readWeightFile(fixture('state-dict.pth'));
    const full = tensors.get('shared.full')!.data; // 4x6, row-major
    const at = (row: number, column: number) => full[row * 6 + column];
    expect(Array.from(tensors.get('shared.row')!.data)).toEqual([0, 1, 2, 3, 4, 5].map((column) => at(1, column)));
    const transposed = tensors.get('shared.transposed')!;
    expect(transposed.shape).toEqual([6, 4]);
    expect(Array.from(transposed.data)).toEqual([0, 1, 2, 3, 4, 5].flatMap((column) => [0, 1, 2, 3].map((row) => at(row, column))));
    expect(Array.from(tensors.get('shared.columns')!.data)).toEqual([0, 1, 2, 3].flatMap((row) => [at(row, 1), at(row, 3)]));
  });

  it.each([
    ['wrapped-state-dict.pth', 'state_dict'],
    ['wrapped-model.pth', 'model'],
  ])('unwraps %s and says it took the state_dict from %j', async (name, key) => {
    const weights = await readWeightFile(fixture(name));
    expect(weights).toMatchObject({ format: 'pytorch', unwrappedKey: key });
    expect(expected[name].unwrappedKey).toBe(key);
    expectTensors(weights.tensors, expected[name].tensors);
  });

  it("reads storages written big endian, as its byteorder entry says", async () => {
    const weights = await readWeightFile(fixture('big-endian.pth'));
    expectTensors(weights.tensors, expected['big-endian.pth'].tensors);
  });

  it('reports progress from 0 to the bytes of tensor data, monotonically', async () => {
    const reports: ReadProgress[] = [];
    await readWeightFile(fixture('state-dict.pth'), { onProgress: (progress) => reports.push(progress) });
    const total = reports[0].totalBytes;
    // The bytes each tensor spans in its storage: conv 24 + 2 floats, 5 + 5 halves, 3 doubles, base 24 floats and
    // its views (a row 6, the transpose 24, the columns 1 + 3*6 + 2 = 21), the expanded 3x1 (3), 2.5, none,
    // 3 int32, 3 + 3 bytes, 1 int64, a 2-float parameter.
    expect(total).toBe(26 * 4 + 10 * 2 + 3 * 8 + (24 + 6 + 24 + 21) * 4 + 3 * 4 + 4 + 3 * 4 + 6 + 8 + 2 * 4);
    expect(reports[0].bytesRead).toBe(0);
    expect(reports.at(-1)).toEqual({ bytesRead: total, totalBytes: total });
    for (let i = 1; i < reports.length; i++) expect(reports[i].bytesRead).toBeGreaterThan(reports[i - 1].bytesRead);
  });

  it('refuses a pickle that names a forbidden global, at its GLOBAL opcode, before anything could be called', async () => {
    const error = await readError('forbidden-global.pth');
    expect(error.field).toBe('archive/data.pkl');
    expect(error.message).toMatch(/: archive\/data\.pkl: refuses to unpickle the global 'posix\.system': only what a state_dict holds is allowed .* nothing from the file is run/);
  });

  it.each([
    ['checkpoint-with-args.pth', 'argparse.Namespace'],
    ['checkpoint-numpy-scalar.pth', 'numpy.core.multiarray.scalar'],
  ])('refuses a real checkpoint %s holding %s, and says how to save its state_dict alone', async (name, global) => {
    const error = await readError(name);
    expect(error.message).toContain(`refuses to unpickle the global '${global}'`);
    expect(error.message).toContain("torch.save(torch.load(f, weights_only=False)['model'], 'weights.pth')");
  });

  it('refuses a storage type it cannot widen, listing those it can', async () => {
    expect((await readError('int16.pth')).message).toMatch(/: int16\/data\.pkl: holds tensors of type torch\.ShortStorage, which cannot be read \(readable: torch\.FloatStorage, .*torch\.BoolStorage\)$/);
  });

  it('refuses the legacy format and says how to save it again', async () => {
    const error = await readError('legacy.pth');
    expect(error.message).toMatch(/is in PyTorch's legacy format .*_use_new_zipfile_serialization=False.*torch\.save\(torch\.load\('old\.pth'\), 'new\.pth'\)/);
  });

  it('refuses a bare pickle', async () => {
    expect((await readError('plain.pkl')).message).toMatch(/plain\.pkl: is a bare Python pickle \(protocol 2\), not a torch\.save zip archive/);
  });

  it('refuses a truncated file', async () => {
    expect((await readError('truncated.pth')).message).toMatch(/truncated\.pth: is not a readable zip archive \(truncated or corrupted\): End of central directory record signature not found/);
  });

  it('refuses a truncated data.pkl', async () => {
    expect((await readError('truncated-pickle.pth')).message).toMatch(/: state-dict\/data\.pkl: is not a pickle of a state_dict: .*(end of file|more bytes)/i);
  });

  it('refuses a zip without data.pkl, listing what it has', async () => {
    expect((await readError('missing-data-pkl.pth')).message).toMatch(/is a zip archive without a <prefix>\/data\.pkl entry, so not a torch\.save file; its entries: archive\/version, archive\/data\/0$/);
  });

  it('refuses a missing storage entry, naming it and its tensor', async () => {
    const error = await readError('missing-storage.pth');
    expect(error).toMatchObject({ field: 'state-dict/data/0', weight: 'conv.weight' });
    expect(error.message).toMatch(/: state-dict\/data\/0: the storage entry of tensor 'conv\.weight' is missing from the archive$/);
  });

  it('refuses a storage entry too short for its tensor, with the bytes it has and needs', async () => {
    const error = await readError('short-storage.pth');
    expect(error).toMatchObject({ field: 'state-dict/data/5', weight: 'shared.full' });
    expect(error.message).toMatch(/: state-dict\/data\/5: has 40 bytes, too short for tensor 'shared\.full' \(float32, shape \[4, 6\], storage offset 0\), which needs its bytes 0 to 96$/);
  });

  it('refuses a corrupted zip entry', async () => {
    const error = await readError('corrupted-entry.pth');
    expect(error.message).toMatch(/: state-dict\/data\/0: corrupted zip entry: invalid local file header signature/);
  });
});

describe('readWeightFile: safetensors', () => {
  it('reads every dtype and the metadata as torch reads them', async () => {
    const weights = await readWeightFile(fixture('tensors.safetensors'));
    expect(weights.format).toBe('safetensors');
    expectTensors(weights.tensors, expected['tensors.safetensors'].tensors);
    expect(weights).toMatchObject({ metadata: expected['tensors.safetensors'].metadata });
  });

  it.each([
    ['header-length-beyond-file.safetensors', /: header length 1000000 \(its first 8 bytes\) reaches beyond the file, which has 96 bytes: truncated, or not a safetensors file$/],
    ['overlapping.safetensors', /: b: data_offsets \[8, 16\] overlap those of 'a' \[0, 16\]$/],
    ['out-of-range.safetensors', /: a: data_offsets \[0, 24\] reach beyond the data section, which has 16 bytes \(truncated file\?\)$/],
    ['wrong-size.safetensors', /: a: data_offsets \[0, 24\] span 24 bytes; F32 of shape \[2, 2\] takes 16$/],
    ['unknown-dtype.safetensors', /: a: dtype "F8_E4M3" cannot be read \(readable: F32, F16, BF16, F64, I64, I32, U8, BOOL\)$/],
    ['bad-json.safetensors', /: header \(bytes 8 to 30\) is not UTF-8 JSON: /],
  ])('refuses %s, whose header lies', async (name, message) => {
    expect((await readError(name)).message).toMatch(message);
  });
});

describe('writeSafetensors', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cnn-zoo-safetensors-'));
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('writes the format byte for byte: u64 header length, JSON header padded to 8 bytes, float32 little endian', async () => {
    const file = path.join(dir, 'tiny.safetensors');
    await writeSafetensors(file, new Map([['fc.bias', { shape: [2], data: new Float32Array([1, -2]) }]]));
    const json = '{"fc.bias":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
    const padded = json.padEnd(Math.ceil(json.length / 8) * 8, ' ');
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(padded.length));
    const values = Buffer.alloc(8);
    values.writeFloatLE(1, 0);
    values.writeFloatLE(-2, 4);
    expect(await fs.readFile(file)).toEqual(Buffer.concat([length, Buffer.from(padded), values]));
  });

  it('round-trips a state_dict read from a .pth, with metadata', async () => {
    const file = path.join(dir, 'round-trip.safetensors');
    const source = await readWeightFile(fixture('state-dict.pth'));
    await writeSafetensors(file, source.tensors, { metadata: { format: 'pt', converted: 'cnn-zoo' } });
    const again = await readWeightFile(file);
    expect(again).toMatchObject({ format: 'safetensors', metadata: { format: 'pt', converted: 'cnn-zoo' } });
    expect([...again.tensors.keys()]).toEqual([...source.tensors.keys()]);
    for (const [name, tensor] of source.tensors) {
      expect(again.tensors.get(name)).toEqual({ shape: tensor.shape, dtype: 'float32', data: tensor.data });
    }
  });

  it('refuses to replace a file unless asked, and replaces it when asked', async () => {
    const file = path.join(dir, 'existing.safetensors');
    await fs.writeFile(file, 'old');
    const tensors = new Map([['w', { shape: [1], data: new Float32Array([3]) }]]);
    await expect(writeSafetensors(file, tensors)).rejects.toThrow(/existing\.safetensors: already exists; pass \{ overwrite: true \} to replace it/);
    expect(await fs.readFile(file, 'utf8')).toBe('old');
    await writeSafetensors(file, tensors, { overwrite: true });
    expect(Array.from((await readWeightFile(file)).tensors.get('w')!.data)).toEqual([3]);
  });

  it('refuses bad input before writing anything, and leaves nothing half-written when the write fails', async () => {
    const file = path.join(dir, 'bad.safetensors');
    await expect(writeSafetensors(file, new Map([['w', { shape: [2, 2], data: new Float32Array(3) }]]))).rejects.toThrow(
      /bad\.safetensors: tensor 'w' has shape \[2, 2\] but 3 values/,
    );
    await expect(writeSafetensors(file, new Map([['__metadata__', { shape: [], data: new Float32Array(1) }]]))).rejects.toThrow(WeightsError);
    // A folder where the file should go: the rename fails after the data were written.
    await fs.mkdir(file);
    await expect(writeSafetensors(file, new Map([['w', { shape: [1], data: new Float32Array(1) }]]), { overwrite: true })).rejects.toThrow(
      /bad\.safetensors: could not be written \(\w+\); nothing was written under its name/,
    );
    expect((await fs.readdir(dir)).filter((name) => name.includes('.tmp-'))).toEqual([]);
  });
});

describe('readWeightFile: Keras HDF5 and .keras', () => {
  it.each(['keras-weights.h5', 'keras-model.h5'])('reads %s: layers in order, weights in weight_names order, values as h5py reads them (float16 and gzip too)', async (name) => {
    const weights = await readWeightFile(fixture(name));
    const { tensors, layers, layout, kerasVersion, backend } = expected[name];
    expect(weights).toMatchObject({ format: 'keras-h5', layout, layers, kerasVersion, backend });
    expectTensors(weights.tensors, tensors);
  });

  it('keeps the order Keras loads by, not the alphabetical one (gamma before beta)', async () => {
    const weights = await readWeightFile(fixture('keras-weights.h5'));
    if (weights.format !== 'keras-h5') throw new Error(`read as ${weights.format}`);
    expect(weights.layers.find((layer) => layer.name === 'block1_bn')!.weights).toEqual(['block1_bn/gamma:0', 'block1_bn/beta:0', 'block1_bn/moving_mean:0', 'block1_bn/moving_variance:0']);
  });

  it("reads a Keras 3 .keras archive's vars layout, leaving the optimizer out", async () => {
    const weights = await readWeightFile(fixture('keras3.keras'));
    const { tensors, layers, layout, kerasVersion } = expected['keras3.keras'];
    expect(weights).toMatchObject({ format: 'keras', layout, layers, kerasVersion });
    expectTensors(weights.tensors, tensors);
  });

  it('reports progress over the datasets', async () => {
    const reports: ReadProgress[] = [];
    await readWeightFile(fixture('keras-weights.h5'), { onProgress: (progress) => reports.push(progress) });
    // conv 108 + 4, batch norm 4 x 4 float32; fc1's kernel 12 float64, its bias 3 float32; predictions 6 + 2 float16.
    const total = (108 + 4 + 16 + 3) * 4 + 12 * 8 + 8 * 2;
    expect(reports[0]).toEqual({ bytesRead: 0, totalBytes: total });
    expect(reports.at(-1)).toEqual({ bytesRead: total, totalBytes: total });
  });

  it('refuses a truncated .h5 (the first half of keras-weights.h5), with the sizes', async () => {
    const whole = statSync(fixture('keras-weights.h5')).size;
    expect((await readError('truncated.h5')).message).toMatch(
      new RegExp(`truncated\\.h5: is not a readable HDF5 file: truncated: it has ${Math.floor(whole / 2)} bytes where its superblock says ${whole}$`),
    );
  });

  it.each([
    ['corrupted.h5', /corrupted\.h5: is not a readable HDF5 file: corrupted \(HDF5 says: .+\)$/],
    ['not-keras.h5', /not-keras\.h5: has none of Keras's layouts: no layer_names attribute at the root, no model_weights group, no layers or vars group; it holds x$/],
  ])('refuses %s', async (name, message) => {
    expect((await readError(name)).message).toMatch(message);
  });
});

describe('readWeightFile: format detection', () => {
  it('goes by the first bytes, not the extension', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cnn-zoo-detect-'));
    try {
      const disguised = path.join(dir, 'weights.bin');
      await fs.copyFile(fixture('tensors.safetensors'), disguised);
      expect((await readWeightFile(disguised)).format).toBe('safetensors');
      await fs.copyFile(fixture('keras-weights.h5'), path.join(dir, 'weights.pth'));
      expect((await readWeightFile(path.join(dir, 'weights.pth'))).format).toBe('keras-h5');
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('says what it expected and what it found in an unknown file', async () => {
    expect((await readError('unknown.bin')).message).toMatch(
      /unknown\.bin: is not a weight file this reader knows: expected a zip .*, HDF5 .* or safetensors .*; found 68 65 6c 6c 6f .* \("hello, these are"\)$/,
    );
  });

  it('refuses an empty file, a missing one and a folder', async () => {
    expect((await readError('empty.bin')).message).toMatch(/empty\.bin: is empty$/);
    expect((await readError('no-such-file.pth')).message).toMatch(/no-such-file\.pth: cannot be opened \(ENOENT\)$/);
    const folder = await readWeightFile(FIXTURES).catch((error: unknown) => error);
    expect(folder).toBeInstanceOf(WeightsError);
    expect((folder as Error).message).toMatch(/readers: is not a file \(a folder\?\); expected a weight file$/);
  });
});
