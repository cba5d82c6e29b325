/**
 * The TypeScript side of the formula weights of scripts/references/make-torchvision-references.py:
 * the same values, to the bit, from the keys and shapes in test/fixtures/torchvision/*.json, so the
 * parity tests need no Python. The formula is only uint32 arithmetic, one exact division by 2^32, one
 * multiply and one add in float64, then rounding to float32: operations IEEE 754 rounds alike in
 * numpy and JavaScript (no sin or exp, whose last bit differs between math libraries).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { KerasWeights } from '../../src/import/readers/index.js';
import type { SourceDType, TensorSet } from '../../src/import/tensors.js';

/** The formula as the Python script records it in every parity fixture (the test compares the two). */
export const FORMULA = {
  name: 'cnn-zoo formula weights v1',
  hash: 'lowbias32((i * 0x9E3779B9 + fnv1a32(key)) mod 2^32) / 2^32',
  value: 'float32(centre + halfWidth * (2u - 1))',
  roles: {
    'weight (rank >= 2)': { centre: 0, halfWidth: 'sqrt(6 / fan_in), fan_in = product of shape[1:]' },
    'weight (rank 1)': { centre: 1, halfWidth: 0.25 },
    bias: { centre: 0, halfWidth: 0.1 },
    running_mean: { centre: 0, halfWidth: 0.1 },
    running_var: { centre: 1, halfWidth: 0.5 },
    num_batches_tracked: { int64: 0 },
    input: { centre: 0, halfWidth: 2 },
  },
} as const;

/** FNV-1a, 32 bits, of the key's UTF-8 bytes. */
export function fnv1a32(key: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(key)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash;
}

/** `float32(centre + halfWidth * s)` over flat index i, s = 2u - 1 from the key's hash stream. */
export function formulaValues(key: string, count: number, centre: number, halfWidth: number): Float32Array {
  const seed = fnv1a32(key);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    let x = (Math.imul(i, 0x9e3779b9) + seed) >>> 0;
    x ^= x >>> 16;
    x = Math.imul(x, 0x7feb352d);
    x ^= x >>> 15;
    x = Math.imul(x, 0x846ca68b);
    x ^= x >>> 16;
    const u = (x >>> 0) / 4294967296;
    out[i] = centre + halfWidth * (u * 2 - 1);
  }
  return out;
}

/** (centre, halfWidth) of a state_dict key by its role; undefined for num_batches_tracked. */
export function formulaRole(key: string, shape: readonly number[]): { centre: number; halfWidth: number } | undefined {
  if (key.endsWith('.num_batches_tracked')) return undefined;
  if (key.endsWith('.running_var')) return { centre: 1, halfWidth: 0.5 };
  if (key.endsWith('.running_mean') || key.endsWith('.bias')) return { centre: 0, halfWidth: 0.1 };
  if (key.endsWith('.weight') && shape.length === 1) return { centre: 1, halfWidth: 0.25 };
  if (key.endsWith('.weight')) return { centre: 0, halfWidth: Math.sqrt(6 / shape.slice(1).reduce((a, b) => a * b, 1)) };
  throw new Error(`${key}: no formula role for this key (shape [${shape.join(', ')}])`);
}

/** sum over i of bits(value_i) * (i + 1), mod 2^32: the Python script's checksum. */
export function float32Checksum(values: Float32Array): number {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  let sum = 0;
  for (let i = 0; i < bits.length; i++) sum = (sum + Math.imul(bits[i], i + 1)) >>> 0;
  return sum;
}

/** One state_dict entry of a fixture: key, shape, dtype, and (parity fixtures) the checksum of its formula values. */
export type FixtureTensor = [key: string, shape: number[], dtype: SourceDType, checksum?: number];

/** A reference file of test/fixtures/torchvision. */
export interface TorchvisionFixture {
  model: string;
  builder: string;
  versions: Record<string, string>;
  formula?: unknown;
  tensors: FixtureTensor[];
  input?: { key: string; shape: [number, number, number, number]; layout: 'NCHW'; centre: number; halfWidth: number; checksum: number };
  outputs?: Record<string, { shape: number[]; values: number[] }>;
  strictLoading?: Record<string, string>;
  transformInput?: Record<string, string | number>;
}

