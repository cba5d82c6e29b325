/**
 * Saving a model as a cnn-zoo weights folder: TF.js's model.json and shards plus the manifest,
 * written atomically. Everything goes into a temporary folder beside the target, is flushed to the
 * disk, and is renamed into place in one step, so a crash or an error never leaves a half-written
 * folder under the target's name.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { parseConfig, positiveInt } from '../config.js';
import { ConfigError, describeValue, type ConfigIssue } from '../errors.js';
import { tf } from '../tf.js';
import { WeightsError } from './errors.js';
import { moveFolderIntoPlace, syncFolder, writeNewFile } from './durable-files.js';
import { writeModelFiles } from './file-system-handler.js';
import {
  MANIFEST_FILE,
  MANIFEST_FORMAT,
  MANIFEST_VERSION,
  MODEL_JSON_FILE,
  WeightsManifestSchema,
  checkPreprocessing,
  descriptiveFields,
  preprocessingFields,
  type WeightsFile,
  type WeightsManifest,
} from './manifest.js';
import { modelInfo, recordedConfig, WEIGHT_FREE_OPTIONS } from './model-info.js';
import { DEFAULT_SHARD_BYTES } from './model-json.js';

/**
 * What the manifest says about the weights, as {@link saveModel} takes it: the manifest's fields
 * without `format`, `version` and `files` (which saveModel fills in). `model` defaults to the
 * model's name (the zoo's builders name a model after its registry entry) and
 * `preprocessing.inputShape` to the model's input shape.
 *
 * @category Weights
 */
export const WeightsInfoSchema = z.strictObject({
  ...descriptiveFields,
  /** The registry name of the architecture. Default: the one the zoo recorded (see {@link modelInfo}), else the model's name. */
  model: descriptiveFields.model.optional(),
  /** The builder options. Default: the exact config the zoo recorded; given for a model the zoo built, it must agree with it. */
  config: descriptiveFields.config.optional(),
  /** What the weights expect of an input image. Default: what loaded weights brought, else `[0, 1]` RGB; `inputShape` defaults to the model's. */
  preprocessing: z
    .strictObject({
      ...preprocessingFields,
      /** `[height, width, channels]` the weights expect. Default: the model's input shape. */
      inputShape: preprocessingFields.inputShape.optional(),
    })
    .superRefine(checkPreprocessing)
    .optional(),
});
/**
 * What {@link saveModel} records about the weights, field by field.
 *
 * @useDeclaredType
 * @category Weights
 */
export type WeightsInfo = z.input<typeof WeightsInfoSchema>;

/**
 * How {@link saveModel} writes, as a zod schema; field by field in {@link SaveOptions}.
 *
 * @category Weights
 */
export const SaveOptionsSchema = z.strictObject({
  /** Replace a target folder that exists and is not empty (atomically: the old one stays until the new one is in place). Default false. */
  overwrite: z.boolean({ error: 'must be true or false' }).default(false),
  /** Largest shard in bytes; tensorflowjs_converter's 4 MiB by default. */
  shardBytes: positiveInt().default(DEFAULT_SHARD_BYTES),
});
/**
 * How {@link saveModel} writes, every field optional.
 *
 * @useDeclaredType
 * @category Weights
 */
export type SaveOptions = z.input<typeof SaveOptionsSchema>;

/** The model's fixed input shape without the batch dimension, if it has one input of rank 4. */
function modelInputShape(model: tf.LayersModel): (number | null)[] | undefined {
  return model.inputs.length === 1 && model.inputs[0].shape.length === 4 ? model.inputs[0].shape.slice(1) : undefined;
}

/** The keys of `given` that change a weight and whose value differs from the recorded config's (both as JSON). */
function differingKeys(given: Record<string, unknown>, recorded: Record<string, unknown>): string[] {
  return Object.keys(given).filter((key) => !WEIGHT_FREE_OPTIONS.has(key) && JSON.stringify(given[key]) !== JSON.stringify(recorded[key]));
}

/**
 * The manifest to write, without its files: the given info over what the zoo knows of the model,
 * checked against the model. Every problem of the info is reported in one ConfigError.
 */
