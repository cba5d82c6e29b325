/**
 * The generic mapper between torchvision state_dicts and zoo models: the family's rule names the
 * module, everything else (parameter names, layouts, strictness) is the same for every family.
 *
 * Layouts, torchvision → zoo:
 * - conv kernels OIHW → HWIO; grouped ones `(O, I/g, kh, kw)` → `(kh, kw, I/g, O)`, the same
 *   permutation, because the zoo's GroupedConv2D keeps one kernel whose output axis is cut into
 *   groups in order, as PyTorch's is;
 * - depthwise kernels `(C·M, 1, kh, kw)` → `(kh, kw, C, M)` (output channel c·M + m in both);
 * - Linear weights `(out, in)` → `(in, out)`; for a Dense fed by a Flatten of an (H, W, C) map,
 *   PyTorch flattened (C, H, W), so its columns are also reordered to (H, W, C);
 * - biases and BatchNorm's four vectors as they are.
 */
import type { TorchvisionNames } from '../../families/family.js';
import type { SourceDType, SourceTensor, TensorSet } from '../tensors.js';
import { tf } from '../../tf.js';
import { TorchvisionMappingError, type MappingMismatch, type NamedShape } from './errors.js';
import { writeMappedWeights } from '../assign.js';

/** A family's torchvision names, with the family's name for messages. */
interface TorchvisionRule extends TorchvisionNames {
  family: string;
}

/**
 * Options of the mapping functions.
 *
 * @category Import
 */
export interface TorchvisionMappingOptions {
  /** The model's family (`resnet`), for messages. */
  family: string;
  /** How torchvision names the family's layers: its definition's `sources.torchvision.names`. */
  names: TorchvisionNames;
  /** The file the tensors came from, for the error message. Default `'state_dict'`. */
  file?: string;
}

/**
 * How a zoo weight's values sit in torchvision's tensor: `copy` (biases, BatchNorm's vectors),
 * `conv` (OIHW ↔ HWIO, grouped convs alike), `depthwise` ((C·M, 1, kh, kw) ↔ (kh, kw, C, M)),
 * `dense` ((out, in) ↔ (in, out)), `flattenedDense` (a Linear after a Flatten: also its columns
 * from (C, H, W) to (H, W, C)).
 *
 * @category Import
 */
export type TorchvisionLayout = 'copy' | 'conv' | 'depthwise' | 'dense' | 'flattenedDense';

/** One zoo weight, its torchvision key and how the values move between the two. */
interface PlannedWeight {
  zoo: string;
  key: string;
  kind: TorchvisionLayout;
  variable: tf.LayerVariable;
  zooShape: number[];
  torchShape: number[];
  /** How the values move, for every layout but 'copy' ({@link Move}). */
  move?: Move;
}

interface ModelPlan {
  weights: PlannedWeight[];
  /** Module paths of the mapped BatchNorms (their `num_batches_tracked` is skipped, or written back). */
  batchNorms: string[];
  unmapped: string[];
}

/** The zoo's short weight names and torchvision's parameter names for them. */
const PARAMETERS: Record<string, string> = {
  kernel: 'weight',
  depthwise_kernel: 'weight',
  bias: 'bias',
  gamma: 'weight',
  beta: 'bias',
  moving_mean: 'running_mean',
  moving_variance: 'running_var',
};

const FLOAT_TYPES = new Set<SourceDType>(['float32', 'float16', 'bfloat16', 'float64']);
/** At most this many entries of each list are spelled out in an error message. */
const LISTED = 10;

