/**
 * GoogLeNet (Inception v1), as Table 1 of the paper lays it out.
 *
 * Szegedy, Liu, Jia, Sermanet, Reed, Anguelov, Erhan, Vanhoucke, Rabinovich, "Going Deeper with
 * Convolutions", CVPR 2015, arXiv:1409.4842 (https://arxiv.org/abs/1409.4842): Table 1 for the
 * layers and the six columns of every Inception module, Figure 3 for the LRN layers of the stem and
 * where the auxiliary classifiers attach, Section 5 for the auxiliary classifiers themselves.
 *
 * Inception columns, in Table 1's order: #1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj
 * (`ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, poolProj`, torchvision's argument names).
 *
 * The rows end with Table 1's "inception (5b)"; the head that follows (avg pool, dropout 40%,
 * linear, softmax) is built from the options (numClasses, dropout, classifierActivation).
 */
import type { GoogLeNetArchitectureInput, GoogLeNetRow } from '../src/models/googlenet.js';

type InceptionRow = Extract<GoogLeNetRow, { type: 'inception' }>;

/** One Inception row of Table 1, its numbers in the table's column order. */
function inception(
  stage: string,
  ch1x1: number,
  ch3x3red: number,
  ch3x3: number,
  ch5x5red: number,
  ch5x5: number,
  poolProj: number,
): InceptionRow {
  return { type: 'inception', name: `inception${stage}`, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, poolProj };
}

/**
 * The paper's GoogLeNet. Output sizes (at 224x224) are Table 1's. The two LRN layers are in Figure 3
 * but not in Table 1; their parameters are not in the paper either and are BVLC Caffe's
 * `bvlc_googlenet` (local_size 5, alpha 1e-4, beta 0.75, k 1), the reference reimplementation.
 * Caffe divides alpha by local_size and the zoo's LRN layer does not (AlexNet's convention, see
 * src/layers/lrn.ts), so alpha is written here as 1e-4 / 5 = 2e-5.
 */
export const googlenetPaper: GoogLeNetArchitectureInput = {
  ch5x5KernelSize: 5,
  layers: [
    { type: 'conv', name: 'conv1', filters: 64, kernelSize: 7, strides: 2 }, // 112x112x64
    { type: 'maxPool', name: 'maxpool1', poolSize: 3, strides: 2 }, // 56x56x64
    { type: 'lrn', name: 'norm1', size: 5, alpha: 2e-5, beta: 0.75, k: 1 }, // Figure 3
    // Table 1's second "convolution" row: depth 2, #3x3 reduce 64, #3x3 192
    { type: 'conv', name: 'conv2', filters: 64, kernelSize: 1, strides: 1 }, // 56x56x64
    { type: 'conv', name: 'conv3', filters: 192, kernelSize: 3, strides: 1 }, // 56x56x192
    { type: 'lrn', name: 'norm2', size: 5, alpha: 2e-5, beta: 0.75, k: 1 }, // Figure 3
    { type: 'maxPool', name: 'maxpool2', poolSize: 3, strides: 2 }, // 28x28x192
    //          stage #1x1 #3x3r #3x3 #5x5r #5x5 pool proj
    inception('3a', 64, 96, 128, 16, 32, 32), //   28x28x256
    inception('3b', 128, 128, 192, 32, 96, 64), // 28x28x480
    { type: 'maxPool', name: 'maxpool3', poolSize: 3, strides: 2 }, // 14x14x480
    inception('4a', 192, 96, 208, 16, 48, 64), //  14x14x512
    // Section 5: an auxiliary classifier on the output of (4a)...
    { type: 'auxHead', name: 'aux1', filters: 128, units: 1024 },
    inception('4b', 160, 112, 224, 24, 64, 64), // 14x14x512
    inception('4c', 128, 128, 256, 24, 64, 64), // 14x14x512
    inception('4d', 112, 144, 288, 32, 64, 64), // 14x14x528
    // ...and one on the output of (4d): a 1x1 conv of 128 filters, then 1024 units.
    { type: 'auxHead', name: 'aux2', filters: 128, units: 1024 },
    inception('4e', 256, 160, 320, 32, 128, 128), // 14x14x832
    { type: 'maxPool', name: 'maxpool4', poolSize: 3, strides: 2 }, // 7x7x832
    inception('5a', 256, 160, 320, 32, 128, 128), // 7x7x832
    inception('5b', 384, 192, 384, 48, 128, 128), // 7x7x1024
  ],
};

/**
 * GoogLeNet as torchvision builds it (`torchvision.models.googlenet`): Table 1's numbers with
 * torchvision's departures, which its pretrained weights depend on:
 * - the "#5x5" branch is a 3x3 convolution, a known bug kept for the weights' sake
 *   (https://github.com/pytorch/vision/issues/906);
 * - maxpool4 is 2x2/2 (Table 1: 3x3/2; both give 7x7 from 14x14 in ceil mode);
 * - no LRN layers (batch normalisation after every convolution instead).
 * Its other departures (batch norm, ceil-mode pooling, adaptive pooling in the auxiliary heads) are
 * how the `torchvision` variant builds the rows, see `src/models/googlenet.ts`.
 */
export const googlenetTorchvision: GoogLeNetArchitectureInput = {
  ch5x5KernelSize: 3,
  layers: googlenetPaper.layers
    .filter((row) => row.type !== 'lrn')
    .map((row) => (row.type === 'maxPool' && row.name === 'maxpool4' ? { ...row, poolSize: 2 } : row)),
};
