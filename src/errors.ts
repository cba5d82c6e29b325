/**
 * A model configuration that cannot be built: a bad option, an input too small for the
 * architecture, an unknown model. The message names the field, the rule and the value received.
 *
 * @example
 * ```ts
 * try {
 *   resnet34({ numClasses: 0 });
 * } catch (e) {
 *   if (e instanceof ConfigError) console.log(e.field, e.message); // 'numClasses', 'numClasses: must be a positive integer, received 0'
 * }
 * ```
 *
 * @category Errors
 */
export class ConfigError extends Error {
  /** Dotted path of the offending option (`numClasses`, `architecture.layers.2`), or '' for the whole config. */
  readonly field: string;

  constructor(field: string, message: string) {
    super(field ? `${field}: ${message}` : message);
    this.name = 'ConfigError';
    this.field = field;
  }
}

/**
 * A backend that was asked for by name but cannot be used on this machine. The message says how to
 * install it.
 *
 * @example
 * ```ts
 * await useBackend('tensorflow').catch((e) => e instanceof BackendError && console.error(e.message));
 * ```
 *
 * @category Errors
 */
export class BackendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackendError';
  }
}
