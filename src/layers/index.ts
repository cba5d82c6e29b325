/**
 * The zoo's custom TF.js layers. Importing this module registers every one of them for
 * serialisation, so that a saved model.json that uses them can be loaded.
 *
 * @module
 */
export { AdaptiveAveragePooling2D, adaptiveBins, type AdaptiveAveragePooling2DArgs } from './adaptive-avg-pool2d.js';
export { GroupedConv2D, type GroupedConv2DArgs, type SeededInitConfig } from './grouped-conv2d.js';
export { LocalResponseNormalization, type LocalResponseNormalizationArgs } from './lrn.js';
export { PartialConv2D, type PartialConv2DArgs } from './partial-conv2d.js';
export { EuclideanRBF, type EuclideanRBFArgs } from './rbf.js';
export { ScaledTanh, type ScaledTanhArgs } from './scaled-tanh.js';
export { SubSampling2D, type SubSampling2DArgs } from './subsampling2d.js';
