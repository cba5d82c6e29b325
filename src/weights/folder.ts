/**
 * Reading a weights folder, checking everything before anything is handed to TF.js: the manifest
 * against its schema, every file's size and sha256 against the manifest, every path against the
 * folder's boundary, and every group's byte count against the weights model.json lists in it.
 * Each file is read once; the bytes that were checked are the bytes that get decoded.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { parseConfig } from '../config.js';
import { ConfigError } from '../errors.js';
import { WeightsError } from './errors.js';
import { MANIFEST_FILE, MODEL_JSON_FILE, WeightsManifestSchema, type WeightsManifest } from './manifest.js';
import { ModelJsonSchema, weightByteLength, type ModelJson, type WeightSpec } from './model-json.js';
import { normalizeRelativePath, resolveInside } from './paths.js';

/** How strictly a weights folder is read: see {@link LoadOptions}. */
export interface ReadFolderOptions {
  /** Default true: the folder must have a manifest, and every file is checked against its sha256. */
  requireManifest?: boolean;
}

/**
 * One group of model.json's weightsManifest, with its shards' bytes concatenated (checked against
 * the weights' sizes, and against the manifest's checksums when there is one).
 *
 * @category Weights
 */
export interface LoadedGroup {
  /** The shard files, as model.json names them. */
  paths: string[];
  /** The weights stored in the shards, in order. */
  weights: WeightSpec[];
  /** The shards' bytes, concatenated. */
  data: Uint8Array;
}

/**
 * A weights folder that passed every check, as {@link readWeightsFolder} returns it.
 *
 * @category Weights
 */
export interface WeightsFolder {
  /** The folder, as a resolved real path. */
  dir: string;
  /** The manifest, or undefined for a plain TF.js folder read with `requireManifest: false`. */
  manifest?: WeightsManifest;
  /** model.json, parsed. */
  modelJson: ModelJson;
  /** Absolute path of model.json, for errors. */
  modelJsonPath: string;
  /** The weight groups, with their bytes. */
  groups: LoadedGroup[];
}

/** Lower-case hex sha256 of `data`. */
export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Validates JSON read from `file` against `schema`; a problem names the file and the field. */
export function parseJsonFile<S extends z.ZodType>(schema: S, bytes: Uint8Array, file: string): z.output<S> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (error) {
    throw new WeightsError(file, `is not valid JSON (${(error as Error).message})`, { cause: error });
  }
  try {
    return parseConfig(schema, value);
  } catch (error) {
    if (error instanceof ConfigError) {
      const message = error.field ? error.message.slice(error.field.length + 2) : error.message;
      throw new WeightsError(file, message, { field: error.field || undefined, cause: error });
    }
    throw error;
  }
}

