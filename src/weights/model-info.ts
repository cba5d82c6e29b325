/**
 * What a model is, kept beside it: the zoo's builders record the registry name and the exact parsed
 * config of every model they build, and loading weights adds what the folder's manifest says
 * (source, licence, preprocessing, class names), so that `saveModel(model, dir)` needs nothing more
 * and its manifest can never disagree with the weights.
 */
import type { tf } from '../tf.js';
import type { WeightsManifest } from './manifest.js';

/**
 * What the zoo knows of a model: a weights manifest's descriptive fields.
 *
 * @category Weights
 */
export type ModelInfo = Omit<WeightsManifest, 'format' | 'version' | 'files' | 'preprocessing'> & {
  /** What the weights expect of an input image; absent for a model no weights were loaded into. */
  preprocessing?: WeightsManifest['preprocessing'];
};

const infos = new WeakMap<tf.LayersModel, ModelInfo>();

/**
 * What the zoo knows of a model it built or loaded: its registry name and exact config, and, once
 * weights are loaded or imported, their source, licence, preprocessing and class names.
 * `undefined` for a model the zoo did not make.
 *
 * @example
 * ```ts
 * const model = await createModel('lenet5', { weights: 'mnist' });
 * modelInfo(model)?.classNames; // ['0', '1', ..., '9']
 * modelInfo(resnet18({ numClasses: 10 }))?.config.numClasses; // 10
 * ```
 *
 * @category Weights
 */
export function modelInfo(model: tf.LayersModel): Readonly<ModelInfo> | undefined {
  return infos.get(model);
}

/** Records (or adds to) what the zoo knows of `model`. */
export function recordModelInfo(model: tf.LayersModel, info: Partial<ModelInfo>): void {
  const known = infos.get(model);
  const merged = { ...known, ...info } as ModelInfo;
  if (merged.model !== undefined && merged.config !== undefined) infos.set(model, merged);
}

/** Options that change no weight: loaded weights leave them free, and a saved config may restate them. */
export const WEIGHT_FREE_OPTIONS: ReadonlySet<string> = new Set(['dropout', 'classifierActivation', 'seed', 'initialize', 'auxDropout']);

/** A parsed config as it is recorded: JSON values only, without `initialize`, which only says how the weights started. */
export function recordedConfig(config: object): ModelInfo['config'] {
  const { initialize: _initialize, ...rest } = config as Record<string, unknown>;
  return JSON.parse(JSON.stringify(rest)) as ModelInfo['config'];
}

/** The manifest fields a loaded folder gives its model. */
export function infoFromManifest(manifest: WeightsManifest): ModelInfo {
  const { format: _format, version: _version, files: _files, ...info } = manifest;
  return info;
}
