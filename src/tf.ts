/**
 * The one TensorFlow.js instance that cnn-zoo, its users and its tests share. Importing the wasm
 * backend here registers it with this instance; two copies of tfjs-core would each keep their own
 * backends and their own tensors, a classic and confusing failure.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

export { tf };
