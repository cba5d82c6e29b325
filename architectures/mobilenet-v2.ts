/**
 * MobileNet V2, as its table.
 *
 * Sandler, Howard, Zhu, Zhmoginov, Chen, "MobileNetV2: Inverted Residuals and Linear Bottlenecks",
 * CVPR 2018, Table 2 (https://arxiv.org/abs/1801.04381).
 *
 * Each bottleneck row is `(t, c, n, s)`: expansion factor t, output channels c, n repeats, and the
 * stride s of the first repeat (the others have stride 1). The first `conv2d` row is the stem, the
 * `conv2d 1x1` row before the pooling the head; the widths are those of alpha = 1.
 */
import type { MobileNetV2ArchitectureInput } from '../src/models/mobilenet-v2.js';

export const mobilenetV2Paper: MobileNetV2ArchitectureInput = {
  stem: { filters: 32, stride: 2 }, // conv2d, -, 32, 1, 2: 224^2x3 -> 112^2x32
  blocks: [
    { t: 1, c: 16, n: 1, s: 1 }, // 112^2x32 -> 112^2x16
    { t: 6, c: 24, n: 2, s: 2 }, // -> 56^2x24
    { t: 6, c: 32, n: 3, s: 2 }, // -> 28^2x32
    { t: 6, c: 64, n: 4, s: 2 }, // -> 14^2x64
    { t: 6, c: 96, n: 3, s: 1 }, // -> 14^2x96
    { t: 6, c: 160, n: 3, s: 2 }, // -> 7^2x160
    { t: 6, c: 320, n: 1, s: 1 }, // -> 7^2x320
  ],
  head: { filters: 1280 }, // conv2d 1x1, -, 1280, 1, 1: 7^2x320 -> 7^2x1280
};
