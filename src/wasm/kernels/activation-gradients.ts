/**
 * The gradients of clipByValue and ReLU6 on wasm as one loop over the wasm heap each, instead of
 * the chains of kernels TF.js builds them from.
 *
 * Why: MobileNet V2's ReLU6 is tfjs-layers' ReLU layer with maxValue 6, i.e. `relu` then
 * `clipByValue(0, 6)`, and TF.js differentiates clipByValue as
 * `where(logicalAnd(greaterEqual(x, min), lessEqual(x, max)), dy, zerosLike(dy))`: five kernels
 * and four full-size intermediates, 41 ms for a 4x112x112x96 activation here even with the
 * comparison and LogicalAnd loops of ./elementwise.ts, 36 times in a MobileNet V2 step at batch 4.
 * The loop below takes 9.7 ms. `tf.relu6` (the Relu6 kernel, which the zoo's layers do not use
 * but a user's model may) is differentiated as `mul(dy, cast(mul(lessEqual(x, 6), step(x)))`:
 * 22 ms against 12 ms for its loop.
 * Relu's gradient, `mul(dy, cast(step(x), 'float32'))`, is left as it is: wasm runs Step, Cast and
 * Multiply as vectorised C++, 3.4 ms for the same activation, where a JavaScript loop took 11.5 ms
 * (typed-array loops in V8 also slow down by about half once any ArrayBuffer has been detached,
 * as the wasm heap's growth does), and it already equals cpu's, NaN included.
 *
 * How: TF.js looks a kernel's gradient up by kernel name, for every backend at once, so the
 * gradients of 'ClipByValue' and 'Relu6' are re-registered here as wrappers around the originals
 * (the same inputsToSave, so the forward pass saves exactly what it saved before). A wrapper runs
 * one of the kernels below, registered for 'wasm' only under cnn-zoo-specific names, when
 * - the active backend is 'wasm' and that kernel is registered there,
 * - dy and x are float32 of the same shape,
 * - and no outer gradient tape is recording (a second-order gradient: the original's ops have
 *   gradients, these kernels have none);
 * in every other case it calls the original gradFunc unchanged, so cpu, webgl and tfjs-node
 * compute exactly what they did.
 *
 * Numerics are exactly those of the original chain on cpu (float32 values read as doubles,
 * exactly; products by 0, 1 and NaN are exact):
 * - ClipByValue: dy where min <= x <= max, +0 elsewhere and at a NaN x (every comparison with NaN
 *   is false), with min and max rounded to float32 first, as `greaterEqual(x, min)` makes a
 *   float32 scalar of them;
 * - Relu6: step maps NaN to NaN, so the mask `lessEqual(x, 6) * step(x)` is 1 on (0, 6], NaN at
 *   NaN and 0 elsewhere, and `dy * mask` is dy, NaN, or dy * 0 (a signed zero, or NaN for an
 *   infinite or NaN dy).
 */
import { tf } from '../../tf.js';
import type { WasmBackendLike } from './kernel-scope.js';

/** The kernels registered for 'wasm', by the TF.js kernel whose gradient they compute. */
const gradientKernelNames = {
  ClipByValue: 'CnnZooClipByValueGrad',
  Relu6: 'CnnZooRelu6Grad',
} as const;

type Activation = keyof typeof gradientKernelNames;

// The loops have no data-dependent branch: an activation's values fall on either side of a
// threshold in no predictable order, and with `x > 0 ? ... : ...` in the loop the mispredictions
// made it 3-5 times slower here. A comparison turned into a number with unary plus compiles to a
// flag-to-register move.

/**
 * `out[i] = dy[i]` where `min <= x[i] <= max`, else +0: on the float32 bits, dy's bits AND all
 * ones or all zeros, since `dy * mask` would turn an infinite dy into NaN where it should be 0.
 */
function clipGradLoop(dy: Float32Array, x: Float32Array, out: Float32Array, min: number, max: number): void {
  const dyBits = new Int32Array(dy.buffer, dy.byteOffset, dy.length);
  const outBits = new Int32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < outBits.length; i++) {
    const v = x[i];
    outBits[i] = dyBits[i] & -(+(v >= min) & +(v <= max));
  }
}

/** ReLU6's mask by index: 0 outside (0, 6], 1 inside, NaN for a NaN x. */
const RELU6_MASK_BY_INDEX = new Float64Array([0, 1, NaN]);

