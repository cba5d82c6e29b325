/**
 * `cnn-zoo/net`: the vocabulary for writing networks of your own, and the pieces the zoo's
 * families are written in. A family is declared once with {@link defineFamily}: its paper, its
 * options schema ({@link modelOptionsSchema}), a description on a {@link Net}, and its models as
 * rows; the builders come from it.
 *
 * ```ts
 * import { modelOptionsSchema, defineFamily, convBnAct, poolAndClassify } from 'cnn-zoo/net';
 * ```
 *
 * Importing this entry also registers the custom layers for serialisation.
 *
 * @packageDocumentation
 */
export type { Net, Shape, Activation, ConvSpec, DepthwiseSpec, BatchNormSpec, PoolSpec, DenseSpec, CustomLayerSpec, PlannedLayer, NetGraph, NetDescription } from './net.js';
export { ShapeNet, LayersNet } from './interpreter.js';
export { modelDefinitions } from '../families/registry.js';
export { defineFamily, type Paper, type ModelRow, type RowOptions, type FamilyDeclaration, type Family, type WeightSources, type WeightSource, type TorchvisionNames } from '../families/family.js';
export { modelOptionsSchema, variantOption, type CommonDefaults } from '../options.js';
export { parseConfig } from '../config.js';
export { convOutputSize, poolOutputSize, paddingAmounts, type Padding, type ConvArithmeticArgs } from '../conv-arithmetic.js';
export type { InitSpec, InitContext } from '../init.js';

export { convBnAct, applyPaddingMode, type ConvBnActSpec, type PaddingMode } from '../blocks/conv-bn-act.js';
export { poolAndClassify, poolFeatures } from '../blocks/classifier.js';
export { localResponseNorm, adaptiveAvgPool } from '../blocks/custom-layers.js';
export { torchBatchNorm, kerasBatchNorm } from '../blocks/batch-norm.js';
export { correctPad } from '../blocks/correct-pad.js';
export { makeDivisible } from '../blocks/make-divisible.js';

export * from '../layers/index.js';

export { lenet5Family, LeNetArchitectureSchema, lenet5Architectures, lenet5DigitBitmaps, type LeNetArchitectureInput } from '../families/lenet5/family.js';
export { alexnetFamily, AlexNetArchitectureSchema, type AlexNetArchitectureInput } from '../families/alexnet/family.js';
export { vgg, vggFamily, VggArchitectureSchema, VggConvSchema, vggConfigurations, type VggArchitectureInput } from '../families/vgg/family.js';
export { resnet, resnetFamily, ResNetArchitectureSchema, type ResNetArchitectureInput } from '../families/resnet/family.js';
export { basicBlock, bottleneckBlock, resnetStyles, BOTTLENECK_EXPANSION, type ResNetStyle, type ResidualBlockSpec } from '../families/resnet/blocks.js';
export { googlenetFamily, GoogLeNetArchitectureSchema, type GoogLeNetArchitectureInput } from '../families/googlenet/family.js';
export { inceptionModule, auxiliaryHead, ceilModeMaxPool, googlenetStyles, type GoogLeNetStyle, type GoogLeNetConvSpec, type InceptionColumns } from '../families/googlenet/blocks.js';
export { mobilenetV1Family, MobileNetV1ArchitectureSchema, depthwiseSeparableBlock, type MobileNetV1ArchitectureInput } from '../families/mobilenet-v1/family.js';
export { mobilenetV2Family, MobileNetV2ArchitectureSchema, invertedResidualBlock, mobilenetV2Styles, type MobileNetV2ArchitectureInput, type MobileNetV2Style } from '../families/mobilenet-v2/family.js';

export { registerLayerCost, type CostRule, type CostContext, type LayerCost, type SpatialWindow, type CountableLayer } from '../analysis/layer-costs.js';
export { blocksFromName, type BlockRule } from '../analysis/blocks.js';
