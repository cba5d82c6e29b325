/**
 * sharp (libvips), imported on first use: it is an optional peer dependency, so cnn-zoo must load
 * and build models without it, and only reading an image asks for it.
 */
import type sharp from 'sharp';
import { ImageError } from './errors.js';

/** sharp's default export: `sharp(input, options)`. */
export type Sharp = typeof sharp;

let loading: Promise<Sharp> | undefined;

/**
 * Whether `error` says that the package `sharp` itself is not installed (rather than broken). A
 * module loader may wrap Node's error (vitest's mocks do), so the causes are followed.
 */
function isSharpNotFound(error: unknown): boolean {
  for (let current = error; current instanceof Error; current = current.cause) {
    const code = (current as NodeJS.ErrnoException).code;
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && /['"]sharp['"]/.test(current.message)) return true;
  }
  return false;
}

/** The error for a sharp that cannot be imported; both cases say how to get it. */
export function sharpUnavailable(error: unknown): ImageError {
  if (isSharpNotFound(error)) {
    return new ImageError(undefined, 'reading images needs sharp, an optional peer dependency of cnn-zoo that is not installed: npm install sharp', { cause: error });
  }
  // sharp's own message for a missing native binary runs over many lines; its first one says what failed.
  const first = (error instanceof Error ? error.message : String(error)).trim().split('\n')[0];
  return new ImageError(undefined, `sharp is installed but cannot be loaded (${first}); npm install sharp installs it again for this platform`, { cause: error });
}

/**
 * sharp's factory, imported once. A failed import is not remembered, so installing sharp in a
 * running session (a REPL, a notebook) is picked up by the next call.
 */
export function loadSharp(): Promise<Sharp> {
  loading ??= import('sharp').then(
    (module) => module.default,
    (error: unknown) => {
      loading = undefined;
      throw sharpUnavailable(error);
    },
  );
  return loading;
}
