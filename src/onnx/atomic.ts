/**
 * Writing exports so that they appear complete or not at all: into a temporary name beside the
 * target, flushed, then renamed into place in one step. A failure removes the temporary files and
 * any folder created for them, so an unwritable path leaves nothing behind.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { moveFolderIntoPlace, syncFolder, writeNewFile } from '../weights/durable-files.js';
import { OnnxExportError } from './errors.js';

const WHY: Record<string, string> = {
  ENOENT: 'no such folder, and none can be created there',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  ENOTDIR: 'a parent is a file, not a folder',
  EISDIR: 'it is a folder',
  EEXIST: 'it already exists',
};

function writeError(target: string, error: unknown): OnnxExportError {
  if (error instanceof OnnxExportError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const why = code ? `${code}: ${WHY[code] ?? (error as Error).message}` : (error as Error).message;
  return new OnnxExportError(`cannot write '${target}' (${why}); nothing was written`, { path: target });
}

/**
 * Creates `dir` and its missing parents, one at a time; returns the topmost folder created, if any.
 * Not `fs.mkdir(dir, { recursive: true })`: on /proc and /sys, where mkdir fails with ENOENT under a
 * parent that exists, Node's recursive mkdir retries for ever.
 */
async function makeFolders(dir: string): Promise<string | undefined> {
  const missing: string[] = [];
  for (let folder = dir; ; folder = path.dirname(folder)) {
    const stat = await fs.stat(folder).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (stat) {
      if (!stat.isDirectory()) throw Object.assign(new Error(`${folder} is not a folder`), { code: 'ENOTDIR' });
      break;
    }
    if (path.dirname(folder) === folder) break;
    missing.unshift(folder);
  }
  let made = 0;
  try {
    for (const folder of missing) {
      await fs.mkdir(folder);
      made++;
    }
  } catch (error) {
    if (made > 0) await fs.rm(missing[0], { recursive: true, force: true });
    throw error;
  }
  return missing[0];
}

/** Runs `write` with `parent` present; on failure removes what was created and throws a clear error naming `target`. */
async function inFolder<T>(parent: string, target: string, write: () => Promise<T>): Promise<T> {
  let created: string | undefined;
  try {
    // The topmost folder created, if any: removed on failure.
    created = await makeFolders(parent);
    return await write();
  } catch (error) {
    if (created) await fs.rm(created, { recursive: true, force: true });
    throw writeError(target, error);
  }
}

/** Writes `bytes` to `file` atomically (an existing file is replaced only once the new one is complete). */
export async function writeFileAtomic(file: string, bytes: Uint8Array): Promise<void> {
  const target = path.resolve(file);
  const parent = path.dirname(target);
  await inFolder(parent, target, async () => {
    const stat = await fs.stat(target).catch(() => undefined);
    if (stat?.isDirectory()) throw new OnnxExportError(`cannot write '${target}': it is a folder; give a file path such as model.onnx`, { path: target });
    const temp = path.join(parent, `.${path.basename(target)}.tmp-${randomBytes(4).toString('hex')}`);
    try {
      await writeNewFile(temp, bytes);
      await fs.rename(temp, target);
    } catch (error) {
      await fs.rm(temp, { force: true });
      throw error;
    }
    await syncFolder(parent);
  });
}

/**
 * Writes a folder of files (`relative path -> bytes`) atomically as `target`. An existing `target` is
 * refused unless `overwrite`; then it is set aside and removed only once the new folder is in place.
 */
export async function writeFolderAtomic(target: string, files: Record<string, Uint8Array>, overwrite: boolean): Promise<void> {
  const resolved = path.resolve(target);
  const parent = path.dirname(resolved);
  await inFolder(parent, resolved, async () => {
    const exists = await fs.lstat(resolved).then(() => true, () => false);
    if (exists && !overwrite) throw new OnnxExportError(`'${resolved}' already exists; pass overwrite to replace it (the old one stays until the new one is complete)`, { path: resolved });
    const temp = await fs.mkdtemp(path.join(parent, `.${path.basename(resolved)}.tmp-`));
    try {
      for (const [relative, bytes] of Object.entries(files)) {
        const file = path.join(temp, relative);
        await fs.mkdir(path.dirname(file), { recursive: true });
        await writeNewFile(file, bytes);
        await syncFolder(path.dirname(file));
      }
      await syncFolder(temp);
      await moveFolderIntoPlace(temp, resolved, exists);
    } catch (error) {
      await fs.rm(temp, { recursive: true, force: true });
      throw error;
    }
    await syncFolder(parent);
  });
}
