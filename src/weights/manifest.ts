/**
 * The cnn-zoo manifest (`cnn-zoo.json`) that sits beside a TF.js `model.json` and its shards: which
 * architecture and exact options the weights belong to, the sha256 of every file, where they come
 * from and under what licence, the preprocessing they expect, the class names and the metrics
 * measured. Weights are data, and this is what makes them usable and checkable (as torchvision's
 * `WeightsEnum` entries and timm's pretrained configs do).
 */
import { z } from 'zod';
import { inputShapeSchema, positiveInt } from '../config.js';
import { normalizeRelativePath, relativePathSchema } from './paths.js';

/**
 * The manifest's file name inside a weights folder. Not `manifest.json`, which web apps use for
 * something else.
 *
 * @category Weights
 */
export const MANIFEST_FILE = 'cnn-zoo.json';
/** The TF.js layers-model file, as tfjs-node and tensorflowjs_converter name it. */
export const MODEL_JSON_FILE = 'model.json';
/**
 * The value of the manifest's `format` field, which tells a cnn-zoo manifest from any other JSON.
 *
 * @category Weights
 */
export const MANIFEST_FORMAT = 'cnn-zoo-weights';
/**
 * The manifest version this code reads and writes.
 *
 * @category Weights
 */
export const MANIFEST_VERSION = 1;

const finite = () => z.number({ error: 'must be a finite number' }).finite({ error: 'must be a finite number' });

/**
 * One file of a weights folder and what it must hash to: an entry of the manifest's `files`.
 *
 * @category Weights
 */
export const WeightsFileSchema = z.strictObject({
  /** Path relative to the folder, '/'-separated; never absolute, never `..`. */
  path: relativePathSchema.describe('path relative to the folder'),
  /** sha256 of the file's bytes, lower-case hex. */
  sha256: z
    .string({ error: 'must be a sha256 digest: 64 lower-case hex digits' })
    .regex(/^[0-9a-f]{64}$/, { error: 'must be a sha256 digest: 64 lower-case hex digits' })
    .describe('sha256 of the file, lower-case hex'),
  /** Size of the file in bytes (a truncated file is reported as such before its digest is computed). */
  bytes: z.number({ error: 'must be a non-negative integer' }).int({ error: 'must be a non-negative integer' }).min(0, { error: 'must be a non-negative integer' }).describe('size in bytes'),
});
/**
 * One file of a weights folder: path, sha256, size.
 *
 * @useDeclaredType
 * @category Weights
 */
export type WeightsFile = z.infer<typeof WeightsFileSchema>;

/** The preprocessing fields; shared by the manifest and by {@link saveModel}'s info (where `inputShape` defaults to the model's). */
export const preprocessingFields = {
  /** `[height, width, channels]` of the images the weights were trained on. */
  inputShape: inputShapeSchema.describe('[height, width, channels] the weights expect'),
  /**
   * The interval onto which pixel values 0..255 are mapped linearly before `mean`/`std`: `[0, 1]`
   * for torchvision, `[-1, 1]` for Keras's MobileNets, `[0, 255]` for Caffe-style VGG/ResNet.
   */
  range: z
    .tuple([finite(), finite()], { error: 'must be [min, max] with min < max' })
    .refine(([low, high]) => low < high, { error: 'must be [min, max] with min < max' })
    .describe('interval the pixel values 0..255 are mapped onto'),
  /** Per-channel mean subtracted after the mapping onto `range`, in the model's channel order (torchvision: [0.485, 0.456, 0.406]). */
  mean: z.array(finite(), { error: 'must be an array of numbers, one per channel' }).optional().describe('per-channel mean, subtracted after the range mapping'),
  /** Per-channel standard deviation divided by after subtracting `mean`. */
  std: z
    .array(z.number({ error: 'must be a positive number' }).positive({ error: 'must be a positive number' }).finite({ error: 'must be a positive number' }), {
      error: 'must be an array of positive numbers, one per channel',
    })
    .optional()
    .describe('per-channel standard deviation'),
  /** Order of the colour channels: 'rgb' (default) or 'bgr' (Caffe-converted weights). */
  channelOrder: z.enum(['rgb', 'bgr'], { error: "must be 'rgb' or 'bgr'" }).default('rgb').describe('order of the colour channels'),
  /** The image's shorter side is resized to this before a centre crop to `inputShape` (torchvision's 256 → 224). */
  resizeShorterSide: positiveInt().optional().describe('shorter side before the centre crop'),
};

type PreprocessingShape = { inputShape?: readonly number[]; mean?: readonly number[]; std?: readonly number[] };

/** `mean` and `std` come together and have one value per channel. */
export function checkPreprocessing(value: PreprocessingShape, context: z.core.$RefinementCtx): void {
  if ((value.mean === undefined) !== (value.std === undefined)) {
    const missing = value.mean === undefined ? 'mean' : 'std';
    context.addIssue({ code: 'custom', path: [missing], message: `must be given together with ${missing === 'mean' ? 'std' : 'mean'}`, input: undefined });
  }
  const channels = value.inputShape?.[2];
  if (channels === undefined) return;
  for (const key of ['mean', 'std'] as const) {
    const values = value[key];
    if (values !== undefined && values.length !== channels) {
      context.addIssue({ code: 'custom', path: [key], message: `must have one value per channel (${channels}, from inputShape)`, input: values });
    }
  }
}

