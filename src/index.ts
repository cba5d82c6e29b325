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
 * ## The models
 *
 * Each builder takes one options object, with the same names in every family (`numClasses`,
 * `inputShape`, `includeTop`, `pooling`, `classifierActivation`, `dropout`, `seed`, `initialize`;
 * see {@link CommonOptions}), checks it and every layer's shape before building, and returns a
 * `tf.LayersModel`. Each one's page cites its paper (title and link), lists its options with their
 * defaults, and states where it departs from the paper.
 *
 * - LeNet-5: {@link lenet5}
 * - AlexNet: {@link alexnet}
 * - VGG: {@link vgg16}, {@link vgg19}, {@link vgg} (any Table 1 column)
 * - ResNet: {@link resnet18}, {@link resnet34}, {@link resnet50}, {@link resnet} (any Table 1 column)
 * - GoogLeNet: {@link googlenet}, {@link withoutAuxHeads}
 * - MobileNet: {@link mobilenetV1}, {@link mobilenetV2}
 *
 * By name: {@link createModel} (with shipped or saved weights), {@link listModels},
 * {@link getModelDefinition}; shape plans without building: {@link planModel}.
 *
 * ## The sections of this reference
 *
 * - One per family: its builder, options schema and type, architecture tables, blocks.
 * - Registry: model definitions, building and planning by definition or by name.
 * - Options: the shared options, {@link parseConfig}, {@link modelOptionsSchema}.
 * - Net: the vocabulary networks are described in ({@link Net}), so that one description is both
 *   shape-checked and built; write your own network in it.
 * - Shared blocks, Layers (the custom TF.js layers), Initialisation.
 * - Analysis: {@link countParams}, {@link countFlops}, {@link receptiveFields}, {@link summary}.
 * - Weights: {@link saveModel}, {@link loadModel}, {@link loadWeights}, {@link fileSystem}.
 * - Backend, Errors, Conv arithmetic, Training.
 *
 * `tf`, also exported, is the `@tensorflow/tfjs` instance cnn-zoo itself uses (with the wasm
 * backend registered): use it rather than importing `@tensorflow/tfjs` again, so that tensors and
 * models are shared with the zoo. It is TensorFlow.js's own API and is not documented here.
 *
 * @packageDocumentation
 */
export { tf } from './tf.js';
export { useBackend, backendInfo, backendNames, BACKEND_ENV_VAR, type BackendName, type BackendInfo } from './backend.js';
export { ConfigError, BackendError } from './errors.js';
export { parseConfig } from './config.js';
export { convOutputSize, poolOutputSize, convTransposeOutputSize, paddingAmounts, effectiveKernel, type Padding, type ConvArithmeticArgs } from './conv-arithmetic.js';
export { type InitSpec, type InitContext, SeededInitializer } from './init.js';
export type { Net, Shape, PlannedLayer, NetDescription, NetGraph, Activation, ConvSpec, DepthwiseSpec, BatchNormSpec, PoolSpec, DenseSpec, CustomLayerSpec } from './net/net.js';
export { buildModel, planModel, parseModelOptions, type ModelDefinition, type Paper } from './models/model-definition.js';
export { listModels, registerModel, getModelDefinition } from './models/registry.js';
export { createModel, type CreateModelOptions } from './models/create-model.js';
export { pretrainedWeights } from './weights/pretrained.js';
export { modelOptionsSchema, type CommonOptions, type CommonDefaults } from './options.js';
export * from './models/lenet5.js';
export * from './models/alexnet.js';
export * from './models/googlenet.js';
export * from './layers/index.js';
export * from './models/mobilenet-v1.js';
export * from './models/mobilenet-v2.js';
export { makeDivisible } from './blocks/make-divisible.js';
export { correctPad } from './blocks/correct-pad.js';
export { convBnAct, applyPaddingMode, type ConvBnActSpec, type PaddingMode } from './blocks/conv-bn-act.js';
export { poolAndClassify, poolFeatures } from './blocks/classifier.js';
export * from './models/vgg.js';
export * from './models/resnet.js';
export { vggConfigurations, vggA, vggB, vggC, vggD, vggE } from '../architectures/vgg.js';
export { resnetArchitectures, resnet18Architecture, resnet34Architecture, resnet50Architecture, resnet101Architecture, resnet152Architecture } from '../architectures/resnet.js';
export {
  saveModel,
  loadModel,
  loadWeights,
  fileSystem,
  readWeightsFolder,
  WeightsError,
  WeightsManifestSchema,
  WeightsFileSchema,
  PreprocessingSchema,
  WeightsInfoSchema,
  SaveOptionsSchema,
  MANIFEST_FILE,
  MANIFEST_FORMAT,
  MANIFEST_VERSION,
  type WeightsManifest,
  type WeightsFile,
  type Preprocessing,
  type WeightsInfo,
  type SaveOptions,
  type LoadOptions,
  type FileSystemHandlerOptions,
  type ReadFolderOptions,
  type WeightsFolder,
  type LoadedGroup,
  type ModelJson,
  type WeightSpec,
} from './weights/index.js';
export * from './analysis/index.js';
export { progressBar, type ProgressBarOptions } from './training/progress-bar.js';
export { trainingCurveSvg, type CurveSeries } from './training/training-curve.js';
export { registerWasmGradients, wasmTrainingKernels } from './training/wasm-gradients.js';
