/** `cnn-zoo summary <model | config.json>`: the per-layer table, totals and memory. */
import { summary } from '../analysis/summary.js';
import { buildForAnalysis, positiveIntFlag, resolveModel, type ModelFlags } from './model-request.js';
import type { CliIO, Format } from './output.js';

export interface SummaryFlags extends ModelFlags {
  depth?: string;
  batch?: string;
  format: Format;
}

export function runSummary(io: CliIO, argument: string, flags: SummaryFlags): void {
  const depth = positiveIntFlag('--depth', flags.depth);
  const batchSize = positiveIntFlag('--batch', flags.batch);
  const model = buildForAnalysis(resolveModel(argument, flags));
  try {
    const result = summary(model, { depth, batchSize });
    const text = flags.format === 'json' ? JSON.stringify(result.toJSON(), null, 2) : flags.format === 'markdown' ? result.toMarkdown() : result.toTable();
    io.stdout(`${text}\n`);
  } finally {
    model.dispose();
  }
}
