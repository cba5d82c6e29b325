/**
 * Training on the wasm backend: the gradient kernels that @tensorflow/tfjs-backend-wasm 4.22 lacks,
 * and the ones it has but runs so slowly (or, for MaxPoolGrad, differently from cpu) that a
 * training step would cost many forward passes. All are built from what wasm runs fast: XNNPACK
 * convolutions, depthwise convolutions, pooling and matrix products, plus block copies in the wasm
 * heap as the wasm backend's own Concat does; nothing goes through the cpu backend.
 *
 * Missing on wasm 4.22 (found by comparing `tf.getKernelsForBackend('wasm')` with 'cpu', and by a
 * model.fit through every layer type the zoo uses):
 * - `Conv2DBackpropFilter` (every Conv2D),
 * - `DepthwiseConv2dNativeBackpropInput` and `DepthwiseConv2dNativeBackpropFilter` (MobileNets).
 * Present but replaced, with the figures measured here in each file's comment:
 * - `Conv2DBackpropInput`: a C++ loop about 10x the forward convolution;
 * - `MaxPoolGrad`: 50-100x the forward pooling, and ties go elsewhere than on cpu;
 * - `BatchMatMul` with a transposed operand (every Dense layer's gradients): 10-20x the plain product;
 * - `Tile` (BatchNormalization's gradient), `Sum` and `Mean` over all axes but the channels
 *   (BatchNormalization's statistics and gradients, in tfjs-layers' own layer): element-by-element
 *   loops or full transposes;
 * - `Greater`, `GreaterEqual`, `Less`, `LessEqual` (float32) and `LogicalAnd`: a generic
 *   broadcasting loop, 8-12 ns an element;
 * - `Identity` (the engine clones every tensor it saves for the backward pass): a full copy,
 *   where cpu and webgl share the buffer;
 * - `Slice` (ZeroPadding2D's gradient, ResNet's before its max pool): copies its whole input out
 *   of the heap first, 7-11 ms of a ResNet-34 step for one 4x114x114x64 gradient against 1.2 ms.
 * Each replacement hands the cases it does not speed up back to wasm's own kernel.
 *
 * Fused where TF.js composes many full-size kernels, under cnn-zoo's own kernel names:
 * - batch normalisation in training mode and its gradient (./wasm-kernels/batch-norm-training.ts),
 *   which cnn-zoo's BatchNormalization layer runs on wasm;
 * - the gradients of `ClipByValue` (MobileNet V2's ReLU6 is relu then clipByValue(0, 6)) and
 *   `Relu6`, one loop each instead of four or five kernels (./wasm-kernels/activation-gradients.ts,
 *   which also says why Relu's stays). TF.js keeps one gradient per kernel for all backends, so
 *   these wrap the originals and call them unchanged off wasm.
 *
 * Everything else the zoo trains through has a wasm kernel that is fast enough: AvgPoolGrad (only
 * small pools in the zoo), LRNGrad, FusedBatchNorm, Select, Pad, Concat, Split and the optimizers'
 * element-wise ops. Dilated Conv2D has no gradient in TF.js 4.22 on any backend (conv2d's gradient
 * rejects dilation > 1).
 *
 * Registration is idempotent, happens when `src/backend.ts` is imported (so after
 * `useBackend('wasm')`, and also for a plain `tf.setBackend('wasm')` in a program that imports
 * cnn-zoo), and changes only what runs on the 'wasm' backend.
 */
