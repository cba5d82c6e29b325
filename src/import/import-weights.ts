/**
 * `importWeights(file, options)`: another library's weight file onto the zoo's model of the same
 * network, in code (`cnn-zoo import` is this plus `saveModel`). The file is read by its format, the
 * model built with the variant whose numbers are the source's, its head sized from the file, every
 * weight mapped strictly, and what the weights are (source file and checksum, preprocessing, class
 * names, the tensors deliberately left out) recorded on the model for `saveModel`.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import type { ModelDefinition, WeightSource } from '../families/family.js';
import { getModelDefinition, isModelName, listModels, type ModelName } from '../families/registry.js';
import type { tf } from '../tf.js';
import { recordModelInfo } from '../weights/model-info.js';
import { knownCheckpoint, type WeightOrigin } from './checkpoints.js';
import { imagenetClasses } from './imagenet-classes.js';
import { assignKerasWeights, type KerasMatch } from './keras-map.js';
import { readWeightFile, type KerasWeights, type ReadProgress, type WeightFile } from './readers/index.js';
import { assignTorchvisionWeights, torchvisionKey } from './torchvision/map.js';

/**
 * Options of {@link importWeights}.
 *
 * @category Weights
 */
export interface ImportOptions {
  /** The registered model the file fits. Default: the one an official file of this name fits (`resnet34-b627a593.pth`). */
  model?: ModelName;
  /** The library the file follows. Default: an official file's; else `keras` for HDF5 and `.keras` files, `timm` for safetensors, `torchvision` for `.pth`. */
  from?: WeightOrigin;
  /** Builder options beyond what the file fixes (`batchNorm: true` for a torchvision `vgg16_bn` file, `alpha` for a Keras MobileNet). The variant is the source's; the head follows the file. */
  options?: Record<string, unknown>;
  /** The weights' licence, recorded in the manifest. Default: unknown. */
  licence?: string;
  /** Called as the file is read, for a progress bar. */
  onProgress?: (progress: ReadProgress) => void;
}

/** What an unknown licence is recorded as. */
const UNKNOWN_LICENCE = "unknown: see the terms of the weights' source";

/** The file's sha256, streamed. */
async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The library a file follows when nobody says: Keras's files are HDF5 or `.keras`; safetensors of these networks are mostly timm's. */
function originOf(read: WeightFile): WeightOrigin {
  if (read.format === 'keras-h5' || read.format === 'keras') return 'keras';
  return read.format === 'safetensors' ? 'timm' : 'torchvision';
}

/** The layer with weights that the model's main output comes from: its classifier. */
function classifierOf(model: tf.LayersModel): tf.layers.Layer | undefined {
  let layer: tf.layers.Layer | undefined = model.outputLayers[0];
  while (layer && layer.weights.length === 0) layer = layer.inboundNodes[0]?.inboundLayers[0];
  return layer;
}

/** The layers with weights, in order. */
const weighted = <L extends { weights: readonly unknown[] }>(layers: readonly L[]): L[] => layers.filter((layer) => layer.weights.length > 0);

/**
 * The classes the file's classifier has, or `0` for a file without the top (`..._notop.h5`): read
 * from the tensor that would fill the model's classifier kernel. Keras's files are matched as they
 * are loaded: by name, or by the order of the layers with weights (then a file with one layer
 * fewer than the model has no top).
 */
function headOf(model: tf.LayersModel, read: WeightFile, definition: ModelDefinition, origin: WeightOrigin, match: KerasMatch): number | undefined {
  const classifier = classifierOf(model);
  if (!classifier) return undefined;
  if (origin === 'keras') {
    const keras = read as KerasWeights;
    const fileLayers = weighted(keras.layers);
    const modelLayers = weighted(model.layers);
    const layer = match === 'name' ? keras.layers.find((entry) => entry.name === classifier.name) : fileLayers.length === modelLayers.length ? fileLayers.at(-1) : undefined;
    if (match === 'order' && fileLayers.length !== modelLayers.length && fileLayers.length !== modelLayers.length - 1) return undefined; // the mapping will say what differs
    const kernel = layer && keras.tensors.get(`${layer.name}/${layer.weights[0]}`);
    return kernel ? kernel.shape.at(-1) : 0;
  }
  const torchvision = definition.sources.torchvision!;
  const key = torchvisionKey(model, `${classifier.name}/kernel`, { family: definition.family, names: torchvision.names });
  const kernel = key === undefined ? undefined : read.tensors.get(key);
  return kernel ? kernel.shape[0] : 0;
}

