/**
 * `cnn-zoo export <model | weights-dir> --format onnx|triton|safetensors --out <path>`: a registered
 * model (with seeded random weights) or a cnn-zoo weights folder, as an ONNX file, a Triton model
 * repository entry, or torchvision's state_dict as safetensors, written atomically.
 *
 * Flags: `--format onnx` (default) writes the ONNX file `--out`; `--format triton` writes the model
 * folder `<out>/<name>/` (config.pbtxt, labels.txt with the folder's class names, 1/model.onnx).
 * `--format safetensors` writes `--out` in torchvision's names and layouts (`--overwrite` replaces it).
 * `--layout nhwc|nchw` (default nhwc), `--opset N` (17..23, default 17), `--seed N` (a model name's
 * random weights, default 0), `--name` (Triton's model name; default the model's name or the
 * folder's), `--max-batch-size N` (Triton's max_batch_size, default 8), `--overwrite` (replace an
 * existing Triton model folder).
 *
 * The model is built or loaded on the current TF.js backend; no math runs, so `cpu` is as good as
 * any. A user's mistake (unknown model, bad flag, bad folder, unwritable path, a layer without an
 * ONNX conversion) is a {@link UsageError}.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { createModel } from '../families/create-model.js';
import { getModelDefinition, isModelName, type ModelName } from '../families/registry.js';
import { OnnxExportError } from '../onnx/errors.js';
import { MAX_OPSET, MIN_OPSET } from '../onnx/options.js';
import { exportOnnx, type OnnxIo } from '../onnx/to-onnx.js';
import { writeFileAtomic } from '../onnx/atomic.js';
import { writeTritonRepository } from '../onnx/triton.js';
import { exportSafetensors } from '../import/export-safetensors.js';
import type { tf } from '../tf.js';
import { loadModel } from '../weights/load.js';
import { modelInfo } from '../weights/model-info.js';
import { WeightsError } from '../weights/errors.js';
import { UsageError } from './errors.js';
import type { CliIO } from './output.js';

/** The flags of `cnn-zoo export`, as commander passes them (strings; `--max-batch-size` as maxBatchSize). */
export interface ExportFlags {
  /** `onnx` (default), `triton` or `safetensors`. */
  format?: string;
  /** The ONNX file (onnx) or the model repository folder (triton). Required. */
  out?: string;
  /** `nhwc` (default) or `nchw`. */
  layout?: string;
  /** The ai.onnx opset, 17 (default) to 23. */
  opset?: string;
  /** Seed of a model name's random weights. Default 0, so that an export is reproducible. */
  seed?: string;
  /** Triton's model name. Default: the model's name, or the weights folder's name. */
  name?: string;
  /** Triton's max_batch_size. Default 8. */
  maxBatchSize?: string;
  /** Replace an existing Triton model folder. */
  overwrite?: boolean;
}

const DEFAULT_SEED = 0;
const DEFAULT_MAX_BATCH_SIZE = 8;

function integerFlag(flag: string, text: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
    throw new UsageError(`${flag}: must be ${range}, received ${JSON.stringify(text)}`);
  }
  return value;
}

function choiceFlag<T extends string>(flag: string, text: string | undefined, choices: readonly T[], fallback: T): T {
  if (text === undefined) return fallback;
  if (!choices.includes(text as T)) throw new UsageError(`${flag}: must be ${choices.map((c) => `'${c}'`).join(' or ')}, received ${JSON.stringify(text)}`);
  return text as T;
}

/** Whether the argument names a folder rather than a registered model. */
function isFolderArgument(argument: string): boolean {
  if (argument.includes('/') || argument.includes('\\') || argument.startsWith('.')) return true;
  return !isModelName(argument) && existsSync(argument) && statSync(argument).isDirectory();
}

/** A model to export: built from a name, or loaded from a folder with its class names. */
interface Source {
  model: tf.LayersModel;
  name: string;
  description: string;
  classNames?: string[];
}

