/**
 * Keras weight files onto zoo models: Keras Applications' HDF5 files (Keras 1 and 2
 * `save_weights`, and whole-model `.h5`), Keras 3's `.weights.h5` and `.keras` archives.
 *
 * The zoo's Keras-convention layers are Keras's own (same names, same classes, same weights in
 * the same order and layout: HWIO kernels, (kh, kw, C, M) depthwise kernels, (in, out) Dense
 * kernels, a Flatten of the channel-last map), so no value moves: the work is pairing each zoo
 * layer with the file's layer and checking everything, strictly.
 *
 * How layers are paired ({@link KerasMatch}):
 * - `name` (default, for files with `layer_names`): each zoo layer with weights takes the file's
 *   layer of the same name. Keras's `load_weights(..., by_name=True)`.
 * - `order`: the i-th layer with weights of the zoo model takes the file's i-th layer with weights.
 *   Keras's own default (`load_weights` without `by_name`), which is how Keras Applications load
 *   their release files, some of which carry names older than the current model's.
 * - Keras 3 files (`vars` layout) name a layer's group by its class and rank among the model's
 *   layers of that class (`layers/conv2d_3`), not by its name: each zoo layer with weights takes the
 *   group its class and rank would get. Keras numbers them in `model.layers` order, which is
 *   depth-first-from-the-output order by depth, and TF.js orders a model's layers by the same rule,
 *   so a zoo model built as the Keras one was gets the same numbers; every shape is still checked.
 *
 * Within a layer, weights go by the order the file lists them (Keras's rule: the names differ
 * between Keras versions, `block1_conv1_W_1:0` in Keras 1 files), which is TF.js's `layer.weights`
 * order: kernel, bias; gamma, beta, moving_mean, moving_variance; depthwise_kernel. Where a file
 * names a weight as Keras 2 does (`conv1_bn/gamma:0`), the name must agree with the zoo's weight at
 * that position.
 */
import { tf } from '../tf.js';
import { WeightsError } from '../weights/errors.js';
import type { KerasWeights } from './readers/keras-h5.js';
import type { SourceDType, SourceTensor } from './tensors.js';
import { writeMappedWeights } from './assign.js';

/**
 * How the zoo model's layers are paired with the file's: by `name`, or by `order` of the layers
 * with weights (Keras's default). Keras 3 files (`vars` layout) are always paired by class and
 * rank, whatever this says.
 *
 * @category Import
 */
export type KerasMatch = 'name' | 'order';

/**
 * Options of the Keras mapping functions.
 *
 * @category Import
 */
export interface KerasMappingOptions {
  /** The file the weights came from, for messages. Default `'keras weights'`. */
  file?: string;
  /** How layers are paired ({@link KerasMatch}). Default `'name'`. */
  match?: KerasMatch;
}

/**
 * A weight named with its shape, as an error lists it.
 *
 * @category Import
 */
export interface KerasNamedShape {
  /** A file tensor's key (`<layer>/<weight name>`), or a zoo weight (`conv1/kernel`). */
  name: string;
  /** Its shape (Keras's layout, which is the zoo's). */
  shape: number[];
}

/**
 * A zoo weight the file has no tensor for.
 *
 * @category Import
 */
export interface KerasMissingWeight extends KerasNamedShape {
  /** The file layer it was looked for in (the layer's name, `layers/conv2d_3` in a Keras 3 file, or `#12` by order). */
  name: string;
  /** The zoo weight. */
  zoo: string;
}

/**
 * A tensor paired with a zoo weight that does not fit it.
 *
 * @category Import
 */
export interface KerasMismatchedWeight {
  /** The file tensor's key. */
  name: string;
  /** Its shape in the file. */
  found: number[];
  /** The zoo weight's shape. */
  expected: number[];
  /** The zoo weight. */
  zoo: string;
  /** `'shape'`, or what else is wrong (`dtype int64, not a float`; `named moving_mean where the model has gamma`). */
  why: string;
}

/**
 * A layer on both sides whose weights differ in number (a conv with a bias in the file, without one
 * in the model: Keras's ResNet-50 against the zoo's torchvision variant).
 *
 * @category Import
 */
export interface KerasWeightCount {
  /** The file's layer. */
  layer: string;
  /** The zoo layer paired with it. */
  zoo: string;
  /** The zoo layer's weights. */
  expected: KerasNamedShape[];
  /** The file layer's tensors. */
  found: KerasNamedShape[];
}