/**
 * Reads another library's weight file and returns the zoo's model of the same network with those
 * weights, or throws without building anything half-way.
 *
 * - PyTorch `torch.save` files (torchvision's `.pth`, a state_dict alone or wrapped) and
 *   safetensors (timm's ResNets, named as torchvision's): mapped by torchvision's names onto the
 *   variant whose numbers are torchvision's (MobileNet V2: `torchvision`).
 * - Keras Applications' `.h5` files and `.keras` archives: mapped by layer name onto the variant
 *   whose numbers are Keras's (ResNet-50: `keras`).
 *
 * Strict: every weight of the model is filled and every tensor of the file used, or deliberately
 * skipped (BatchNorm's `num_batches_tracked`; GoogLeNet's auxiliary heads when the model is built
 * without them) and listed. The classifier follows the file (its classes; no top when the file has
 * none). What the weights expect (the source's preprocessing, ImageNet's 1,000 class names for a
 * 1,000-way head) is recorded on the model ({@link modelInfo}), so `saveModel(model, dir)` writes a
 * complete manifest, with the file's name and sha256.
 *
 * @example
 * ```ts
 * const model = await importWeights('resnet34-b627a593.pth'); // torchvision's file, known by its name
 * await saveModel(model, 'weights/resnet34-imagenet');
 * const vgg16Keras = await importWeights('vgg16_weights_tf_dim_ordering_tf_kernels.h5', { model: 'vgg16' });
 * ```
 *
 * @category Weights
 */
export async function importWeights(file: string, options: ImportOptions = {}): Promise<tf.LayersModel> {
  const name = path.basename(file);
  const known = knownCheckpoint(name);
  const modelName = options.model ?? known?.model;
  if (modelName === undefined || !isModelName(modelName)) {
    const rule = modelName === undefined ? `required: ${name} is not an official file the zoo knows by name; give the registered model it fits` : `must be a registered model: ${listModels().join(', ')}`;
    throw new ConfigError({ field: 'model', rule, received: modelName });
  }
  const definition: ModelDefinition = getModelDefinition(modelName);
  const read = await readWeightFile(file, { onProgress: options.onProgress });
  const origin = options.from ?? known?.from ?? originOf(read);
  const keras = read.format === 'keras-h5' || read.format === 'keras';
  if (keras !== (origin === 'keras')) {
    throw new ConfigError({ field: 'from', rule: `does not fit ${name}, a ${read.format} file (torchvision and timm write PyTorch or safetensors files; Keras, HDF5 or .keras)`, received: origin });
  }
  const source: WeightSource | undefined = origin === 'keras' ? definition.sources.keras : definition.sources.torchvision;
  if (!source) {
    const can = Object.keys(definition.sources);
    throw new ConfigError({ field: 'from', rule: `${modelName} has no ${origin} weights the zoo can import (it imports ${can.length ? can.join(' and ') : 'none'})`, received: origin });
  }

  // The variant is the source's: other numbers would load without complaint and compute wrongly.
  const given = { ...known?.options, ...options.options };
  const variant = source.variant ?? (definition.parse({}) as { variant?: string }).variant;
  if (given.variant !== undefined && given.variant !== variant) {
    throw new ConfigError({ field: 'variant', rule: `${origin}'s weights compute as the '${variant}' variant of ${modelName}`, received: given.variant });
  }
  const builderOptions = { ...given, ...(variant !== undefined && { variant }), initialize: false };
  // Keras loads its own application files by the order of the layers with weights (some carry older
  // layer names, ResNet50's classifier `probs`, MobileNetV2's `Logits`); any other Keras file by name.
  const match: KerasMatch = known?.from === 'keras' ? 'order' : 'name';
  let model = definition.build(builderOptions);
  // The head follows the file (its classes, or no top for a file without one) unless the caller fixed it.
  const classes = headOf(model, read, definition, origin, match);
  const head: Record<string, unknown> = classes === 0 ? { includeTop: false } : classes === undefined ? {} : { numClasses: classes };
  const current: Record<string, unknown> = { ...definition.parse(builderOptions) };
  const changes = Object.entries(head).filter(([key, value]) => !(key in given) && current[key] !== value);
  if (changes.length) {
    model.dispose();
    model = definition.build({ ...builderOptions, ...Object.fromEntries(changes) });
  }

  let skipped: string[];
  try {
    skipped =
      origin === 'keras'
        ? assignKerasWeights(model, read as KerasWeights, { file: name, match }).skipped
        : assignTorchvisionWeights(model, read.tensors, { family: definition.family, names: definition.sources.torchvision!.names, file: name }).skipped;
  } catch (error) {
    model.dispose();
    throw error;
  }
  const units = model.outputs[0].shape.at(-1);
  recordModelInfo(model, {
    source: `${origin} weights, ${known ? known.url : name}`,
    licence: options.licence ?? UNKNOWN_LICENCE,
    importedFrom: { file: name, sha256: await sha256(file), from: origin, skipped },
    preprocessing: { ...source.preprocessing, inputShape: model.inputs[0].shape.slice(1) as [number, number, number] },
    ...(units === 1000 && { classNames: [...imagenetClasses] }),
  });
  return model;
}
