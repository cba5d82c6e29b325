/**
 * PyTorch's torch.save files (.pth, .pt) in the zip format of PyTorch >= 1.6: `<prefix>/data.pkl`
 * (the pickled object, whose tensors refer to storages), `<prefix>/data/<key>` (each storage's raw
 * bytes, stored uncompressed), `<prefix>/version`, and since PyTorch 2.1 `<prefix>/byteorder`.
 * The pickle is unpickled with an allow-list (torch-unpickle.ts); then each tensor's bytes are read
 * from its storage entry by position, straight into the tensor's buffer.
 */
import type { FileHandle } from 'node:fs/promises';
import type { Entry } from 'yauzl';
import { WeightsError } from '../../weights/errors.js';
import type { TensorSet } from '../tensors.js';
import { decodeElements, ELEMENT_BYTES, PLATFORM_LITTLE_ENDIAN } from './element-types.js';
import { ProgressCounter, type ReadOptions } from './progress.js';
import { readRange } from './read-range.js';
import { elementCount, gatherStrided, isContiguous, viewExtent } from './strided.js';
import { ForbiddenGlobalError, PickledTensor, unpickleCheckpoint } from './torch-unpickle.js';
import type { ZipArchive } from './zip-archive.js';

/**
 * The tensors of a torch.save file, as {@link readWeightFile} returns them.
 *
 * @category Import
 */
export interface TorchWeights {
  format: 'pytorch';
  /** The state_dict's tensors, by their keys (`layer1.0.conv1.weight`), in the state_dict's order. */
  tensors: TensorSet;
  /** The key of the checkpoint's dict the state_dict was taken from, when the file holds it wrapped (`{'state_dict': ...}`, `{'model': ...}`). */
  unwrappedKey?: 'state_dict' | 'model';
}

/** The keys under which training scripts save the state_dict, in the order they are tried. */
const WRAPPER_KEYS = ['state_dict', 'model'] as const;

/** At most this many keys are listed in a message. */
const LISTED = 8;

/** The archive's data.pkl: `<prefix>/data.pkl`, the prefix being the archive's one folder. */
export function findPickleEntry(zip: ZipArchive): Entry | undefined {
  return [...zip.entries.values()].find((entry) => /^[^/]+\/data\.pkl$/.test(entry.fileName));
}

function listed(items: string[]): string {
  return items.length <= LISTED ? items.join(', ') : `${items.slice(0, LISTED).join(', ')} and ${items.length - LISTED} more`;
}

/** An unpickled value, in words. */
function describe(value: unknown): string {
  if (value instanceof PickledTensor) return 'a tensor';
  if (value instanceof Map) return `a dict with the keys ${listed([...value.keys()].map((key) => JSON.stringify(key)))}`;
  if (Array.isArray(value)) return `a list or tuple of ${value.length}`;
  if (value === null) return 'None';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `the ${typeof value} ${String(value)}`;
}

function isStateDict(value: unknown): value is Map<string, PickledTensor> {
  return value instanceof Map && [...value].every(([key, item]) => typeof key === 'string' && item instanceof PickledTensor);
}

/** The state_dict in the unpickled object: the object itself, or the value of one of {@link WRAPPER_KEYS}. */
function findStateDict(root: unknown, file: string, field: string): Pick<TorchWeights, 'unwrappedKey'> & { stateDict: Map<string, PickledTensor> } {
  if (isStateDict(root)) return { stateDict: root };
  let detail = '';
  if (root instanceof Map) {
    for (const key of WRAPPER_KEYS) {
      const inner = root.get(key);
      if (isStateDict(inner)) return { stateDict: inner, unwrappedKey: key };
    }
    // Why not: the first item that is not a tensor, in the wrapped dict if there is one.
    const wrapper = WRAPPER_KEYS.find((key) => root.get(key) instanceof Map);
    const dict = (wrapper ? root.get(wrapper) : root) as Map<unknown, unknown>;
    const other = [...dict].find(([key, item]) => typeof key !== 'string' || !(item instanceof PickledTensor));
    if (other) detail = `; ${wrapper ? `under '${wrapper}', ` : ''}${JSON.stringify(other[0])} is ${describe(other[1])}, not a tensor`;
  }
  throw new WeightsError(file, `expected a state_dict (a dict of tensors), or a dict holding one under 'state_dict' or 'model'; found ${describe(root)}${detail}`, { field });
}

/** A tensor to read: where its bytes are, and how many. */
interface PlannedTensor {
  name: string;
  tensor: PickledTensor;
  entry: Entry;
  /** The first byte of the tensor's span within the storage entry. */
  byteStart: number;
  /** The bytes from its first storage element to its last (more than its own for a non-contiguous view). */
  byteLength: number;
}