/**
 * A Keras weight file that does not fit a zoo model: a layer missing, one too many, a layer with
 * another number of weights, a weight in another shape (a file in PyTorch's layout, a model built
 * with other options), or a file this mapper cannot read as Keras's. One error for the whole file;
 * the message names both sides with shapes, `expected` and `found` hold both complete lists.
 * Nothing was assigned to the model.
 *
 * @category Import
 */
export class KerasMappingError extends WeightsError {
  /** How layers were paired: `name`, `order`, or `class` (Keras 3's `layers/conv2d_3`). */
  readonly match: KerasMatch | 'class';
  /** Every zoo weight (`conv1/kernel`) with its shape, in the model's order. */
  readonly expected: KerasNamedShape[];
  /** Every tensor of the file (`<layer>/<weight name>`) with its shape, in the file's order. */
  readonly found: KerasNamedShape[];
  /** Zoo weights the file has no tensor for. */
  readonly missing: KerasMissingWeight[];
  /** File tensors no zoo weight takes, and no rule skips. */
  readonly extra: KerasNamedShape[];
  /** Tensors paired with a zoo weight they do not fit. */
  readonly mismatched: KerasMismatchedWeight[];
  /** Layers paired whose weights differ in number. */
  readonly counts: KerasWeightCount[];

  constructor(
    file: string,
    message: string,
    details: { match: KerasMatch | 'class'; expected: KerasNamedShape[]; found: KerasNamedShape[]; missing?: KerasMissingWeight[]; extra?: KerasNamedShape[]; mismatched?: KerasMismatchedWeight[]; counts?: KerasWeightCount[] },
  ) {
    const missing = details.missing ?? [];
    const mismatched = details.mismatched ?? [];
    super(file, message, { weight: missing[0]?.zoo ?? mismatched[0]?.zoo ?? details.counts?.[0]?.expected[0]?.name });
    this.name = 'KerasMappingError';
    this.match = details.match;
    this.expected = details.expected;
    this.found = details.found;
    this.missing = missing;
    this.extra = details.extra ?? [];
    this.mismatched = mismatched;
    this.counts = details.counts ?? [];
  }
}

/**
 * What the mapper reads of a Keras weight file: the reader's {@link KerasWeights}, or an object of
 * that shape (tensors need `data` only to be mapped, not to be planned).
 *
 * @category Import
 */
export type KerasWeightsInput = Pick<KerasWeights, 'layout' | 'layers'> &
  Partial<Pick<KerasWeights, 'format' | 'backend' | 'kerasVersion'>> & {
    tensors: ReadonlyMap<string, Pick<SourceTensor, 'shape' | 'dtype'> & { data?: Float32Array }>;
  };

/** A zoo layer with weights. */
interface ZooLayer {
  name: string;
  variables: tf.LayerVariable[];
  /** Its group in a Keras 3 file (`layers/conv2d_3`). */
  keras3Path: string;
}

/** A file layer with weights. */
interface FileLayer {
  name: string;
  /** Each weight's name in the file and its tensor's key (`<layer>/<weight name>`). */
  weights: { name: string; key: string }[];
}

/**
 * One zoo weight and the file tensor that fills it, as {@link planKerasMapping} lists them.
 *
 * @category Import
 */
export interface KerasPair {
  /** The zoo weight (`conv1/kernel`). */
  zoo: string;
  /** The file tensor's key (`conv1/conv1/kernel:0`, `layers/conv2d/vars/0` as `layers/conv2d/0`). */
  key: string;
  /** The file's layer it comes from (its name, or its Keras 3 group). */
  layer: string;
  /** The shape, the same on both sides. */
  shape: number[];
}

/**
 * What {@link planKerasMapping} finds: which tensor fills which zoo weight, and what is skipped.
 *
 * @category Import
 */
export interface KerasPlan {
  /** How the layers were paired. */
  match: KerasMatch | 'class';
  /** Every zoo weight with its tensor, in the model's layer order. */
  pairs: KerasPair[];
  /** File tensors deliberately left out, each with the reason (`layers/dropout/seed_generator/0: ...`). */
  skipped: string[];
}

/**
 * A zoo weight's values, ready for `tf.tensor(data, shape)`.
 *
 * @category Import
 */
export interface KerasMappedWeight {
  /** The zoo's shape (the file's). */
  shape: number[];
  /** Row-major values: the file tensor's own array (the layouts are the same), not a copy. */
  data: Float32Array;
}