/** `out[i] = dy[i] * mask(x[i])`, the product the original computes. */
function relu6GradLoop(dy: Float32Array, x: Float32Array, out: Float32Array): void {
  for (let i = 0; i < out.length; i++) {
    const v = x[i];
    out[i] = dy[i] * RELU6_MASK_BY_INDEX[(+(v > 0) & +(v <= 6)) + 2 * +(v !== v)];
  }
}

/** Whether these loops take `dy` and `x`: float32, the same shape. */
function simpleCase(dy: tf.TensorInfo, x: tf.TensorInfo): boolean {
  return dy.dtype === 'float32' && x.dtype === 'float32' && tf.util.arraysEqual(dy.shape, x.shape);
}

/** The wasm kernel computing `activation`'s input gradient from `dy` and `x`. */
function makeGradientKernel(activation: Activation): tf.KernelFunc {
  return (args) => {
    const { dy, x } = args.inputs as { dy: tf.TensorInfo; x: tf.TensorInfo };
    if (!simpleCase(dy, x)) {
      throw new Error(
        `cnn-zoo wasm ${gradientKernelNames[activation]}: dy and x must be float32 of one shape, got ${dy.dtype} [${dy.shape}] and ${x.dtype} [${x.shape}]`,
      );
    }
    const backend = args.backend as WasmBackendLike;
    const out = backend.makeOutput(x.shape, 'float32');
    if (tf.util.sizeFromShape(x.shape) === 0) return out;
    // Views taken after makeOutput: allocating can grow the heap and detach older views.
    const dyValues = backend.typedArrayFromHeap(dy) as Float32Array;
    const xValues = backend.typedArrayFromHeap(x) as Float32Array;
    const outValues = backend.typedArrayFromHeap(out) as Float32Array;
    if (activation === 'Relu6') relu6GradLoop(dyValues, xValues, outValues);
    else {
      const { clipValueMin, clipValueMax } = args.attrs as unknown as { clipValueMin: number; clipValueMax: number };
      clipGradLoop(dyValues, xValues, outValues, Math.fround(clipValueMin), Math.fround(clipValueMax));
    }
    return out;
  };
}

/**
 * Marks the gradient functions registered here, so that registering twice wraps nothing twice. A
 * global symbol, so that a second copy of this module (a CJS and an ESM build) also sees them.
 */
const OURS = Symbol.for('cnn-zoo.wasm-activation-gradient');

/** The original gradient wrapped: our kernel on wasm in the simple case, else the original. */
function wrapGradient(activation: Activation, original: tf.GradConfig): tf.GradConfig {
  const kernelName = gradientKernelNames[activation];
  const gradFunc: tf.GradFunc = (dy, saved, attrs) => {
    const [x] = saved;
    const engine = tf.engine();
    const fast =
      !Array.isArray(dy) &&
      x !== undefined &&
      engine.backendName === 'wasm' &&
      !engine.isTapeOn() &&
      simpleCase(dy, x) &&
      tf.getKernel(kernelName, 'wasm') !== undefined;
    if (!fast) return original.gradFunc(dy, saved, attrs);
    // The forward kernel's attributes: ClipByValue's min and max, none for Relu6.
    return { x: () => engine.runKernel(kernelName, { dy: dy as tf.Tensor, x }, attrs) as tf.Tensor };
  };
  Object.defineProperty(gradFunc, OURS, { value: true });
  return { ...original, gradFunc };
}

/**
 * Registers the gradient kernels for 'wasm' and wraps the gradients of 'ClipByValue' and 'Relu6'
 * to use them there; calling it again does nothing.
 */
export function registerActivationGradients(): void {
  for (const activation of Object.keys(gradientKernelNames) as Activation[]) {
    const kernelName = gradientKernelNames[activation];
    if (tf.getKernel(kernelName, 'wasm') === undefined) {
      tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: makeGradientKernel(activation) });
    }
    // getGradient is typed as always returning a config, but gives undefined for a kernel
    // without a gradient.
    const original = tf.getGradient(activation) as tf.GradConfig | undefined;
    if (original === undefined) continue;
    if ((original.gradFunc as unknown as Record<symbol, unknown>)[OURS] === true) continue;
    tf.registerGradient(wrapGradient(activation, original));
  }
}