function manifestFor(model: tf.LayersModel, info: WeightsInfo): WeightsManifest {
  const problems: ConfigIssue[] = [];
  // The info's own problems and its problems with the model are reported together; the checks
  // against the model read the fields as given when the schema refused some other field.
  let parsed: z.output<typeof WeightsInfoSchema>;
  try {
    parsed = parseConfig(WeightsInfoSchema, info);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.issues);
    parsed = info as z.output<typeof WeightsInfoSchema>;
  }
  const known = modelInfo(model);
  // A model the zoo built has its exact config recorded: a config given with it may repeat it, not change it.
  const sameModel = known !== undefined && (parsed.model ?? known.model) === known.model;
  const given = parsed.config && recordedConfig(parsed.config);
  if (sameModel && given) {
    const differing = differingKeys(given, known.config);
    if (differing.length) {
      const rule = `must agree with the config the model was built with (${differing.map((key) => `${key}: ${describeValue(known.config[key])}`).join(', ')}); leave it out to record the model's own`;
      problems.push({ field: 'config', rule, received: parsed.config });
    }
  }
  const modelShape = modelInputShape(model);
  const preprocessing = parsed.preprocessing ?? known?.preprocessing ?? { range: [0, 1] as [number, number], channelOrder: 'rgb' as const };
  let inputShape = preprocessing.inputShape;
  if (inputShape === undefined) {
    if (!modelShape || modelShape.some((size) => size === null)) {
      problems.push({ field: 'preprocessing.inputShape', rule: `required: the model's input shape ${JSON.stringify(model.inputs.map((input) => input.shape))} does not fix it`, received: undefined });
    }
    inputShape = modelShape as [number, number, number];
  } else if (modelShape && modelShape.some((size, i) => size !== null && size !== inputShape![i])) {
    problems.push({ field: 'preprocessing.inputShape', rule: `must match the model's input shape ${JSON.stringify(modelShape)}`, received: inputShape });
  }
  const classNames = parsed.classNames ?? known?.classNames;
  const outputs = model.outputs.length === 1 ? model.outputs[0].shape : undefined;
  const units = outputs?.[outputs.length - 1];
  if (classNames && typeof units === 'number' && classNames.length !== units) {
    problems.push({ field: 'classNames', rule: `must have one name per output unit (${units})`, received: classNames, shown: `${classNames.length} names` });
  }
  if (problems.length) throw new ConfigError(problems);

  const source = parsed.source ?? known?.source;
  const licence = parsed.licence ?? known?.licence;
  const metrics = parsed.metrics ?? known?.metrics;
  const importedFrom = parsed.importedFrom ?? known?.importedFrom;
  const { inputShape: _given, ...rest } = preprocessing;
  // Key order is the reading order of the file.
  const manifest = {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    model: parsed.model ?? known?.model ?? model.name,
    config: sameModel ? { ...known.config, ...given } : (given ?? {}),
    ...(source && { source }),
    ...(licence && { licence }),
    ...(importedFrom && { importedFrom }),
    preprocessing: { inputShape, ...rest },
    ...(classNames && { classNames }),
    ...(metrics && { metrics }),
    ...(parsed.createdAt && { createdAt: parsed.createdAt }),
  };
  // The whole manifest must pass its own schema before anything is written (with a stand-in file list).
  return parseConfig(WeightsManifestSchema, { ...manifest, files: [{ path: MODEL_JSON_FILE, sha256: '0'.repeat(64), bytes: 0 }] });
}

/** 'absent', 'empty' or 'full'; a target that is a file is refused. */
async function targetState(target: string): Promise<'absent' | 'empty' | 'full'> {
  let stat;
  try {
    stat = await fs.lstat(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw error;
  }
  if (!stat.isDirectory()) throw new WeightsError(target, 'exists and is not a folder; saveModel writes a folder');
  return (await fs.readdir(target)).length === 0 ? 'empty' : 'full';
}

/**
 * Saves a model's architecture and weights to the folder `dir` in the TF.js layers format
 * (model.json + shards of at most 4 MiB, readable by tfjs-node and `tf.loadLayersModel`), with a
 * `cnn-zoo.json` manifest that records `info` and the sha256 of every file. The folder appears
 * complete or not at all. An existing non-empty folder is refused unless `overwrite: true`.
 * Returns the manifest written. A bad `info` or `options` is a {@link ConfigError}; a target
 * that cannot be written, a {@link WeightsError}.
 *
 * @param dir - The folder to write (created with its parents; replaced only with `overwrite`).
 * @param info - What the manifest records ({@link WeightsInfo}).
 * @param options - Overwriting and shard size ({@link SaveOptions}).
 *
 * @example
 * ```ts
 * const model = lenet5();
 * await saveModel(model, 'my-lenet5', {
 *   config: { numClasses: 10 }, source: 'trained with scripts/train-mnist.ts', licence: 'MIT',
 *   preprocessing: { range: [0, 1] }, classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
 *   metrics: { testAccuracy: 0.989 },
 * });
 * ```
 *
 * @category Weights
 */
export async function saveModel(model: tf.LayersModel, dir: string, info: WeightsInfo = {}, options: SaveOptions = {}): Promise<WeightsManifest> {
  const { overwrite, shardBytes } = parseConfig(SaveOptionsSchema, options, 'options');
  const described = manifestFor(model, info);
  const target = path.resolve(dir);
  const parent = path.dirname(target);
  await fs.mkdir(parent, { recursive: true });
  const state = await targetState(target);
  if (state === 'full' && !overwrite) {
    throw new WeightsError(target, 'already exists and is not empty; pass { overwrite: true } to replace it (the old folder stays until the new one is complete)');
  }

  const temp = await fs.mkdtemp(path.join(parent, `.${path.basename(target)}.tmp-`));
  try {
    let files: WeightsFile[] = [];
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        files = await writeModelFiles(temp, artifacts, shardBytes);
        return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
      }),
    );
    const { files: _standIn, ...rest } = described;
    const manifest: WeightsManifest = { ...rest, files };
    await writeNewFile(path.join(temp, MANIFEST_FILE), new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`));
    await syncFolder(temp);
    await moveFolderIntoPlace(temp, target, state !== 'absent');
    await syncFolder(parent);
    return manifest;
  } catch (error) {
    await fs.rm(temp, { recursive: true, force: true });
    if (error instanceof WeightsError || error instanceof ConfigError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new WeightsError(target, `could not be saved (${code ?? (error as Error).message}); the target is as it was`, { cause: error });
  }
}
