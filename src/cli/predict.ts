/**
 * `cnn-zoo predict <weights-dir> <image>...`: each image's top classes, from a weights folder (its
 * model, its manifest's preprocessing and class names).
 *
 * All or nothing: every image is decoded before anything is printed, and if any cannot be read the
 * run prints nothing on stdout and fails with one line per unreadable image (exit code 2). A
 * partial table would look like success to a script, and `--json` must stay one whole document.
 *
 * Probabilities or logits are told by the output layer's activation (its config's `activation`,
 * or a `Softmax` layer): softmax and sigmoid outputs are reported as they are, a linear output
 * (`classifierActivation: 'linear'`) is taken for logits and softmaxed. The manifest's `config`
 * would say it only for zoo models built by name; the layer says it for any model.json. A model
 * with several outputs (GoogLeNet with its auxiliary heads) is read at its first, the main one.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { narrowTable, type Column, type NarrowStep } from '../analysis/render.js';
import { BackendError, ConfigError } from '../errors.js';
import { decodePredictions, type Prediction } from '../images/decode-predictions.js';
import { ImageError } from '../images/errors.js';
import { preprocess } from '../images/preprocess.js';
import { tf } from '../tf.js';
import { WeightsError } from '../weights/errors.js';
import { loadModel } from '../weights/load.js';
import { MANIFEST_FILE, type WeightsManifest } from '../weights/manifest.js';
import { modelInfo } from '../weights/model-info.js';
import { onnxPredictor, type OnnxPredictor } from '../onnx/predictor.js';
import { UsageError } from './errors.js';
import { positiveIntFlag } from './model-request.js';
import { tableWidth, type CliIO } from './output.js';

export interface PredictFlags {
  /** Classes shown per image (a positive integer as text); default 5. */
  top?: string;
  /** Print JSON instead of tables. */
  json?: boolean;
  /** Print class names in full, however wide the terminal. */
  wide?: boolean;
  /** `tfjs` (default: the current TF.js backend) or `onnx` (ONNX Runtime, through onnxruntime-node). */
  runtime?: string;
}

/** Runs the model on a batch; returns its first output. */
type Forward = (batch: tf.Tensor) => Promise<tf.Tensor>;

/** What the model's output is, from its output layer. */
type OutputKind = 'softmax' | 'sigmoid' | 'logits';

/** One image's result. */
interface ImageResult {
  image: string;
  predictions: Prediction[];
}

/** Images per forward pass. */
const BATCH = 16;
/** Tables are indented under each image's heading. */
const INDENT = '  ';
/** How a table fits the terminal: the class names are cut with '…'; nothing else is long. */
export const PREDICT_NARROWING: readonly NarrowStep[] = [{ shorten: 'Class', min: 'Class'.length }];

/** What predict reads from the folder's manifest. */
type ManifestFacts = Pick<WeightsManifest, 'model' | 'preprocessing' | 'classNames'>;

/**
 * The folder's model with its manifest's facts (recorded on it by loadModel, which reads and checks
 * the folder once), or a one-line UsageError: a folder without a manifest is not a weights folder here.
 */
async function loadFolder(dir: string): Promise<{ model: tf.LayersModel; manifest: ManifestFacts }> {
  const isDirectory = await stat(dir).then((entry) => entry.isDirectory(), () => false);
  const hasManifest = isDirectory && (await stat(path.join(dir, MANIFEST_FILE)).then((entry) => entry.isFile(), () => false));
  if (isDirectory && !hasManifest) {
    // loadModel's own advice ({ requireManifest: false }) is for code; predict needs the manifest's preprocessing.
    throw new UsageError(`${dir}: not a cnn-zoo weights folder: it has no ${MANIFEST_FILE} (the preprocessing and class names predict needs; saveModel writes one)`);
  }
  let model: tf.LayersModel;
  try {
    model = await loadModel(dir);
  } catch (error) {
    if (error instanceof WeightsError) throw new UsageError(error.message);
    throw error;
  }
  // loadModel requires the manifest, and records its model name, preprocessing and class names.
  const { model: name, preprocessing, classNames } = modelInfo(model)!;
  return { model, manifest: { model: name, preprocessing: preprocessing!, classNames } };
}