async function readFileAt(real: string): Promise<Uint8Array> {
  try {
    return await fs.readFile(real);
  } catch (error) {
    throw new WeightsError(real, `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { cause: error });
  }
}

async function resolveFolder(dir: string): Promise<string> {
  let real: string;
  try {
    real = await fs.realpath(dir);
  } catch (error) {
    throw new WeightsError(path.resolve(dir), 'does not exist; expected a weights folder with model.json', { cause: error });
  }
  if (!(await fs.stat(real)).isDirectory()) throw new WeightsError(real, 'is not a folder; expected a weights folder with model.json');
  return real;
}

/** Reads and checks the manifest, or returns undefined when there is none. */
async function readManifest(dir: string, required: boolean): Promise<WeightsManifest | undefined> {
  const file = path.join(dir, MANIFEST_FILE);
  try {
    await fs.lstat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new WeightsError(file, `cannot be read (${(error as NodeJS.ErrnoException).code})`, { cause: error });
    if (!required) return undefined;
    throw new WeightsError(
      file,
      `is missing: a cnn-zoo weights folder has a manifest with the checksums of its files; to load a plain TF.js folder (tfjs-node, tensorflowjs_converter) without checksums, pass { requireManifest: false }`,
    );
  }
  const real = await resolveInside(dir, MANIFEST_FILE);
  return parseJsonFile(WeightsManifestSchema, await readFileAt(real), file);
}

/**
 * Reads `dir`'s manifest (if any), model.json and shards, and checks them all (the manifest's
 * schema, every file's size and sha256, every path against the folder's boundary, every group's
 * byte count against its weights), without building or loading anything; throws a
 * {@link WeightsError} naming the file for the first problem. {@link loadWeights} and
 * {@link loadModel} start with it; call it alone to verify a folder.
 *
 * @param options - Whether a manifest is required (default true; see {@link LoadOptions}).
 *
 * @category Weights
 */
export async function readWeightsFolder(dir: string, options: ReadFolderOptions = {}): Promise<WeightsFolder> {
  const root = await resolveFolder(dir);
  const manifestPath = path.join(root, MANIFEST_FILE);
  const manifest = await readManifest(root, options.requireManifest ?? true);

  // Every file the manifest lists: size first (a truncated file says so), then the digest.
  const verified = new Map<string, Uint8Array>();
  for (const [index, entry] of (manifest?.files ?? []).entries()) {
    const real = await resolveInside(root, entry.path, manifestPath);
    const bytes = await readFileAt(real);
    const shown = path.join(root, normalizeRelativePath(entry.path));
    if (bytes.byteLength !== entry.bytes) {
      const how = bytes.byteLength < entry.bytes ? 'truncated' : 'longer than recorded';
      throw new WeightsError(shown, `${how}: the file has ${bytes.byteLength} bytes, ${MANIFEST_FILE} records ${entry.bytes} (files.${index}.bytes)`);
    }
    const digest = sha256(bytes);
    if (digest !== entry.sha256) {
      throw new WeightsError(shown, `sha256 mismatch: the file hashes to ${digest}, ${MANIFEST_FILE} records ${entry.sha256} (files.${index}.sha256); the file is corrupt or was changed after the manifest was written`);
    }
    verified.set(normalizeRelativePath(entry.path), bytes);
  }

  /** The checked bytes of a file model.json names; without a manifest, read from disk inside the folder. */
  const modelJsonPath = path.join(root, MODEL_JSON_FILE);
  const bytesOf = async (relative: string, field: string): Promise<Uint8Array> => {
    const key = normalizeRelativePath(relative);
    if (manifest) {
      const bytes = verified.get(key);
      if (bytes) return bytes;
      throw new WeightsError(modelJsonPath, `names ${JSON.stringify(relative)}, which ${MANIFEST_FILE} does not list, so it has no checksum to check it against`, { field });
    }
    return readFileAt(await resolveInside(root, relative, key === MODEL_JSON_FILE ? undefined : modelJsonPath));
  };

  const modelJson = parseJsonFile(ModelJsonSchema, await bytesOf(MODEL_JSON_FILE, 'files'), modelJsonPath);

  const seen = new Map<string, string>();
  const groups: LoadedGroup[] = [];
  for (const [g, group] of modelJson.weightsManifest.entries()) {
    let needed = 0;
    for (const [w, spec] of group.weights.entries()) {
      const field = `weightsManifest.${g}.weights.${w}`;
      const first = seen.get(spec.name);
      if (first !== undefined) throw new WeightsError(modelJsonPath, `weight '${spec.name}' is listed twice (${first} and ${field}); weights are matched by name`, { weight: spec.name });
      seen.set(spec.name, field);
      const length = weightByteLength(spec);
      if (typeof length === 'string') throw new WeightsError(modelJsonPath, `weight '${spec.name}' ${length}`, { weight: spec.name, field });
      needed += length;
    }
    const shards: Uint8Array[] = [];
    for (const [p, shardPath] of group.paths.entries()) {
      const field = `weightsManifest.${g}.paths.${p}`;
      const key = normalizeRelativePath(shardPath);
      if (key === MANIFEST_FILE || key === MODEL_JSON_FILE) {
        throw new WeightsError(modelJsonPath, `names ${JSON.stringify(shardPath)} as a weight shard`, { field });
      }
      shards.push(await bytesOf(shardPath, field));
    }
    const held = shards.reduce((sum, shard) => sum + shard.byteLength, 0);
    if (held !== needed) {
      const files = group.paths.map((p, i) => `${p} (${shards[i].byteLength} bytes)`).join(', ');
      const how = held < needed ? 'truncated' : 'longer than its weights';
      throw new WeightsError(
        path.join(root, normalizeRelativePath(group.paths[group.paths.length - 1])),
        `${how}: weightsManifest.${g} stores ${group.weights.length} weights that need ${needed} bytes, its files hold ${held}: ${files}`,
      );
    }
    groups.push({ paths: group.paths, weights: group.weights, data: concatenate(shards, held) });
  }
  return { dir: root, manifest, modelJson, modelJsonPath, groups };
}

/** One buffer from the shards, starting at offset 0 of its own ArrayBuffer (as TF.js's decoder needs). */
function concatenate(shards: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let offset = 0;
  for (const shard of shards) {
    out.set(shard, offset);
    offset += shard.byteLength;
  }
  return out;
}
