/**
 * The zoo's registry: every family's models by name, so that a name from a CLI flag, a config file
 * or a weights manifest finds its definition. A family's models join it by being listed here.
 */
import { closestName } from '../config.js';
import { ConfigError } from '../errors.js';
import type { PlannedLayer } from '../net/net.js';
import { alexnetFamily } from './alexnet/family.js';
import type { ModelDefinition } from './family.js';
import { googlenetFamily } from './googlenet/family.js';
import { lenet5Family } from './lenet5/family.js';
import { mobilenetV1Family } from './mobilenet-v1/family.js';
import { mobilenetV2Family } from './mobilenet-v2/family.js';
import { resnetFamily } from './resnet/family.js';
import { vggFamily } from './vgg/family.js';

/**
 * Every registered model's definition, by name: the families' rows.
 *
 * @category Registry
 */
export const modelDefinitions = {
  ...lenet5Family.definitions,
  ...alexnetFamily.definitions,
  ...vggFamily.definitions,
  ...resnetFamily.definitions,
  ...googlenetFamily.definitions,
  ...mobilenetV1Family.definitions,
  ...mobilenetV2Family.definitions,
};

/**
 * The name of a registered model (`cnn-zoo list` lists them).
 *
 * @useDeclaredType
 * @category Registry
 */
export type ModelName = keyof typeof modelDefinitions;

/**
 * What the builder of model `N` takes.
 *
 * @category Registry
 */
export type ModelOptions<N extends ModelName> = NonNullable<Parameters<(typeof modelDefinitions)[N]['build']>[0]>;

/**
 * The options of model `N` as parsed (defaults filled in).
 *
 * @category Registry
 */
export type ModelConfig<N extends ModelName> = ReturnType<(typeof modelDefinitions)[N]['parse']>;

const byName: ReadonlyMap<string, ModelDefinition> = new Map<string, ModelDefinition>(Object.entries(modelDefinitions));

/** The families' own builders (`resnet`, `vgg`: architecture required), by family name. */
const familyBuilders: ReadonlyMap<string, ModelDefinition> = new Map<string, ModelDefinition>(
  [lenet5Family, alexnetFamily, vggFamily, resnetFamily, googlenetFamily, mobilenetV1Family, mobilenetV2Family].map((family) => [family.name, family.definition]),
);

/** The definition a model recorded as built by (`modelInfo(model).model`): a registered model's, or a family builder's. */
export function definitionOf(name: string): ModelDefinition | undefined {
  return byName.get(name) ?? familyBuilders.get(name);
}

/**
 * The names of the registered models, optionally filtered by a glob (`resnet*`).
 *
 * @example
 * ```ts
 * listModels('mobilenet*'); // ['mobilenetV1', 'mobilenetV2']
 * ```
 *
 * @category Registry
 */
export function listModels(pattern?: string): ModelName[] {
  const names = Object.keys(modelDefinitions).filter(isModelName);
  if (!pattern) return names;
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return names.filter((name) => regex.test(name));
}

/** Whether `name` is a registered model's name. */
export function isModelName(name: string): name is ModelName {
  return byName.has(name);
}

/**
 * The definition of a registered model (its paper, and how to parse, plan and build it); an
 * unknown name is a {@link ConfigError} on `model` listing the known ones.
 *
 * @example
 * ```ts
 * getModelDefinition('resnet34').paper.table; // 'Table 1, 34-layer'
 * ```
 *
 * @category Registry
 */
export function getModelDefinition<N extends ModelName>(name: N): (typeof modelDefinitions)[N] {
  if (isModelName(name)) return modelDefinitions[name];
  const known = [...byName.keys()];
  const suggestion = closestName(String(name), known);
  const hint = suggestion ? `did you mean '${suggestion}'? ` : '';
  throw new ConfigError({ field: 'model', rule: `unknown model ${JSON.stringify(name)}; ${hint}known models are: ${known.join(', ')}` });
}

/**
 * Every layer's name, class and output shape, as the model's own layers compute them, without
 * building anything (instant even for VGG-19). Throws the builder's {@link ConfigError} for options
 * that cannot work.
 *
 * @example
 * ```ts
 * planModel('vgg16', { inputShape: [64, 64, 3], includeTop: false }).at(-1);
 * // { name: 'block5_pool', type: 'MaxPooling2D', outputShape: [2, 2, 512] }
 * ```
 *
 * @category Registry
 */
export function planModel<N extends ModelName>(name: N, options?: ModelOptions<N>): PlannedLayer[] {
  const definition: ModelDefinition<ModelOptions<N>> = getModelDefinition(name);
  return definition.plan(options);
}
