/** `cnn-zoo flops <model | config.json>`: the MACs broken down by layer type. */
import { countFlops, type FlopCount } from '../analysis/count-flops.js';
import { compact, formatShape, percent, withSeparators } from '../analysis/format.js';
import { alignColumns, markdownTable, type Column } from '../analysis/render.js';
import { buildForAnalysis, positiveIntFlag, resolveModel, type ModelFlags } from './model-request.js';
import type { CliIO, Format } from './output.js';

export interface FlopsFlags extends ModelFlags {
  batch?: string;
  format: Format;
}

const COLUMNS: Column[] = [
  { header: 'Layer type', align: 'left' },
  { header: 'Layers', align: 'right' },
  { header: 'MACs', align: 'right' },
  { header: '% MACs', align: 'right' },
  { header: 'Other ops', align: 'right' },
];

function render(name: string, inputShape: readonly (number | null)[], count: FlopCount, format: 'table' | 'markdown'): string {
  const rows = count.byType.map((type) => [
    type.type,
    String(type.layers),
    withSeparators(type.macs),
    percent(count.macs > 0 ? type.macs / count.macs : 0),
    withSeparators(type.otherOps),
  ]);
  rows.push(['Total', String(count.byLayer.length), withSeparators(count.macs), count.macs > 0 ? '100.0%' : '-', withSeparators(count.otherOps)]);
  const heading = `Model: ${name} (input ${formatShape(inputShape)}, batch ${count.batchSize})`;
  const totals = [
    `MACs: ${compact(count.macs)} (multiply-adds of convolutions and dense layers, torchvision's convention)`,
    `FLOPs: ${compact(count.flops)} (2 x MACs)`,
    `Other ops: ${compact(count.otherOps)} (bias, BatchNorm, activations, pooling, merges; not in MACs)`,
  ];
  if (count.unknownLayers.length) {
    totals.push(`Not counted (no cost rule, counted as 0): ${count.unknownLayers.map((layer) => `${layer.name} (${layer.type})`).join(', ')}`);
  }
  if (format === 'markdown') return [`### ${heading}`, '', ...markdownTable(COLUMNS, rows), '', ...totals.map((line) => `- ${line}`)].join('\n');
  const table = alignColumns(COLUMNS, rows);
  // A rule above the total row.
  table.splice(table.length - 1, 0, table[1]);
  return [heading, ...table, '', ...totals].join('\n');
}

export function runFlops(io: CliIO, argument: string, flags: FlopsFlags): void {
  const batchSize = positiveIntFlag('--batch', flags.batch);
  const request = resolveModel(argument, flags);
  const model = buildForAnalysis(request);
  try {
    const count = countFlops(model, { batchSize });
    const inputShape = (model.inputs[0]?.shape ?? []).slice(1);
    if (flags.format === 'json') {
      io.stdout(`${JSON.stringify({ model: model.name, inputShape, ...count }, null, 2)}\n`);
    } else {
      io.stdout(`${render(model.name, inputShape, count, flags.format)}\n`);
    }
  } finally {
    model.dispose();
  }
}