/**
 * What {@link mapKerasWeights} returns: the values by zoo weight name, and the file tensors skipped.
 *
 * @category Import
 */
export interface KerasMapped {
  /** Every zoo weight (`conv1/kernel`) with its values. */
  weights: Map<string, KerasMappedWeight>;
  /** File tensors deliberately left out, as in {@link KerasPlan}. */
  skipped: string[];
}

const FLOAT_TYPES = new Set<SourceDType>(['float32', 'float16', 'bfloat16', 'float64']);
/** At most this many entries of each list are spelled out in an error message. */
const LISTED = 10;
/** Keras 2's own names of the weights the zoo's layers have. */
const KERAS_WEIGHT_NAMES = new Set(['kernel', 'bias', 'gamma', 'beta', 'moving_mean', 'moving_variance', 'depthwise_kernel']);

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const shapeText = (shape: readonly number[]) => `[${shape.join(', ')}]`;
const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((n, i) => n === b[i]);
const shortName = (zoo: string) => zoo.slice(zoo.lastIndexOf('/') + 1);

function listed<T>(items: readonly T[], text: (item: T) => string): string {
  const shown = items.slice(0, LISTED).map(text).join('; ');
  return items.length > LISTED ? `${shown}; and ${items.length - LISTED} more` : shown;
}

