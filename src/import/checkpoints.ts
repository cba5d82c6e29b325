/**
 * The official ImageNet weight files the zoo imports, as data: which registered model (and options)
 * each one fits, where it is published, and what its publisher measured. `cnn-zoo import` knows a
 * file by its name from here; the README's "Using ImageNet weights" table is made from it.
 * torchvision 0.14's `*_Weights.IMAGENET1K_V1` (url, `num_params`, `acc@1`, `acc@5`); Keras
 * Applications' release files.
 */
import type { ModelName } from '../families/registry.js';

/**
 * Which library a weight file comes from: it fixes the names, the variant and the preprocessing.
 *
 * @category Weights
 */
export type WeightOrigin = 'torchvision' | 'timm' | 'keras';

/** One official weight file. */
export interface Checkpoint {
  /** The file's name as published. */
  file: string;
  /** Where it is published. */
  url: string;
  /** The library. */
  from: WeightOrigin;
  /** The registered model it fits. */
  model: ModelName;
  /** The builder options it needs beyond the source's variant (`batchNorm`, `alpha`, `inputShape`, `includeTop`). */
  options?: Record<string, unknown>;
  /** ImageNet-1K top-1 accuracy, percent, as its publisher reports it. */
  top1?: number;
}

const torchvision = (file: string, model: ModelName, top1: number, options?: Record<string, unknown>): Checkpoint => ({
  file,
  url: `https://download.pytorch.org/models/${file}`,
  from: 'torchvision',
  model,
  top1,
  ...(options && { options }),
});

const KERAS = 'https://storage.googleapis.com/tensorflow/keras-applications';
const keras = (folder: string, file: string, model: ModelName, top1: number | undefined, options?: Record<string, unknown>): Checkpoint => ({
  file,
  url: `${KERAS}/${folder}/${file}`,
  from: 'keras',
  model,
  ...(top1 !== undefined && { top1 }),
  ...(options && { options }),
});

/** Keras's MobileNet files: alpha 1.0, 0.75, 0.5, 0.25 (written 1_0, 7_5, 5_0, 2_5) at 224, 192, 160 and 128 pixels, with and without the top. */
const mobilenetV1Files = Object.entries({ '1_0': 1, '7_5': 0.75, '5_0': 0.5, '2_5': 0.25 }).flatMap(([alphaText, alpha]) =>
  [224, 192, 160, 128].flatMap((size) => {
    const options = { alpha, inputShape: [size, size, 3] };
    const top1 = alpha === 1 && size === 224 ? 70.4 : undefined;
    return [
      keras('mobilenet', `mobilenet_${alphaText}_${size}_tf.h5`, 'mobilenetV1', top1, options),
      keras('mobilenet', `mobilenet_${alphaText}_${size}_tf_no_top.h5`, 'mobilenetV1', undefined, { ...options, includeTop: false }),
    ];
  }),
);

/** Keras's MobileNet V2 files: alpha 0.35, 0.5, 0.75, 1.0, 1.3, 1.4 at 96 to 224 pixels (1.3 and 1.4 at 224 only), with and without the top. */
const mobilenetV2Files = [0.35, 0.5, 0.75, 1, 1.3, 1.4].flatMap((alpha) =>
  (alpha > 1 ? [224] : [96, 128, 160, 192, 224]).flatMap((size) => {
    const stem = `mobilenet_v2_weights_tf_dim_ordering_tf_kernels_${alpha === 1 ? '1.0' : alpha}_${size}`;
    const options = { alpha, inputShape: [size, size, 3] };
    const top1 = alpha === 1 && size === 224 ? 71.3 : undefined;
    return [
      keras('mobilenet_v2', `${stem}.h5`, 'mobilenetV2', top1, options),
      keras('mobilenet_v2', `${stem}_no_top.h5`, 'mobilenetV2', undefined, { ...options, includeTop: false }),
    ];
  }),
);

/** Every official file the zoo knows, by file name. */
export const checkpoints: readonly Checkpoint[] = [
  torchvision('alexnet-owt-7be5be79.pth', 'alexnet', 56.522),
  torchvision('vgg11-8a719046.pth', 'vgg11', 69.02),
  torchvision('vgg11_bn-6002323d.pth', 'vgg11', 70.37, { batchNorm: true }),
  torchvision('vgg13-19584684.pth', 'vgg13', 69.928),
  torchvision('vgg13_bn-abd245e5.pth', 'vgg13', 71.586, { batchNorm: true }),
  torchvision('vgg16-397923af.pth', 'vgg16', 71.592),
  torchvision('vgg16_bn-6c64b313.pth', 'vgg16', 73.36, { batchNorm: true }),
  torchvision('vgg19-dcbb9e9d.pth', 'vgg19', 72.376),
  torchvision('vgg19_bn-c79401a0.pth', 'vgg19', 74.218, { batchNorm: true }),
  torchvision('resnet18-f37072fd.pth', 'resnet18', 69.758),
  torchvision('resnet34-b627a593.pth', 'resnet34', 73.314),
  torchvision('resnet50-0676ba61.pth', 'resnet50', 76.13),
  torchvision('resnet101-63fe2227.pth', 'resnet101', 77.374),
  torchvision('resnet152-394f9c45.pth', 'resnet152', 78.312),
  // Its aux1.*/aux2.* are in the file but untrained (torchvision says so); googlenet() skips them.
  torchvision('googlenet-1378be20.pth', 'googlenet', 69.778),
  torchvision('mobilenet_v2-b0353104.pth', 'mobilenetV2', 71.878),
  keras('vgg16', 'vgg16_weights_tf_dim_ordering_tf_kernels.h5', 'vgg16', 71.3),
  keras('vgg16', 'vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5', 'vgg16', undefined, { includeTop: false }),
  keras('vgg19', 'vgg19_weights_tf_dim_ordering_tf_kernels.h5', 'vgg19', 71.3),
  keras('vgg19', 'vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5', 'vgg19', undefined, { includeTop: false }),
  keras('resnet', 'resnet50_weights_tf_dim_ordering_tf_kernels.h5', 'resnet50', 74.9),
  keras('resnet', 'resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5', 'resnet50', undefined, { includeTop: false }),
  ...mobilenetV1Files,
  ...mobilenetV2Files,
];

/** The official file of this name, if the zoo knows it. */
export function knownCheckpoint(fileName: string): Checkpoint | undefined {
  return checkpoints.find((checkpoint) => checkpoint.file === fileName);
}