const FIXTURES = fileURLToPath(new URL('../fixtures/torchvision/', import.meta.url));

/** Reads test/fixtures/torchvision/<name>.json. */
export function readFixture(name: string): TorchvisionFixture {
  return JSON.parse(readFileSync(`${FIXTURES}${name}.json`, 'utf8')) as TorchvisionFixture;
}

/** The fixture's keys and shapes as a TensorSet with the formula's values (torchvision's layout). */
export function formulaTensorSet(tensors: readonly FixtureTensor[]): TensorSet {
  const set: TensorSet = new Map();
  for (const [key, shape, dtype] of tensors) {
    const role = formulaRole(key, shape);
    const count = shape.reduce((a, b) => a * b, 1);
    set.set(key, { shape: [...shape], dtype, data: role ? formulaValues(key, count, role.centre, role.halfWidth) : new Float32Array(count) });
  }
  return set;
}

/** The fixture's keys and shapes only (no values): enough to check a mapping's coverage. */
export function shapesOnly(tensors: readonly FixtureTensor[]): Map<string, { shape: number[]; dtype: SourceDType }> {
  return new Map(tensors.map(([key, shape, dtype]) => [key, { shape: [...shape], dtype }]));
}

/** The fixture's input, NCHW as torchvision was fed, and transposed to NHWC for TF.js. */
export function formulaInput(fixture: Pick<TorchvisionFixture, 'input'>): { nchw: Float32Array; nhwc: Float32Array; shape: [number, number, number, number] } {
  const { key, shape, centre, halfWidth } = fixture.input!;
  const [n, c, h, w] = shape;
  const nchw = formulaValues(key, n * c * h * w, centre, halfWidth);
  const nhwc = new Float32Array(nchw.length);
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) nhwc[((b * h + y) * w + x) * c + ch] = nchw[((b * c + ch) * h + y) * w + x];
  return { nchw, nhwc, shape: [n, h, w, c] };
}

// Keras: the same formula, keyed by the Keras weight name (`conv1/kernel`), its role told by the
// name's last part, and filled in Keras's layout (scripts/references/make-keras-references.py).

/** The Keras roles as make-keras-references.py records them in every fixture of test/fixtures/keras. */
export const KERAS_FORMULA = {
  name: 'cnn-zoo formula weights v1, Keras roles',
  hash: FORMULA.hash,
  value: FORMULA.value,
  key: 'the Keras weight name without the :0 suffix (conv1/kernel)',
  roles: {
    kernel: { centre: 0, halfWidth: 'sqrt(6 / fan_in), fan_in = product of shape[:-1]' },
    depthwise_kernel: { centre: 0, halfWidth: 'sqrt(6 / (shape[0] * shape[1]))' },
    gamma: { centre: 1, halfWidth: 0.25 },
    beta: { centre: 0, halfWidth: 0.1 },
    bias: { centre: 0, halfWidth: 0.1 },
    moving_mean: { centre: 0, halfWidth: 0.1 },
    moving_variance: { centre: 1, halfWidth: 0.5 },
    input: { centre: 0, halfWidth: 2 },
  },
} as const;

/** (centre, halfWidth) of a Keras weight `layer/short` by its role. */
export function kerasFormulaRole(key: string, shape: readonly number[]): { centre: number; halfWidth: number } {
  const short = key.slice(key.lastIndexOf('/') + 1);
  const product = (axes: readonly number[]) => axes.reduce((a, b) => a * b, 1);
  if (short === 'kernel') return { centre: 0, halfWidth: Math.sqrt(6 / product(shape.slice(0, -1))) };
  if (short === 'depthwise_kernel') return { centre: 0, halfWidth: Math.sqrt(6 / (shape[0] * shape[1])) };
  const fixed: Record<string, { centre: number; halfWidth: number }> = {
    gamma: { centre: 1, halfWidth: 0.25 },
    beta: { centre: 0, halfWidth: 0.1 },
    bias: { centre: 0, halfWidth: 0.1 },
    moving_mean: { centre: 0, halfWidth: 0.1 },
    moving_variance: { centre: 1, halfWidth: 0.5 },
  };
  if (short in fixed) return fixed[short];
  throw new Error(`${key}: no formula role for this Keras weight (shape [${shape.join(', ')}])`);
}

