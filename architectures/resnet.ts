/**
 * ResNet's architectures for ImageNet, column by column.
 *
 * He, Zhang, Ren, Sun, "Deep Residual Learning for Image Recognition", CVPR 2016, Table 1
 * (https://arxiv.org/abs/1512.03385).
 *
 * Every column shares the stem (conv1: 7x7, 64, stride 2; then a 3x3 max pool, stride 2) and the
 * head (average pool, 1000-d fc, softmax). What differs is the building block and how many of them
 * each stage conv2_x ... conv5_x stacks (`layers`). `widths` are the stages' widths as Table 1
 * writes them: a basic block's two 3x3 convolutions, or a bottleneck's 1x1 and 3x3 ones, whose
 * last 1x1 expands to 4x the width (Table 1: "1x1, 64 / 3x3, 64 / 1x1, 256").
 *
 * Parameter counts (torchvision, without conv biases): 18: 11.7M, 34: 21.8M, 50: 25.6M,
 * 101: 44.5M, 152: 60.2M.
 */
import type { ResNetArchitecture } from '../src/models/resnet.js';

const widths: number[] = [64, 128, 256, 512];

/**
 * Table 1, "18-layer": basic blocks, [2, 2, 2, 2].
 *
 * @example
 * ```ts
 * const same = resnet({ architecture: resnet18Architecture }); // what resnet18() builds
 * ```
 *
 * @category ResNet
 */
export const resnet18Architecture: ResNetArchitecture = { block: 'basic', layers: [2, 2, 2, 2], widths };
/**
 * Table 1, "34-layer": basic blocks, [3, 4, 6, 3].
 *
 * @example
 * ```ts
 * const same = resnet({ architecture: resnet34Architecture }); // what resnet34() builds
 * ```
 *
 * @category ResNet
 */
export const resnet34Architecture: ResNetArchitecture = { block: 'basic', layers: [3, 4, 6, 3], widths };
/**
 * Table 1, "50-layer": bottleneck blocks, [3, 4, 6, 3].
 *
 * @example
 * ```ts
 * const same = resnet({ architecture: resnet50Architecture }); // what resnet50() builds
 * ```
 *
 * @category ResNet
 */
export const resnet50Architecture: ResNetArchitecture = { block: 'bottleneck', layers: [3, 4, 6, 3], widths };
/**
 * Table 1, "101-layer": bottleneck blocks, [3, 4, 23, 3]. 44.5M parameters.
 *
 * @example
 * ```ts
 * const r101 = resnet({ architecture: resnet101Architecture });
 * ```
 *
 * @category ResNet
 */
export const resnet101Architecture: ResNetArchitecture = { block: 'bottleneck', layers: [3, 4, 23, 3], widths };
/**
 * Table 1, "152-layer": bottleneck blocks, [3, 8, 36, 3]. 60.2M parameters.
 *
 * @example
 * ```ts
 * const r152 = resnet({ architecture: resnet152Architecture });
 * ```
 *
 * @category ResNet
 */
export const resnet152Architecture: ResNetArchitecture = { block: 'bottleneck', layers: [3, 8, 36, 3], widths };

/**
 * All of Table 1's columns, by depth.
 *
 * @example
 * ```ts
 * const model = resnet({ architecture: resnetArchitectures[101], numClasses: 10 });
 * ```
 *
 * @category ResNet
 */
export const resnetArchitectures = {
  /** ResNet-18. */
  18: resnet18Architecture,
  /** ResNet-34. */
  34: resnet34Architecture,
  /** ResNet-50. */
  50: resnet50Architecture,
  /** ResNet-101. */
  101: resnet101Architecture,
  /** ResNet-152. */
  152: resnet152Architecture,
} as const;
