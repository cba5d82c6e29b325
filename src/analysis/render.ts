/**
 * The summary as text: an aligned table for a terminal, and Markdown. A few lines of padding, no
 * dependency.
 */
import { compact, formatShape, megabytes, percent, withSeparators } from './format.js';
import type { ReceptiveField } from './receptive-field.js';
import type { ModelSummary, SummaryRow } from './summary.js';

/** How a column lines up. */
export type Align = 'left' | 'right';

export interface Column {
  header: string;
  align: Align;
}

/**
 * Pads cells into aligned columns (two spaces apart), with a rule under the header. Widths count
 * characters, so keep cells to one code unit per character.
 */
export function alignColumns(columns: readonly Column[], rows: readonly (readonly string[])[], rule = '─'): string[] {
  const widths = columns.map((column, i) => Math.max(column.header.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (columns[i].align === 'right' ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const header = line(columns.map((column) => column.header));
  const width = widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
  return [header, rule.repeat(width), ...rows.map(line)];
}

/**
 * One step of fitting a table into fewer columns: drop a column, or cut its cells with '…' down to
 * no fewer than `min` characters. A command lists its steps in the order they are taken.
 */
export type NarrowStep = { drop: string } | { shorten: string; min: number };

/** `text` cut to `width` characters, the cut marked with '…'. */
function cut(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

/**
 * {@link alignColumns} within `width` characters: the fewest of `steps`, first to last, that make the
 * table fit, a shortened column cut only as much as it must (an earlier step's column first). If
 * even every step leaves it too wide, every step is taken. `Infinity` takes none.
 */
export function narrowTable(columns: readonly Column[], rows: readonly (readonly string[])[], width: number, steps: readonly NarrowStep[]): string[] {
  const natural = columns.map((column, i) => Math.max(column.header.length, ...rows.map((row) => (row[i] ?? '').length)));
  const index = (header: string) => columns.findIndex((column) => column.header === header);
  const layout = (taken: number) => {
    const applied = steps.slice(0, taken);
    const dropped = new Set(applied.flatMap((step) => ('drop' in step ? [index(step.drop)] : [])));
    const kept = columns.map((_, i) => i).filter((i) => !dropped.has(i));
    const widths = [...natural];
    let excess = kept.reduce((sum, i) => sum + widths[i], 2 * (kept.length - 1)) - width;
    for (const step of applied) {
      if (!('shorten' in step)) continue;
      const i = index(step.shorten);
      if (i < 0 || dropped.has(i)) continue;
      const by = Math.min(Math.max(0, excess), Math.max(0, widths[i] - step.min));
      widths[i] -= by;
      excess -= by;
    }
    return { kept, widths, excess };
  };
  let taken = 0;
  while (taken < steps.length && layout(taken).excess > 0) taken++;
  const { kept, widths } = layout(taken);
  const fitted = (cells: readonly string[]) => kept.map((i) => cut(cells[i] ?? '', widths[i]));
  const headers = fitted(columns.map((column) => column.header));
  return alignColumns(
    kept.map((i, k) => ({ ...columns[i], header: headers[k] })),
    rows.map(fitted),
  );
}

/**
 * `prefix` then `text`, wrapped at spaces within `width` characters; the lines after the first are
 * indented by `indent` spaces (2 where that would leave fewer than 20 columns). A word longer than
 * a line is left whole.
 */
export function wrapLine(prefix: string, text: string, width: number, indent = 2): string[] {
  if (prefix.length + text.length <= width) return [prefix + text];
  const hang = ' '.repeat(width - indent >= 20 ? indent : 2);
  const lines: string[] = [];
  let line = prefix;
  let empty = true;
  for (const word of text.split(' ')) {
    if (!empty && line.length + 1 + word.length > width) {
      lines.push(line);
      line = hang;
      empty = true;
    }
    line += empty ? word : ` ${word}`;
    empty = false;
  }
  return [...lines, line];
}

/** A Markdown table (GitHub's dialect); `|` in cells is escaped. */
export function markdownTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string[] {
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  return [
    `| ${columns.map((column) => escape(column.header)).join(' | ')} |`,
    `|${columns.map((column) => (column.align === 'right' ? '---:' : ':---')).join('|')}|`,
    ...rows.map((row) => `| ${row.map(escape).join(' | ')} |`),
  ];
}

const COLUMNS: Column[] = [
  { header: 'Layer', align: 'left' },
  { header: 'Type', align: 'left' },
  { header: 'Output shape', align: 'left' },
  { header: 'Params', align: 'right' },
  { header: 'MACs', align: 'right' },
  { header: '% MACs', align: 'right' },
  { header: 'RF', align: 'right' },
  { header: 'Jump', align: 'right' },
];

/**
 * How the summary table fits a narrow terminal, in order: the receptive field's jump, the receptive
 * field and the share of the MACs go first; then types and layer names are cut; then the type, the
 * MACs and the parameters go. Layer and output shape always stay.
 */
export const SUMMARY_NARROWING: readonly NarrowStep[] = [
  { drop: 'Jump' },
  { drop: 'RF' },
  { drop: '% MACs' },
  { shorten: 'Type', min: 12 },
  { shorten: 'Layer', min: 16 },
  { drop: 'Type' },
  { drop: 'MACs' },
  { drop: 'Params' },
];

function axes(values: readonly number[]): string {
  const shown = values.map((value) => (Number.isInteger(value) ? String(value) : value.toFixed(2)));
  return shown.every((value) => value === shown[0]) && shown.length > 1 ? shown[0] : shown.join('x');
}

function fieldCells(field: ReceptiveField | null): [string, string] {
  if (!field) return ['', ''];
  if (field.global) return ['global', ''];
  return [field.size.join('x'), axes(field.jump)];
}

/** The cells of a row; `indent` is the text for one level of nesting. */
function rowCells(row: SummaryRow, indent: string): string[] {
  const name = indent.repeat(row.level - 1) + row.name;
  const shape = row.outputShapes.length > 1 ? row.outputShapes.map(formatShape).join(', ') : formatShape(row.outputShape);
  const [rf, jump] = fieldCells(row.receptiveField);
  if (row.kind === 'block' && row.expanded) return [name, 'Block', shape, '--', '--', '', rf, jump];
  const type = row.kind === 'block' ? `Block (${row.layers} layers)` : row.type;
  return [name, type, shape, withSeparators(row.params), withSeparators(row.macs), percent(row.share), rf, jump];
}

/** The totals, as [label, figure, note] lines. */
function totals(s: ModelSummary): [string, string, string][] {
  const batch = `batch ${s.batchSize}, float32`;
  return [
    ['Total params', withSeparators(s.totalParams), ''],
    ['Trainable params', withSeparators(s.trainableParams), ''],
    ['Non-trainable params', withSeparators(s.nonTrainableParams), ''],
    ['MACs', withSeparators(s.macs), `${compact(s.macs)}: multiply-adds of convolutions and dense layers`],
    ['FLOPs', withSeparators(s.flops), `${compact(s.flops)}: 2 x MACs`],
    ['Other ops', withSeparators(s.otherOps), `${compact(s.otherOps)}: bias, BatchNorm, activations, pooling, merges`],
    ['Params size', megabytes(s.paramBytes), 'float32'],
    ['Input size', megabytes(s.inputBytes), batch],
    ['Forward activations', megabytes(s.activationBytes), `every layer's output, ${batch}`],
    ['Peak activations', megabytes(s.peakActivationBytes), `inference, each output freed after its last use, ${batch}`],
  ];
}

function heading(s: ModelSummary): string {
  const inputs = s.inputShapes.map(formatShape).join(', ');
  const depth = s.depth === null ? "" : `, depth ${s.depth}`;
  return `Model: ${s.model} (input ${inputs}, batch ${s.batchSize}${depth})`;
}

function unknownNote(s: ModelSummary): string[] {
  if (s.unknownLayers.length === 0) return [];
  const list = s.unknownLayers.map((layer) => `${layer.name} (${layer.type})`).join(', ');
  return [`Not counted (no cost rule, counted as 0): ${list}`];
}

/**
 * The summary as an aligned table for a terminal; within `width` characters if given (the table
 * narrowed by {@link SUMMARY_NARROWING}, the heading and notes wrapped).
 *
 * @category Analysis
 */
export function renderTable(s: ModelSummary, width = Infinity): string {
  const table = narrowTable(COLUMNS, s.rows.map((row) => rowCells(row, '  ')), width, SUMMARY_NARROWING);
  const rule = '═'.repeat(table[1].length);
  const labelWidth = Math.max(...totals(s).map(([label]) => label.length)) + 1;
  const figureWidth = Math.max(...totals(s).map(([, figure]) => figure.length));
  const totalLines = totals(s).flatMap(([label, figure, note]) => {
    const figures = `${`${label}:`.padEnd(labelWidth)}  ${figure.padStart(figureWidth)}`;
    // A long note wraps under its own opening parenthesis.
    return note ? wrapLine(`${figures}  (`, `${note})`, width, figures.length + 3) : [figures];
  });
  return [
    ...wrapLine('', heading(s), width),
    rule,
    ...table,
    rule,
    ...totalLines,
    ...unknownNote(s).flatMap((note) => wrapLine('', note, width)),
  ].join('\n');
}

/**
 * The summary as Markdown (GitHub's dialect): a heading, the layer table, the totals table.
 * The same as `summary(model).toMarkdown()`.
 *
 * @category Analysis
 */
export function renderMarkdown(s: ModelSummary): string {
  const layers = markdownTable(COLUMNS, s.rows.map((row) => rowCells(row, '&nbsp;&nbsp;')));
  const figures = markdownTable(
    [
      { header: 'Total', align: 'left' },
      { header: 'Value', align: 'right' },
      { header: 'Note', align: 'left' },
    ],
    totals(s),
  );
  const unknown = unknownNote(s);
  return [`### ${heading(s)}`, '', ...layers, '', ...figures, ...(unknown.length ? ['', ...unknown] : [])].join('\n');
}
