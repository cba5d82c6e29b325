/**
 * The safetensors format (Hugging Face; timm's `.safetensors` weights): an unsigned 64-bit little-
 * endian header length N, N bytes of JSON `{name: {dtype, shape, data_offsets: [begin, end]},
 * "__metadata__": {string: string}}`, then the data section, which the tensors' offsets (relative
 * to it) tile exactly: no overlap, no gap, nothing beyond. Read with every one of those rules
 * checked, and written (float32) atomically.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { syncFolder } from '../../weights/durable-files.js';
import { WeightsError } from '../../weights/errors.js';
import type { SourceDType, TensorSet } from '../tensors.js';
import { decodeElements, ELEMENT_BYTES, littleEndianBytes, PLATFORM_LITTLE_ENDIAN } from './element-types.js';
import { ProgressCounter, type ReadOptions } from './progress.js';
import { readRange } from './read-range.js';
import { elementCount } from './strided.js';

/**
 * The tensors of a safetensors file, as {@link readWeightFile} returns them.
 *
 * @category Import
 */
export interface SafetensorsWeights {
  format: 'safetensors';
  /** The tensors by their names in the header, in the order of their data in the file. */
  tensors: TensorSet;
  /** The header's `__metadata__` (`{}` when it has none). */
  metadata: Record<string, string>;
}

/**
 * How {@link writeSafetensors} writes.
 *
 * @category Import
 */
export interface WriteSafetensorsOptions {
  /** The header's `__metadata__`, string to string (`{ format: 'pt' }` is what PyTorch's loaders expect). */
  metadata?: Record<string, string>;
  /** Replace an existing file (atomically: the old one stays until the new one is complete). Default false. */
  overwrite?: boolean;
}

/** The safetensors dtypes that have a SourceDType. */
const DTYPES: Readonly<Record<string, SourceDType>> = { F32: 'float32', F16: 'float16', BF16: 'bfloat16', F64: 'float64', I64: 'int64', I32: 'int32', U8: 'uint8', BOOL: 'bool' };

/** The reference implementation's limit on the header; a larger length is a corrupt file, not a header to allocate. */
const MAX_HEADER_BYTES = 100_000_000;

const METADATA_KEY = '__metadata__';

/** The largest single write (one call may write less than asked, and large ones do on some systems). */
const WRITE_CHUNK_BYTES = 16 * 1024 * 1024;

interface HeaderEntry {
  name: string;
  dtype: SourceDType;
  shape: number[];
  begin: number;
  end: number;
}

