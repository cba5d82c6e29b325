import type { TorchvisionNames } from '../family.js';

/**
 * AlexNet, torchvision's `features` / `classifier` Sequentials: conv1..conv5 at features.0, 3, 6,
 * 8, 10 (ReLUs and max pools between), fc6 and fc7 at classifier.1 and 4 (each after a Dropout),
 * the 1000-way layer at classifier.6.
 */
export const alexnetTorchvisionNames: TorchvisionNames = {
  modulePath: (layer) => alexnetModules[layer],
};
const alexnetModules: Record<string, string | undefined> = {
  conv1: 'features.0',
  conv2: 'features.3',
  conv3: 'features.6',
  conv4: 'features.8',
  conv5: 'features.10',
  fc6: 'classifier.1',
  fc7: 'classifier.4',
  predictions: 'classifier.6',
};
