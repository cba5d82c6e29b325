/**
 * LeNet-5, as a layer list.
 *
 * LeCun, Bottou, Bengio, Haffner, "Gradient-Based Learning Applied to Document Recognition",
 * Proc. IEEE 86(11), 1998, Section II.B and Fig. 2 (https://doi.org/10.1109/5.726791).
 *
 * `classic` is the textbook simplification everyone trains today: C3 fully connected to S2, plain
 * average pooling for the subsampling layers, tanh, and a softmax output. (The paper's own
 * variant, with C3's partial connection table and the RBF output, is `paper`.)
 */
import type { LeNetArchitectureInput } from '../src/models/lenet5.js';

export const lenet5Classic: LeNetArchitectureInput = {
  layers: [
    { type: 'conv', name: 'c1', filters: 6, kernelSize: 5 }, // 32x32x1 -> 28x28x6
    { type: 'avgPool', name: 's2', poolSize: 2 }, // -> 14x14x6
    { type: 'conv', name: 'c3', filters: 16, kernelSize: 5 }, // -> 10x10x16
    { type: 'avgPool', name: 's4', poolSize: 2 }, // -> 5x5x16
    { type: 'dense', name: 'c5', units: 120 }, // C5 is a 5x5 conv on a 5x5 map: a dense layer on the flattened map
    { type: 'dense', name: 'f6', units: 84 },
  ],
};
