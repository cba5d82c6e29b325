/**
 * A model that cannot be exported to ONNX as asked: a layer the exporter has no conversion for, a
 * layer configuration it does not handle (channels-first data, an unknown activation...), or a path
 * the export cannot be written to. The message names the layer and its class (or the path), the rule
 * and the value found; nothing was returned or written.
 *
 * @example
 * ```ts
 * try { toOnnx(resnet18()); }
 * catch (e) { if (e instanceof OnnxExportError) console.error(e.layer, e.className, e.message); }
 * ```
 *
 * @category ONNX
 */
export class OnnxExportError extends Error {
  /** The layer concerned, when there is one. */
  readonly layer?: string;
  /** Its class, as `layer.getClassName()` returns it. */
  readonly className?: string;
  /** The file or folder that could not be written, when that is the problem. */
  readonly path?: string;

  constructor(message: string, details: { layer?: string; className?: string; path?: string } = {}) {
    const prefix = details.layer !== undefined ? `layer '${details.layer}' (${details.className ?? 'unknown class'}): ` : '';
    super(`${prefix}${message}`);
    this.name = 'OnnxExportError';
    if (details.layer !== undefined) this.layer = details.layer;
    if (details.className !== undefined) this.className = details.className;
    if (details.path !== undefined) this.path = details.path;
  }
}
