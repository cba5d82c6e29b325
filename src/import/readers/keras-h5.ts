/**
 * Keras's HDF5 weight files, read with h5wasm (the HDF5 library compiled to WebAssembly; its Node
 * build opens files of the host file system by path). Datasets are read by slices, so a large
 * kernel never sits whole in the WebAssembly heap. Three layouts:
 *
 * - `weights` (Keras 1 and 2 `save_weights`, the files Keras Applications downloads): the root's
 *   attribute `layer_names` lists the layers; each layer is a group whose attribute `weight_names`
 *   lists its weights in the order Keras assigns them to the layer's variables, each a dataset at
 *   that path inside the group (`block1_conv1/kernel:0`, or `block1_conv1_W_1:0` in old files).
 *   Keras splits a list too long for one HDF5 object header (64 KB) into `layer_names0`,
 *   `layer_names1`...
 * - `model` (Keras 1 and 2 `model.save('model.h5')`): the same under the group `model_weights`.
 * - `vars` (Keras 3: `.weights.h5`, and the `model.weights.h5` inside a `.keras` archive): each
 *   layer's variables are the datasets `0`, `1`... of a group `<path>/vars`, the path being made of
 *   snake-cased class names (`layers/conv2d_1`), not of the layers' names.
 */
import path from 'node:path';
import type { Dataset, Group, Metadata, OutputData } from 'h5wasm/node';
import { WeightsError } from '../../weights/errors.js';
import type { SourceDType, TensorSet } from '../tensors.js';
import { decodeElements, ELEMENT_BYTES } from './element-types.js';
import { PROGRESS_CHUNK_BYTES, ProgressCounter, type ReadOptions } from './progress.js';
import { elementCount } from './strided.js';

/**
 * One layer of a Keras weight file: its name and its weights' names, in the order Keras assigns
 * them to the layer's variables (Keras loads by layer name, then by this order, not by the weights'
 * names, which differ between Keras versions).
 *
 * @category Import
 */
export interface KerasLayerWeights {
  /** The layer's name (`block1_conv1`); in the `vars` layout, the path of its group (`layers/conv2d_1`). */
  name: string;
  /** Its weights' names as the file lists them (`block1_conv1/kernel:0`; `0`, `1`... in the `vars` layout). */
  weights: string[];
}

/**
 * The tensors of a Keras HDF5 file or `.keras` archive, as {@link readWeightFile} returns them.
 *
 * @category Import
 */
export interface KerasWeights {
  /** `keras-h5` for an HDF5 file, `keras` for a Keras 3 `.keras` archive. */
  format: 'keras-h5' | 'keras';
  /** Where the weights are in the file (see the layouts above): `weights`, `model` or `vars`. */
  layout: 'weights' | 'model' | 'vars';
  /** Every weight, keyed `<layer name>/<weight name>` (`block1_conv1/block1_conv1/kernel:0`, `layers/conv2d/0`), in the layers' order. */
  tensors: TensorSet;
  /** The layers in the file's order (`layer_names`'), each with its weights in order; layers without weights included. */
  layers: KerasLayerWeights[];
  /** The Keras version that wrote the file, when it says (`keras_version` attribute, or a `.keras` archive's metadata.json). */
  kerasVersion?: string;
  /** The Keras backend that wrote it (`tensorflow`, `theano`: a theano file's kernels are flipped), when it says. */
  backend?: string;
}

/** Where errors point: the file, and inside it an entry (`model.weights.h5` of a `.keras` archive). */
export interface Hdf5Origin {
  file: string;
  entry?: string;
}

type H5wasm = typeof import('h5wasm/node');
let h5wasm: Promise<H5wasm> | undefined;

