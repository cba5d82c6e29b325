/**
 * The zoo's custom TF.js layers. Importing this module registers every one of them for
 * serialisation, so that a saved model.json that uses them can be loaded.
 */
export { AdaptiveAveragePooling2D, adaptiveBins } from './adaptive-avg-pool2d.js';
export { GroupedConv2D } from './grouped-conv2d.js';
export { LocalResponseNormalization } from './lrn.js';
export { PartialConv2D } from './partial-conv2d.js';
export { EuclideanRBF } from './rbf.js';
export { ScaledTanh } from './scaled-tanh.js';
export { SubSampling2D } from './subsampling2d.js';
