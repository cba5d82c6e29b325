/**
 * Weights on disk: the TF.js layers format plus a cnn-zoo manifest, without tfjs-node.
 *
 * @module
 */
export { WeightsError } from './errors.js';
export {
  WeightsManifestSchema,
  WeightsFileSchema,
  PreprocessingSchema,
  MANIFEST_FILE,
  MANIFEST_FORMAT,
  MANIFEST_VERSION,
  type WeightsManifest,
  type WeightsFile,
  type Preprocessing,
} from './manifest.js';
export { saveModel, WeightsInfoSchema, SaveOptionsSchema, type WeightsInfo, type SaveOptions } from './save.js';
export { loadModel, loadWeights, type LoadOptions } from './load.js';
export { readWeightsFolder, type ReadFolderOptions, type WeightsFolder, type LoadedGroup } from './folder.js';
export type { ModelJson, WeightSpec } from './model-json.js';
export { fileSystem, type FileSystemHandlerOptions } from './file-system-handler.js';
