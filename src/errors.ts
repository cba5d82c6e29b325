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

/**
 * One problem with a config: the field, the rule it breaks and the value received.
 *
 * @category Errors
 */
export interface ConfigIssue {
  /** Dotted path of the offending option (`numClasses`, `architecture.layers.2`), or '' for the whole config. */
  field: string;
  /** The rule, as a sentence fragment (`must be a positive integer`). */
  rule: string;
  /** The value that breaks it, when there is one to show. */
  received?: unknown;
  /** How to show `received` when the value itself would not say it well (`1 rows`). */
  shown?: string;
  /** Set when the problem is a key the options do not have (a typo, or an option of another family). */
  unknownOption?: true;
}

function issueText(issue: ConfigIssue): string {
  const received = issue.shown !== undefined || 'received' in issue ? `, received ${issue.shown ?? describeValue(issue.received)}` : '';
  return `${issue.field ? `${issue.field}: ` : ''}${issue.rule}${received}`;
}

/**
 * A model configuration that cannot be built: bad options, an input too small for the
 * architecture, an unknown model. Every problem of one options object is reported together, one
 * per line of the message; `field`, `rule` and `received` are the first one's, `issues` all of
 * them. Programs (the CLI included) read these properties, never the message.
 *
 * @category Errors
 */
export class ConfigError extends Error {
  /** Dotted path of the (first) offending option, or '' for the whole config. */
  readonly field: string;
  /** The rule the (first) problem breaks. */
  readonly rule: string;
  /** The value that breaks it, if any. */
  readonly received: unknown;
  /** Every problem found, in the order of the options. */
  readonly issues: readonly ConfigIssue[];

  constructor(issues: ConfigIssue | readonly ConfigIssue[]) {
    const list = Array.isArray(issues) ? (issues as readonly ConfigIssue[]) : [issues as ConfigIssue];
    super(list.map(issueText).join('\n'));
    this.name = 'ConfigError';
    this.issues = list;
    this.field = list[0].field;
    this.rule = list[0].rule;
    this.received = list[0].received;
  }
}

/**
 * A backend that was asked for by name but cannot be used on this machine. The message says how to
 * install it.
 *
 * @category Errors
 */
export class BackendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackendError';
  }
}
