/**
 * MobileNet V1, as its body table.
 *
 * Howard, Zhu, Chen, Kalenichenko, Wang, Weyand, Andreetto, Adam, "MobileNets: Efficient
 * Convolutional Neural Networks for Mobile Vision Applications", 2017, Table 1
 * (https://arxiv.org/abs/1704.04861).
 *
 * Table 1 lists the full convolution `Conv / s2, 3x3x3x32`, then 13 pairs of a 3x3 depthwise
 * convolution (`Conv dw / s`) and a 1x1 pointwise convolution (`Conv / s1`). A row here is one
 * pair: the depthwise stride and the pointwise filters. The widths are those of alpha = 1; the
 * builder scales them by the width multiplier.
 *
 * Departure from the printed table: its last depthwise row reads `Conv dw / s2` but its input-size
 * column keeps 7x7 into and out of it (7x7 in, 7x7 into the average pool), so stride 1 is meant; the
 * authors' TF-Slim code and Keras Applications both use stride 1 there.
 */
import type { MobileNetV1ArchitectureInput } from '../src/models/mobilenet-v1.js';

export const mobilenetV1Paper: MobileNetV1ArchitectureInput = {
  stem: { filters: 32, stride: 2 }, // Conv / s2, 3x3x3x32: 224x224x3 -> 112x112x32
  rows: [
    { stride: 1, filters: 64 }, // 112x112x32 -> 112x112x64
    { stride: 2, filters: 128 }, // -> 56x56x128
    { stride: 1, filters: 128 },
    { stride: 2, filters: 256 }, // -> 28x28x256
    { stride: 1, filters: 256 },
    { stride: 2, filters: 512 }, // -> 14x14x512
    // "5x" in Table 1
    { stride: 1, filters: 512 },
    { stride: 1, filters: 512 },
    { stride: 1, filters: 512 },
    { stride: 1, filters: 512 },
    { stride: 1, filters: 512 },
    { stride: 2, filters: 1024 }, // -> 7x7x1024
    { stride: 1, filters: 1024 }, // printed "s2": see above
  ],
};
