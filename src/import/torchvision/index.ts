/**
 * torchvision state_dicts onto zoo models and back: the families' naming rules, the one generic
 * mapper, and torchvision's checkpoints with their preprocessing as data.
 *
 * @module
 */
export { TorchvisionMappingError, type NamedShape, type MissingTensor, type MismatchedTensor, type MappingMismatch } from './errors.js';
export {
  torchvisionFamilies,
  torchvisionRules,
  alexnetRule,
  vggRule,
  resnetRule,
  googlenetRule,
  mobilenetV2Rule,
  type TorchvisionFamily,
  type TorchvisionRule,
} from './rules.js';
export {
  planTorchvisionMapping,
  mapTorchvisionWeights,
  assignTorchvisionWeights,
  torchvisionStateDict,
  torchvisionKey,
  type TorchvisionMappingOptions,
  type TorchvisionExportOptions,
  type TorchvisionPair,
  type TorchvisionLayout,
  type TorchvisionPlan,
  type TorchvisionMapped,
  type MappedWeight,
} from './map.js';
export {
  torchvisionSources,
  torchvisionImagenetPreprocessing,
  torchvisionGoogLeNetPreprocessing,
  type TorchvisionSource,
  type TorchvisionSourceName,
  type TorchvisionZooTarget,
  type TorchvisionCheckpoint,
} from './sources.js';
