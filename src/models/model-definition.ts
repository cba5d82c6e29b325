import type { z } from 'zod';
import { parseConfig } from '../config.js';
import { buildNetwork, checkNetwork } from '../net/build.js';
import type { NetDescription, PlannedLayer } from '../net/net.js';
import { type CommonOptions, initContext } from '../options.js';
import type { tf } from '../tf.js';

/** The publication an architecture comes from. */
export interface Paper {
  title: string;
  authors: string;
  year: number;
  /** arXiv or DOI link. */
  url: string;
  /** The table or figure the configuration is read from. */
  table: string;
}

/**
 * One named model of the zoo: its options schema (with that model's defaults), its network
 * description, and its paper. Builders, the registry, the shape plans and the CLI all read these.
 */
export interface ModelDefinition<S extends z.ZodType<CommonOptions> = z.ZodType<CommonOptions>> {
  /** The registry name, e.g. `resnet34`. */
  name: string;
  schema: S;
  describe: NetDescription<z.output<S>>;
  paper: Paper;
}

/** Validates `options` against the model's schema: the parsed config, defaults filled in. */
export function parseModelOptions<S extends z.ZodType<CommonOptions>>(definition: ModelDefinition<S>, options: unknown): z.output<S> {
  return parseConfig(definition.schema, options ?? {});
}

/** Validates the options, checks every layer's shape, then builds the model. */
export function buildModel<S extends z.ZodType<CommonOptions>>(definition: ModelDefinition<S>, options: unknown): tf.LayersModel {
  const config = parseModelOptions(definition, options);
  return buildNetwork(definition.name, definition.describe, config, initContext(config));
}

/**
 * Every layer's name, class and output shape as the conv arithmetic predicts them, without
 * building anything.
 */
export function planModel<S extends z.ZodType<CommonOptions>>(definition: ModelDefinition<S>, options: unknown): PlannedLayer[] {
  return checkNetwork(definition.name, definition.describe, parseModelOptions(definition, options));
}