/** One weight of a Keras fixture's layer: its name in a Keras 2 file (`conv1/kernel:0`), shape, and checksum of its formula values. */
export type KerasFixtureWeight = [name: string, shape: number[], checksum: number];

/** One layer of a Keras fixture, in Keras's `model.layers` order: name, class, its Keras 3 group, its weights. */
export type KerasFixtureLayer = [name: string, className: string, keras3Path: string, weights: KerasFixtureWeight[]];

/** A reference file of test/fixtures/keras. */
export interface KerasFixture {
  model: string;
  versions: Record<string, string>;
  formula: unknown;
  /** The zoo builder options the reference was computed at (the source's variant included). */
  zooOptions: Record<string, unknown>;
  /** The Keras Applications call the reference re-implements. */
  keras: string;
  /** The weight file it stands beside, if any (test/fixtures/keras/<file>). */
  file?: string;
  layers: KerasFixtureLayer[];
  input: { key: string; shape: [number, number, number, number]; layout: 'NCHW'; centre: number; halfWidth: number; checksum: number };
  /** Keras's outputs, in Keras's layout (NHWC for a feature map). */
  outputs: Record<string, { shape: number[]; values: number[] }>;
}

const KERAS_FIXTURES = fileURLToPath(new URL('../fixtures/keras/', import.meta.url));

/** The path of a file of test/fixtures/keras. */
export function kerasFixturePath(file: string): string {
  return `${KERAS_FIXTURES}${file}`;
}

/** Reads test/fixtures/keras/<name>.json. */
export function readKerasFixture(name: string): KerasFixture {
  return JSON.parse(readFileSync(kerasFixturePath(`${name}.json`), 'utf8')) as KerasFixture;
}

/** The formula's values of a Keras weight (`conv1/kernel:0` is keyed `conv1/kernel`). */
export function kerasFormulaValues(weightName: string, shape: readonly number[]): Float32Array {
  const key = weightName.replace(/:\d+$/, '');
  const { centre, halfWidth } = kerasFormulaRole(key, shape);
  return formulaValues(key, shape.reduce((a, b) => a * b, 1), centre, halfWidth);
}

/**
 * The fixture's layers as a Keras weight file would hold them, filled by the formula: Keras 2's
 * `weights` layout (layer names, weights named `conv1/kernel:0`, layers without weights listed
 * too), or Keras 3's `vars` layout (each layer's group `layers/conv2d_3`, its variables `0`, `1`...;
 * groups without variables left out, as the reader leaves them out).
 */
export function kerasFormulaWeights(fixture: KerasFixture, layout: 'weights' | 'vars' = 'weights'): KerasWeights {
  const tensors: TensorSet = new Map();
  const layers: KerasWeights['layers'] = [];
  for (const [name, , keras3Path, weights] of fixture.layers) {
    if (layout === 'vars' && weights.length === 0) continue;
    const layerName = layout === 'vars' ? keras3Path : name;
    const names = weights.map(([weightName], i) => (layout === 'vars' ? String(i) : weightName));
    layers.push({ name: layerName, weights: names });
    weights.forEach(([weightName, shape], i) => {
      tensors.set(`${layerName}/${names[i]}`, { shape: [...shape], dtype: 'float32', data: kerasFormulaValues(weightName, shape) });
    });
  }
  return { format: layout === 'vars' ? 'keras' : 'keras-h5', layout, tensors, layers, ...(layout === 'weights' && { backend: 'tensorflow' }) };
}