function ruleFor(options: { family: string; names: TorchvisionNames }): TorchvisionRule {
  return { ...options.names, family: options.family };
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const shapeText = (shape: readonly number[]) => `[${shape.join(', ')}]`;
const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((n, i) => n === b[i]);

/**
 * The Flatten a Dense reads through layers that change nothing but values (a Dropout), with the
 * (H, W, C) map it flattens; undefined when the Dense is fed otherwise (a pooled vector, a Dense).
 */
function flattenedMap(dense: tf.layers.Layer): number[] | undefined {
  // A layer with one inbound node and one input; TF.js keeps that node's shapes as one-element lists.
  const node = (layer: tf.layers.Layer) => (layer.inboundNodes.length === 1 && layer.inboundNodes[0].inboundLayers.length === 1 ? layer.inboundNodes[0] : undefined);
  const only = (shapes: tf.Shape | tf.Shape[]) => (Array.isArray(shapes[0]) ? (shapes as tf.Shape[])[0] : (shapes as tf.Shape)) as number[];
  let layer = node(dense)?.inboundLayers[0];
  while (layer && layer.getClassName() !== 'Flatten') {
    const through = node(layer);
    if (!through || layer.weights.length > 0 || !sameShape(only(through.inputShapes), only(through.outputShapes))) return undefined;
    layer = through.inboundLayers[0];
  }
  const flatten = layer && node(layer);
  const shape = flatten && only(flatten.inputShapes);
  return shape && shape.length === 4 ? shape.slice(1) : undefined;
}

/** The layout of one zoo weight, from its layer's class and graph position. */
function layoutOf(layer: tf.layers.Layer, shortName: string, zooShape: number[]): Pick<PlannedWeight, 'kind' | 'torchShape' | 'move'> | undefined {
  const className = layer.getClassName();
  if (shortName === 'kernel' && (className === 'Conv2D' || className === 'GroupedConv2D') && zooShape.length === 4) {
    const [kh, kw, inputs, outputs] = zooShape;
    // (O, I·kh·kw) transposed is (I, kh·kw, O); swapping the first two blocks gives (kh·kw, I, O).
    return { kind: 'conv', torchShape: [outputs, inputs, kh, kw], move: { rows: outputs, columns: inputs * kh * kw, blocks: [inputs, kh * kw] } };
  }
  if (shortName === 'depthwise_kernel' && className === 'DepthwiseConv2D' && zooShape.length === 4) {
    const [kh, kw, channels, multiplier] = zooShape;
    // (C·M, kh·kw) transposed is (kh·kw, C·M): already the zoo's (kh, kw, C, M).
    return { kind: 'depthwise', torchShape: [channels * multiplier, 1, kh, kw], move: { rows: channels * multiplier, columns: kh * kw } };
  }
  if (shortName === 'kernel' && className === 'Dense' && zooShape.length === 2) {
    const [inputs, outputs] = zooShape;
    const map = flattenedMap(layer);
    if (map && size(map) === inputs && (map[0] > 1 || map[1] > 1)) {
      const [height, width, channels] = map;
      // (out, C·H·W) transposed is (C, H·W, out); swapping the first two blocks gives (H·W, C, out).
      return { kind: 'flattenedDense', torchShape: [outputs, inputs], move: { rows: outputs, columns: inputs, blocks: [channels, height * width] } };
    }
    return { kind: 'dense', torchShape: [outputs, inputs], move: { rows: outputs, columns: inputs } };
  }
  if (zooShape.length === 1 && shortName in PARAMETERS && shortName !== 'kernel' && shortName !== 'depthwise_kernel') return { kind: 'copy', torchShape: zooShape };
  return undefined;
}

/** Every weight of the model with its torchvision key, from the rule and the model alone. */
function planModel(model: tf.LayersModel, rule: TorchvisionRule): ModelPlan {
  const layers = model.layers.map((layer) => layer.name);
  const plan: ModelPlan = { weights: [], batchNorms: [], unmapped: [] };
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const module = rule.modulePath(layer.name, layers);
    for (const variable of layer.weights) {
      const zoo = variable.originalName;
      const shortName = zoo.slice(zoo.lastIndexOf('/') + 1);
      const zooShape = variable.shape as number[];
      const layout = layoutOf(layer, shortName, zooShape);
      if (module === undefined || layout === undefined) {
        plan.unmapped.push(`${zoo} ${shapeText(zooShape)} (${layer.getClassName()}${module === undefined ? `: the ${rule.family} rule has no torchvision module for layer '${layer.name}'` : `: no torchvision parameter for weight '${shortName}'`})`);
        continue;
      }
      const key = `${module}.${PARAMETERS[shortName]}`;
      const taken = plan.weights.find((weight) => weight.key === key);
      if (taken) plan.unmapped.push(`${zoo} (the ${rule.family} rule maps it to '${key}', which ${taken.zoo} already takes)`);
      else plan.weights.push({ zoo, key, variable, zooShape, ...layout });
    }
    if (module !== undefined && layer.getClassName() === 'BatchNormalization') plan.batchNorms.push(module);
  }
  return plan;
}

function listed<T>(items: T[], text: (item: T) => string): string {
  const shown = items.slice(0, LISTED).map(text).join('; ');
  return items.length > LISTED ? `${shown}; and ${items.length - LISTED} more` : shown;
}

