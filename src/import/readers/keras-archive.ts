/**
 * Keras 3's `.keras` archives: a zip of `config.json` (the architecture), `metadata.json`
 * (`keras_version`, date) and `model.weights.h5` (the weights, in the `vars` layout). h5wasm opens
 * files by path only, so the HDF5 entry is copied to a temporary folder, read, and removed.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WeightsError } from '../../weights/errors.js';
import { readKerasHdf5, type KerasWeights } from './keras-h5.js';
import type { ReadOptions } from './progress.js';
import type { ZipArchive } from './zip-archive.js';

/** The archive's entry with the weights (Keras's saving_lib writes it under this name). */
export const KERAS_WEIGHTS_ENTRY = 'model.weights.h5';
const METADATA_ENTRY = 'metadata.json';

/** The Keras version metadata.json records, if it records one. */
async function kerasVersion(zip: ZipArchive, file: string): Promise<string | undefined> {
  const entry = zip.entries.get(METADATA_ENTRY);
  if (!entry) return undefined;
  let metadata: unknown;
  try {
    metadata = JSON.parse((await zip.read(entry)).toString('utf8'));
  } catch (error) {
    if (error instanceof WeightsError) throw error;
    throw new WeightsError(file, `is not JSON: ${(error as Error).message}`, { field: METADATA_ENTRY, cause: error });
  }
  const version = (metadata as { keras_version?: unknown } | null)?.keras_version;
  return typeof version === 'string' ? version : undefined;
}

/** Reads the weights of a `.keras` archive whose zip directory `zip` has read. */
export async function readKerasArchive(file: string, zip: ZipArchive, options: ReadOptions = {}): Promise<KerasWeights> {
  const entry = zip.entries.get(KERAS_WEIGHTS_ENTRY);
  if (!entry) {
    const npz = zip.entries.has('model.weights.npz') ? ' (its weights are in model.weights.npz, which cannot be read: save the model with weights_format="h5")' : '';
    throw new WeightsError(file, `is a zip archive without ${KERAS_WEIGHTS_ENTRY}, so not a .keras archive with readable weights${npz}`);
  }
  const version = await kerasVersion(zip, file);
  const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'cnn-zoo-keras-'));
  try {
    const h5Path = path.join(folder, KERAS_WEIGHTS_ENTRY);
    await zip.extract(entry, h5Path);
    const weights = await readKerasHdf5(h5Path, { file, entry: KERAS_WEIGHTS_ENTRY }, options);
    return { format: 'keras', ...weights, ...(version && { kerasVersion: version }) };
  } finally {
    await fs.rm(folder, { recursive: true, force: true });
  }
}
