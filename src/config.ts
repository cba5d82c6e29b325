import { z } from 'zod';
import { ConfigError, type ConfigIssue } from './errors.js';

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

/** One zod issue as the zoo's issues: "field: rule, received value" (an unknown key each). */
function configIssues(schema: z.ZodType, issue: z.core.$ZodIssue, prefix: string): ConfigIssue[] {
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(schema, issue.path);
    return issue.keys.map((key) => {
      const suggestion = closestName(key, known);
      const hint = suggestion ? `did you mean '${suggestion}'? ` : '';
      return { field: joinPath(prefix, [...issue.path, key]), rule: `unknown option; ${hint}known options are: ${known.join(', ')}`, unknownOption: true as const };
    });
  }
  // A refinement may say how to show the value (`params.shown`: "1 rows" rather than the whole table).
  const shown = issue.code === 'custom' ? (issue.params as { shown?: string } | undefined)?.shown : undefined;
  return [{ field: joinPath(prefix, issue.path), rule: issue.message, received: (issue as { input?: unknown }).input, ...(shown !== undefined && { shown }) }];
}

/**
 * Validates `input` against a zod `schema` and returns the parsed value with its defaults filled
 * in, or throws one {@link ConfigError} listing every problem, each naming the field, the rule and
 * the value received. An unknown key (every zoo schema is strict) gets a "did you mean" hint.
 *
 * @param prefix - Prepended to field paths in errors (a CLI flag's name, a config file's key).
 *
 * @category Options
 */
export function parseConfig<S extends z.ZodType>(schema: S, input: unknown, prefix = ''): z.output<S> {
  const result = schema.safeParse(input ?? {}, { reportInput: true });
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.flatMap((issue) => configIssues(schema, issue, prefix)));
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

/** A layer name of a table: lower case, digits and underscores, starting with a letter. */
export const layerName = () => z.string().regex(/^[a-z][a-z0-9_]*$/, { error: 'must be a lower-case layer name' });

/** A stride that is 1 or 2 (the MobileNets' tables). */
export const strideOneOrTwo = () => z.literal([1, 2], { error: 'must be 1 or 2' });

/** A plain-function option that must be a positive integer (`batchSize`, `depth`): the value, or a {@link ConfigError} on `field`. */
export function checkPositiveInt(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new ConfigError({ field, rule: 'must be a positive integer', received: value });
  return value;
}
