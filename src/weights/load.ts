/**
 * Loading weights: all or nothing, strict about names and shapes. Every check (manifest, checksums,
 * paths, byte counts, then every weight's name, shape and dtype against the model) runs before the
 * first weight is written, so a rejected folder leaves the model exactly as it was.
 *
 * Weights are matched by their stable name `layerName/weightName` (`c1/kernel`): TF.js's
 * `LayerVariable.originalName`, the name `model.save()` writes into model.json. The variable's
 * `name` is not stable: a second model built in the same process gets `c1/kernel_1`.
 */
// The zoo's custom layers and its seeded initialiser must be registered with TF.js's serialisation
// before a model.json that uses them is deserialised; importing them registers them.
import '../init.js';
import '../layers/index.js';
import { withZooLayerClasses } from '../wasm/zoo-layer-classes.js';
import { tf } from '../tf.js';
import { WeightsError } from './errors.js';
import { readWeightsFolder, type WeightsFolder } from './folder.js';
import type { WeightsManifest } from './manifest.js';
import { infoFromManifest, modelInfo, recordModelInfo } from './model-info.js';
import type { WeightSpec } from './model-json.js';

/**
 * Options of {@link loadModel} and {@link loadWeights}.
 *
 * @category Weights
 */
export interface LoadOptions {
  /**
   * `true` (the default): the folder must have a `cnn-zoo.json` manifest, and every file is checked
   * against its sha256. `false` also accepts a plain TF.js folder (tfjs-node's `model.save`,
   * tensorflowjs_converter's output), whose paths and byte counts are still checked.
   */
  requireManifest?: boolean;
}

/** At most this many names or shapes are spelled out in one message. */
const LISTED = 8;

function list(items: string[]): string {
  return items.length <= LISTED ? items.join(', ') : `${items.slice(0, LISTED).join(', ')} and ${items.length - LISTED} more`;
}

function shapeText(shape: readonly (number | null)[]): string {
  return `[${shape.join(', ')}]`;
}

/** A model weight and the spec its value comes from. */
interface Match {
  variable: tf.LayerVariable;
  spec: WeightSpec;
}

/**
 * Pairs every weight of `model` with a weight of the folder, by name, and checks shapes and dtypes.
 * Throws a {@link WeightsError} naming the missing, extra or mismatched weights; creates no tensor.
 * Optimizer weights (`group: 'optimizer'`, from `includeOptimizer`) are not model weights and are
 * left aside.
 */
export function matchWeights(model: tf.LayersModel, folder: WeightsFolder, options: TopOptions = {}): Match[] {
  const file = folder.modelJsonPath;
  const specs = new Map<string, WeightSpec>();
  for (const group of folder.groups) for (const spec of group.weights) if (spec.group !== 'optimizer') specs.set(spec.name, spec);

  const variables = new Map<string, tf.LayerVariable>();
  for (const variable of model.weights) {
    if (variables.has(variable.originalName)) {
      throw new WeightsError(file, `the model has two weights named '${variable.originalName}', so weights cannot be matched to it by name`, { weight: variable.originalName });
    }
    variables.set(variable.originalName, variable);
  }

  const missing = [...variables.keys()].filter((name) => !specs.has(name));
  // A model built without the top the weights were saved with leaves the top's weights out, on purpose.
  const extra = [...specs.keys()].filter((name) => !variables.has(name) && !(options.withoutTop && !model.layers.some((layer) => name.startsWith(`${layer.name}/`))));
  if (missing.length || extra.length) {
    const parts = [
      missing.length ? `missing from the file: ${list(missing)}` : '',
      extra.length ? `not in the model: ${list(extra)}` : '',
    ].filter(Boolean);
    throw new WeightsError(
      file,
      `the weights do not match model '${model.name}' (${parts.join('; ')}); weights are matched by layer/weight name, so the model must be built with the options the weights were saved with`,
      { weight: missing[0] ?? extra[0] },
    );
  }

  const matches: Match[] = [];
  const mismatched: [string, string][] = [];
  for (const [name, variable] of variables) {
    const spec = specs.get(name)!;
    const sameShape = spec.shape.length === variable.shape.length && spec.shape.every((size, i) => size === variable.shape[i]);
    if (!sameShape) mismatched.push([name, `weight '${name}' has shape ${shapeText(spec.shape)} in the file but ${shapeText(variable.shape)} in the model`]);
    else if (spec.dtype !== variable.dtype) mismatched.push([name, `weight '${name}' has dtype ${spec.dtype} in the file but ${variable.dtype} in the model`]);
    matches.push({ variable, spec });
  }
  if (mismatched.length) {
    throw new WeightsError(file, `${list(mismatched.map(([, text]) => text))}; the model must be built with the options the weights were saved with`, { weight: mismatched[0][0] });
  }
  for (const { variable } of matches) {
    try {
      variable.read();
    } catch (error) {
      throw new WeightsError(file, `the model's weight '${variable.originalName}' is disposed; load into a live model`, { weight: variable.originalName, cause: error });
    }
  }
  return matches;
}

/** Decodes the folder's model weights into tensors (quantised ones dequantised), by name. */
function decodeWeights(folder: WeightsFolder): tf.NamedTensorMap {
  const tensors: tf.NamedTensorMap = {};
  try {
    for (const group of folder.groups) {
      const decoded = tf.io.decodeWeights(group.data.buffer as ArrayBuffer, group.weights as tf.io.WeightsManifestEntry[]);
      for (const spec of group.weights) {
        if (spec.group === 'optimizer') decoded[spec.name].dispose();
        else tensors[spec.name] = decoded[spec.name];
      }
    }
  } catch (error) {
    tf.dispose(tensors);
    throw new WeightsError(folder.modelJsonPath, `TF.js could not decode the weights: ${(error as Error).message}`, { cause: error });
  }
  return tensors;
}

