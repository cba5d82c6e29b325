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
  /** The weight's stable name, `layerName/weightName` (`c1/kernel`): what loading matches by. */
  name: z.string({ error: 'must be a non-empty string' }).min(1, { error: 'must be a non-empty string' }),
  /** Its shape. */
  shape: z.array(z.number().int().min(0), { error: 'must be an array of non-negative integers' }),
  /** Its dtype (after dequantisation). */
  dtype: z.enum(['float32', 'int32', 'bool', 'string', 'complex64'], { error: "must be 'float32', 'int32', 'bool', 'string' or 'complex64'" }),
  /** `optimizer` for an optimizer's state (saved with `includeOptimizer`), which loading leaves aside; absent or `model` for a model weight. */
  group: z.enum(['model', 'optimizer'], { error: "must be 'model' or 'optimizer'" }).optional(),
  /** How the weight is quantised on disk, if it is (tensorflowjs_converter's `--quantize_*`). */
  quantization: z
    .looseObject({
      /** The stored type. */
      dtype: z.enum(['uint8', 'uint16', 'float16'], { error: "must be 'uint8', 'uint16' or 'float16'" }),
      /** Affine quantisation: value = min + scale · stored. */
      scale: z.number().optional(),
      /** Affine quantisation's offset. */
      min: z.number().optional(),
    })
    .optional(),
});
/**
 * One weight as model.json lists it (TF.js's `WeightsManifestEntry`).
 *
 * @useDeclaredType
 * @category Weights
 */
export type WeightSpec = z.infer<typeof WeightSpecSchema>;

/** One group of model.json's `weightsManifest`: its shard files and the weights stored in them, in order. */
export const WeightGroupSchema = z.looseObject({
  /** The group's shard files, in order, relative to model.json. */
  paths: z.array(relativePathSchema, { error: 'must be an array of file paths' }).min(1, { error: 'must list at least one file' }),
  /** The weights stored across the shards, one after another. */
  weights: z.array(WeightSpecSchema, { error: 'must be an array of weight specs' }),
});
export type WeightGroup = z.infer<typeof WeightGroupSchema>;

/** model.json of a TF.js layers model. */
export const ModelJsonSchema = z.looseObject({
  /** Always `layers-model` when present (a graph model cannot be loaded as a LayersModel). */
  format: z.literal('layers-model', { error: "must be 'layers-model' (a graph model cannot be loaded as a LayersModel)" }).optional(),
  /** The TF.js (or Keras) version that wrote it. */
  generatedBy: z.string().optional(),
  /** The converter that wrote it, if any (tensorflowjs_converter's version). */
  convertedBy: z.string().nullable().optional(),
  /** The Keras model config: the architecture. */
  modelTopology: z.record(z.string(), z.unknown(), { error: 'must be the Keras model config (an object)' }),
  /** The weight groups: shard files and the weights in them. */
  weightsManifest: z.array(WeightGroupSchema, { error: 'must be an array of { paths, weights } groups' }),
});
/**
 * model.json of a TF.js layers model, as {@link readWeightsFolder} parsed it (unknown keys kept).
 *
 * @useDeclaredType
 * @category Weights
 */
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
