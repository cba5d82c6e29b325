/**
 * The file-system steps of every atomic write in the package (weights folders, ONNX files and
 * Triton folders, safetensors files): new files flushed before they are renamed into place, folders
 * flushed after, and a finished folder swapped in for an old one. No TF.js here, so that the readers
 * and writers of other libraries' files can use it without loading TF.js.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { WeightsError } from './errors.js';

/** Writes `data` to a new file (never over an existing one) and flushes it to the disk. */
export async function writeNewFile(file: string, data: Uint8Array): Promise<void> {
  const handle = await fs.open(file, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Flushes a folder's entries (new names, renames) to the disk; a no-op where folders cannot be opened (Windows). */
export async function syncFolder(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // Opening a directory fails on Windows; its rename is durable enough there.
  } finally {
    await handle?.close();
  }
}

/**
 * Moves the finished folder `temp` to `target`. With `replace`, the folder already at `target` is
 * set aside first, restored if the move fails, and removed only once the new one is in place.
 */
export async function moveFolderIntoPlace(temp: string, target: string, replace: boolean): Promise<void> {
  if (!replace) {
    await fs.rename(temp, target);
    return;
  }
  const aside = path.join(path.dirname(target), `.${path.basename(target)}.old-${randomBytes(4).toString('hex')}`);
  await fs.rename(target, aside);
  try {
    await fs.rename(temp, target);
  } catch (error) {
    try {
      await fs.rename(aside, target);
    } catch {
      throw new WeightsError(target, `could not be replaced (${(error as NodeJS.ErrnoException).code}) nor restored; the previous folder is kept at ${aside}`, { cause: error });
    }
    throw error;
  }
  await fs.rm(aside, { recursive: true, force: true });
}
