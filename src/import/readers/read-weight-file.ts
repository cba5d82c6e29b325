/**
 * One entry point for every weight file a user brings: the format is detected from the file's
 * first bytes and, for a zip, from its entries; the matching reader returns named float32 tensors.
 */
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { WeightsError } from '../../weights/errors.js';
import { detectContainer } from './detect-format.js';
import { KERAS_WEIGHTS_ENTRY, readKerasArchive } from './keras-archive.js';
import { readKerasHdf5, type KerasWeights } from './keras-h5.js';
import type { ReadOptions } from './progress.js';
import { readSafetensors, type SafetensorsWeights } from './safetensors.js';
import { findPickleEntry, readTorchArchive, type TorchWeights } from './torch-file.js';
import { openZip } from './zip-archive.js';

/**
 * A weight file's tensors and what its format says besides, as {@link readWeightFile} returns
 * them; `format` tells which: `pytorch` ({@link TorchWeights}), `safetensors`
 * ({@link SafetensorsWeights}), `keras-h5` or `keras` ({@link KerasWeights}).
 *
 * @category Import
 */
export type WeightFile = TorchWeights | SafetensorsWeights | KerasWeights;

/**
 * Reads a weight file into named float32 tensors (in the file's own layout and names), whatever
 * the extension says: a PyTorch `torch.save` file (zip format, PyTorch >= 1.6: a state_dict, alone
 * or under `state_dict`/`model`), a safetensors file, a Keras HDF5 file (Keras 1/2 weights or
 * whole model, Keras 3 `.weights.h5`) or a Keras 3 `.keras` archive. Tensor data are read straight
 * from the file into their arrays, never the whole file at once; `onProgress` follows the bytes.
 * The pickle of a PyTorch file is interpreted with an allow-list: nothing from the file is run.
 * Anything malformed, truncated, refused or of another format is a {@link WeightsError} naming the
 * file, what was expected and what was found.
 *
 * @param file - The weight file's path.
 * @param options - A progress callback ({@link ReadOptions}).
 *
 * @category Import
 */
export async function readWeightFile(file: string, options: ReadOptions = {}): Promise<WeightFile> {
  let handle: FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (error) {
    throw new WeightsError(file, `cannot be opened (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { cause: error });
  }
  try {
    if (!(await handle.stat()).isFile()) throw new WeightsError(file, 'is not a file (a folder?); expected a weight file');
    const container = await detectContainer(file, handle);
    if (container === 'safetensors') return await readSafetensors(file, handle, options);
    if (container === 'hdf5') return { format: 'keras-h5', ...(await readKerasHdf5(file, { file }, options)) };
    const zip = await openZip(file, handle);
    if (!findPickleEntry(zip) && zip.entries.has(KERAS_WEIGHTS_ENTRY)) return await readKerasArchive(file, zip, options);
    return await readTorchArchive(file, handle, zip, options);
  } finally {
    await handle.close();
  }
}
