/**
 * AlexNet, as layer tables.
 *
 * `paper`: Krizhevsky, Sutskever, Hinton, "ImageNet Classification with Deep Convolutional Neural
 * Networks", NeurIPS 2012, Section 3.5 and Figure 2 (layers), Section 3.3 (LRN), Section 3.4
 * (overlapping pooling), Section 5 (initialisation)
 * (https://papers.nips.cc/paper/4824-imagenet-classification-with-deep-convolutional-neural-networks).
 *
 * `torchvision`: torchvision's `alexnet` (torchvision/models/alexnet.py), which follows the
 * single-GPU variant of Krizhevsky, "One weird trick for parallelizing convolutional neural
 * networks", 2014 (https://arxiv.org/abs/1404.5997): 64-192-384-256-256 filters, no LRN, an
 * adaptive average pool to 6x6, and dropout BEFORE each hidden fully connected layer.
 *
 * `padding` is PyTorch's: that many zeros on every side. Shapes in the comments are at each
 * table's own input size.
 */
import type { AlexNetArchitectureInput } from '../src/models/alexnet.js';

/** The paper's LRN hyper-parameters, "determined using a validation set" (Section 3.3). */
const lrn = { size: 5, k: 2, alpha: 1e-4, beta: 0.75 } as const;

export const alexnetPaper: AlexNetArchitectureInput = {
  // The paper says 224x224x3, but an 11x11 stride-4 convolution gives Figure 2's 55x55 only from
  // 227x227 (or 224 plus padding it does not mention); 227 is what Caffe's reference model and
  // most reimplementations use.
  inputShape: [227, 227, 3],
  features: [
    // "grouped": split over the two GPUs, each half seeing only its own GPU's half of the input maps.
    // conv1 is not: both GPUs see the whole image. Parameter counts are for groups = 1 / 2.
    { type: 'conv', name: 'conv1', filters: 96, kernelSize: 11, strides: 4 }, // -> 55x55x96: 34,944
    { type: 'lrn', name: 'lrn1', ...lrn },
    { type: 'maxPool', name: 'pool1', poolSize: 3, strides: 2 }, // -> 27x27x96 (overlapping: z = 3, s = 2)
    { type: 'conv', name: 'conv2', filters: 256, kernelSize: 5, padding: 2, grouped: true }, // -> 27x27x256: 614,656 / 307,456
    { type: 'lrn', name: 'lrn2', ...lrn },
    { type: 'maxPool', name: 'pool2', poolSize: 3, strides: 2 }, // -> 13x13x256
    // conv3 is where the GPUs talk: it sees all of conv2's maps.
    { type: 'conv', name: 'conv3', filters: 384, kernelSize: 3, padding: 1 }, // -> 13x13x384: 885,120
    { type: 'conv', name: 'conv4', filters: 384, kernelSize: 3, padding: 1, grouped: true }, // -> 13x13x384: 1,327,488 / 663,936
    { type: 'conv', name: 'conv5', filters: 256, kernelSize: 3, padding: 1, grouped: true }, // -> 13x13x256: 884,992 / 442,624
    { type: 'maxPool', name: 'pool5', poolSize: 3, strides: 2 }, // -> 6x6x256
  ],
  classifier: [
    { type: 'dense', name: 'fc6', units: 4096 }, // 9216 -> 4096: 37,752,832
    { type: 'dropout', name: 'dropout6' },
    { type: 'dense', name: 'fc7', units: 4096 }, // 16,781,312
    { type: 'dropout', name: 'dropout7' },
    // then `predictions`: 4096 -> 1000, 4,097,000. Total 62,378,344; with groups = 2, 60,965,224.
  ],
  // Section 5: weights from N(0, 0.01); biases 1 in conv2, conv4, conv5 and the hidden fully
  // connected layers ("accelerates the early stages of learning by providing the ReLUs with
  // positive inputs"), 0 in the others.
  init: { rule: 'normal', std: 0.01, biasOnes: ['conv2', 'conv4', 'conv5', 'fc6', 'fc7'] },
};

export const alexnetTorchvision: AlexNetArchitectureInput = {
  inputShape: [224, 224, 3],
  features: [
    { type: 'conv', name: 'conv1', filters: 64, kernelSize: 11, strides: 4, padding: 2 }, // -> 55x55x64: 23,296
    { type: 'maxPool', name: 'pool1', poolSize: 3, strides: 2 }, // -> 27x27x64
    { type: 'conv', name: 'conv2', filters: 192, kernelSize: 5, padding: 2 }, // -> 27x27x192: 307,392
    { type: 'maxPool', name: 'pool2', poolSize: 3, strides: 2 }, // -> 13x13x192
    { type: 'conv', name: 'conv3', filters: 384, kernelSize: 3, padding: 1 }, // -> 13x13x384: 663,936
    { type: 'conv', name: 'conv4', filters: 256, kernelSize: 3, padding: 1 }, // -> 13x13x256: 884,992
    { type: 'conv', name: 'conv5', filters: 256, kernelSize: 3, padding: 1 }, // -> 13x13x256: 590,080
    { type: 'maxPool', name: 'pool5', poolSize: 3, strides: 2 }, // -> 6x6x256
  ],
  classifier: [
    { type: 'adaptiveAvgPool', name: 'avgpool', outputSize: 6 }, // -> 6x6x256 (the identity at 224)
    { type: 'dropout', name: 'dropout5' },
    { type: 'dense', name: 'fc6', units: 4096 }, // 37,752,832
    { type: 'dropout', name: 'dropout6' },
    { type: 'dense', name: 'fc7', units: 4096 }, // 16,781,312
    // then `predictions`: 4,097,000. Total 61,100,840.
  ],
  // PyTorch's default for nn.Conv2d and nn.Linear: torchvision's AlexNet sets no init of its own.
  init: { rule: 'torchDefault' },
};
