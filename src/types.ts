/**
 * `cnn-zoo/types`: the types of what cnn-zoo's functions return and take, in detail, for annotating
 * your own code. Types only: importing this entry loads nothing.
 *
 * ```ts
 * import type { ModelSummary, FlopCount, WeightsManifest } from 'cnn-zoo/types';
 * ```
 *
 * @packageDocumentation
 */
export type { BackendInfo } from './backend.js';
export type { ConfigIssue } from './errors.js';
export type { ModelDefinition, Paper, Stage, WeightSources, WeightSource, TorchvisionNames } from './families/family.js';
export type { ModelConfig } from './families/registry.js';
export type { ParamCounts } from './analysis/count-params.js';
export type { FlopCount } from './analysis/count-flops.js';
export type { ReceptiveField } from './analysis/receptive-field.js';
export type { ModelSummary, SummaryRow, SummaryJson } from './analysis/summary.js';
export type { WeightsManifest, Preprocessing } from './weights/manifest.js';
export type { LoadOptions } from './weights/load.js';
export type { FeatureExtractor, FeatureInfo } from './families/features.js';
export type { ImageInput } from './images/preprocess.js';
export type { ImageFolder, ImageFolderOptions, ImageFolderSplit } from './images/image-folder.js';
export type { Prediction } from './images/decode-predictions.js';
export type { WeightOrigin } from './import/checkpoints.js';
export type { ReadProgress } from './import/readers/index.js';
