/**
 * The one TensorFlow.js instance that cnn-zoo, its users and its tests share. Importing the wasm
 * backend here registers it with this instance; two copies of tfjs-core would each keep their own
 * backends and their own tensors, a classic and confusing failure.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

// The wasm backend registers itself above cpu, but it can only start asynchronously: left so, the
// first synchronous call (any builder) would throw "backend 'wasm' has not yet been initialized"
// in a program that never awaited `useBackend()`. Registered below cpu, TF.js starts on cpu, which
// is ready at once, and `await useBackend()` moves to wasm (or a native backend) explicitly.
const WASM_PRIORITY_BELOW_CPU = 0;
// (`tf.findBackend` would start the backend, so the engine's registry is read instead.)
const wasmFactory = tf.findBackendFactory('wasm');
const wasmStarted = 'wasm' in (tf.engine() as unknown as { registry: Record<string, unknown> }).registry;
if (wasmFactory && !wasmStarted) {
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', wasmFactory, WASM_PRIORITY_BELOW_CPU);
}

export { tf };
