/**
 * The TF.js layers-model format on disk: `model.json` (topology plus `weightsManifest`) and binary
 * shards, as tfjs-node's `file://` handler and tensorflowjs_converter write them. Each manifest group
 * lists its shard files and its weights; the weights' bytes are laid out one after another, little
 * endian, across the concatenation of the group's shards (a weight may straddle two shards).
 */
import { z } from 'zod';
import { relativePathSchema } from './paths.js';

/** tensorflowjs_converter's default shard size (`--weight_shard_size_bytes`, 4 MiB). */
export const DEFAULT_SHARD_BYTES = 4 * 1024 * 1024;

/** One weight as model.json lists it. Unknown keys are kept: later TF.js versions may add some. */
export const WeightSpecSchema = z.looseObject({
  name: z.string({ error: 'must be a non-empty string' }).min(1, { error: 'must be a non-empty string' }),
  shape: z.array(z.number().int().min(0), { error: 'must be an array of non-negative integers' }),
  dtype: z.enum(['float32', 'int32', 'bool', 'string', 'complex64'], { error: "must be 'float32', 'int32', 'bool', 'string' or 'complex64'" }),
  group: z.enum(['model', 'optimizer'], { error: "must be 'model' or 'optimizer'" }).optional(),
  quantization: z
    .looseObject({
      dtype: z.enum(['uint8', 'uint16', 'float16'], { error: "must be 'uint8', 'uint16' or 'float16'" }),
      scale: z.number().optional(),
      min: z.number().optional(),
    })
    .optional(),
});
export type WeightSpec = z.infer<typeof WeightSpecSchema>;

/** One group of model.json's `weightsManifest`: its shard files and the weights stored in them, in order. */
export const WeightGroupSchema = z.looseObject({
  paths: z.array(relativePathSchema, { error: 'must be an array of file paths' }).min(1, { error: 'must list at least one file' }),
  weights: z.array(WeightSpecSchema, { error: 'must be an array of weight specs' }),
});
export type WeightGroup = z.infer<typeof WeightGroupSchema>;

/** model.json of a TF.js layers model. */
export const ModelJsonSchema = z.looseObject({
  format: z.literal('layers-model', { error: "must be 'layers-model' (a graph model cannot be loaded as a LayersModel)" }).optional(),
  generatedBy: z.string().optional(),
  convertedBy: z.string().nullable().optional(),
  modelTopology: z.record(z.string(), z.unknown(), { error: 'must be the Keras model config (an object)' }),
  weightsManifest: z.array(WeightGroupSchema, { error: 'must be an array of { paths, weights } groups' }),
});
export type ModelJson = z.infer<typeof ModelJsonSchema>;

/** Bytes one element takes on disk: the quantised type if there is one, else the dtype. */
function bytesPerElement(spec: WeightSpec): number {
  if (spec.quantization) return spec.quantization.dtype === 'uint8' ? 1 : 2;
  switch (spec.dtype) {
    case 'float32':
    case 'int32':
      return 4;
    case 'bool':
      return 1;
    case 'complex64':
      return 8;
    case 'string':
      return Number.NaN;
  }
}

/**
 * The bytes a weight takes on disk, or a reason it cannot be counted. String weights are
 * length-prefixed and belong to graph models; a layers model never has them.
 */
export function weightByteLength(spec: WeightSpec): number | string {
  if (spec.dtype === 'string') return "has dtype 'string', which a layers model never has";
  return spec.shape.reduce((a, b) => a * b, 1) * bytesPerElement(spec);
}

/** Splits `data` into shards of at most `shardBytes`, tensorflowjs_converter-style (`group1-shard1of3.bin`). */
export function shardWeights(data: Uint8Array, shardBytes: number, group = 1): { path: string; data: Uint8Array }[] {
  const count = Math.max(1, Math.ceil(data.byteLength / shardBytes));
  return Array.from({ length: count }, (_, i) => ({
    path: `group${group}-shard${i + 1}of${count}.bin`,
    data: data.subarray(i * shardBytes, Math.min(data.byteLength, (i + 1) * shardBytes)),
  }));
}
