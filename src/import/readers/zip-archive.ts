/**
 * A zip archive read through a file descriptor the caller owns (torch.save files and Keras's
 * .keras archives are zips): its directory, random access to stored entries, and whole small
 * entries. yauzl does the zip parsing; it never closes the descriptor because the archive is never
 * closed through it: the caller closes its file handle.
 */
import { createWriteStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import yauzl, { type Entry } from 'yauzl';
import { WeightsError } from '../../weights/errors.js';

/** An open zip archive. */
export interface ZipArchive {
  /** The entries by name, in the central directory's order. */
  readonly entries: ReadonlyMap<string, Entry>;
  /** Where an entry's bytes start in the file (after its local header); for stored entries, the data itself. */
  dataStart(entry: Entry): Promise<number>;
  /** A whole entry, decompressed if it is compressed: for the small ones (a pickle, a JSON file). */
  read(entry: Entry): Promise<Buffer>;
  /** Copies an entry, decompressed, into a new file `target`. */
  extract(entry: Entry, target: string): Promise<void>;
}

/** Reads the archive's directory; a file that is not a zip, or a truncated one, is a {@link WeightsError}. */
export async function openZip(file: string, handle: FileHandle): Promise<ZipArchive> {
  const entries = new Map<string, Entry>();
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.fromFdPromise(handle.fd, { autoClose: false });
    for await (const entry of zip.eachEntry()) entries.set(entry.fileName, entry);
  } catch (error) {
    throw new WeightsError(file, `is not a readable zip archive (truncated or corrupted): ${(error as Error).message}`, { cause: error });
  }
  const corrupted = (entry: Entry, error: unknown) =>
    new WeightsError(file, `corrupted zip entry: ${(error as Error).message}`, { field: entry.fileName, cause: error });
  return {
    entries,
    async dataStart(entry) {
      try {
        return (await zip.readLocalFileHeaderPromise(entry, { minimal: true })).fileDataStart;
      } catch (error) {
        throw corrupted(entry, error);
      }
    },
    async read(entry) {
      try {
        const chunks: Buffer[] = [];
        for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
        return Buffer.concat(chunks);
      } catch (error) {
        throw corrupted(entry, error);
      }
    },
    async extract(entry, target) {
      try {
        await pipeline(await zip.openReadStreamPromise(entry), createWriteStream(target, { flags: 'wx' }));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code) throw new WeightsError(file, `could not be extracted to ${target} (${code})`, { field: entry.fileName, cause: error });
        throw corrupted(entry, error);
      }
    },
  };
}
