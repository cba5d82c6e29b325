/**
 * Counting and summarising any tf.LayersModel: parameters, MACs (torchvision's convention),
 * receptive fields, memory, and the per-layer summary table.
 *
 * (`@module`: this comment describes the file, so that TypeDoc does not take it for the comment of
 * the first export below.)
 *
 * @module
 */
export { countParams, type ParamCounts } from './count-params.js';
export { countFlops, type FlopCount, type LayerFlops, type TypeFlops, type UnknownLayer, type CountFlopsOptions } from './count-flops.js';
export { receptiveFields } from './analyse.js';
export type { ReceptiveField } from './receptive-field.js';
export { registerLayerCost, type CountableLayer, type CostRule, type CostContext, type LayerCost, type SpatialWindow } from './layer-costs.js';
export { summary, ModelSummary, type SummaryOptions, type SummaryRow, type SummaryJson, type SummaryLayerJson } from './summary.js';
export { blocksFromName, type BlockRule } from './blocks.js';
export { renderTable, renderMarkdown } from './render.js';
export { withSeparators, compact } from './format.js';
