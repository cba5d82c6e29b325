import type { z } from 'zod';
import { parseConfig } from '../config.js';
import { buildNetwork, checkNetwork } from '../net/build.js';
import type { NetDescription, PlannedLayer } from '../net/net.js';
import { type CommonOptions, initContext } from '../options.js';
import type { tf } from '../tf.js';

/**
 * The publication an architecture comes from, as every {@link ModelDefinition} cites it.
 *
 * @example
 * ```ts
 * const { title, url } = getModelDefinition('resnet34').paper;
 * // 'Deep Residual Learning for Image Recognition', 'https://arxiv.org/abs/1512.03385'
 * ```
 *
 * @category Registry
 */
export interface Paper {
  /** The paper's title. */
  title: string;
  /** Authors' surnames, in the paper's order. */
  authors: string;
  /** Year of publication. */
  year: number;
  /** arXiv or DOI link. */
  url: string;
  /** The table or figure the configuration is read from. */
  table: string;
}

/**
 * One named model of the zoo: its options schema (with that model's defaults), its network
 * description, and its paper. Builders, the registry, the shape plans and the CLI all read these.
 *
 * @example
 * ```ts
 * // ResNet-18 under a name of your own, with another default class count:
 * registerModel({ ...resnet18Definition, name: 'resnet18-cifar' } as unknown as ModelDefinition);
 * const model = await createModel('resnet18-cifar', { numClasses: 10, inputShape: [32, 32, 3] });
 * ```
 *
 * @typeParam S - The options schema; its output type is what `describe` receives.
 * @category Registry
 */
export interface ModelDefinition<S extends z.ZodType<CommonOptions> = z.ZodType<CommonOptions>> {
  /** The registry name, e.g. `resnet34`. */
  name: string;
  /** The strict options schema, with this model's defaults (see {@link modelOptionsSchema}). */
  schema: S;
  /** The network, described once on a {@link Net}: planned, then built. */
  describe: NetDescription<z.output<S>>;
  /** The paper the architecture comes from. */
  paper: Paper;
}

/**
 * Validates `options` against the model's schema and returns the parsed config, defaults filled
 * in; a bad option is a {@link ConfigError} naming it.
 *
 * @example
 * ```ts
 * parseModelOptions(mobilenetV2Definition, { alpha: 0.5 }).inputShape; // [224, 224, 3]
 * ```
 *
 * @category Registry
 */
export function parseModelOptions<S extends z.ZodType<CommonOptions>>(definition: ModelDefinition<S>, options: unknown): z.output<S> {
  return parseConfig(definition.schema, options ?? {});
}

/**
 * Validates the options, checks every layer's shape (an input too small is refused here, naming
 * the layer and the arithmetic), then builds the model. Every builder (`resnet18(options)`...) is
 * this on its definition.
 *
 * @example
 * ```ts
 * const model = buildModel(resnet18Definition, { numClasses: 10 }); // the same as resnet18({ numClasses: 10 })
 * ```
 *
 * @category Registry
 */
export function buildModel<S extends z.ZodType<CommonOptions>>(definition: ModelDefinition<S>, options: unknown): tf.LayersModel {
  const config = parseModelOptions(definition, options);
  return buildNetwork(definition.name, definition.describe, config, initContext(config));
}

/**
 * Every layer's name, class and output shape as the conv arithmetic predicts them, without
 * building anything: no weight is allocated, so it is instant even for VGG-19. Throws the same
 * {@link ConfigError} as the builder for options that cannot work.
 *
 * @example
 * ```ts
 * const plan = planModel(vgg16Definition, { inputShape: [64, 64, 3], includeTop: false });
 * plan.at(-1); // { name: 'block5_pool', type: 'MaxPooling2D', outputShape: [2, 2, 512] }
 * ```
 *
 * @category Registry
 */
export function planModel<S extends z.ZodType<CommonOptions>>(definition: ModelDefinition<S>, options: unknown): PlannedLayer[] {
  return checkNetwork(definition.name, definition.describe, parseModelOptions(definition, options));
}
