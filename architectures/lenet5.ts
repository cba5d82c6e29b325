/**
 * LeNet-5, as layer lists.
 *
 * LeCun, Bottou, Bengio, Haffner, "Gradient-Based Learning Applied to Document Recognition",
 * Proc. IEEE 86(11), 1998, Section II.B, Fig. 2 and Table I (https://doi.org/10.1109/5.726791).
 *
 * `classic` is the textbook simplification everyone trains today: C3 fully connected to S2, plain
 * average pooling for the subsampling layers, tanh, and a softmax output. `paper` is the paper's
 * own network: trainable subsampling, C3's partial connection table, the scaled tanh, and an RBF
 * output layer with fixed ±1 parameter vectors.
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

/**
 * Table I of the paper: which S2 feature maps (rows 0-5) each C3 feature map (columns 0-15)
 * combines. Maps 0-5 take 3 contiguous S2 maps, 6-11 take 4 contiguous ones, 12-14 four
 * discontinuous ones, and 15 all six: 60 connections instead of 96.
 */
export const lenet5C3Connections = [
  //   C3: 0123456789012345
  /* 0 */ 'X...XXX..XXXX.XX',
  /* 1 */ 'XX...XXX..XXXX.X',
  /* 2 */ 'XXX...XXX..X.XXX',
  /* 3 */ '.XXX..XXXX..X.XX',
  /* 4 */ '..XXX..XXXX.XX.X',
  /* 5 */ '...XXX..XXXX.XXX',
];

/**
 * The RBF output's fixed parameter vectors: one 7x12 bitmap per digit, '#' = +1, '.' = -1,
 * flattened row by row into the 84 values that F6's 84 units are compared with. The paper draws
 * its vectors as stylised 7x12 bitmaps of the ASCII characters (Section II.B, Fig. 3); these ten
 * are redrawn in that style, not copied pixel for pixel from the figure.
 */
// prettier-ignore
export const lenet5DigitBitmaps: string[][] = [
  ['.......', '..###..', '.#...#.', '#.....#', '#.....#', '#.....#', '#.....#', '#.....#', '#.....#', '.#...#.', '..###..', '.......'], // 0
  ['.......', '...#...', '..##...', '.#.#...', '...#...', '...#...', '...#...', '...#...', '...#...', '...#...', '.#####.', '.......'], // 1
  ['.......', '..###..', '.#...#.', '#.....#', '......#', '.....#.', '....#..', '...#...', '..#....', '.#.....', '#######', '.......'], // 2
  ['.......', '.####..', '#....#.', '......#', '.....#.', '..###..', '.....#.', '......#', '......#', '#....#.', '.####..', '.......'], // 3
  ['.......', '.....#.', '....##.', '...#.#.', '..#..#.', '.#...#.', '#....#.', '#######', '.....#.', '.....#.', '.....#.', '.......'], // 4
  ['.......', '#######', '#......', '#......', '#.###..', '##...#.', '......#', '......#', '#.....#', '.#...#.', '..###..', '.......'], // 5
  ['.......', '..###..', '.#...#.', '#......', '#......', '#.###..', '##...#.', '#.....#', '#.....#', '.#...#.', '..###..', '.......'], // 6
  ['.......', '#######', '......#', '.....#.', '.....#.', '....#..', '....#..', '...#...', '...#...', '..#....', '..#....', '.......'], // 7
  ['.......', '..###..', '.#...#.', '#.....#', '.#...#.', '..###..', '.#...#.', '#.....#', '#.....#', '.#...#.', '..###..', '.......'], // 8
  ['.......', '..###..', '.#...#.', '#.....#', '#.....#', '.#...##', '..###.#', '......#', '......#', '.#...#.', '..###..', '.......'], // 9
];

/**
 * The paper's LeNet-5 (Section II.B, Fig. 2). Every trainable layer is followed by the squashing
 * function f(a) = A·tanh(S·a), A = 1.7159, S = 2/3 (Section II.B and Appendix A), and weights
 * start uniform in ±2.4 / F_i, F_i the unit's fan-in (Appendix A). 60,000 trainable parameters.
 */
export const lenet5Paper: LeNetArchitectureInput = {
  layers: [
    { type: 'conv', name: 'c1', filters: 6, kernelSize: 5 }, // 32x32x1 -> 28x28x6: 6 · (25 + 1) = 156
    { type: 'subsample', name: 's2', poolSize: 2 }, // -> 14x14x6: a coefficient and a bias per map, 12
    { type: 'conv', name: 'c3', filters: 16, kernelSize: 5, connectionTable: lenet5C3Connections }, // -> 10x10x16: 60 · 25 + 16 = 1,516
    { type: 'subsample', name: 's4', poolSize: 2 }, // -> 5x5x16: 32
    { type: 'conv', name: 'c5', filters: 120, kernelSize: 5 }, // -> 1x1x120: 120 · (400 + 1) = 48,120
    { type: 'dense', name: 'f6', units: 84 }, // 84 · (120 + 1) = 10,164
  ],
  activation: { type: 'scaledTanh', amplitude: 1.7159, slope: 2 / 3 },
  // Euclidean RBF units, one per class, with the fixed digit bitmaps: no trainable parameter.
  output: { type: 'rbf', prototypes: lenet5DigitBitmaps },
  init: 'lecun1998',
};
