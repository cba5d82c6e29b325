/**
 * `createModel(name, options)`: a registered model by name, optionally with weights, shipped ones
 * by name (`weights: 'mnist'`) or a folder written by `saveModel`. Weights fix the architecture
 * they were trained with: the manifest's config is the base, and an option that would change a
 * weight's shape (classes, input size, variant) must agree with it.
 */
import { ConfigError, describeValue } from '../errors.js';
import type { tf } from '../tf.js';
import { readWeightsFolder } from '../weights/folder.js';
import { withFolderWeights } from '../weights/load.js';
import { WEIGHT_FREE_OPTIONS } from '../weights/model-info.js';
import { pretrainedFolder, pretrainedWeights } from '../weights/pretrained.js';
import type { ModelDefinition } from './family.js';
import { getModelDefinition, type ModelName, type ModelOptions } from './registry.js';


/**
 * What {@link createModel} takes: the model's builder options plus `weights`.
 *
 * @category Registry
 */
export type CreateModelOptions<N extends ModelName> = ModelOptions<N> & {
  /** Shipped weights by name (`'mnist'` for `lenet5`), or the path of a folder written by {@link saveModel}. Default: none (random initialisation). */
  weights?: string;
};

function weightsFolder(name: string, weights: string): string {
  const shipped = pretrainedFolder(name, weights);
  if (shipped) return shipped;
  if (weights.includes('/') || weights.includes('\\') || weights.startsWith('.')) return weights;
  const known = Object.keys(pretrainedWeights[name] ?? {});
  const rule = `no shipped weights named ${JSON.stringify(weights)} for ${name} (shipped: ${known.length ? known.join(', ') : 'none'}); give one of those or a folder path such as './my-weights'`;
  throw new ConfigError({ field: 'weights', rule });
}

/**
 * Builds a registered model by name. Asynchronous because it may load weights: with `weights`, the
 * folder's manifest and checksums are verified, the model is built from the manifest's config
 * (drawing no random numbers), and every weight is checked by name and shape before any is written.
 * With `includeTop: false` on weights saved with the top, the model is the base and the classifier's
 * weights are left out, for transfer learning.
 *
 * @example
 * ```ts
 * const fresh = await createModel('resnet18', { numClasses: 10 });
 * const trained = await createModel('lenet5', { weights: 'mnist' });
 * ```
 *
 * @category Registry
 */
export async function createModel<N extends ModelName>(name: N, options?: CreateModelOptions<N>): Promise<tf.LayersModel> {
  const { weights, ...builderOptions }: Record<string, unknown> = options ?? {};
  const definition: ModelDefinition = getModelDefinition(name);
  if (weights === undefined) return definition.build(builderOptions);
  if (typeof weights !== 'string') throw new ConfigError({ field: 'weights', rule: 'must be a weights name or a folder path', received: weights });

  const folder = await readWeightsFolder(weightsFolder(name, weights));
  const manifest = folder.manifest!;
  if (manifest.model !== name) throw new ConfigError({ field: 'weights', rule: `the folder ${JSON.stringify(weights)} holds weights for ${manifest.model}, not ${name}` });
  const trainedWith = manifest.config as Record<string, unknown>;
  // `includeTop: false` on weights saved with the top: the base, the classifier's weights left out
  // (Keras's include_top=False with ImageNet weights, for transfer learning).
  const withoutTop = builderOptions.includeTop === false && trainedWith.includeTop !== false;
  for (const [key, value] of Object.entries(builderOptions)) {
    if (WEIGHT_FREE_OPTIONS.has(key) || !(key in trainedWith) || (withoutTop && key === 'includeTop')) continue;
    if (JSON.stringify(trainedWith[key]) !== JSON.stringify(value)) {
      throw new ConfigError({ field: key, rule: `the ${JSON.stringify(weights)} weights of ${name} fix it to ${describeValue(trainedWith[key])}`, received: value });
    }
  }
  return withFolderWeights(definition.build({ ...trainedWith, ...builderOptions, initialize: false }), folder, { withoutTop });
}
