/**
 * The way back: a zoo model's weights in torchvision's names and layouts, as a safetensors file that
 * `model.load_state_dict(load_file(path), strict=True)` accepts. Users who outgrow one machine train
 * in PyTorch and import the result again.
 */
import { ConfigError } from '../errors.js';
import type { ModelDefinition } from '../families/family.js';
import { definitionOf } from '../families/registry.js';
import type { tf } from '../tf.js';
import { modelInfo } from '../weights/model-info.js';
import { writeSafetensors } from './readers/index.js';
import { torchvisionStateDict } from './torchvision/map.js';

/** Writes `model`'s weights to `file` as torchvision's state_dict, atomically; returns the number of tensors. */
export async function exportSafetensors(model: tf.LayersModel, file: string, options: { overwrite?: boolean } = {}): Promise<number> {
  const name = modelInfo(model)?.model;
  const definition: ModelDefinition | undefined = name === undefined ? undefined : definitionOf(name);
  const torchvision = definition?.sources.torchvision;
  if (!definition || !torchvision) {
    const rule = definition ? `${definition.family} has no torchvision counterpart to export to` : `'${model.name}' was not built or loaded by cnn-zoo, so its torchvision names are unknown`;
    throw new ConfigError({ field: 'model', rule, received: name ?? model.name });
  }
  // Only the variant whose numbers are torchvision's: another would load in PyTorch and compute otherwise.
  const variant = (modelInfo(model)!.config as { variant?: string }).variant;
  const expected = torchvision.variant ?? (definition.parse({}) as { variant?: string }).variant;
  if (variant !== expected) {
    throw new ConfigError({ field: 'variant', rule: `torchvision's ${definition.family} computes as the '${expected}' variant, so torchvision would not give this model's numbers`, received: variant });
  }
  const tensors = torchvisionStateDict(model, { family: definition.family, names: torchvision.names });
  await writeSafetensors(file, tensors, { metadata: { format: 'pt' }, overwrite: options.overwrite });
  return tensors.size;
}