/** Checks the tensors against the plan; one error for everything that does not fit. */
function matchTensors(model: tf.LayersModel, rule: TorchvisionRule, plan: ModelPlan, tensors: ReadonlyMap<string, Pick<SourceTensor, 'shape' | 'dtype'> & { data?: Float32Array }>, file: string): string[] {
  const layers = model.layers.map((layer) => layer.name);
  const mismatch: MappingMismatch = { missing: [], extra: [], mismatched: [], unmapped: plan.unmapped };
  const used = new Set(plan.weights.map((weight) => weight.key));
  for (const weight of plan.weights) {
    const tensor = tensors.get(weight.key);
    if (!tensor) {
      mismatch.missing.push({ name: weight.key, shape: weight.torchShape, zoo: weight.zoo });
      continue;
    }
    const found = { name: weight.key, found: [...tensor.shape], expected: weight.torchShape, zoo: weight.zoo };
    if (!sameShape(tensor.shape, weight.torchShape)) mismatch.mismatched.push({ ...found, why: 'shape' });
    else if (!FLOAT_TYPES.has(tensor.dtype)) mismatch.mismatched.push({ ...found, why: `dtype ${tensor.dtype}, not a float` });
    else if (tensor.data !== undefined && tensor.data.length !== size(tensor.shape)) mismatch.mismatched.push({ ...found, why: `data holds ${tensor.data.length} values, not ${size(tensor.shape)}` });
  }
  const batchNorms = new Set(plan.batchNorms);
  const skipped: string[] = [];
  for (const [key, tensor] of tensors) {
    if (used.has(key)) continue;
    const counter = /^(.*)\.num_batches_tracked$/.exec(key);
    // A training-time counter: it only matters to BatchNorm with momentum=None, which the zoo's is not.
    if ((counter && batchNorms.has(counter[1])) || rule.skip?.(key, layers) !== undefined) skipped.push(key);
    else mismatch.extra.push({ name: key, shape: [...tensor.shape] });
  }
  const { missing, extra, mismatched, unmapped } = mismatch;
  if (missing.length || extra.length || mismatched.length || unmapped.length) {
    const expected: NamedShape[] = plan.weights.map((weight) => ({ name: weight.key, shape: weight.torchShape }));
    const foundList: NamedShape[] = [...tensors].map(([name, tensor]) => ({ name, shape: [...tensor.shape] }));
    const parts = [
      unmapped.length ? `zoo weights with no torchvision key (${unmapped.length}): ${listed(unmapped, (text) => text)}` : '',
      missing.length ? `needed by the model, missing from the tensors (${missing.length}): ${listed(missing, (m) => `${m.name} ${shapeText(m.shape)} for ${m.zoo}`)}` : '',
      extra.length ? `in the tensors, not taken by the model (${extra.length}): ${listed(extra, (e) => `${e.name} ${shapeText(e.shape)}`)}` : '',
      mismatched.length
        ? `different on the two sides (${mismatched.length}): ${listed(mismatched, (m) => (m.why === 'shape' ? `${m.name} is ${shapeText(m.found)} in the tensors, the model needs ${shapeText(m.expected)} for ${m.zoo}` : `${m.name} ${shapeText(m.found)}: ${m.why}`))}`
        : '',
    ].filter(Boolean);
    throw new TorchvisionMappingError(
      file,
      `the tensors do not fit model '${model.name}' under the torchvision ${rule.family} rule (every zoo weight filled from one tensor of torchvision's shape, every tensor used or deliberately skipped): ${parts.join('. ')}. The model needs ${expected.length} tensors, the file holds ${foundList.length}; nothing was assigned`,
      { family: rule.family, expected, found: foundList, ...mismatch },
    );
  }
  return skipped;
}

/**
 * Every layout change here is a transpose of torchvision's tensor seen as a (rows, columns) matrix,
 * then, where `blocks` is [P, Q], a swap of the leading two axes of the result seen as (P, Q, rest).
 */
interface Move {
  rows: number;
  columns: number;
  blocks?: [number, number];
}

/**
 * Tile edge of the transpose, so that a tile's strided writes stay in cache: on VGG's fc1 (102M
 * values) about half the time of a row-by-row loop (measured 0.7-1.3 s against 1.4-3.4 s on a
 * loaded 2-core machine; tiles of 16 to 128 were no faster).
 */
const TILE = 8;

