/**
 * Readers of the weight files users bring (PyTorch `.pth`, safetensors, Keras `.h5` and `.keras`)
 * into named float32 tensors, and a safetensors writer for exporting them back.
 */
export { readWeightFile, type WeightFile } from './read-weight-file.js';
export { writeSafetensors, type SafetensorsWeights, type WriteSafetensorsOptions } from './safetensors.js';
export type { TorchWeights } from './torch-file.js';
export type { KerasLayerWeights, KerasWeights } from './keras-h5.js';
export type { ReadOptions, ReadProgress } from './progress.js';