/** How a folder's weights go into a model built without the top they were saved with. */
interface TopOptions {
  /** The model is the folder's architecture without its classifier: the classifier's weights are left out. */
  withoutTop?: boolean;
}

/** Writes the folder's weights into `model` after checking every one; nothing is written on an error. */
export function assignWeights(model: tf.LayersModel, folder: WeightsFolder, options: TopOptions = {}): void {
  const matches = matchWeights(model, folder, options);
  const tensors = decodeWeights(folder);
  try {
    // Every name, shape and dtype was checked above, and the variables are live: none of these
    // writes can fail half-way. `write` applies a weight constraint if a layer has one, as TF.js's
    // own loader does; the zoo's layers have none, so values arrive bit for bit.
    for (const { variable, spec } of matches) variable.write(tensors[spec.name]);
  } finally {
    tf.dispose(tensors);
  }
  // What the weights expect comes with them; a model the zoo built keeps its own name and config.
  if (folder.manifest) {
    const { model: name, config, classNames, ...weightsFacts } = infoFromManifest(folder.manifest);
    recordModelInfo(model, { model: name, config, ...modelInfo(model), ...weightsFacts, ...(!options.withoutTop && classNames && { classNames }) });
  }
}

/**
 * Writes the folder's weights into a model built just for them and returns it; if they don't fit,
 * the model is disposed before the error propagates, so a failed load leaves nothing allocated.
 */
export function withFolderWeights(model: tf.LayersModel, folder: WeightsFolder, options: TopOptions = {}): tf.LayersModel {
  try {
    assignWeights(model, folder, options);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}

/**
 * Loads the weights of a folder into an existing model, all or nothing: the folder is checked (the
 * manifest's checksums, paths, byte counts), then every weight's name, shape and dtype against the
 * model, and only then are the weights written. On any error the model is left exactly as it was.
 * Returns the folder's manifest (preprocessing, class names...), or undefined for a plain TF.js
 * folder read with `requireManifest: false`.
 *
 * @example
 * ```ts
 * const model = lenet5({ initialize: false });
 * const manifest = await loadWeights(model, 'weights/lenet5-mnist');
 * console.log(manifest?.classNames);
 * ```
 *
 * @category Weights
 */
export async function loadWeights(model: tf.LayersModel, dir: string, options: LoadOptions = {}): Promise<WeightsManifest | undefined> {
  const folder = await readWeightsFolder(dir, options);
  assignWeights(model, folder);
  return folder.manifest;
}

/**
 * A weights folder's manifest (what the weights expect: preprocessing, class names, the model and
 * its config), after checking the whole folder as {@link loadModel} does; undefined for a plain
 * TF.js folder read with `requireManifest: false`.
 *
 * @example
 * ```ts
 * const manifest = await readManifest('weights/lenet5-mnist');
 * console.log(manifest?.preprocessing.range); // [0, 1]
 * ```
 *
 * @category Weights
 */
export async function readManifest(dir: string, options: LoadOptions = {}): Promise<WeightsManifest | undefined> {
  return (await readWeightsFolder(dir, options)).manifest;
}

/**
 * Loads a model (architecture and weights) from a folder written by {@link saveModel}, by tfjs-node's
 * `model.save('file://…')` or by tensorflowjs_converter (the last two with `requireManifest: false`).
 * The folder is checked first (manifest schema, checksums, paths, byte counts); TF.js then builds the
 * model from model.json's topology through an IOHandler (with the zoo's Conv2D and
 * BatchNormalization, which train faster on wasm, for layers of those classes), and the weights are
 * assigned as by {@link loadWeights}: they must match the model exactly by name, shape and dtype.
 *
 * Why not let TF.js load the weights too: its loader forgives a renaming (it drops a Keras RNN cell's
 * name from a weight's), reports a shape mismatch without naming the weight, and when it refuses it
 * leaves the half-built model's variables and the decoded weights allocated. The price is that the
 * initialisers run once before the weights replace their values (about 1 s per 100M weights on wasm).
 *
 * @example
 * ```ts
 * const model = await loadModel('weights/lenet5-mnist');
 * const converted = await loadModel('keras-export/', { requireManifest: false });
 * ```
 *
 * @category Weights
 */
export async function loadModel(dir: string, options: LoadOptions = {}): Promise<tf.LayersModel> {
  const folder = await readWeightsFolder(dir, options);
  const { weightsManifest: _weights, ...topology } = folder.modelJson;
  const artifacts = tf.io.getModelArtifactsForJSONSync(topology as unknown as tf.io.ModelJSON);
  let model: tf.LayersModel;
  try {
    // The zoo's Conv2D and BatchNormalization, as a built model has them (faster training on wasm).
    model = await withZooLayerClasses(() => tf.loadLayersModel({ load: async () => artifacts }));
  } catch (error) {
    throw new WeightsError(
      folder.modelJsonPath,
      `TF.js cannot build a model from modelTopology: ${(error as Error).message} (a custom layer from another library must be imported, so that it registers itself, before loading)`,
      { cause: error },
    );
  }
  return withFolderWeights(model, folder);
}
