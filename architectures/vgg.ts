/**
 * VGG's ConvNet configurations, column by column.
 *
 * Simonyan & Zisserman, "Very Deep Convolutional Networks for Large-Scale Image Recognition",
 * ICLR 2015, Table 1 (https://arxiv.org/abs/1409.1556).
 *
 * Each configuration is Table 1 read top to bottom: a stage is the run of convolutions between two
 * "maxpool" rows (every stage ends with a 2x2, stride 2 max pool), a number is a "conv3-N" row (3x3
 * convolution, N filters, stride 1, padding 1), and `{ filters, kernelSize: 1 }` is configuration
 * C's "conv1-N" row. `fc` are the two "FC-4096" rows; the "FC-1000" row is the classifier
 * (`numClasses`) and "soft-max" its activation.
 *
 * Column A-LRN (A with Local Response Normalisation after the first layer) is left out: the paper
 * finds LRN does not help (Section 4.1) and neither Keras nor torchvision ships it.
 *
 * Parameter counts (Table 2, millions, with the 224x224 input's 7x7x512 map before fc1):
 * A 133, B 133, C 134, D 138, E 144.
 */
import type { VggArchitecture } from '../src/models/vgg.js';

const fc: number[] = [4096, 4096];

/**
 * Table 1, column A: 11 weight layers (VGG-11).
 *
 * @example
 * ```ts
 * const vgg11 = vgg({ architecture: vggA });
 * ```
 *
 * @category VGG
 */
export const vggA: VggArchitecture = {
  stages: [[64], [128], [256, 256], [512, 512], [512, 512]],
  fc,
};

/**
 * Table 1, column B: 13 weight layers (VGG-13).
 *
 * @example
 * ```ts
 * const vgg13 = vgg({ architecture: vggB });
 * ```
 *
 * @category VGG
 */
export const vggB: VggArchitecture = {
  stages: [
    [64, 64],
    [128, 128],
    [256, 256],
    [512, 512],
    [512, 512],
  ],
  fc,
};

/**
 * Table 1, column C: 16 weight layers, the third conv of stages 3-5 is a 1x1 ("conv1-N").
 *
 * @example
 * ```ts
 * const vgg16c = vgg({ architecture: vggC });
 * ```
 *
 * @category VGG
 */
export const vggC: VggArchitecture = {
  stages: [
    [64, 64],
    [128, 128],
    [256, 256, { filters: 256, kernelSize: 1 }],
    [512, 512, { filters: 512, kernelSize: 1 }],
    [512, 512, { filters: 512, kernelSize: 1 }],
  ],
  fc,
};

/**
 * Table 1, column D: 16 weight layers (VGG-16, Keras's and torchvision's `vgg16`).
 *
 * @example
 * ```ts
 * const same = vgg({ architecture: vggD }); // what vgg16() builds
 * ```
 *
 * @category VGG
 */
export const vggD: VggArchitecture = {
  stages: [
    [64, 64],
    [128, 128],
    [256, 256, 256],
    [512, 512, 512],
    [512, 512, 512],
  ],
  fc,
};

/**
 * Table 1, column E: 19 weight layers (VGG-19, Keras's and torchvision's `vgg19`).
 *
 * @example
 * ```ts
 * const same = vgg({ architecture: vggE }); // what vgg19() builds
 * ```
 *
 * @category VGG
 */
export const vggE: VggArchitecture = {
  stages: [
    [64, 64],
    [128, 128],
    [256, 256, 256, 256],
    [512, 512, 512, 512],
    [512, 512, 512, 512],
  ],
  fc,
};

/**
 * All of Table 1's columns (but A-LRN), by the paper's letters.
 *
 * @example
 * ```ts
 * for (const [letter, architecture] of Object.entries(vggConfigurations)) {
 *   console.log(letter, planModel(vggDefinition, { architecture }).length);
 * }
 * ```
 *
 * @category VGG
 */
export const vggConfigurations = {
  /** Column A, VGG-11. */
  A: vggA,
  /** Column B, VGG-13. */
  B: vggB,
  /** Column C, VGG-16 with three 1x1 convolutions. */
  C: vggC,
  /** Column D, VGG-16. */
  D: vggD,
  /** Column E, VGG-19. */
  E: vggE,
} as const;