function transpose(source: Float32Array, rows: number, columns: number): Float32Array {
  const out = new Float32Array(source.length);
  for (let r0 = 0; r0 < rows; r0 += TILE) {
    const r1 = Math.min(r0 + TILE, rows);
    for (let c0 = 0; c0 < columns; c0 += TILE) {
      const c1 = Math.min(c0 + TILE, columns);
      for (let r = r0; r < r1; r++) {
        const from = r * columns;
        for (let c = c0; c < c1; c++) out[c * rows + r] = source[from + c];
      }
    }
  }
  return out;
}

/** (P, Q, R) → (Q, P, R), moving whole rows of R. */
function swapBlocks(source: Float32Array, p: number, q: number): Float32Array {
  if (p === 1 || q === 1) return source;
  const row = source.length / (p * q);
  const out = new Float32Array(source.length);
  for (let i = 0; i < p; i++) for (let j = 0; j < q; j++) out.set(source.subarray((i * q + j) * row, (i * q + j + 1) * row), (j * p + i) * row);
  return out;
}

function toZoo(source: Float32Array, move: Move): Float32Array {
  const transposed = transpose(source, move.rows, move.columns);
  return move.blocks ? swapBlocks(transposed, move.blocks[0], move.blocks[1]) : transposed;
}

function toTorch(source: Float32Array, move: Move): Float32Array {
  const unswapped = move.blocks ? swapBlocks(source, move.blocks[1], move.blocks[0]) : source;
  return transpose(unswapped, move.columns, move.rows);
}

/**
 * One zoo weight and the torchvision tensor it is filled from, as {@link planTorchvisionMapping}
 * lists them.
 *
 * @category Import
 */
export interface TorchvisionPair {
  /** The zoo weight (`conv2_block1_1_conv/kernel`). */
  zoo: string;
  /** Its torchvision state_dict key (`layer1.0.conv1.weight`). */
  key: string;
  /** How the values move ({@link TorchvisionLayout}). */
  layout: TorchvisionLayout;
  /** The zoo's shape. */
  zooShape: number[];
  /** torchvision's shape. */
  torchShape: number[];
}

/**
 * Checks that a torchvision state_dict's keys and shapes fit a zoo model, without touching any
 * value: the pairs (zoo weight, torchvision key) and the keys skipped, or a
 * {@link TorchvisionMappingError}. `tensors` needs only `shape` and `dtype` (a {@link TensorSet}
 * will do).
 *
 * @category Import
 */
export function planTorchvisionMapping(
  model: tf.LayersModel,
  tensors: ReadonlyMap<string, Pick<SourceTensor, 'shape' | 'dtype'>>,
  options: TorchvisionMappingOptions,
): TorchvisionPlan {
  const rule = ruleFor(options);
  const plan = planModel(model, rule);
  const skipped = matchTensors(model, rule, plan, tensors, options.file ?? 'state_dict');
  return { pairs: plan.weights.map(({ zoo, key, kind, zooShape, torchShape }) => ({ zoo, key, layout: kind, zooShape, torchShape })), skipped };
}

/**
 * What {@link planTorchvisionMapping} finds: which tensor fills which zoo weight, and what is skipped.
 *
 * @category Import
 */
export interface TorchvisionPlan {
  /** Every zoo weight with its tensor, in the model's layer order. */
  pairs: TorchvisionPair[];
  /** The keys the model deliberately lacks (`num_batches_tracked`; GoogLeNet's `aux1.*`/`aux2.*` without auxiliary heads). */
  skipped: string[];
}

/**
 * A zoo weight's values in TF.js's layout, ready for `tf.tensor(data, shape)`.
 *
 * @category Import
 */
export interface MappedWeight {
  /** The zoo's shape. */
  shape: number[];
  /** Row-major values. */
  data: Float32Array;
}

/**
 * What {@link mapTorchvisionWeights} returns: the values by zoo weight name, and the keys skipped.
 *
 * @category Import
 */
export interface TorchvisionMapped {
  /** Every zoo weight (`conv1_conv/kernel`) with its values in TF.js's layout. */
  weights: Map<string, MappedWeight>;
  /** The keys the model deliberately lacks, as in {@link TorchvisionPlan}. */
  skipped: string[];
}

/**
 * Maps a torchvision state_dict (as the readers return it) onto a zoo model, strictly: every zoo
 * weight is filled, every tensor is used, or skipped because the model deliberately lacks it
 * (`num_batches_tracked` of a mapped BatchNorm; GoogLeNet's `aux1.*`/`aux2.*` on a model built
 * without auxiliary heads). Anything else (a tensor missing, one too many, a shape that differs)
 * is one {@link TorchvisionMappingError}. Assigns nothing: see {@link assignTorchvisionWeights}.
 *
 * @returns The values by zoo weight name (`conv1_conv/kernel`) and the keys skipped.
 *
 * @category Import
 */
