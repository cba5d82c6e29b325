/**
 * A weights folder that cannot be saved or loaded as asked: a corrupt or truncated file, a
 * checksum that does not match, a path that leaves the folder, a weight the model does not have or
 * has in another shape. The message names the file (and the weight or manifest field), the rule
 * and what was found; nothing was written to the model or left half-written on disk.
 *
 * @category Errors
 */
export class WeightsError extends Error {
  /** The file the problem is in, as a path (the folder's path joined with the file's). */
  readonly file: string;
  /** The weight concerned (`conv1/kernel`), when there is one. */
  readonly weight?: string;
  /** The dotted field of a JSON file (`files.1.sha256`, `weightsManifest.0.paths.2`), when there is one. */
  readonly field?: string;

  constructor(file: string, message: string, details: { weight?: string; field?: string; cause?: unknown } = {}) {
    // The field prefixes the message ("files.1.sha256: must be..."); a weight is named by the message itself.
    super(`${file}: ${details.field ? `${details.field}: ` : ''}${message}`, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'WeightsError';
    this.file = file;
    if (details.weight !== undefined) this.weight = details.weight;
    if (details.field !== undefined) this.field = details.field;
  }
}