/** h5wasm, loaded on first use (its WebAssembly is a few MB). */
function loadH5wasm(): Promise<H5wasm> {
  h5wasm ??= import('h5wasm/node').then(async (module) => {
    await module.ready;
    // HDF5's failures become exceptions carrying HDF5's own diagnosis, instead of an error stack
    // printed to stderr and an invalid id. This is process-wide, for every user of h5wasm.
    module.Module.activate_throwing_error_handler();
    return module;
  });
  return h5wasm;
}

/** The most telling line of an HDF5 error stack: its innermost reason ("truncated file: eof = 6436, ..."). */
function hdf5Reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const reasons = [...message.matchAll(/#\d+: .* in [\w.]+\(\): (.*)$/gm)].map((match) => match[1].trim());
  const reason = reasons.at(-1) ?? message.trim();
  const truncated = /truncated file: eof = (\d+).*stored_eof = (\d+)/.exec(reason);
  return truncated ? `truncated: it has ${truncated[1]} bytes where its superblock says ${truncated[2]}` : reason;
}

// HDF5's datatype classes (H5T_class_t), as h5wasm's metadata gives them.
const H5T_INTEGER = 0;
const H5T_FLOAT = 1;

/** The SourceDType of a dataset's element type, if it has one h5wasm can read. */
function datasetDType({ type, size, signed }: Metadata): SourceDType | undefined {
  if (type === H5T_FLOAT) return size === 4 ? 'float32' : size === 8 ? 'float64' : size === 2 ? 'float16' : undefined;
  if (type !== H5T_INTEGER) return undefined;
  if (signed) return size === 8 ? 'int64' : size === 4 ? 'int32' : undefined;
  return size === 1 ? 'uint8' : undefined;
}

/** A list of names as Keras stores it in an attribute: bytes strings, an empty list being an empty float64 array. */
function stringList(value: OutputData | null): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
  if (ArrayBuffer.isView(value) && (value as unknown as ArrayLike<unknown>).length === 0) return [];
  return undefined;
}

/** A dataset to read, checked. */
interface PlannedDataset {
  key: string;
  dataset: Dataset;
  shape: number[];
  dtype: SourceDType;
}

/** Natural order: `conv2d_2` before `conv2d_10`, as Keras numbered them (HDF5 lists names alphabetically). */
function naturalKey(name: string): string {
  return name.replace(/\d+/g, (digits) => digits.padStart(16, '0'));
}

