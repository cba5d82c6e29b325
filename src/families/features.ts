/**
 * The stages of a model the zoo built or loaded, as its family's definition declares them: feature
 * extraction (timm's `features_only`) and the stage names `freeze` and `unfreeze` take.
 */
import { ConfigError } from '../errors.js';
import { tf } from '../tf.js';
import { modelInfo } from '../weights/model-info.js';
import type { Stage } from './family.js';
import { definitionOf } from './registry.js';

/**
 * One output of a {@link featureExtractor}: its stage, the layer it is, its channels, and the
 * network's total stride there (timm's `feature_info`).
 *
 * @category Fine-tuning
 */
export interface FeatureInfo {
  /** The stage's name (`conv3`, `block2`, `inception4e`). */
  stage: string;
  /** The layer whose output it is. */
  layer: string;
  /** Channels of the feature map. */
  channels: number;
  /** Input pixels per feature-map pixel, on each axis. */
  reduction: number;
}

/**
 * A model with one output per stage, and what each output is.
 *
 * @category Fine-tuning
 */
export type FeatureExtractor = tf.LayersModel & {
  /** One entry per output, in order. */
  readonly featureInfo: readonly FeatureInfo[];
};

/** The model's stages, each with the layer that ends it; a model the zoo did not make has none. */
export function stagesOf(model: tf.LayersModel): (Stage & { layer: tf.layers.Layer })[] {
  const info = modelInfo(model);
  const definition = info && definitionOf(info.model);
  if (!info || !definition) {
    throw new ConfigError({ field: 'model', rule: `'${model.name}' was not built or loaded by cnn-zoo, so its stages are unknown; name its layers instead`, received: model.name });
  }
  return definition.stages(info.config).flatMap((stage) => {
    // A stage's output is its block's last layer (the layers are listed in the order they compute).
    const layer = model.layers.filter((candidate) => candidate.name === stage.block || candidate.name.startsWith(`${stage.block}_`)).at(-1);
    return layer ? [{ ...stage, layer }] : [];
  });
}

/**
 * The layer a stage name or a layer name refers to; anything else is a {@link ConfigError} on
 * `field` listing the stages.
 */
export function stageOrLayer(model: tf.LayersModel, name: string, field: string): tf.layers.Layer {
  const layer = model.layers.find((candidate) => candidate.name === name);
  if (layer) return layer;
  let stages: string[] = [];
  try {
    const stage = stagesOf(model).find((candidate) => candidate.name === name);
    if (stage) return stage.layer;
    stages = stagesOf(model).map((candidate) => candidate.name);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
  }
  const known = stages.length ? `a stage (${stages.join(', ')}) or a layer name` : 'a layer name';
  throw new ConfigError({ field, rule: `must be ${known} of '${model.name}'`, received: name });
}

/**
 * A feature extractor on a model the zoo built or loaded, like timm's `features_only`: the same
 * input, one output per stage (all of the family's stages, or the ones named), sharing the model's
 * layers and weights, with `featureInfo` giving each output's layer, channels and reduction. The
 * stages are data in each family's definition.
 *
 * @example
 * ```ts
 * const backbone = featureExtractor(resnet50({ includeTop: false }));
 * backbone.featureInfo.map((f) => f.channels);  // [64, 256, 512, 1024, 2048]
 * backbone.featureInfo.map((f) => f.reduction); // [2, 4, 8, 16, 32]
 * const [c4, c5] = backbone.predict(tf.zeros([1, 224, 224, 3])) as tf.Tensor[]; // with { stages: ['conv4', 'conv5'] }: two
 * ```
 *
 * @category Fine-tuning
 */
export function featureExtractor(model: tf.LayersModel, options: { stages?: readonly string[] } = {}): FeatureExtractor {
  const all = stagesOf(model);
  const unknown = (options.stages ?? []).filter((name) => !all.some((stage) => stage.name === name));
  if (unknown.length) throw new ConfigError({ field: 'stages', rule: `must name stages of '${model.name}' (${all.map((stage) => stage.name).join(', ')})`, received: unknown });
  const chosen = options.stages ? all.filter((stage) => options.stages!.includes(stage.name)) : all;
  const outputs = chosen.map((stage) => stage.layer.output as tf.SymbolicTensor);
  const extractor = tf.model({ inputs: model.inputs, outputs, name: `${model.name}_features` });
  const featureInfo = chosen.map((stage, i) => ({ stage: stage.name, layer: stage.layer.name, channels: outputs[i].shape.at(-1)!, reduction: stage.reduction }));
  return Object.assign(extractor, { featureInfo });
}