async function resolveSource(argument: string, seedText: string | undefined): Promise<Source> {
  if (isFolderArgument(argument)) {
    if (seedText !== undefined) throw new UsageError(`--seed: applies to a model name; the folder '${argument}' has its own weights`);
    try {
      const model = await loadModel(argument);
      const info = modelInfo(model); // the manifest's facts, recorded by loadModel
      const name = path.basename(path.resolve(argument)).replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^[.-]+/, '') || 'model';
      return { model, name, description: `${info?.model ?? model.name} from ${argument}`, classNames: info?.classNames };
    } catch (error) {
      if (error instanceof WeightsError || error instanceof ConfigError) throw new UsageError(error.message);
      throw error;
    }
  }
  try {
    getModelDefinition(argument as ModelName); // throws the registry's unknown-model error, with suggestions
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(`${error.message.replace(/^model: /, '')}; or give a weights folder path such as ./my-weights`);
    throw error;
  }
  const seed = integerFlag('--seed', seedText, 0) ?? DEFAULT_SEED;
  const modelName = argument as ModelName;
  return { model: await createModel(modelName, { seed }), name: argument, description: `${argument} (random weights, seed ${seed})` };
}

function describeIo(io: OnnxIo): string {
  return `'${io.name}' [${io.dims.join(', ')}]`;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/**
 * Runs `cnn-zoo export`; see the module comment for the flags. Prints one line per file written.
 */
export async function runExport(io: CliIO, argument: string, flags: ExportFlags): Promise<void> {
  const format = choiceFlag('--format', flags.format, ['onnx', 'triton', 'safetensors'] as const, 'onnx');
  const outExample = { onnx: 'ONNX file to write, e.g. --out model.onnx', triton: 'model repository folder, e.g. --out models', safetensors: 'safetensors file to write, e.g. --out model.safetensors' };
  if (!flags.out) throw new UsageError(`--out: required: the ${outExample[format]}`);
  if (format === 'safetensors' && (flags.layout !== undefined || flags.opset !== undefined || flags.name !== undefined || flags.maxBatchSize !== undefined)) {
    throw new UsageError('--layout, --opset, --name and --max-batch-size apply to --format onnx or triton');
  }
  const layout = choiceFlag('--layout', flags.layout, ['nhwc', 'nchw'] as const, 'nhwc');
  const opset = integerFlag('--opset', flags.opset, MIN_OPSET, MAX_OPSET);
  const maxBatchSize = integerFlag('--max-batch-size', flags.maxBatchSize, 1) ?? DEFAULT_MAX_BATCH_SIZE;
  if (format === 'onnx' && (flags.name !== undefined || flags.maxBatchSize !== undefined || flags.overwrite)) {
    throw new UsageError('--name, --max-batch-size and --overwrite apply to --format triton');
  }

  const source = await resolveSource(argument, flags.seed);
  try {
    if (format === 'safetensors') {
      const count = await exportSafetensors(source.model, flags.out, { overwrite: flags.overwrite });
      io.stdout(`wrote ${flags.out}: ${source.description}, ${count} tensors in torchvision's names and layouts\n`);
      return;
    }
    if (format === 'onnx') {
      const exported = exportOnnx(source.model, { layout, opset });
      await writeFileAtomic(flags.out, exported.bytes);
      const outputs = exported.outputs.map(describeIo).join(', ');
      io.stdout(`wrote ${flags.out} (${megabytes(exported.bytes.length)}): ${source.description}, opset ${opset ?? MIN_OPSET}, input ${describeIo(exported.inputs[0])} (${layout}), output${exported.outputs.length > 1 ? 's' : ''} ${outputs}\n`);
      return;
    }
    const name = flags.name ?? source.name;
    const written = await writeTritonRepository(source.model, flags.out, { name, maxBatchSize, layout, opset, classNames: source.classNames, overwrite: flags.overwrite });
    io.stdout(`wrote Triton model '${name}' to ${written.folder} (${written.files.join(', ')}): ${source.description}, max_batch_size ${maxBatchSize}, input layout ${layout}\n`);
  } catch (error) {
    if (error instanceof OnnxExportError) throw new UsageError(error.message);
    if (error instanceof ConfigError || error instanceof WeightsError) throw new UsageError(error.message.replace(/^options\.name:/, '--name:').replace('pass { overwrite: true }', 'pass --overwrite'));
    throw error;
  } finally {
    source.model.dispose();
  }
}