import { tf } from '../tf.js';
import { registerActivationGradients } from './kernels/activation-gradients.js';
import { makeBatchMatMulKernel } from './kernels/batch-mat-mul.js';
import {
  BATCH_NORM_TRAINING,
  BATCH_NORM_TRAINING_GRAD,
  batchNormTrainingGradient,
  batchNormTrainingGradKernel,
  batchNormTrainingKernel,
} from './kernels/batch-norm-training.js';
import { conv2dBackpropFilterKernel } from './kernels/conv2d-backprop-filter.js';
import { conv2dBackpropInputKernel } from './kernels/conv2d-backprop-input.js';
import { depthwiseBackpropFilterKernel } from './kernels/depthwise-backprop-filter.js';
import { depthwiseBackpropInputKernel } from './kernels/depthwise-backprop-input.js';
import { makeComparisonKernel, makeIdentityKernel, makeLogicalAndKernel } from './kernels/elementwise.js';
import { maxPoolGradKernel } from './kernels/max-pool-grad.js';
import { makeMeanKernel, makeSumKernel } from './kernels/pooled-reductions.js';
import { makeSliceKernel } from './kernels/slice.js';
import { makeTileKernel } from './kernels/tile.js';

/**
 * The kernels cnn-zoo registers for 'wasm', by TF.js kernel name. Each is made from the kernel
 * wasm already has under that name, if any, which it may fall back to.
 *
 * @category Training
 */
export const wasmTrainingKernels: Readonly<Record<string, (existing: tf.KernelFunc | undefined) => tf.KernelFunc>> = {
  Conv2DBackpropFilter: () => conv2dBackpropFilterKernel,
  Conv2DBackpropInput: () => conv2dBackpropInputKernel,
  DepthwiseConv2dNativeBackpropInput: () => depthwiseBackpropInputKernel,
  DepthwiseConv2dNativeBackpropFilter: () => depthwiseBackpropFilterKernel,
  Tile: (existing) => makeTileKernel(existing),
  Sum: (existing) => makeSumKernel(existing),
  Mean: (existing) => makeMeanKernel(existing),
  BatchMatMul: (existing) => makeBatchMatMulKernel(existing),
  MaxPoolGrad: () => maxPoolGradKernel,
  Identity: (existing) => makeIdentityKernel(existing),
  Greater: (existing) => makeComparisonKernel('Greater', existing),
  GreaterEqual: (existing) => makeComparisonKernel('GreaterEqual', existing),
  Less: (existing) => makeComparisonKernel('Less', existing),
  LessEqual: (existing) => makeComparisonKernel('LessEqual', existing),
  LogicalAnd: (existing) => makeLogicalAndKernel(existing),
  Slice: (existing) => makeSliceKernel(existing),
  [BATCH_NORM_TRAINING]: () => batchNormTrainingKernel,
  [BATCH_NORM_TRAINING_GRAD]: () => batchNormTrainingGradKernel,
};

/**
 * Marks the kernel functions registered here, to tell them from wasm's own. A global symbol, not a
 * module-level set, so that a second copy of this module (a CJS and an ESM build in one process)
 * also sees them.
 */
const OURS = Symbol.for('cnn-zoo.wasm-training-kernel');

function isOurs(kernelFunc: tf.KernelFunc): boolean {
  return (kernelFunc as unknown as Record<symbol, unknown>)[OURS] === true;
}

/**
 * Registers cnn-zoo's training kernels for the wasm backend; calling it again does nothing. Safe
 * before or after the wasm backend is initialised, and whether or not it is ever used.
 *
 * @category Training
 */
export function registerWasmTrainingKernels(): void {
  registerActivationGradients(); // idempotent on its own
  for (const [kernelName, make] of Object.entries(wasmTrainingKernels)) {
    const existing = tf.getKernel(kernelName, 'wasm');
    if (existing && isOurs(existing.kernelFunc)) continue;
    // A fresh function per registration, so that marking it marks nothing shared.
    const made = make(existing?.kernelFunc);
    const kernelFunc: tf.KernelFunc = (args) => made(args);
    Object.defineProperty(kernelFunc, OURS, { value: true });
    // Replacing a kernel wasm has: unregister first, since registerKernel warns on a duplicate;
    // keep its setup and dispose hooks, which the backend calls at initialisation and teardown
    // and which the fallback needs.
    if (existing) tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({ ...existing, kernelName, backendName: 'wasm', kernelFunc });
  }
  // The fused training batch norm's gradient: registered under the kernel's own name, which no
  // other code uses, so registering it again just replaces it with itself.
  tf.registerGradient(batchNormTrainingGradient);
}
