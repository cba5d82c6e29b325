/** `cnn-zoo flops <model | config.json>`: the MACs broken down by layer type. */
import { countFlops, type FlopCount } from '../analysis/count-flops.js';
import { compact, formatShape, percent, withSeparators } from '../analysis/format.js';
import { markdownTable, narrowTable, wrapLine, type Column, type NarrowStep } from '../analysis/render.js';
import { buildForAnalysis, positiveIntFlag, resolveModel, type ModelFlags } from './model-request.js';
import { tableWidth, type CliIO, type Format } from './output.js';

export interface FlopsFlags extends ModelFlags {
  batch?: string;
  format: Format;
  wide?: boolean;
}

const COLUMNS: Column[] = [
  { header: 'Layer type', align: 'left' },
  { header: 'Layers', align: 'right' },
  { header: 'MACs', align: 'right' },
  { header: '% MACs', align: 'right' },
  { header: 'Other ops', align: 'right' },
];

/**
 * How the table fits a narrow terminal, in order: the other operations and the layer counts go
 * first, then the type names are cut with '…', then the share of the MACs goes.
 */
export const FLOPS_NARROWING: readonly NarrowStep[] = [{ drop: 'Other ops' }, { drop: 'Layers' }, { shorten: 'Layer type', min: 12 }, { drop: '% MACs' }];

function render(name: string, inputShape: readonly (number | null)[], count: FlopCount, format: 'table' | 'markdown', width: number): string {
  const rows = count.byType.map((type) => [
    type.type,
    String(type.layers),
    withSeparators(type.macs),
    percent(count.macs > 0 ? type.macs / count.macs : 0),
    withSeparators(type.otherOps),
  ]);
  rows.push(['Total', String(count.byLayer.length), withSeparators(count.macs), count.macs > 0 ? '100.0%' : '-', withSeparators(count.otherOps)]);
  const heading = `Model: ${name} (input ${formatShape(inputShape)}, batch ${count.batchSize})`;
  // [figure, note]: a note in parentheses wraps under its opening one.
  const totals: [string, string][] = [
    [`MACs: ${compact(count.macs)} (`, "multiply-adds of convolutions and dense layers, torchvision's convention)"],
    [`FLOPs: ${compact(count.flops)} (`, '2 x MACs)'],
    [`Other ops: ${compact(count.otherOps)} (`, 'bias, BatchNorm, activations, pooling, merges; not in MACs)'],
  ];
  if (count.unknownLayers.length) {
    totals.push(['Not counted (no cost rule, counted as 0): ', count.unknownLayers.map((layer) => `${layer.name} (${layer.type})`).join(', ')]);
  }
  if (format === 'markdown') return [`### ${heading}`, '', ...markdownTable(COLUMNS, rows), '', ...totals.map(([figure, note]) => `- ${figure}${note}`)].join('\n');
  const table = narrowTable(COLUMNS, rows, width, FLOPS_NARROWING);
  // A rule above the total row.
  table.splice(table.length - 1, 0, table[1]);
  const wrapped = (prefix: string, text: string) => wrapLine(prefix, text, width, prefix.endsWith('(') ? prefix.length : 2);
  return [...wrapLine('', heading, width), ...table, '', ...totals.flatMap(([figure, note]) => wrapped(figure, note))].join('\n');
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
      io.stdout(`${render(model.name, inputShape, count, flags.format, tableWidth(io, flags.wide))}\n`);
    }
  } finally {
    model.dispose();
  }
}
