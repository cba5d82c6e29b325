/**
 * The input conventions of the libraries whose weights the zoo imports, as each defines them.
 * torchvision: `transforms._presets.ImageClassification` of its IMAGENET1K_V1 weights; Keras:
 * `keras.applications.imagenet_utils.preprocess_input` with `mode='caffe'` or `mode='tf'`, on an
 * image loaded at the model's size.
 */
import type { Preprocessing } from '../weights/manifest.js';

/** torchvision's ImageNet preset: shorter side to 256 (bilinear), centre crop 224, [0, 1], ImageNet mean and std. */
export const torchvisionImagenet: Preprocessing = {
  inputShape: [224, 224, 3],
  range: [0, 1],
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
  channelOrder: 'rgb',
  resizeShorterSide: 256,
};

/** Keras's 'caffe' mode (VGG, ResNet50): BGR, 0..255, the ImageNet mean of each BGR channel subtracted; resized to 224. */
export const kerasCaffe: Preprocessing = {
  inputShape: [224, 224, 3],
  range: [0, 255],
  mean: [103.939, 116.779, 123.68],
  std: [1, 1, 1],
  channelOrder: 'bgr',
};

/** Keras's 'tf' mode (the MobileNets): RGB mapped onto [-1, 1]; resized to 224. */
export const kerasTf: Preprocessing = {
  inputShape: [224, 224, 3],
  range: [-1, 1],
  channelOrder: 'rgb',
};