/** Checks every tensor against data.pkl's storage sizes and the archive's entries before anything is read. */
function planReads(stateDict: Map<string, PickledTensor>, zip: ZipArchive, prefix: string, file: string, pickleField: string): PlannedTensor[] {
  return [...stateDict].map(([name, tensor]) => {
    const { storage, offset, shape, strides } = tensor;
    const field = `${prefix}data/${storage.key}`;
    const entry = zip.entries.get(field);
    if (!entry) throw new WeightsError(file, `the storage entry of tensor '${name}' is missing from the archive`, { field, weight: name });
    const itemBytes = ELEMENT_BYTES[storage.dtype];
    const extent = viewExtent(shape, strides);
    if (extent > 0 && offset + extent > storage.numel) {
      throw new WeightsError(file, `tensor '${name}' reaches element ${offset + extent} of storage ${storage.key}, which has ${storage.numel} elements`, { field: pickleField, weight: name });
    }
    const plan = { name, tensor, entry, byteStart: offset * itemBytes, byteLength: extent * itemBytes };
    if (extent > 0 && plan.byteStart + plan.byteLength > entry.uncompressedSize) {
      throw new WeightsError(
        file,
        `has ${entry.uncompressedSize} bytes, too short for tensor '${name}' (${storage.dtype}, shape [${shape.join(', ')}], storage offset ${offset}), which needs its bytes ${plan.byteStart} to ${plan.byteStart + plan.byteLength}`,
        { field, weight: name },
      );
    }
    if (entry.compressionMethod !== 0) {
      throw new WeightsError(file, `is compressed (zip method ${entry.compressionMethod}); torch.save stores storages uncompressed: save the file again with torch.save`, { field, weight: name });
    }
    return plan;
  });
}

/** The byte order of the archive's storages: its `byteorder` entry (PyTorch >= 2.1), little endian before. */
async function storageByteOrder(zip: ZipArchive, prefix: string, file: string): Promise<boolean> {
  const entry = zip.entries.get(`${prefix}byteorder`);
  if (!entry) return true;
  const text = (await zip.read(entry)).toString('latin1').trim();
  if (text !== 'little' && text !== 'big') throw new WeightsError(file, `must say 'little' or 'big', found ${JSON.stringify(text)}`, { field: entry.fileName });
  return text === 'little';
}

/**
 * Reads the state_dict of a torch.save zip archive whose zip directory `zip` has read from `handle`.
 * Every malformed or refused input is a {@link WeightsError} naming the file and the entry.
 */
export async function readTorchArchive(file: string, handle: FileHandle, zip: ZipArchive, options: ReadOptions = {}): Promise<TorchWeights> {
  const pickleEntry = findPickleEntry(zip);
  if (!pickleEntry) {
    throw new WeightsError(file, `is a zip archive without a <prefix>/data.pkl entry, so not a torch.save file; its entries: ${listed([...zip.entries.keys()])}`);
  }
  const field = pickleEntry.fileName;
  const prefix = field.slice(0, -'data.pkl'.length);
  let root: unknown;
  try {
    root = unpickleCheckpoint(await zip.read(pickleEntry));
  } catch (error) {
    if (error instanceof WeightsError) throw error;
    const reason = error instanceof ForbiddenGlobalError ? error.message : `is not a pickle of a state_dict: ${(error as Error).message}`;
    throw new WeightsError(file, reason, { field, cause: error });
  }
  const { stateDict, unwrappedKey } = findStateDict(root, file, field);
  const plans = planReads(stateDict, zip, prefix, file, field);
  const littleEndian = await storageByteOrder(zip, prefix, file);

  const fileSize = (await handle.stat()).size;
  const dataStarts = new Map<Entry, number>();
  for (const { entry } of plans) {
    if (dataStarts.has(entry)) continue;
    const start = await zip.dataStart(entry);
    if (start + entry.compressedSize > fileSize) throw new WeightsError(file, `runs past the end of the file (${fileSize} bytes): truncated`, { field: entry.fileName });
    dataStarts.set(entry, start);
  }

  const progress = new ProgressCounter(
    plans.reduce((total, plan) => total + plan.byteLength, 0),
    options.onProgress,
  );
  const tensors: TensorSet = new Map();
  for (const { name, tensor, entry, byteStart, byteLength } of plans) {
    const { storage, shape, strides } = tensor;
    const contiguous = isContiguous(shape, strides);
    // A contiguous float32 tensor in the platform's byte order is read straight into its array.
    const direct = storage.dtype === 'float32' && littleEndian === PLATFORM_LITTLE_ENDIAN && contiguous;
    const data = direct ? new Float32Array(elementCount(shape)) : undefined;
    const bytes = data ? new Uint8Array(data.buffer) : new Uint8Array(byteLength);
    const read = await readRange(handle, dataStarts.get(entry)! + byteStart, bytes, progress);
    if (read < byteLength) throw new WeightsError(file, `ends after ${read} of the ${byteLength} bytes of tensor '${name}': truncated`, { field: entry.fileName, weight: name });
    const span = data ?? decodeElements(bytes, storage.dtype, littleEndian);
    tensors.set(name, { shape: [...shape], dtype: storage.dtype, data: contiguous ? span : gatherStrided(span, shape, strides) });
  }
  return { format: 'pytorch', tensors, ...(unwrappedKey && { unwrappedKey }) };
}
