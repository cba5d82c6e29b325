/**
 * The zoo's registry: every model by name, so that a name from a CLI flag, a config file or a
 * weights manifest finds its builder.
 */
import { closestName } from '../config.js';
import { ConfigError } from '../errors.js';
import { alexnetDefinition } from './alexnet.js';
import { googlenetDefinition } from './googlenet.js';
import { lenet5Definition } from './lenet5.js';
import { mobilenetV1Definition } from './mobilenet-v1.js';
import { resnet18Definition, resnet34Definition, resnet50Definition } from './resnet.js';
import { vgg16Definition, vgg19Definition } from './vgg.js';
import { mobilenetV2Definition } from './mobilenet-v2.js';
import type { ModelDefinition } from './model-definition.js';

const registry = new Map<string, ModelDefinition>();

/**
 * Adds a model to the registry. A name that is already taken is refused.
 *
 * @example
 * ```ts
 * registerModel({ ...resnet18Definition, name: 'my-resnet' } as unknown as ModelDefinition);
 * listModels('my-*'); // ['my-resnet']
 * ```
 *
 * @category Registry
 */
export function registerModel(definition: ModelDefinition): void {
  if (registry.has(definition.name)) throw new ConfigError('name', `a model named '${definition.name}' is already registered`);
  registry.set(definition.name, definition);
}

for (const definition of [
  lenet5Definition,
  alexnetDefinition,
  vgg16Definition,
  vgg19Definition,
  resnet18Definition,
  resnet34Definition,
  resnet50Definition,
  googlenetDefinition,
  mobilenetV1Definition,
  mobilenetV2Definition,
] as unknown as ModelDefinition[]) registerModel(definition);

/**
 * The names of the registered models, optionally filtered by a glob (`resnet*`).
 *
 * @example
 * ```ts
 * listModels('mobilenet*'); // ['mobilenetV1', 'mobilenetV2']
 * listModels();             // every registered name
 * ```
 *
 * @category Registry
 */
export function listModels(pattern?: string): string[] {
  const names = [...registry.keys()];
  if (!pattern) return names;
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return names.filter((name) => regex.test(name));
}

/**
 * The definition of a registered model; an unknown name is a {@link ConfigError} listing the
 * known ones.
 *
 * @example
 * ```ts
 * getModelDefinition('resnet34').paper.url; // 'https://arxiv.org/abs/1512.03385'
 * ```
 *
 * @category Registry
 */
export function getModelDefinition(name: string): ModelDefinition {
  const definition = registry.get(name);
  if (definition) return definition;
  const known = [...registry.keys()];
  const suggestion = closestName(name, known);
  const hint = suggestion ? `did you mean '${suggestion}'? ` : '';
  throw new ConfigError('model', `unknown model ${JSON.stringify(name)}; ${hint}known models are: ${known.join(', ')}`);
}