/** Checks that the model takes the manifest's input and outputs one score per class; returns K. */
function checkModel(dir: string, model: tf.LayersModel, manifest: ManifestFacts): number {
  const expected = manifest.preprocessing.inputShape;
  const input = model.inputs.length === 1 ? model.inputs[0].shape.slice(1) : undefined;
  if (!input || input.length !== 3 || input.some((size, i) => size !== expected[i])) {
    const got = model.inputs.map((tensor) => `[${tensor.shape.slice(1).join(', ')}]`).join(', ');
    throw new UsageError(`${dir}: the model takes ${got} but ${MANIFEST_FILE}'s preprocessing.inputShape is [${expected.join(', ')}]`);
  }
  const output = model.outputs[0].shape;
  if (output.length !== 2 || output[1] === null) {
    throw new UsageError(`${dir}: the model's output has shape [${output.map((size) => size ?? '?').join(', ')}], not one score per class (saved without its classifier, includeTop: false?)`);
  }
  const classes = output[1];
  const names = manifest.classNames;
  if (names && names.length !== classes) throw new UsageError(`${dir}: the model has ${classes} output classes but ${MANIFEST_FILE} lists ${names.length} classNames`);
  return classes;
}

/** Softmax, sigmoid or logits, from the output layer; anything else is not a classifier's output. */
function outputKind(dir: string, model: tf.LayersModel): OutputKind {
  const layer = model.outputs[0].sourceLayer;
  const type = layer.getClassName();
  const activation = type === 'Softmax' ? 'softmax' : layer.getConfig().activation;
  if (activation === 'softmax' || activation === 'sigmoid') return activation;
  if (activation === 'linear') return 'logits';
  const what = typeof activation === 'string' ? `has activation '${activation}'` : 'has no activation';
  throw new UsageError(`${dir}: the model's output layer '${layer.name}' (${type}) ${what}: predict reads probabilities (softmax, sigmoid) or logits (linear)`);
}

/** Decodes every image, then runs the model in batches; unreadable images are all named, one a line. */
async function classify(forward: Forward, manifest: ManifestFacts, kind: OutputKind, images: readonly string[], classNames: readonly string[], top: number): Promise<ImageResult[]> {
  const failures: string[] = [];
  const results: ImageResult[] = [];
  for (let start = 0; start < images.length; start += BATCH) {
    const files = images.slice(start, start + BATCH);
    const settled = await Promise.allSettled(files.map((file) => preprocess(file, manifest.preprocessing)));
    const inputs = settled.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
    for (const outcome of settled) {
      if (outcome.status === 'fulfilled') continue;
      const error: unknown = outcome.reason;
      // Without sharp no image can be read: one line, not one per image.
      if (error instanceof ImageError && error.image === undefined) {
        tf.dispose(inputs);
        throw new UsageError(error.message);
      }
      if (error instanceof ImageError) failures.push(error.message);
      else {
        tf.dispose(inputs);
        throw error;
      }
    }
    // Once an image failed, the run fails: the rest are only decoded, to name every bad one.
    if (failures.length > 0) {
      tf.dispose(inputs);
      continue;
    }
    const batch = inputs.length === 1 ? inputs[0] : tf.concat(inputs);
    const output = await forward(batch);
    const probabilities = kind === 'logits' ? tf.tidy(() => tf.softmax(output)) : output;
    if (batch !== inputs[0]) batch.dispose();
    if (probabilities !== output) output.dispose();
    try {
      decodePredictions(probabilities, classNames, top).forEach((predictions, i) => results.push({ image: files[i], predictions }));
    } finally {
      tf.dispose([probabilities, ...inputs]);
    }
  }
  if (failures.length > 0) throw new UsageError(failures.join('\n'));
  return results;
}

/** The first of a model's outputs (GoogLeNet's main head before its auxiliary ones); the others are disposed. */
function first(output: tf.Tensor | tf.Tensor[]): tf.Tensor {
  if (!Array.isArray(output)) return output;
  tf.dispose(output.slice(1));
  return output[0];
}