/**
 * What the weights expect of an input image: the manifest's `preprocessing`. `mean` and `std` come
 * together, with one value per channel.
 *
 * @category Weights
 */
export const PreprocessingSchema = z.strictObject(preprocessingFields).superRefine(checkPreprocessing);
/**
 * What the weights expect of an input image (parsed: `channelOrder` filled in).
 *
 * @useDeclaredType
 * @category Weights
 */
export type Preprocessing = z.infer<typeof PreprocessingSchema>;

/** The descriptive fields, shared by the manifest and by {@link saveModel}'s info. */
export const descriptiveFields = {
  /** The registry name of the architecture (`lenet5`, `resnet50`). */
  model: z.string({ error: 'must be a non-empty string' }).min(1, { error: 'must be a non-empty string' }).describe('registry name of the architecture'),
  /** The exact builder options the weights belong to; `createModel(model, config)` rebuilds the architecture. */
  config: z.record(z.string(), z.json(), { error: 'must be an object of JSON values' }).describe('builder options'),
  /** Where the weights come from: a URL, a paper, or how they were trained. Absent: not said. */
  source: z.string({ error: 'must be a non-empty string' }).min(1, { error: 'must be a non-empty string' }).optional().describe('where the weights come from'),
  /** The weights' licence, an SPDX identifier where there is one (`Apache-2.0`, `BSD-3-Clause`). Absent: not said. */
  licence: z.string({ error: 'must be a non-empty string' }).min(1, { error: 'must be a non-empty string' }).optional().describe('licence of the weights'),
  /** For weights imported from another library's file: the file, its checksum, the library, and the tensors deliberately not used. */
  importedFrom: z
    .strictObject({
      /** The file's name. */
      file: z.string({ error: 'must be a non-empty string' }).min(1, { error: 'must be a non-empty string' }),
      /** sha256 of the file's bytes, lower-case hex. */
      sha256: z.string({ error: 'must be a sha256 digest: 64 lower-case hex digits' }).regex(/^[0-9a-f]{64}$/, { error: 'must be a sha256 digest: 64 lower-case hex digits' }),
      /** The library whose names and conventions the file follows. */
      from: z.enum(['torchvision', 'timm', 'keras'], { error: "must be 'torchvision', 'timm' or 'keras'" }),
      /** Tensors of the file the model deliberately lacks (`num_batches_tracked`, GoogLeNet's auxiliary heads built without them). */
      skipped: z.array(z.string({ error: 'must be a tensor name' }), { error: 'must be a list of tensor names' }),
    })
    .optional()
    .describe('the file the weights were imported from'),
  /** The output classes, index by index. */
  classNames: z
    .array(z.string({ error: 'must be a non-empty string' }).min(1, { error: 'must be a non-empty string' }), { error: 'must be an array of class names' })
    .min(1, { error: 'must list at least one class' })
    .optional()
    .describe('class names, index by index'),
  /** Metrics measured with these weights (`top1`, `top5`, `testAccuracy`), as numbers. */
  metrics: z.record(z.string(), finite(), { error: 'must be an object of numbers' }).optional().describe('metrics measured'),
  /** When the weights were made, ISO 8601. */
  createdAt: z.iso.datetime({ error: 'must be an ISO 8601 date-time (2024-05-01T12:00:00Z)' }).optional().describe('when the weights were made'),
};

/**
 * The manifest (`cnn-zoo.json`) beside a TF.js `model.json` and its shards: strict, every field
 * checked; see {@link WeightsManifest} for the fields. {@link saveModel} writes it,
 * {@link loadWeights} and {@link loadModel} check it.
 *
 * @category Weights
 */
export const WeightsManifestSchema = z
  .strictObject({
    /** Always `cnn-zoo-weights`: tells this file from any other JSON. */
    format: z.literal(MANIFEST_FORMAT, { error: `must be "${MANIFEST_FORMAT}"` }),
    /** Manifest layout version; this code reads version 1. */
    version: z.literal(MANIFEST_VERSION, { error: `must be ${MANIFEST_VERSION} (the manifest version this cnn-zoo reads)` }),
    ...descriptiveFields,
    /** Every file of the folder except the manifest: model.json and its weight shards. */
    files: z.array(WeightsFileSchema, { error: 'must be an array of { path, sha256, bytes }' }).min(1, { error: `must list at least ${MODEL_JSON_FILE}` }),
    /** What the weights expect of an input image ({@link Preprocessing}). */
    preprocessing: PreprocessingSchema,
  })
  .superRefine((manifest, context) => {
    const seen = new Map<string, number>();
    manifest.files.forEach((file, index) => {
      const key = normalizeRelativePath(file.path);
      if (key === MANIFEST_FILE) {
        context.addIssue({ code: 'custom', path: ['files', index, 'path'], message: 'must not list the manifest itself (it cannot hold its own checksum)', input: file.path });
      }
      const first = seen.get(key);
      if (first !== undefined) {
        context.addIssue({ code: 'custom', path: ['files', index, 'path'], message: `lists the same file as files.${first}.path`, input: file.path });
      }
      seen.set(key, index);
    });
    if (!seen.has(MODEL_JSON_FILE)) {
      context.addIssue({ code: 'custom', path: ['files'], message: `must list ${MODEL_JSON_FILE}`, input: manifest.files.map((file) => file.path) });
    }
  });
/**
 * A weights folder's manifest, field by field.
 *
 * @useDeclaredType
 * @category Weights
 */
export type WeightsManifest = z.infer<typeof WeightsManifestSchema>;
