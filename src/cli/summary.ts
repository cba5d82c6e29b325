/** `cnn-zoo summary <model | config.json>`: the per-layer table, totals and memory; or the feature stages. */
import { formatShape } from '../analysis/format.js';
import { markdownTable, narrowTable, renderTable, wrapLine, type Column, type NarrowStep } from '../analysis/render.js';
import { summary } from '../analysis/summary.js';
import { featureExtractor } from '../families/features.js';
import type { tf } from '../tf.js';
import { buildForAnalysis, positiveIntFlag, resolveModel, type ModelFlags } from './model-request.js';
import { tableWidth, type CliIO, type Format } from './output.js';

export interface SummaryFlags extends ModelFlags {
  depth?: string;
  batch?: string;
  format: Format;
  wide?: boolean;
  /** The feature stages (timm's `feature_info`) instead of the layers. */
  features?: boolean;
}

const FEATURE_COLUMNS: Column[] = [
  { header: 'Stage', align: 'left' },
  { header: 'Layer', align: 'left' },
  { header: 'Output shape', align: 'left' },
  { header: 'Channels', align: 'right' },
  { header: 'Reduction', align: 'right' },
];

/**
 * How the feature table fits a narrow terminal, in order: the channels go first (the output
 * shape ends with them), then the layer names are cut with '…', then they go.
 */
export const FEATURES_NARROWING: readonly NarrowStep[] = [{ drop: 'Channels' }, { shorten: 'Layer', min: 12 }, { drop: 'Layer' }];

/** The model's feature stages, as `featureExtractor(model).featureInfo` gives them, with each output's shape. */
function features(model: tf.LayersModel, io: CliIO, flags: SummaryFlags): string {
  const extractor = featureExtractor(model);
  const stages = extractor.featureInfo.map(({ stage, layer, channels, reduction }, i) => ({ stage, layer, outputShape: extractor.outputs[i].shape.slice(1), channels, reduction }));
  const inputShape = (model.inputs[0]?.shape ?? []).slice(1);
  if (flags.format === 'json') return JSON.stringify({ model: model.name, inputShape, features: stages }, null, 2);
  const heading = `Feature stages: ${model.name} (input ${formatShape(inputShape)})`;
  const rows = stages.map((stage) => [stage.stage, stage.layer, formatShape(stage.outputShape), String(stage.channels), String(stage.reduction)]);
  if (flags.format === 'markdown') return [`### ${heading}`, '', ...markdownTable(FEATURE_COLUMNS, rows)].join('\n');
  const width = tableWidth(io, flags.wide);
  return [...wrapLine('', heading, width), ...narrowTable(FEATURE_COLUMNS, rows, width, FEATURES_NARROWING)].join('\n');
}

export function runSummary(io: CliIO, argument: string, flags: SummaryFlags): void {
  const depth = positiveIntFlag('--depth', flags.depth);
  const batchSize = positiveIntFlag('--batch', flags.batch);
  const model = buildForAnalysis(resolveModel(argument, flags));
  try {
    if (flags.features) {
      io.stdout(`${features(model, io, flags)}\n`);
      return;
    }
    const result = summary(model, { depth, batchSize });
    const text =
      flags.format === 'json' ? JSON.stringify(result.toJSON(), null, 2) : flags.format === 'markdown' ? result.toMarkdown() : renderTable(result, tableWidth(io, flags.wide));
    io.stdout(`${text}\n`);
  } finally {
    model.dispose();
  }
}
