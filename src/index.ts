/**
 * cnn-zoo: the classic convolutional networks as typed, validated TensorFlow.js models.
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
} from './weights/index.js';
export * from './analysis/index.js';
export { progressBar, type ProgressBarOptions } from './training/progress-bar.js';
export { trainingCurveSvg, type CurveSeries } from './training/training-curve.js';
