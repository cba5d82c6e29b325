/**
 * torchvision's ImageNet checkpoints as data: which rule maps each, which zoo network takes it, and
 * what its inputs must look like. Facts from torchvision 0.14 (`torchvision.models.*_Weights.IMAGENET1K_V1`:
 * url, meta, transforms).
 */
import type { Preprocessing } from '../../weights/index.js';
import type { TorchvisionFamily } from './rules.js';

/**
 * torchvision's `ImageClassification` preset for every IMAGENET1K_V1 checkpoint mapped here: resize
 * the shorter side to 256 (bilinear), centre-crop 224, scale to [0, 1], subtract the ImageNet
 * mean and divide by its std, RGB.
 *
 * @example
 * ```ts
 * torchvisionImagenetPreprocessing.mean; // [0.485, 0.456, 0.406]
 * ```
 *
 * @category Import
 */
export const torchvisionImagenetPreprocessing: Preprocessing = {
  inputShape: [224, 224, 3],
  range: [0, 1],
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
  channelOrder: 'rgb',
  resizeShorterSide: 256,
};

/**
 * GoogLeNet's weights with the zoo's GoogLeNet. torchvision builds its pretrained GoogLeNet with
 * `transform_input=True`, which turns the ImageNet-normalised input back into `(p - 0.5) / 0.5`
 * for every channel (the weights were ported from TensorFlow); the zoo's GoogLeNet has no such
 * step, so it is fed `2p - 1` directly: range [-1, 1], no mean or std. Checked numerically with
 * torchvision (formula weights, 2 images at 160x160): logits equal to 6.8e-7 of the largest
 * (test/fixtures/torchvision/googlenet.json, `transformInput`).
 *
 * @example
 * ```ts
 * torchvisionSources.googlenet.preprocessing === torchvisionGoogLeNetPreprocessing; // true
 * ```
 *
 * @category Import
 */
export const torchvisionGoogLeNetPreprocessing: Preprocessing = {
  inputShape: [224, 224, 3],
  range: [-1, 1],
  channelOrder: 'rgb',
  resizeShorterSide: 256,
};

/**
 * The zoo network a torchvision checkpoint fits.
 *
 * @example
 * ```ts
 * const target: TorchvisionZooTarget = { builder: 'vgg', architecture: 'D', options: { batchNorm: true, dropout: 0.5 } };
 * const model = vgg({ ...target.options, architecture: vggConfigurations.D });
 * ```
 *
 * @category Import
 */
export interface TorchvisionZooTarget {
  /** The cnn-zoo builder (an export of the package). */
  builder: 'alexnet' | 'vgg' | 'resnet' | 'googlenet' | 'mobilenetV2';
  /** For `vgg` and `resnet`: the column of `vggConfigurations` / `resnetArchitectures` to pass as `architecture`. */
  architecture?: 'A' | 'B' | 'D' | 'E' | 18 | 34 | 50 | 101 | 152;
  /** The builder's other options; dropout is torchvision's (it changes no weight). */
  options: Record<string, string | number | boolean>;
}

/**
 * A torchvision checkpoint (IMAGENET1K_V1), as torchvision 0.14's weights enum describes it.
 *
 * @example
 * ```ts
 * const { url, top1 }: TorchvisionCheckpoint = torchvisionSources.resnet50.weights; // ..., 76.13
 * ```
 *
 * @category Import
 */
export interface TorchvisionCheckpoint {
  /** The weights enum's member. */
  name: 'IMAGENET1K_V1';
  /** Where torchvision downloads it from. */
  url: string;
  /** Its parameter count (torchvision's `num_params`). */
  params: number;
  /** ImageNet-1K top-1 accuracy, percent. */
  top1: number;
  /** ImageNet-1K top-5 accuracy, percent. */
  top5: number;
}

/**
 * One torchvision checkpoint: its family's rule, the zoo network that takes it, the weights and
 * their preprocessing.
 *
 * @example
 * ```ts
 * const source: TorchvisionSource = torchvisionSources.vgg16_bn;
 * assignTorchvisionWeights(model, tensors, { family: source.family });
 * ```
 *
 * @category Import
 */
export interface TorchvisionSource {
  /** The rule ({@link torchvisionRules}) that maps its state_dict. */
  family: TorchvisionFamily;
  /** The zoo network that takes it. */
  zoo: TorchvisionZooTarget;
  /** The checkpoint. */
  weights: TorchvisionCheckpoint;
  /** What an image must become before it is fed to the zoo model with these weights. */
  preprocessing: Preprocessing;
  /** The resize's interpolation (not a field of {@link Preprocessing}). */
  interpolation: 'bilinear';
}

/**
 * A torchvision builder name that {@link torchvisionSources} describes.
 *
 * @example
 * ```ts
 * const name: TorchvisionSourceName = 'vgg16_bn';
 * ```
 *
 * @category Import
 */
export type TorchvisionSourceName =
  | 'alexnet'
  | 'vgg11'
  | 'vgg11_bn'
  | 'vgg13'
  | 'vgg13_bn'
  | 'vgg16'
  | 'vgg16_bn'
  | 'vgg19'
  | 'vgg19_bn'
  | 'resnet18'
  | 'resnet34'
  | 'resnet50'
  | 'resnet101'
  | 'resnet152'
  | 'googlenet'
  | 'mobilenet_v2';

