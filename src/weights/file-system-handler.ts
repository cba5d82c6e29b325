/**
 * A TF.js IOHandler over a folder of the file system. `@tensorflow/tfjs` alone has no `file://`
 * handler (it comes with tfjs-node, which needs native libtensorflow); this one writes and reads the
 * same layers-model format: `model.json` whose `weightsManifest` names binary shards of at most
 * 4 MiB (`group1-shard1of2.bin`, as tensorflowjs_converter names them), weights little endian.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { tf } from '../tf.js';
import { syncFolder, writeNewFile } from './durable-files.js';
import { WeightsError } from './errors.js';
import { readWeightsFolder, sha256, type ReadFolderOptions, type WeightsFolder } from './folder.js';
import { MODEL_JSON_FILE, type WeightsFile } from './manifest.js';
import { DEFAULT_SHARD_BYTES, shardWeights } from './model-json.js';

/**
 * Writes a model's artifacts as model.json plus shards into `dir` (created if needed; files are
 * created exclusively, never overwritten), shards first so that a model.json is only ever beside
 * complete shards. Returns each file's path, size and sha256, model.json first.
 */
export async function writeModelFiles(dir: string, artifacts: tf.io.ModelArtifacts, shardBytes = DEFAULT_SHARD_BYTES): Promise<WeightsFile[]> {
  if (artifacts.modelTopology instanceof ArrayBuffer || artifacts.modelTopology === undefined) {
    throw new WeightsError(path.join(dir, MODEL_JSON_FILE), 'only layers models (with a JSON topology) can be saved here; received a model without one (a graph model?)');
  }
  if (!Number.isInteger(shardBytes) || shardBytes <= 0) throw new WeightsError(dir, `shard size must be a positive integer number of bytes, received ${shardBytes}`);
  const weightData = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
  const shards = shardWeights(new Uint8Array(weightData), shardBytes);
  const modelJson: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{ paths: shards.map((shard) => shard.path), weights: artifacts.weightSpecs ?? [] }],
  };
  // The optional fields TF.js's own handlers carry over, only when present.
  for (const key of ['trainingConfig', 'signature', 'userDefinedMetadata', 'modelInitializer', 'initializerSignature'] as const) {
    if (artifacts[key] !== undefined) (modelJson as unknown as Record<string, unknown>)[key] = artifacts[key];
  }
  await fs.mkdir(dir, { recursive: true });
  const written: WeightsFile[] = [];
  for (const shard of shards) {
    await writeNewFile(path.join(dir, shard.path), shard.data);
    written.push({ path: shard.path, sha256: sha256(shard.data), bytes: shard.data.byteLength });
  }
  const json = new TextEncoder().encode(JSON.stringify(modelJson));
  await writeNewFile(path.join(dir, MODEL_JSON_FILE), json);
  await syncFolder(dir);
  return [{ path: MODEL_JSON_FILE, sha256: sha256(json), bytes: json.byteLength }, ...written];
}

/** The artifacts TF.js loads a model from, from a folder that passed every check. */
export async function folderArtifacts(folder: WeightsFolder): Promise<tf.io.ModelArtifacts> {
  const specs = folder.groups.flatMap((group) => group.weights) as tf.io.WeightsManifestEntry[];
  const data = tf.io.CompositeArrayBuffer.join(folder.groups.map((group) => group.data.buffer as ArrayBuffer));
  return tf.io.getModelArtifactsForJSON(folder.modelJson as unknown as tf.io.ModelJSON, async () => [specs, data]);
}

/**
 * Options of {@link fileSystem}. Unlike {@link loadModel}, its loading accepts a folder without a
 * manifest by default (`requireManifest: false`).
 *
 * @category Weights
 */
export interface FileSystemHandlerOptions extends ReadFolderOptions {
  /** Largest shard written, in bytes; tensorflowjs_converter's 4 MiB by default. */
  shardBytes?: number;
}

/**
 * A TF.js IOHandler that saves a layers model to `dir` and loads it back, for `model.save()` and
 * `tf.loadLayersModel()`. Saving writes model.json and shards only, without a manifest and without
 * atomicity (use {@link saveModel} for both). Loading checks paths and byte counts, and the
 * checksums when the folder has a cnn-zoo manifest; it reads plain TF.js folders too unless
 * `requireManifest: true`.
 *
 * @category Weights
 */
export function fileSystem(dir: string, options: FileSystemHandlerOptions = {}): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      await writeModelFiles(dir, artifacts, options.shardBytes);
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      return folderArtifacts(await readWeightsFolder(dir, { requireManifest: options.requireManifest ?? false }));
    },
  };
}