function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The header's tensor entries, each checked on its own (dtype, shape, offsets, byte count). */
function parseEntries(header: Record<string, unknown>, file: string): { entries: HeaderEntry[]; metadata: Record<string, string> } {
  const entries: HeaderEntry[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === METADATA_KEY) {
      if (!isObject(info) || !Object.values(info).every((value) => typeof value === 'string')) {
        throw new WeightsError(file, `must map strings to strings, found ${JSON.stringify(info)}`, { field: METADATA_KEY });
      }
      metadata = info as Record<string, string>;
      continue;
    }
    const fail = (message: string) => new WeightsError(file, message, { field: name, weight: name });
    if (!isObject(info)) throw fail(`must be {dtype, shape, data_offsets}, found ${JSON.stringify(info)}`);
    const { dtype, shape, data_offsets: offsets } = info;
    const sourceDType = typeof dtype === 'string' && Object.hasOwn(DTYPES, dtype) ? DTYPES[dtype] : undefined;
    if (!sourceDType) throw fail(`dtype ${JSON.stringify(dtype)} cannot be read (readable: ${Object.keys(DTYPES).join(', ')})`);
    if (!Array.isArray(shape) || !shape.every(isIndex)) throw fail(`shape must be a list of non-negative integers, found ${JSON.stringify(shape)}`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex) || offsets[0] > offsets[1]) {
      throw fail(`data_offsets must be [begin, end] with 0 <= begin <= end, found ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    const needed = elementCount(shape) * ELEMENT_BYTES[sourceDType];
    if (end - begin !== needed) throw fail(`data_offsets [${begin}, ${end}] span ${end - begin} bytes; ${dtype} of shape [${shape.join(', ')}] takes ${needed}`);
    entries.push({ name, dtype: sourceDType, shape, begin, end });
  }
  return { entries, metadata };
}

/** Checks that the tensors' data tile the data section exactly, and returns them in the order of their data. */
function checkTiling(entries: HeaderEntry[], dataBytes: number, file: string): HeaderEntry[] {
  const ordered = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous: HeaderEntry | undefined;
  for (const entry of ordered) {
    const where = { field: entry.name, weight: entry.name };
    if (entry.end > dataBytes) {
      throw new WeightsError(file, `data_offsets [${entry.begin}, ${entry.end}] reach beyond the data section, which has ${dataBytes} bytes (truncated file?)`, where);
    }
    if (entry.begin < covered) {
      throw new WeightsError(file, `data_offsets [${entry.begin}, ${entry.end}] overlap those of '${previous!.name}' [${previous!.begin}, ${previous!.end}]`, where);
    }
    if (entry.begin > covered) throw new WeightsError(file, `bytes ${covered} to ${entry.begin} of the data section belong to no tensor`, where);
    covered = entry.end;
    previous = entry;
  }
  if (covered !== dataBytes) throw new WeightsError(file, `bytes ${covered} to ${dataBytes} of the data section belong to no tensor`);
  return ordered;
}

/** Reads a safetensors file from `handle`; a header that does not match the file is a {@link WeightsError}. */
export async function readSafetensors(file: string, handle: FileHandle, options: ReadOptions = {}): Promise<SafetensorsWeights> {
  const fileSize = (await handle.stat()).size;
  const lengthBytes = new Uint8Array(8);
  if ((await readRange(handle, 0, lengthBytes)) < 8) throw new WeightsError(file, `has ${fileSize} bytes; a safetensors file starts with an 8-byte header length`);
  const headerLength = new DataView(lengthBytes.buffer).getBigUint64(0, true);
  if (headerLength > BigInt(fileSize - 8)) {
    throw new WeightsError(file, `header length ${headerLength} (its first 8 bytes) reaches beyond the file, which has ${fileSize} bytes: truncated, or not a safetensors file`);
  }
  if (headerLength > BigInt(MAX_HEADER_BYTES)) throw new WeightsError(file, `header length ${headerLength} is beyond safetensors' limit of ${MAX_HEADER_BYTES} bytes`);
  const headerBytes = new Uint8Array(Number(headerLength));
  await readRange(handle, 8, headerBytes);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch (error) {
    throw new WeightsError(file, `header (bytes 8 to ${8 + headerBytes.length}) is not UTF-8 JSON: ${(error as Error).message}`, { cause: error });
  }
  if (!isObject(header)) throw new WeightsError(file, `header must be a JSON object, found ${JSON.stringify(header)?.slice(0, 80)}`);

  const dataStart = 8 + headerBytes.length;
  const { entries, metadata } = parseEntries(header, file);
  const ordered = checkTiling(entries, fileSize - dataStart, file);
  const progress = new ProgressCounter(fileSize - dataStart, options.onProgress);
  const tensors: TensorSet = new Map();
  for (const { name, dtype, shape, begin, end } of ordered) {
    // float32 is read straight into its array; other types are read as bytes and widened.
    const direct = dtype === 'float32' && PLATFORM_LITTLE_ENDIAN ? new Float32Array(elementCount(shape)) : undefined;
    const bytes = direct ? new Uint8Array(direct.buffer) : new Uint8Array(end - begin);
    const read = await readRange(handle, dataStart + begin, bytes, progress);
    if (read < bytes.byteLength) throw new WeightsError(file, `ends inside tensor '${name}': truncated`, { field: name, weight: name });
    tensors.set(name, { shape, dtype, data: direct ?? decodeElements(bytes, dtype, true) });
  }
  return { format: 'safetensors', tensors, metadata };
}

/** The header, in the tensors' order, padded with spaces so that the data section starts 8-byte aligned. */
function encodeHeader(tensors: ReadonlyMap<string, { shape: readonly number[]; data: Float32Array }>, metadata: Record<string, string> | undefined): Uint8Array {
  // Built entry by entry rather than as an object: a JS object would put integer-like names first (and '__proto__' nowhere).
  const fields: string[] = metadata ? [`${JSON.stringify(METADATA_KEY)}:${JSON.stringify(metadata)}`] : [];
  let offset = 0;
  for (const [name, { shape, data }] of tensors) {
    fields.push(`${JSON.stringify(name)}:${JSON.stringify({ dtype: 'F32', shape, data_offsets: [offset, offset + data.byteLength] })}`);
    offset += data.byteLength;
  }
  const json = new TextEncoder().encode(`{${fields.join(',')}}`);
  const padded = new Uint8Array(json.length + ((8 - (json.length % 8)) % 8)).fill(0x20);
  padded.set(json);
  return padded;
}

/** Writes all of `bytes` at the handle's position. */
async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  for (let written = 0; written < bytes.length; ) {
    written += (await handle.write(bytes, written, Math.min(WRITE_CHUNK_BYTES, bytes.length - written))).bytesWritten;
  }
}