const base = { preprocessing: torchvisionImagenetPreprocessing, interpolation: 'bilinear' } as const;
const url = (file: string) => `https://download.pytorch.org/models/${file}`;
const v1 = (file: string, params: number, top1: number, top5: number): TorchvisionCheckpoint => ({ name: 'IMAGENET1K_V1', url: url(file), params, top1, top5 });
// VGG's classifier is Linear, ReLU, Dropout(0.5) twice, then the 1000-way Linear.
const vggOptions = (batchNorm: boolean) => ({ batchNorm, dropout: 0.5 });

/**
 * torchvision's ImageNet checkpoints the rules map, by torchvision's builder name.
 *
 * @example
 * ```ts
 * const { family, preprocessing } = torchvisionSources.googlenet; // 'googlenet', range [-1, 1]
 * ```
 *
 * @category Import
 */
export const torchvisionSources: Readonly<Record<TorchvisionSourceName, TorchvisionSource>> = {
  alexnet: { ...base, family: 'alexnet', zoo: { builder: 'alexnet', options: { dropout: 0.5 } }, weights: v1('alexnet-owt-7be5be79.pth', 61_100_840, 56.522, 79.066) },
  vgg11: { ...base, family: 'vgg', zoo: { builder: 'vgg', architecture: 'A', options: vggOptions(false) }, weights: v1('vgg11-8a719046.pth', 132_863_336, 69.02, 88.628) },
  vgg11_bn: { ...base, family: 'vgg', zoo: { builder: 'vgg', architecture: 'A', options: vggOptions(true) }, weights: v1('vgg11_bn-6002323d.pth', 132_868_840, 70.37, 89.81) },
  vgg13: { ...base, family: 'vgg', zoo: { builder: 'vgg', architecture: 'B', options: vggOptions(false) }, weights: v1('vgg13-19584684.pth', 133_047_848, 69.928, 89.246) },
  vgg13_bn: { ...base, family: 'vgg', zoo: { builder: 'vgg', architecture: 'B', options: vggOptions(true) }, weights: v1('vgg13_bn-abd245e5.pth', 133_053_736, 71.586, 90.374) },
  vgg16: { ...base, family: 'vgg', zoo: { builder: 'vgg', architecture: 'D', options: vggOptions(false) }, weights: v1('vgg16-397923af.pth', 138_357_544, 71.592, 90.382) },
  vgg16_bn: { ...base, family: 'vgg', zoo: { builder: 'vgg', architecture: 'D', options: vggOptions(true) }, weights: v1('vgg16_bn-6c64b313.pth', 138_365_992, 73.36, 91.516) },
  vgg19: { ...base, family: 'vgg', zoo: { builder: 'vgg', architecture: 'E', options: vggOptions(false) }, weights: v1('vgg19-dcbb9e9d.pth', 143_667_240, 72.376, 90.876) },
  vgg19_bn: { ...base, family: 'vgg', zoo: { builder: 'vgg', architecture: 'E', options: vggOptions(true) }, weights: v1('vgg19_bn-c79401a0.pth', 143_678_248, 74.218, 91.842) },
  resnet18: { ...base, family: 'resnet', zoo: { builder: 'resnet', architecture: 18, options: {} }, weights: v1('resnet18-f37072fd.pth', 11_689_512, 69.758, 89.078) },
  resnet34: { ...base, family: 'resnet', zoo: { builder: 'resnet', architecture: 34, options: {} }, weights: v1('resnet34-b627a593.pth', 21_797_672, 73.314, 91.42) },
  resnet50: { ...base, family: 'resnet', zoo: { builder: 'resnet', architecture: 50, options: {} }, weights: v1('resnet50-0676ba61.pth', 25_557_032, 76.13, 92.862) },
  resnet101: { ...base, family: 'resnet', zoo: { builder: 'resnet', architecture: 101, options: {} }, weights: v1('resnet101-63fe2227.pth', 44_549_160, 77.374, 93.546) },
  resnet152: { ...base, family: 'resnet', zoo: { builder: 'resnet', architecture: 152, options: {} }, weights: v1('resnet152-394f9c45.pth', 60_192_808, 78.312, 94.046) },
  // The checkpoint holds aux1.* and aux2.* (untrained: torchvision says to train them before use);
  // the default zoo model has no auxiliary heads and skips them.
  googlenet: {
    ...base,
    preprocessing: torchvisionGoogLeNetPreprocessing,
    family: 'googlenet',
    zoo: { builder: 'googlenet', options: { dropout: 0.2 } },
    weights: v1('googlenet-1378be20.pth', 6_624_904, 69.778, 89.53),
  },
  // The zoo's torchvision variant pads and sets BN epsilon (1e-5) as torchvision does; the default
  // (Keras's) does not.
  mobilenet_v2: {
    ...base,
    family: 'mobilenet_v2',
    zoo: { builder: 'mobilenetV2', options: { variant: 'torchvision', dropout: 0.2 } },
    weights: v1('mobilenet_v2-b0353104.pth', 3_504_872, 71.878, 90.286),
  },
};
