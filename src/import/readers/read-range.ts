/**
 * Positional reads straight into the buffer that will hold a tensor: a weight file is never loaded
 * whole, and its bytes are copied once, from the disk into the tensor.
 */
import type { FileHandle } from 'node:fs/promises';
import { PROGRESS_CHUNK_BYTES, type ProgressCounter } from './progress.js';

/**
 * Fills `target` with the file's bytes from `position` on, chunk by chunk (each one counted by
 * `progress`). Returns how many bytes it read: fewer than `target` holds only where the file ends.
 */
export async function readRange(handle: FileHandle, position: number, target: Uint8Array, progress?: ProgressCounter): Promise<number> {
  let filled = 0;
  while (filled < target.byteLength) {
    const length = Math.min(PROGRESS_CHUNK_BYTES, target.byteLength - filled);
    const { bytesRead } = await handle.read(target, filled, length, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
    progress?.add(bytesRead);
  }
  return filled;
}
