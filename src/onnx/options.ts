/**
 * The options of the ONNX functions, as zod schemas, and their errors as {@link ConfigError}s that
 * name the option, the rule and the value received.
 */
import { z } from 'zod';

/**
 * The IR version that goes with each supported opset (ONNX's docs/Versioning.md): a model must
 * declare the IR of the ONNX release that introduced its opset, no older.
 */
export const IR_VERSION_OF_OPSET: Readonly<Record<number, number>> = { 17: 8, 18: 8, 19: 9, 20: 9, 21: 10, 22: 10, 23: 11 };
const OPSETS = Object.keys(IR_VERSION_OF_OPSET).map(Number);
export const MIN_OPSET = Math.min(...OPSETS);
export const MAX_OPSET = Math.max(...OPSETS);

export const LayoutSchema = z.enum(['nhwc', 'nchw'], { error: "must be 'nhwc' or 'nchw'" });

export const ToOnnxOptionsSchema = z.strictObject({
  /** The input's layout: `nhwc` as the zoo's models take it, `nchw` as PyTorch users feed it. */
  layout: LayoutSchema.default('nhwc'),
  /** The ai.onnx opset. */
  opset: z
    .number({ error: `must be an integer from ${MIN_OPSET} to ${MAX_OPSET}` })
    .int({ error: `must be an integer from ${MIN_OPSET} to ${MAX_OPSET}` })
    .min(MIN_OPSET, { error: `must be an integer from ${MIN_OPSET} to ${MAX_OPSET}` })
    .max(MAX_OPSET, { error: `must be an integer from ${MIN_OPSET} to ${MAX_OPSET}` })
    .default(MIN_OPSET),
  /** `all` the model's outputs, or only the `main` one (output 0: GoogLeNet's classifier without its auxiliary heads). */
  outputs: z.enum(['all', 'main'], { error: "must be 'all' or 'main'" }).default('all'),
  /** The graph's name. Default: the model's. */
  name: z.string({ error: 'must be a non-empty string' }).min(1, { error: 'must be a non-empty string' }).optional(),
});