export function mapTorchvisionWeights(model: tf.LayersModel, tensors: TensorSet, options: TorchvisionMappingOptions): TorchvisionMapped {
  const rule = ruleFor(options);
  const plan = planModel(model, rule);
  const skipped = matchTensors(model, rule, plan, tensors, options.file ?? 'state_dict');
  const weights = new Map<string, MappedWeight>();
  for (const weight of plan.weights) {
    const source = tensors.get(weight.key)!.data;
    const data = weight.move ? toZoo(source, weight.move) : Float32Array.from(source);
    weights.set(weight.zoo, { shape: weight.zooShape, data });
  }
  return { weights, skipped };
}

/**
 * {@link mapTorchvisionWeights}, then writes every weight into the model. All or nothing: the
 * whole set is checked and converted before the first write, and a write of a checked value into a
 * live variable cannot fail.
 *
 * @returns The keys skipped.
 *
 * @category Import
 */
export function assignTorchvisionWeights(model: tf.LayersModel, tensors: TensorSet, options: TorchvisionMappingOptions): Pick<TorchvisionMapped, 'skipped'> {
  const { weights, skipped } = mapTorchvisionWeights(model, tensors, options);
  writeMappedWeights(model, weights, options.file ?? 'state_dict');
  return { skipped };
}

/**
 * Options of {@link torchvisionStateDict}.
 *
 * @category Import
 */
export interface TorchvisionExportOptions {
  /** The model's family (`resnet`), for messages. */
  family: string;
  /** How torchvision names the family's layers. */
  names: TorchvisionNames;
  /**
   * Write each BatchNorm's `num_batches_tracked` (int64 0). Default true, so that the key set is
   * exactly torchvision's `state_dict()`: `load_state_dict(strict=True)` accepts a plain dict
   * without them (as `safetensors.torch.load_file` returns), but refuses a dict carrying
   * `_metadata` version 2 (as `torch.load` of a saved `state_dict()` returns) that lacks them.
   */
  numBatchesTracked?: boolean;
}

/**
 * The way back: a zoo model's weights under torchvision's names and in torchvision's layouts, as
 * a {@link TensorSet} (float32; `num_batches_tracked` int64), for a writer to save as a file that
 * torchvision's `load_state_dict(..., strict=True)` accepts. A GoogLeNet without auxiliary heads
 * gives the keys of `googlenet(aux_logits=False)`.
 *
 * @category Import
 */
export function torchvisionStateDict(model: tf.LayersModel, options: TorchvisionExportOptions): TensorSet {
  const rule = ruleFor(options);
  const plan = planModel(model, rule);
  if (plan.unmapped.length) {
    const expected = plan.weights.map((weight) => ({ name: weight.key, shape: weight.torchShape }));
    throw new TorchvisionMappingError(
      model.name,
      `model '${model.name}' cannot be written under the torchvision ${rule.family} rule: zoo weights with no torchvision key (${plan.unmapped.length}): ${listed(plan.unmapped, (text) => text)}`,
      { family: rule.family, expected, found: [], missing: [], extra: [], mismatched: [], unmapped: plan.unmapped },
    );
  }
  const out: TensorSet = new Map();
  const batchNorms = new Set(plan.batchNorms);
  for (const weight of plan.weights) {
    const values = weight.variable.read().dataSync() as Float32Array;
    const data = weight.move ? toTorch(values, weight.move) : Float32Array.from(values);
    out.set(weight.key, { shape: [...weight.torchShape], data, dtype: 'float32' });
    const module = weight.key.slice(0, weight.key.lastIndexOf('.'));
    if (weight.key.endsWith('.running_var') && batchNorms.has(module) && options.numBatchesTracked !== false) {
      out.set(`${module}.num_batches_tracked`, { shape: [], data: new Float32Array([0]), dtype: 'int64' });
    }
  }
  return out;
}

/**
 * The torchvision key of one zoo weight under a family's rule (`conv1_bn/moving_variance` →
 * `bn1.running_var`), or undefined where the rule has none.
 *
 * @category Import
 */
export function torchvisionKey(model: tf.LayersModel, zooWeight: string, options: { family: string; names: TorchvisionNames }): string | undefined {
  return planModel(model, ruleFor(options)).weights.find((weight) => weight.zoo === zooWeight)?.key;
}
