/**
 * cnn-zoo: the classic convolutional networks as typed, validated TensorFlow.js models.
 *
 * ```ts
 * import { resnet34, summary, useBackend } from 'cnn-zoo';
 *
 * await useBackend();                          // the fastest backend this machine has
 * const model = resnet34({ numClasses: 10 });  // a tf.LayersModel
 * console.log(summary(model));
 * ```
 *
 * This entry point holds what an application calls, and the options it passes: the builders, the
 * registry, the analysis, weights (save, load, import), images in and classes out, fine-tuning, the
 * backend and the errors. The types of what those functions return, in detail, are `cnn-zoo/types`;
 * the vocabulary for writing networks of your own (Net, blocks, custom layers, conv arithmetic,
 * initialisation, the families' tables) is `cnn-zoo/net`.
 *
 * `tf` is the `@tensorflow/tfjs` instance cnn-zoo itself uses (with the wasm backend registered):
 * use it rather than importing `@tensorflow/tfjs` again, so that tensors and models are shared.
 *
 * @packageDocumentation
 */
export { tf } from './tf.js';
export { useBackend, backendInfo, type BackendName } from './backend.js';
export { ConfigError, BackendError } from './errors.js';
export { WeightsError } from './weights/errors.js';
export { ImageError } from './images/errors.js';
export type { CommonOptions } from './options.js';

export { createModel, type CreateModelOptions } from './families/create-model.js';
export { listModels, getModelDefinition, planModel, type ModelName, type ModelOptions } from './families/registry.js';
export { lenet5, type LeNetOptions } from './families/lenet5/family.js';
export { alexnet, type AlexNetOptions } from './families/alexnet/family.js';
export { vgg11, vgg13, vgg16, vgg19, type VggOptions } from './families/vgg/family.js';
export { resnet18, resnet34, resnet50, resnet101, resnet152, type ResNetOptions } from './families/resnet/family.js';
export { googlenet, withoutAuxHeads, type GoogLeNetOptions } from './families/googlenet/family.js';
export { mobilenetV1, type MobileNetV1Options } from './families/mobilenet-v1/family.js';
export { mobilenetV2, type MobileNetV2Options } from './families/mobilenet-v2/family.js';

export { countParams } from './analysis/count-params.js';
export { countFlops } from './analysis/count-flops.js';
export { receptiveFields } from './analysis/analyse.js';
export { summary, type SummaryOptions } from './analysis/summary.js';

export { saveModel, type WeightsInfo, type SaveOptions } from './weights/save.js';
export { loadModel, loadWeights, readManifest } from './weights/load.js';
export { modelInfo, type ModelInfo } from './weights/model-info.js';
export { importWeights, type ImportOptions } from './import/import-weights.js';
export { preprocess } from './images/preprocess.js';
export { decodePredictions } from './images/decode-predictions.js';
export { imageFolder } from './images/image-folder.js';

export { freeze, unfreeze } from './training/freeze.js';
export { featureExtractor } from './families/features.js';
export { progressBar } from './training/progress-bar.js';