/**
 * Writes tensors to a safetensors file as float32 (`F32`, whatever the `dtype` they were read as),
 * in the map's order, with an optional `__metadata__`. The file appears complete or not at all: it
 * is written to a temporary file beside the target, flushed to the disk, and renamed into place.
 * An existing file is refused unless `overwrite: true`. Bad input (a shape that does not match the
 * data, an empty name) or a failed write is a {@link WeightsError}; nothing is left half-written.
 *
 * @param file - The file to write.
 * @param tensors - Name to `{ shape, data }`; a {@link TensorSet} will do.
 * @param options - The header's metadata, and whether to replace an existing file.
 *
 * @category Import
 */
export async function writeSafetensors(
  file: string,
  tensors: ReadonlyMap<string, { shape: readonly number[]; data: Float32Array }>,
  options: WriteSafetensorsOptions = {},
): Promise<void> {
  const target = path.resolve(file);
  for (const [name, { shape, data }] of tensors) {
    if (name === '' || name === METADATA_KEY) throw new WeightsError(target, `a tensor cannot be named ${JSON.stringify(name)}`, { weight: name });
    if (!shape.every(isIndex) || elementCount(shape) !== data.length) {
      throw new WeightsError(target, `tensor '${name}' has shape [${shape.join(', ')}] but ${data.length} values`, { weight: name });
    }
  }
  if (options.metadata && !Object.values(options.metadata).every((value) => typeof value === 'string')) {
    throw new WeightsError(target, `must map strings to strings, received ${JSON.stringify(options.metadata)}`, { field: METADATA_KEY });
  }
  if (!options.overwrite && (await fs.stat(target).catch(() => undefined))) {
    throw new WeightsError(target, 'already exists; pass { overwrite: true } to replace it (the old file stays until the new one is complete)');
  }

  const header = encodeHeader(tensors, options.metadata);
  const length = new Uint8Array(8);
  new DataView(length.buffer).setBigUint64(0, BigInt(header.length), true);
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.tmp-${randomBytes(4).toString('hex')}`);
  let handle: FileHandle | undefined;
  try {
    handle = await fs.open(temp, 'wx');
    await writeAll(handle, length);
    await writeAll(handle, header);
    for (const { data } of tensors.values()) await writeAll(handle, littleEndianBytes(data));
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.rename(temp, target);
    await syncFolder(path.dirname(target));
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await fs.rm(temp, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    throw new WeightsError(target, `could not be written (${code ?? (error as Error).message}); nothing was written under its name`, { cause: error });
  }
}