/** The model in ONNX Runtime; without onnxruntime-node, the error that says how to install it. */
async function onnxPredictorFor(model: tf.LayersModel): Promise<OnnxPredictor> {
  try {
    return await onnxPredictor(model, { outputs: 'main' });
  } catch (error) {
    if (error instanceof BackendError) throw new UsageError(`--runtime onnx: ${error.message}`);
    throw error;
  }
}

/** A probability as a percentage with two decimals. */
function percentage(probability: number): string {
  if (!Number.isFinite(probability)) return String(probability);
  // Rounding would show a sliver as 0.00% and a near-certainty as 100.00%.
  if (probability > 0 && probability < 0.00005) return '<0.01%';
  if (probability < 1 && probability >= 0.99995) return '>99.99%';
  return `${(100 * probability).toFixed(2)}%`;
}

/**
 * One image's table within `width`: rank, class (and its index when the folder names classes),
 * probability. The image's path heads it uncut: a cut path could name two images alike.
 */
function table(result: ImageResult, named: boolean, width: number): string[] {
  const columns: Column[] = [
    { header: '#', align: 'right' },
    { header: 'Class', align: 'left' },
    ...(named ? [{ header: 'Index', align: 'right' } as Column] : []),
    { header: 'Probability', align: 'right' },
  ];
  const rows = result.predictions.map((prediction, rank) => [
    String(rank + 1),
    named ? prediction.className : String(prediction.index),
    ...(named ? [String(prediction.index)] : []),
    percentage(prediction.probability),
  ]);
  return [result.image, ...narrowTable(columns, rows, width - INDENT.length, PREDICT_NARROWING).map((line) => INDENT + line)];
}

/**
 * Runs `cnn-zoo predict`: loads the folder's model and manifest, reads every image as the
 * manifest's preprocessing says, and prints each image's `--top` classes (default 5) as a table or
 * as JSON. Every mistake (a folder that is not a weights folder, an unreadable image, a bad flag)
 * is a UsageError naming the folder, the file or the flag, and nothing is printed on stdout.
 */
export async function runPredict(io: CliIO, weightsDir: string, images: readonly string[], flags: PredictFlags = {}): Promise<void> {
  const top = positiveIntFlag('--top', flags.top) ?? 5;
  const runtime = flags.runtime ?? 'tfjs';
  if (runtime !== 'tfjs' && runtime !== 'onnx') throw new UsageError(`--runtime: must be 'tfjs' or 'onnx', received ${JSON.stringify(runtime)}`);
  if (images.length === 0) throw new UsageError('missing required argument: at least one image');
  const { model, manifest } = await loadFolder(weightsDir);
  let results: ImageResult[];
  let classes: number;
  let kind: OutputKind;
  let predictor: OnnxPredictor | undefined;
  try {
    classes = checkModel(weightsDir, model, manifest);
    kind = outputKind(weightsDir, model);
    const classNames = manifest.classNames ?? Array.from({ length: classes }, (_, index) => String(index));
    if (runtime === 'onnx') predictor = await onnxPredictorFor(model);
    const forward: Forward = predictor
      ? async (batch) => first(await predictor!.predict(batch))
      : async (batch) => tf.tidy(() => first(model.predict(batch)));
    results = await classify(forward, manifest, kind, images, classNames, top);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(`${weightsDir}: ${MANIFEST_FILE}: ${error.message.split('\n').join('; ')}`);
    throw error;
  } finally {
    await predictor?.dispose();
    model.dispose();
  }

  const named = manifest.classNames !== undefined;
  if (flags.json) {
    const json = {
      weights: weightsDir,
      model: manifest.model,
      // How the probabilities were obtained: the model's own softmax or sigmoid, or softmax of its logits.
      probabilities: kind === 'logits' ? 'softmax of the logits' : kind,
      images: results.map(({ image, predictions }) => ({
        image,
        predictions: predictions.map(({ index, className, probability }) => (named ? { index, className, probability } : { index, probability })),
      })),
    };
    io.stdout(`${JSON.stringify(json, null, 2)}\n`);
    return;
  }
  const width = tableWidth(io, flags.wide);
  io.stdout(`${results.map((result) => table(result, named, width).join('\n')).join('\n\n')}\n`);
}
