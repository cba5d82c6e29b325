/** `cnn-zoo list`: every registered model with its parameters, MACs, default input size and paper. */
import { countFlops } from '../analysis/count-flops.js';
import { countParams } from '../analysis/count-params.js';
import { compact, formatShape, withSeparators } from '../analysis/format.js';
import { markdownTable, narrowTable, type Column, type NarrowStep } from '../analysis/render.js';
import type { ModelDefinition, Paper } from '../families/family.js';
import { getModelDefinition, listModels } from '../families/registry.js';
import { tableWidth, type CliIO, type Format } from './output.js';

/** One model of the list. */
export interface ListedModel {
  name: string;
  totalParams: number;
  trainableParams: number;
  macs: number;
  inputShape: number[];
  paper: Paper & { table: string };
}

/** Every registered model (matching `pattern`, a glob), built with zero weights and counted. */
export function listedModels(pattern?: string): ListedModel[] {
  return listModels(pattern).map((name) => {
    const definition: ModelDefinition = getModelDefinition(name);
    const model = definition.build({ initialize: false });
    try {
      const params = countParams(model);
      return {
        name,
        totalParams: params.total,
        trainableParams: params.trainable,
        macs: countFlops(model).macs,
        inputShape: [...definition.parse({}).inputShape],
        paper: definition.paper,
      };
    } finally {
      model.dispose();
    }
  });
}

/** `Title (First et al., 1998)`. */
export function citation(paper: Paper): string {
  const authors = paper.authors.split(/,\s*|\s+and\s+/).filter(Boolean);
  const first = authors[0] ?? paper.authors;
  return `${paper.title} (${first}${authors.length > 1 ? ' et al.' : ''}, ${paper.year})`;
}

const COLUMNS: Column[] = [
  { header: 'Model', align: 'left' },
  { header: 'Params', align: 'right' },
  { header: 'Trainable', align: 'right' },
  { header: 'MACs', align: 'right' },
  { header: 'Input', align: 'left' },
  { header: 'Paper', align: 'left' },
];

/**
 * How the list fits a narrow terminal, in order: the paper's citation is cut with '…' first; then
 * the total parameters (Trainable stays: torchvision's figure), the input and the paper go.
 */
export const LIST_NARROWING: readonly NarrowStep[] = [{ shorten: 'Paper', min: 20 }, { drop: 'Params' }, { drop: 'Input' }, { drop: 'Paper' }];

export function runList(io: CliIO, options: { format: Format; pattern?: string; wide?: boolean }): void {
  const models = listedModels(options.pattern);
  if (options.format === 'json') {
    io.stdout(`${JSON.stringify(models, null, 2)}\n`);
    return;
  }
  const rows = models.map((model) => [
    model.name,
    withSeparators(model.totalParams),
    withSeparators(model.trainableParams),
    compact(model.macs),
    formatShape(model.inputShape),
    options.format === 'markdown' ? `[${citation(model.paper)}](${model.paper.url})` : citation(model.paper),
  ]);
  const lines = options.format === 'markdown' ? markdownTable(COLUMNS, rows) : narrowTable(COLUMNS, rows, tableWidth(io, options.wide), LIST_NARROWING);
  io.stdout(`${lines.join('\n')}\n`);
}