/** keras.src.utils.naming.to_snake_case: how Keras 3 names a layer's group after its class (`DepthwiseConv2D` → `depthwise_conv2d`). */
function snakeCase(className: string): string {
  return className
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/** The zoo model's layers with weights, in `model.layers` order, each with the Keras 3 group it would have. */
function zooLayers(model: tf.LayersModel): ZooLayer[] {
  const used = new Map<string, number>();
  const out: ZooLayer[] = [];
  for (const layer of model.layers) {
    // Keras 3 numbers every layer of a class, weights or not (saving_lib's _get_unique_name).
    const base = snakeCase(layer.getClassName());
    const rank = used.get(base);
    used.set(base, rank === undefined ? 0 : rank + 1);
    const keras3Path = `layers/${rank === undefined ? base : `${base}_${rank + 1}`}`;
    if (layer.weights.length > 0) out.push({ name: layer.name, variables: layer.weights, keras3Path });
  }
  return out;
}

/** Keras 2.13 wrote `_layer_checkpoint_dependencies` where Keras 3 writes `layers` (Keras 3 reads both alike). */
const keras3Path = (name: string) => name.replace(/^_layer_checkpoint_dependencies(?=\/|$)/, 'layers');

/** Why a file layer the model has no place for is skipped rather than refused, or undefined. */
function skipReason(file: KerasWeightsInput, layer: FileLayer): string | undefined {
  // Keras 3 saves a Dropout's random-seed state (int64) as variables of its SeedGenerator.
  if (file.layout === 'vars' && /(^|\/)seed_generator(_\d+)?$/.test(layer.name)) return "Keras 3's random-seed state of a layer (a SeedGenerator), not a weight";
  return undefined;
}

/** The short name a Keras 2 weight name gives (`conv1_bn/moving_mean:0` → `moving_mean`), if it is one of Keras's. */
function kerasShortName(weightName: string): string | undefined {
  if (!weightName.includes('/')) return undefined; // Keras 1 (`fc1_W_1:0`) and Keras 3 (`0`) names say nothing usable
  const match = /^([A-Za-z_]+?)(?:_\d+)?(?::\d+)?$/.exec(weightName.slice(weightName.lastIndexOf('/') + 1));
  return match && KERAS_WEIGHT_NAMES.has(match[1]) ? match[1] : undefined;
}

interface Pairing {
  match: KerasMatch | 'class';
  /** What each zoo layer was looked for as in the file (`conv1`, `#3`, `layers/conv2d_1`). */
  wanted: Map<ZooLayer, string>;
  paired: Map<ZooLayer, FileLayer>;
  unpaired: FileLayer[];
}

function pairLayers(zoo: ZooLayer[], fileLayers: FileLayer[], match: KerasMatch | 'class'): Pairing {
  const wanted = new Map<ZooLayer, string>();
  const paired = new Map<ZooLayer, FileLayer>();
  const taken = new Set<FileLayer>();
  if (match === 'order') {
    zoo.forEach((layer, i) => {
      wanted.set(layer, `#${i + 1}`);
      if (i < fileLayers.length) {
        paired.set(layer, fileLayers[i]);
        taken.add(fileLayers[i]);
      }
    });
  } else {
    const byName = new Map(fileLayers.map((layer) => [match === 'class' ? keras3Path(layer.name) : layer.name, layer]));
    for (const layer of zoo) {
      const name = match === 'class' ? layer.keras3Path : layer.name;
      wanted.set(layer, name);
      const found = byName.get(name);
      if (found) {
        paired.set(layer, found);
        taken.add(found);
      }
    }
  }
  return { match, wanted, paired, unpaired: fileLayers.filter((layer) => !taken.has(layer)) };
}

interface Checked {
  pairs: (KerasPair & { variable: tf.LayerVariable })[];
  skipped: string[];
  missing: KerasMissingWeight[];
  /** With the file layer each comes from, for the message. */
  extra: (KerasNamedShape & { layer: string })[];
  mismatched: KerasMismatchedWeight[];
  counts: KerasWeightCount[];
}

/** Checks every pair of layers and every tensor left over. */
function check(file: KerasWeightsInput, pairing: Pairing, zoo: ZooLayer[]): Checked {
  const out: Checked = { pairs: [], skipped: [], missing: [], extra: [], mismatched: [], counts: [] };
  const shapeOf = (key: string) => [...(file.tensors.get(key)?.shape ?? [])];
  for (const layer of zoo) {
    const fileLayer = pairing.paired.get(layer);
    const expected = layer.variables.map((variable) => ({ name: variable.originalName, shape: variable.shape as number[] }));
    if (!fileLayer) {
      out.missing.push(...expected.map(({ name, shape }) => ({ name: pairing.wanted.get(layer)!, shape, zoo: name })));
      continue;
    }
    if (fileLayer.weights.length !== layer.variables.length) {
      out.counts.push({ layer: fileLayer.name, zoo: layer.name, expected, found: fileLayer.weights.map(({ key }) => ({ name: key, shape: shapeOf(key) })) });
      continue;
    }
    layer.variables.forEach((variable, i) => {
      const { name: weightName, key } = fileLayer.weights[i];
      const zooName = variable.originalName;
      const expectedShape = variable.shape as number[];
      const tensor = file.tensors.get(key);
      if (!tensor) {
        out.missing.push({ name: key, shape: expectedShape, zoo: zooName });
        return;
      }
      const found = { name: key, found: [...tensor.shape], expected: expectedShape, zoo: zooName };
      const named = kerasShortName(weightName);
      if (!sameShape(tensor.shape, expectedShape)) out.mismatched.push({ ...found, why: 'shape' });
      else if (!FLOAT_TYPES.has(tensor.dtype)) out.mismatched.push({ ...found, why: `dtype ${tensor.dtype}, not a float` });
      else if (tensor.data !== undefined && tensor.data.length !== size(tensor.shape)) out.mismatched.push({ ...found, why: `data holds ${tensor.data.length} values, not ${size(tensor.shape)}` });
      else if (named !== undefined && named !== shortName(zooName)) out.mismatched.push({ ...found, why: `named ${named} in the file, where the model's weight ${i + 1} of '${layer.name}' is ${shortName(zooName)}` });
      else out.pairs.push({ zoo: zooName, key, layer: fileLayer.name, shape: expectedShape, variable });
    });
  }
  for (const layer of pairing.unpaired) {
    const reason = skipReason(file, layer);
    if (reason) out.skipped.push(...layer.weights.map(({ key }) => `${key}: ${reason}`));
    else out.extra.push(...layer.weights.map(({ key }) => ({ name: key, shape: shapeOf(key), layer: layer.name })));
  }
  return out;
}

function describeMatch(match: KerasMatch | 'class'): string {
  if (match === 'name') return 'by layer name (each zoo layer with weights takes the file layer of its name, its weights in the order the file lists them; every file layer with weights used)';
  if (match === 'order') return "by order, as Keras's load_weights does (the zoo's i-th layer with weights takes the file's i-th, its weights in the order the file lists them; every file layer with weights used)";
  return "by class and rank, as Keras 3 names its layers' groups (the zoo's k-th Conv2D takes layers/conv2d_k, its variables 0, 1... in order; every group with variables used)";
}

/** One line per layer: `fc1 (fc1/kernel [2048, 4096], fc1/bias [4096])`. */
function byLayer<T extends { shape: number[] }>(items: T[], layerOf: (item: T) => string, itemName: (item: T) => string): string {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(layerOf(item), [...(groups.get(layerOf(item)) ?? []), item]);
  return listed([...groups], ([layer, entries]) => `${layer} (${entries.map((entry) => `${itemName(entry)} ${shapeText(entry.shape)}`).join(', ')})`);
}

/** Why a mismatched tensor does not fit, in words. */
function mismatchText(m: KerasMismatchedWeight): string {
  if (m.why !== 'shape') return `${m.name} ${shapeText(m.found)} for ${m.zoo}: ${m.why}`;
  const [kh, kw, inputs, outputs] = m.expected;
  const pytorch = m.expected.length === 4 && sameShape(m.found, [outputs, inputs, kh, kw]) ? " (PyTorch's OIHW layout of the kernel the model needs: a torchvision file?)" : '';
  return `${m.name} is ${shapeText(m.found)} in the file, the model needs ${shapeText(m.expected)} for ${m.zoo}${pytorch}`;
}

function countsText(c: KerasWeightCount): string {
  const list = (entries: KerasNamedShape[]) => (entries.length ? entries.map((entry) => `${entry.name} ${shapeText(entry.shape)}`).join(', ') : 'none');
  return `${c.layer}: ${c.found.length} in the file (${list(c.found)}), ${c.expected.length} in the model's '${c.zoo}' (${list(c.expected)})`;
}

/** The file's layers with weights, in its order. */
function fileLayers(file: KerasWeightsInput): FileLayer[] {
  return file.layers.filter((layer) => layer.weights.length > 0).map((layer) => ({ name: layer.name, weights: layer.weights.map((name) => ({ name, key: `${layer.name}/${name}` })) }));
}

/** The file's tensors as an error lists them. */
function foundList(file: KerasWeightsInput): KerasNamedShape[] {
  return [...file.tensors].map(([name, tensor]) => ({ name, shape: [...tensor.shape] }));
}

/** Refuses what is not a Keras weight file this mapper can read. */
function checkFile(model: tf.LayersModel, file: KerasWeightsInput, fileName: string, match: KerasMatch | 'class'): void {
  const expected = () => model.weights.map((variable) => ({ name: variable.originalName, shape: variable.shape as number[] }));
  const format = (file as { format?: string }).format;
  if ((format !== undefined && format !== 'keras-h5' && format !== 'keras') || !Array.isArray(file.layers) || !(file.tensors instanceof Map)) {
    throw new KerasMappingError(
      fileName,
      `is ${format ? `a ${format} file` : 'not a Keras weight file'} (no Keras layer list), so it cannot be mapped as Keras's: read a Keras .h5 or .keras file with readWeightFile${format === 'pytorch' || format === 'safetensors' ? ", or map this one with torchvision's names (assignTorchvisionWeights)" : ''}; nothing was assigned`,
      { match, expected: expected(), found: file.tensors instanceof Map ? foundList(file) : [] },
    );
  }
  // Keras's loader flips a Theano file's convolution kernels; these would compute wrongly unflipped.
  if (file.backend === 'theano') {
    throw new KerasMappingError(
      fileName,
      "was written by Keras's Theano backend (attribute backend = 'theano'), whose convolution kernels are flipped relative to TensorFlow's; only TensorFlow files (Keras Applications' *_tf_*.h5) can be mapped; nothing was assigned",
      { match, expected: expected(), found: foundList(file) },
    );
  }
}

/** Pairs and checks everything; throws one {@link KerasMappingError} for all that does not fit. */
function plan(model: tf.LayersModel, file: KerasWeightsInput, options: KerasMappingOptions): Checked & { match: KerasMatch | 'class' } {
  const fileName = options.file ?? 'keras weights';
  const match: KerasMatch | 'class' = file.layout === 'vars' ? 'class' : (options.match ?? 'name');
  checkFile(model, file, fileName, match);
  const zoo = zooLayers(model);
  const layers = fileLayers(file);
  const checked = check(file, pairLayers(zoo, layers, match), zoo);
  const { missing, extra, mismatched, counts } = checked;
  if (missing.length || extra.length || mismatched.length || counts.length) {
    const expected = zoo.flatMap((layer) => layer.variables.map((variable) => ({ name: variable.originalName, shape: variable.shape as number[] })));
    const found = foundList(file);
    const fileWeighted = layers.length;
    const parts = [
      missing.length ? `zoo weights with no tensor in the file (${missing.length}): ${byLayer(missing, (m) => m.name, (m) => m.zoo)}` : '',
      extra.length ? `file tensors no zoo weight takes (${extra.length}): ${byLayer(extra, (e) => e.layer, (e) => e.name.slice(e.layer.length + 1))}` : '',
      counts.length ? `layers whose weights differ in number (${counts.length}): ${listed(counts, countsText)}` : '',
      mismatched.length ? `tensors that do not fit their zoo weight (${mismatched.length}): ${listed(mismatched, mismatchText)}` : '',
    ].filter(Boolean);
    let hint = '';
    if (match === 'name' && missing.length && extra.length) {
      // Keras Applications' release files may carry names older than the model's; Keras loads them by order.
      const byOrder = check(file, pairLayers(zoo, layers, 'order'), zoo);
      if (!byOrder.missing.length && !byOrder.extra.length && !byOrder.mismatched.length && !byOrder.counts.length) {
        hint = ". Every layer fits by order, as Keras's own load_weights pairs them (the file names its layers otherwise): pass { match: 'order' }";
      }
    }
    if (match === 'order' && zoo.length !== fileWeighted) hint = '. Pairing by order needs as many layers with weights on both sides';
    if (counts.length && match !== 'order') hint += `. Layers with another number of weights are another network's (a conv with a bias against one without): build the variant the family declares for Keras's weights (its definition's sources.keras.variant)`;
    throw new KerasMappingError(
      fileName,
      `the weights do not fit model '${model.name}' matched ${describeMatch(match)}: ${parts.join('. ')}. The model has ${expected.length} weights in ${zoo.length} layers, the file ${found.length} tensors in ${fileWeighted} layers with weights${hint}; nothing was assigned`,
      { match, expected, found, missing, extra: extra.map(({ name, shape }) => ({ name, shape })), mismatched, counts },
    );
  }
  return { ...checked, match };
}

/**
 * Checks that a Keras weight file's layers and shapes fit a zoo model, without touching any value:
 * which tensor fills which zoo weight and what is skipped, or a {@link KerasMappingError}. Tensors
 * need only `shape` and `dtype`.
 *
 * @category Import
 */
export function planKerasMapping(model: tf.LayersModel, file: KerasWeightsInput, options: KerasMappingOptions = {}): KerasPlan {
  const { pairs, skipped, match } = plan(model, file, options);
  return { match, pairs: pairs.map(({ zoo, key, layer, shape }) => ({ zoo, key, layer, shape })), skipped };
}

/**
 * Maps a Keras weight file (as {@link readWeightFile} returns it) onto a zoo model, strictly:
 * every zoo weight is filled, every file layer with weights is used (a Keras 3 SeedGenerator's
 * state is skipped: it is not a weight), and anything else (a layer missing or one too many, a
 * layer with another number of weights, a shape that differs, a Theano file) is one
 * {@link KerasMappingError}. Layers are paired by name, by order, or in a Keras 3 file by class and
 * rank (see {@link KerasMatch}). Assigns nothing: see {@link assignKerasWeights}.
 *
 * @returns The values by zoo weight name (`conv1/kernel`) and the file tensors skipped.
 *
 * @category Import
 */
export function mapKerasWeights(model: tf.LayersModel, file: KerasWeightsInput, options: KerasMappingOptions = {}): KerasMapped {
  const { pairs, skipped, match } = plan(model, file, options);
  const weights = new Map<string, KerasMappedWeight>();
  for (const pair of pairs) {
    const data = file.tensors.get(pair.key)!.data;
    if (data === undefined) {
      throw new KerasMappingError(options.file ?? 'keras weights', `tensor '${pair.key}' for ${pair.zoo} has a shape but no values (a plan's shapes-only tensors cannot be mapped); nothing was assigned`, {
        match,
        expected: pairs.map(({ zoo, shape }) => ({ name: zoo, shape })),
        found: foundList(file),
      });
    }
    weights.set(pair.zoo, { shape: pair.shape, data });
  }
  return { weights, skipped };
}

/**
 * {@link mapKerasWeights}, then writes every weight into the model. All or nothing: the whole file
 * is checked before the first write, and a write of a checked value into a live variable cannot
 * fail.
 *
 * @returns The file tensors skipped.
 *
 * @category Import
 */
export function assignKerasWeights(model: tf.LayersModel, file: KerasWeightsInput, options: KerasMappingOptions = {}): Pick<KerasMapped, 'skipped'> {
  const { weights, skipped } = mapKerasWeights(model, file, options);
  writeMappedWeights(model, weights, options.file ?? 'keras weights');
  return { skipped };
}
