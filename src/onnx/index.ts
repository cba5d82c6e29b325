/**
 * ONNX export and inference: {@link toOnnx} (a TF.js model as ONNX bytes, channels-first inside),
 * {@link onnxPredictor} (run it with ONNX Runtime, an optional peer dependency), and
 * {@link writeTritonRepository} (a Triton Inference Server model folder).
 *
 * @module
 */
export { toOnnx, type ToOnnxOptions, type OnnxIo } from './to-onnx.js';
export { onnxPredictor, type OnnxPredictor, type OnnxPredictorOptions, type OnnxArray } from './predictor.js';
export { writeTritonRepository, type TritonOptions, type TritonModel } from './triton.js';
export { OnnxExportError } from './errors.js';
