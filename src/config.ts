import { z } from 'zod';
import { ConfigError } from './errors.js';

/** Formats a value for an error message: short, and never `[object Object]`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return String(value);
  }
}

/** Levenshtein distance, to suggest the option a typo meant. */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** The known name closest to `name`, if it is close enough to be a typo. */
export function closestName(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function joinPath(prefix: string, path: readonly PropertyKey[]): string {
  return [prefix, ...path.map(String)].filter((part) => part !== '').join('.');
}

/** The keys a (possibly nested) object schema accepts at `path`, for "did you mean" hints. */
function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current: z.ZodType | undefined = schema;
  for (const key of path) {
    current = unwrap(current);
    if (current instanceof z.ZodObject) current = (current.shape as Record<string, z.ZodType>)[String(key)];
    else return [];
  }
  current = unwrap(current);
  return current instanceof z.ZodObject ? Object.keys(current.shape) : [];
}

function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
  let current = schema;
  while (current instanceof z.ZodDefault || current instanceof z.ZodOptional || current instanceof z.ZodPipe) {
    current = current instanceof z.ZodPipe ? (current.in as z.ZodType) : (current.unwrap() as z.ZodType);
  }
  return current;
}

/** Turns one zod issue into "field: rule, received value". */
function issueToError(schema: z.ZodType, issue: z.core.$ZodIssue, prefix: string): ConfigError {
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(schema, issue.path);
    const key = issue.keys[0];
    const suggestion = closestName(key, known);
    const hint = suggestion ? `did you mean '${suggestion}'? ` : '';
    return new ConfigError(
      joinPath(prefix, [...issue.path, key]),
      `unknown option; ${hint}known options are: ${known.join(', ')}`,
    );
  }
  const input = (issue as { input?: unknown }).input;
  return new ConfigError(joinPath(prefix, issue.path), `${issue.message}, received ${describeValue(input)}`);
}

/**
 * Validates `input` against a zod `schema` and returns the parsed value with its defaults filled
 * in, or throws a {@link ConfigError} for the first problem, naming the field, the rule and the
 * value received. An unknown key (every zoo schema is strict) gets a "did you mean" hint.
 *
 * @param schema - Any zod schema; the zoo's are the `*OptionsSchema` and `*ArchitectureSchema` exports.
 * @param input - The value to check; `undefined` or `null` is read as `{}`.
 * @param prefix - Prepended to field paths in errors (a CLI flag's name, a config file's key). Default `''`.
 * @returns The parsed value (zod's output type: defaults filled in, transforms applied).
 *
 * @example
 * ```ts
 * const options = parseConfig(ResNet18OptionsSchema, { numClasses: 10 });
 * options.inputShape; // [224, 224, 3], the default
 * parseConfig(ResNet18OptionsSchema, { numClases: 10 }); // ConfigError: numClases: unknown option; did you mean 'numClasses'? ...
 * ```
 *
 * @category Options
 */
export function parseConfig<S extends z.ZodType>(schema: S, input: unknown, prefix = ''): z.output<S> {
  const result = schema.safeParse(input ?? {}, { reportInput: true });
  if (result.success) return result.data;
  throw issueToError(schema, result.error.issues[0], prefix);
}

// ---- Reusable field schemas with messages that state the rule. ----

/** A positive integer, with the rule spelled out in the error. */
export const positiveInt = () =>
  z
    .number({ error: 'must be a positive integer' })
    .int({ error: 'must be a positive integer' })
    .positive({ error: 'must be a positive integer' });

/** A real number in [0, 1). */
export const rate = () =>
  z
    .number({ error: 'must be a number in [0, 1)' })
    .min(0, { error: 'must be a number in [0, 1)' })
    .lt(1, { error: 'must be a number in [0, 1)' });

/** A multiplier such as MobileNet's width `alpha`: a positive finite number. */
export const positiveNumber = () =>
  z
    .number({ error: 'must be a positive number' })
    .positive({ error: 'must be a positive number' })
    .finite({ error: 'must be a positive number' });

/** `[height, width, channels]`, each a positive integer. */
export const inputShapeSchema = z.tuple([positiveInt(), positiveInt(), positiveInt()], {
  error: 'must be [height, width, channels] of positive integers',
});