function byNaturalOrder(a: string, b: string): number {
  const [x, y] = [naturalKey(a), naturalKey(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Reads one layout's weights out of an open HDF5 file. */
class KerasHdf5 {
  constructor(
    private readonly h5: H5wasm,
    private readonly root: Group,
    private readonly origin: Hdf5Origin,
  ) {}

  error(message: string, where: { path?: string; weight?: string } = {}): WeightsError {
    const field = [this.origin.entry, where.path?.replace(/^\//, '')].filter(Boolean).join('/') || undefined;
    return new WeightsError(this.origin.file, message, { field, weight: where.weight });
  }

  /** A string attribute of `group`, if it has it. */
  text(group: Group, name: string): string | undefined {
    const value = group.attrs[name]?.value;
    return typeof value === 'string' ? value : undefined;
  }

  /** A list-of-names attribute, joined from Keras's chunks `name0`, `name1`... when it was split. */
  names(group: Group, name: string): string[] | undefined {
    const attrs = group.attrs;
    const parts: string[] = [];
    if (name in attrs) parts.push(name);
    else while (`${name}${parts.length}` in attrs) parts.push(`${name}${parts.length}`);
    if (parts.length === 0) return undefined;
    return parts.flatMap((part) => {
      const list = stringList(attrs[part].value);
      if (!list) throw this.error(`attribute ${part} must be a list of names, found ${JSON.stringify(attrs[part].value)?.slice(0, 80)}`, { path: group.path });
      return list;
    });
  }

  group(parent: Group, name: string): Group | undefined {
    const found = parent.get(name);
    return found instanceof this.h5.Group ? found : undefined;
  }

  /** Checks a weight's dataset: present, of a readable type, with a shape. */
  plan(parent: Group, name: string, key: string): PlannedDataset {
    const where = { path: path.posix.join(parent.path, name), weight: key };
    const dataset = parent.get(name);
    if (!(dataset instanceof this.h5.Dataset)) throw this.error(`weight '${key}' has no dataset (found ${dataset === null ? 'nothing' : dataset.constructor.name})`, where);
    const metadata = dataset.metadata;
    const dtype = datasetDType(metadata);
    if (!dtype) throw this.error(`weight '${key}' has element type ${JSON.stringify(dataset.dtype)}, which cannot be read (readable: float32, float16, float64, int64, int32, uint8)`, where);
    if (!metadata.shape) throw this.error(`weight '${key}' is an empty dataset (no shape)`, where);
    return { key, dataset, shape: metadata.shape, dtype };
  }

  /** The `weights` and `model` layouts: `layer_names`, then each layer's `weight_names`. */
  planNamed(weightsGroup: Group): { layers: KerasLayerWeights[]; planned: PlannedDataset[] } {
    const layers: KerasLayerWeights[] = [];
    const planned: PlannedDataset[] = [];
    for (const name of this.names(weightsGroup, 'layer_names')!) {
      const group = this.group(weightsGroup, name);
      if (!group) throw this.error(`layer '${name}' is listed in layer_names but has no group`, { path: path.posix.join(weightsGroup.path, name) });
      const weights = this.names(group, 'weight_names');
      if (!weights) throw this.error(`layer '${name}' has no weight_names attribute`, { path: group.path });
      layers.push({ name, weights });
      for (const weight of weights) planned.push(this.plan(group, weight, `${name}/${weight}`));
    }
    return { layers, planned };
  }

  /** The `vars` layout: every group holding a `vars` group, but the optimizer's; the root's own only if it has variables. */
  planVars(): { layers: KerasLayerWeights[]; planned: PlannedDataset[] } {
    const layers: KerasLayerWeights[] = [];
    const planned: PlannedDataset[] = [];
    const visit = (group: Group, name: string) => {
      const keys = group.keys().sort(byNaturalOrder);
      const vars = keys.includes('vars') ? this.group(group, 'vars') : undefined;
      if (vars) {
        const weights = vars.keys().sort(byNaturalOrder);
        if (name !== '' || weights.length > 0) {
          layers.push({ name, weights });
          for (const weight of weights) planned.push(this.plan(vars, weight, name === '' ? weight : `${name}/${weight}`));
        }
      }
      for (const key of keys) {
        if (key === 'vars' || (name === '' && key === 'optimizer')) continue;
        const child = this.group(group, key);
        if (child) visit(child, name === '' ? key : `${name}/${key}`);
      }
    };
    visit(this.root, '');
    return { layers, planned };
  }

  /** Which layout the file has, and the group its `layer_names` is on. */
  layout(): { layout: KerasWeights['layout']; weightsGroup: Group } {
    const hasLayerNames = (group: Group) => 'layer_names' in group.attrs || 'layer_names0' in group.attrs;
    if (hasLayerNames(this.root)) return { layout: 'weights', weightsGroup: this.root };
    const modelWeights = this.group(this.root, 'model_weights');
    if (modelWeights && hasLayerNames(modelWeights)) return { layout: 'model', weightsGroup: modelWeights };
    const keys = this.root.keys();
    if (keys.some((key) => ['layers', 'vars', '_layer_checkpoint_dependencies'].includes(key))) return { layout: 'vars', weightsGroup: this.root };
    throw this.error(
      `has none of Keras's layouts: no layer_names attribute at the root, no model_weights group, no layers or vars group; it holds ${keys.length === 0 ? 'nothing' : keys.join(', ')}`,
    );
  }

  /**
   * A dataset's values, read by slices of whole rows (at most a progress chunk each) into one
   * buffer of the WebAssembly heap and widened from there into the tensor. h5wasm's own `slice`
   * cannot hand out float16, and leaves a copy of every slice to the garbage collector (about
   * 100 MB more at the peak for VGG16's 550 MB).
   */
  read({ dataset, shape, dtype }: PlannedDataset, progress: ProgressCounter): Float32Array {
    const out = new Float32Array(elementCount(shape));
    if (out.length === 0) return out;
    const itemBytes = ELEMENT_BYTES[dtype];
    const rows = shape.length === 0 ? 1 : shape[0];
    const rowElements = out.length / rows;
    const rowsPerSlice = Math.max(1, Math.floor(PROGRESS_CHUNK_BYTES / (rowElements * itemBytes)));
    const module = this.h5.Module;
    const buffer = module._malloc(Math.min(rows, rowsPerSlice) * rowElements * itemBytes);
    try {
      for (let row = 0; row < rows; row += rowsPerSlice) {
        const end = Math.min(rows, row + rowsPerSlice);
        // The hyperslab of rows [row, end), the other axes whole; a scalar is read whole (null).
        const count = [end - row, ...shape.slice(1)];
        const offset = count.map((_, axis) => (axis === 0 ? row : 0));
        const hyperslab = (values: number[]) => (shape.length === 0 ? null : values.map(BigInt));
        module.get_dataset_data(dataset.file_id, dataset.path, hyperslab(count), hyperslab(offset), hyperslab(count.map(() => 1)), BigInt(buffer));
        // HDF5 converts to the memory's byte order, and WebAssembly's memory is little endian.
        const bytes = module.HEAPU8.subarray(buffer, buffer + (end - row) * rowElements * itemBytes);
        out.set(decodeElements(bytes, dtype, true), row * rowElements);
        progress.add(bytes.byteLength);
      }
    } finally {
      module._free(buffer);
    }
    return out;
  }
}

/**
 * Reads the Keras weights of the HDF5 file at `h5Path`; errors name `origin` (the file, or the
 * `.keras` archive and its entry). Every malformed input is a {@link WeightsError}.
 */
export async function readKerasHdf5(h5Path: string, origin: Hdf5Origin, options: ReadOptions = {}): Promise<Omit<KerasWeights, 'format'>> {
  const h5 = await loadH5wasm();
  let file: InstanceType<H5wasm['File']>;
  try {
    file = new h5.File(path.resolve(h5Path), 'r');
  } catch (error) {
    const reason = hdf5Reason(error);
    throw new WeightsError(origin.file, `is not a readable HDF5 file: ${reason.startsWith('truncated') ? reason : `corrupted (HDF5 says: ${reason})`}`, {
      field: origin.entry,
      cause: error,
    });
  }
  try {
    const reader = new KerasHdf5(h5, file, origin);
    const { layout, weightsGroup } = reader.layout();
    const { layers, planned } = layout === 'vars' ? reader.planVars() : reader.planNamed(weightsGroup);
    const progress = new ProgressCounter(
      planned.reduce((total, { shape, dtype }) => total + elementCount(shape) * ELEMENT_BYTES[dtype], 0),
      options.onProgress,
    );
    const tensors: TensorSet = new Map();
    for (const data of planned) tensors.set(data.key, { shape: data.shape, dtype: data.dtype, data: reader.read(data, progress) });
    const kerasVersion = reader.text(weightsGroup, 'keras_version') ?? reader.text(file, 'keras_version');
    const backend = reader.text(weightsGroup, 'backend') ?? reader.text(file, 'backend');
    return { layout, tensors, layers, ...(kerasVersion && { kerasVersion }), ...(backend && { backend }) };
  } catch (error) {
    if (error instanceof WeightsError) throw error;
    throw new WeightsError(origin.file, `could not be read as HDF5: ${hdf5Reason(error)}`, { field: origin.entry, cause: error });
  } finally {
    file.close();
  }
}
