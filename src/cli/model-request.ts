/**
 * From the command line's `<model | path/to/config.json>` and flags to a built model.
 *
 * A config file is JSON: `{ "model": "resnet34", "options": { "numClasses": 10 } }`, where
 * `options` are the builder's options (the same names, the same schema). Flags override the
 * file's options. Everything goes through the model's own zod schema, and an error names the flag
 * (`--classes`) or the file and key (`cfg.json: options.numClasses`) it came from.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseConfig } from '../config.js';
import { ConfigError, type ConfigIssue } from '../errors.js';
import type { ModelDefinition } from '../families/family.js';
import { getModelDefinition, isModelName } from '../families/registry.js';
import type { tf } from '../tf.js';
import { parseShape } from '../analysis/format.js';
import { UsageError } from './errors.js';

/** The model flags every model command takes. */
export interface ModelFlags {
  input?: string;
  classes?: string;
  variant?: string;
}

/** Option name -> the flag that sets it. */
const FLAG_OF: Record<string, string> = { inputShape: '--input', numClasses: '--classes', variant: '--variant' };

/** A config file's shape. */
export const CliConfigSchema = z.strictObject({
  /** A registered model name (`cnn-zoo list`). */
  model: z.string({ error: 'must be a model name (a string)' }),
  /** The builder's options. */
  options: z.record(z.string(), z.unknown(), { error: 'must be an object of the model options' }).default({}),
}, { error: 'must be an object: { "model": "<name>", "options": { ... } }' });

/** A model asked for, before it is built. */
export interface ModelRequest {
  definition: ModelDefinition;
  options: Record<string, unknown>;
  /** The config file, if the model came from one. */
  file?: string;
  /** The option names set by flags (the others came from the file). */
  fromFlags: Set<string>;
}

/** Whether the argument names a config file rather than a model. */
export function isConfigPath(argument: string): boolean {
  return argument.endsWith('.json') || argument.includes('/') || argument.includes('\\');
}

function readConfigFile(file: string): z.output<typeof CliConfigSchema> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new UsageError(`cannot read config file '${file}': ${why}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file}: invalid JSON: ${(error as Error).message}`);
  }
  try {
    return parseConfig(CliConfigSchema, json ?? null);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(`${file}: ${error.message}`);
    throw error;
  }
}

/** A number if the flag's text is one, else the text itself (so the schema names what it received). */
function numberOrText(text: string): number | string {
  return /^-?\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : text;
}

function modelDefinition(name: string, file?: string): ModelDefinition {
  if (isModelName(name)) return getModelDefinition(name);
  try {
    return getModelDefinition(name as never); // throws the registry's error, with its suggestion
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // The argument is the model here: the rule alone, or the file's key and the rule.
    throw new UsageError(file ? `${file}: model: ${error.rule}` : error.rule);
  }
}

/** Resolves `<model | config.json>` and the model flags into a definition and options. */
export function resolveModel(argument: string, flags: ModelFlags): ModelRequest {
  const file = isConfigPath(argument) ? argument : undefined;
  const config = file ? readConfigFile(file) : { model: argument, options: {} };
  const definition = modelDefinition(config.model, file);
  const options: Record<string, unknown> = { ...config.options };
  const fromFlags = new Set<string>();
  if (flags.input !== undefined) {
    const shape = parseShape(flags.input);
    if (!shape || (shape.length !== 2 && shape.length !== 3)) {
      throw new UsageError(`--input: must be HxWxC or HxW (e.g. 224x224x3), received ${JSON.stringify(flags.input)}`);
    }
    if (shape.length === 2) {
      // HxW keeps the model's channels (or the file's).
      const current = (options.inputShape as unknown[] | undefined) ?? defaultInputShape(definition);
      shape.push(Number(current[2]));
    }
    options.inputShape = shape;
    fromFlags.add('inputShape');
  }
  if (flags.classes !== undefined) {
    options.numClasses = numberOrText(flags.classes);
    fromFlags.add('numClasses');
  }
  if (flags.variant !== undefined) {
    options.variant = flags.variant;
    fromFlags.add('variant');
  }
  return { definition, options, file, fromFlags };
}

function defaultInputShape(definition: ModelDefinition): readonly number[] {
  return definition.parse({}).inputShape;
}

/** One problem of a builder's ConfigError, reworded to name the flag or the file key it came from. */
function blameIssue(issue: ConfigIssue, request: ModelRequest): string {
  const [key, index] = issue.field.split('.');
  const detail = new ConfigError({ ...issue, field: '' }).message;
  if (request.fromFlags.has(key)) {
    const flag = FLAG_OF[key];
    if (key === 'variant' && issue.unknownOption) return `--variant: ${request.definition.name} has no variants (it takes no 'variant' option)`;
    const axis = ['height', 'width', 'channels'][Number(index)];
    return key === 'inputShape' && axis ? `${flag}: the ${axis} ${detail}` : `${flag}: ${detail}`;
  }
  if (request.file && issue.field) return `${request.file}: options.${issue.field}: ${detail}`;
  return new ConfigError(issue).message;
}

function blame(error: ConfigError, request: ModelRequest): UsageError {
  return new UsageError(error.issues.map((issue) => blameIssue(issue, request)).join('\n'));
}

/**
 * Builds the model for analysis: the same schema and shape checks as the builder, but weights
 * left at zero (no random numbers: a summary of VGG-19 costs what one of LeNet does).
 */
export function buildForAnalysis(request: ModelRequest): tf.LayersModel {
  try {
    return request.definition.build({ ...request.options, initialize: false });
  } catch (error) {
    if (error instanceof ConfigError) throw blame(error, request);
    throw error;
  }
}

/** A flag that must be a positive integer (`--depth`, `--batch`). */
export function positiveIntFlag(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) throw new UsageError(`${flag}: must be a positive integer, received ${JSON.stringify(text)}`);
  return Number(text);
}
