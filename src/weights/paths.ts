/**
 * File paths inside a weights folder. Every path that a manifest or a model.json names is data read
 * from disk, so it must not be able to reach outside the folder: no absolute path, no `..`, no
 * backslash (a separator on Windows), and no symbolic link that resolves elsewhere.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { WeightsError } from './errors.js';

const RULE = "must be a relative path inside the folder, with '/' separators and no '..'";

/**
 * Why `value` is not a safe relative path, or undefined if it is. `./weights.bin` (as tfjs-node
 * writes it) is accepted; `../x`, `/etc/passwd`, `C:\x`, `a\..\b` and `a/../b` are not (the last
 * one stays inside, but a path that climbs is refused outright rather than reasoned about).
 */
export function unsafePathReason(value: string): string | undefined {
  if (value === '') return 'must not be empty';
  if (value.includes('\0')) return 'must not contain a NUL character';
  if (value.includes('\\')) return `${RULE} (backslashes are refused)`;
  if (value.startsWith('/') || /^[A-Za-z]:/.test(value) || /^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return `${RULE} (absolute paths and URLs are refused)`;
  const segments = value.split('/');
  if (segments.includes('..')) return RULE;
  if (normalizeRelativePath(value) === '.') return 'must name a file, not the folder itself';
  return undefined;
}

/** `./a//b` → `a/b`: the form in which paths from the manifest and model.json are compared. */
export function normalizeRelativePath(value: string): string {
  return path.posix.normalize(value).replace(/^(\.\/)+/, '');
}

/** A zod string that is a safe relative path (see {@link unsafePathReason}). */
export const relativePathSchema = z.string({ error: 'must be a string' }).superRefine((value, context) => {
  const reason = unsafePathReason(value);
  if (reason) context.addIssue({ code: 'custom', message: reason, input: value });
});

/**
 * The absolute path of `relative` inside `root` (an already resolved real path), after following
 * symbolic links: a link that leads outside the folder is refused, naming the path. `source` is the
 * file that named the path (the manifest, model.json), for the error.
 */
export async function resolveInside(root: string, relative: string, source?: string): Promise<string> {
  const reason = unsafePathReason(relative);
  if (reason) throw new WeightsError(source ?? root, `path ${JSON.stringify(relative)} ${reason}`);
  const full = path.join(root, normalizeRelativePath(relative));
  let real: string;
  try {
    real = await fs.realpath(full);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const what = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(error)})`;
    throw new WeightsError(full, source ? `${what}; ${path.basename(source)} names it` : what, { cause: error });
  }
  if (!isInside(root, real)) {
    throw new WeightsError(full, `resolves to ${real}, outside the folder ${root} (a symbolic link?); files of a weights folder must stay inside it`);
  }
  return real;
}

/** Whether `candidate` is `root` or below it (both resolved). */
export function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative !== '' && relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}
