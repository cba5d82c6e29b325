/**
 * A Triton Inference Server model repository entry for an exported model: the model's folder with
 * `config.pbtxt` (Triton's ModelConfig in protobuf text format, for the ONNX Runtime backend),
 * `labels.txt` when class names are given, and version 1's `model.onnx`.
 *
 * The config's fields are those of Triton's model_config.proto (triton-inference-server/common,
 * protobuf/model_config.proto): ModelConfig `name`, `platform`, `max_batch_size`, `input`, `output`,
 * `dynamic_batching`; ModelInput `name`, `data_type`, `format`, `dims`; ModelOutput `name`,
 * `data_type`, `dims`, `label_filename`.
 */
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import type { tf } from '../tf.js';
import { writeFolderAtomic } from './atomic.js';
import { parseConfig } from '../config.js';
import { ToOnnxOptionsSchema } from './options.js';
import { exportOnnx, type OnnxIo, type ToOnnxOptions } from './to-onnx.js';

/**
 * Options of {@link writeTritonRepository}: the model's name and batching, its class names, and
 * {@link toOnnx}'s options.
 *
 * @example
 * ```ts
 * const options: TritonOptions = { name: 'lenet5', maxBatchSize: 64, classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] };
 * ```
 *
 * @category ONNX
 */
export interface TritonOptions extends ToOnnxOptions {
  /** The model's name in the repository: its folder's name and the config's `name`. */
  name: string;
  /** Triton's `max_batch_size`: the largest batch its dynamic batcher forms (>= 1). */
  maxBatchSize: number;
  /** The classes of output 0, index by index: written to labels.txt (Triton's classification labels). */
  classNames?: string[];
  /** Replace an existing `<dir>/<name>` folder. Default false. */
  overwrite?: boolean;
}

/**
 * What {@link writeTritonRepository} wrote.
 *
 * @example
 * ```ts
 * const { folder, files }: TritonModel = await writeTritonRepository(resnet34(), 'models', { name: 'resnet34', maxBatchSize: 8 });
 * console.log(folder, files); // .../models/resnet34 ['config.pbtxt', '1/model.onnx']
 * ```
 *
 * @category ONNX
 */
export interface TritonModel {
  /** The model's folder, `<dir>/<name>`. */
  folder: string;
  /** The files in it, relative to it: `config.pbtxt`, `labels.txt` (with class names), `1/model.onnx`. */
  files: string[];
  /** The config.pbtxt text. */
  config: string;
}

/** Triton's model names are folder names; these characters are safe on every file system and in URLs. */
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

const TritonOptionsSchema = ToOnnxOptionsSchema.extend({
  name: z.string({ error: 'must be a model name' }).regex(NAME, { error: "must be a folder name of letters, digits, '_', '.' and '-' (not starting with '.' or '-')" }),
  maxBatchSize: z.number({ error: 'must be a positive integer' }).int({ error: 'must be a positive integer' }).positive({ error: 'must be a positive integer' }),
  classNames: z
    .array(z.string().min(1).regex(/^[^\r\n]*$/), { error: 'must be an array of non-empty, one-line class names' })
    .min(1, { error: 'must list at least one class' })
    .optional(),
  overwrite: z.boolean({ error: 'must be true or false' }).default(false),
});

/** The Triton dims of a graph value: without the batch axis, which `max_batch_size` stands for. */
function tritonDims(io: OnnxIo): number[] {
  return io.dims.slice(1) as number[];
}

/** Triton's config.pbtxt (protobuf text format) for the export. */
function configText(name: string, maxBatchSize: number, inputs: OnnxIo[], outputs: OnnxIo[], layout: 'nhwc' | 'nchw', labels: boolean): string {
  const list = (dims: number[]) => `[ ${dims.join(', ')} ]`;
  const input = inputs.map((io) => {
    const dims = tritonDims(io);
    // FORMAT_NHWC/NCHW tells clients such as Triton's image_client how to lay out an image (3 dims only).
    const format = dims.length === 3 ? `\n    format: ${layout === 'nhwc' ? 'FORMAT_NHWC' : 'FORMAT_NCHW'}` : '';
    return `  {\n    name: "${io.name}"\n    data_type: TYPE_FP32${format}\n    dims: ${list(dims)}\n  }`;
  });
  const output = outputs.map((io, i) => {
    const label = labels && i === 0 ? '\n    label_filename: "labels.txt"' : '';
    return `  {\n    name: "${io.name}"\n    data_type: TYPE_FP32\n    dims: ${list(tritonDims(io))}${label}\n  }`;
  });
  return [
    `name: "${name}"`,
    'platform: "onnxruntime_onnx"',
    `max_batch_size: ${maxBatchSize}`,
    `input [\n${input.join(',\n')}\n]`,
    `output [\n${output.join(',\n')}\n]`,
    'dynamic_batching { }',
    '',
  ].join('\n');
}

/**
 * Writes a model into a Triton Inference Server model repository, as `<dir>/<name>/`:
 * `config.pbtxt` (platform `onnxruntime_onnx`, `max_batch_size`, the input and outputs with their
 * names, `TYPE_FP32` and dims without the batch axis, `dynamic_batching { }`, and
 * `label_filename: "labels.txt"` on output 0 when class names are given), `labels.txt`, and
 * `1/model.onnx` ({@link toOnnx}'s export, dynamic batch). The model's folder is written to a
 * temporary folder and renamed into place, so it appears complete or not at all; an existing one is
 * replaced only with `overwrite`. `dir` is created if missing. A path that cannot be written is an
 * {@link OnnxExportError} and leaves nothing behind.
 *
 * Serve it with `tritonserver --model-repository=<dir>`.
 *
 * @example
 * ```ts
 * await writeTritonRepository(await createModel('lenet5', { weights: 'mnist' }), 'models', {
 *   name: 'lenet5', maxBatchSize: 64, classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
 * });
 * // models/lenet5/config.pbtxt, models/lenet5/labels.txt, models/lenet5/1/model.onnx
 * ```
 *
 * @category ONNX
 */
export async function writeTritonRepository(model: tf.LayersModel, dir: string, options: TritonOptions): Promise<TritonModel> {
  const { name, maxBatchSize, classNames, overwrite, ...onnxOptions } = parseConfig(TritonOptionsSchema, options, 'options');
  const exported = exportOnnx(model, onnxOptions);
  if (classNames) {
    const dims = exported.outputs[0].dims;
    if (dims.length !== 2) throw new ConfigError({ field: 'options.classNames', rule: `need output 0 to be a vector of class scores, but it has shape [${dims.join(', ')}]` });
    if (dims[1] !== classNames.length) throw new ConfigError({ field: 'options.classNames', rule: `must list one name per class of output 0 (${dims[1]})`, received: classNames.length });
  }
  const config = configText(name, maxBatchSize, exported.inputs, exported.outputs, exported.layout, classNames !== undefined);
  const encoder = new TextEncoder();
  const files: Record<string, Uint8Array> = { 'config.pbtxt': encoder.encode(config) };
  if (classNames) files['labels.txt'] = encoder.encode(`${classNames.join('\n')}\n`);
  files[path.join('1', 'model.onnx')] = exported.bytes;
  const folder = path.resolve(dir, name);
  await writeFolderAtomic(folder, files, overwrite);
  return { folder, files: Object.keys(files).map((file) => file.split(path.sep).join('/')), config };
}
