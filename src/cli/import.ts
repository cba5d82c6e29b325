/** `cnn-zoo import <file> --out <dir>`: another library's weight file as a cnn-zoo weights folder. */
import { SingleBar } from 'cli-progress';
import { z } from 'zod';
import { parseConfig } from '../config.js';
import { isModelName } from '../families/registry.js';
import { importWeights } from '../import/import-weights.js';
import type { ReadProgress } from '../import/readers/index.js';
import { saveModel } from '../weights/save.js';
import { UsageError } from './errors.js';
import type { CliIO } from './output.js';

export interface ImportFlags {
  model?: string;
  variant?: string;
  from?: 'torchvision' | 'timm' | 'keras';
  licence?: string;
  options?: string;
  out: string;
  overwrite: boolean;
}

/** `--options '{"batchNorm": true}'`: builder options as a JSON object. */
function builderOptions(flags: ImportFlags): Record<string, unknown> {
  let options: unknown = {};
  if (flags.options !== undefined) {
    try {
      options = JSON.parse(flags.options);
    } catch (error) {
      throw new UsageError(`--options: must be a JSON object of builder options, e.g. '{"batchNorm": true}': ${(error as Error).message}`);
    }
  }
  const parsed = parseConfig(z.record(z.string(), z.unknown(), { error: 'must be a JSON object of builder options' }), options, '--options');
  return flags.variant === undefined ? parsed : { ...parsed, variant: flags.variant };
}

/** A progress bar on a terminal while the file is read; nothing elsewhere (a pipe, CI). */
function readingBar(file: string): { update(progress: ReadProgress): void; stop(): void } {
  if (!process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar({ format: `reading ${file} [{bar}] {percentage}% | {value}/{total} MB | ETA {eta_formatted}`, hideCursor: true, clearOnComplete: true });
  let started = false;
  return {
    update({ bytesRead, totalBytes }) {
      const [value, total] = [Math.round(bytesRead / 1e6), Math.max(1, Math.round(totalBytes / 1e6))];
      if (!started) bar.start(total, value);
      started = true;
      bar.update(value);
    },
    stop: () => (started ? bar.stop() : undefined),
  };
}

export async function runImport(io: CliIO, file: string, flags: ImportFlags): Promise<void> {
  if (flags.model !== undefined && !isModelName(flags.model)) throw new UsageError(`--model: unknown model ${JSON.stringify(flags.model)}; \`cnn-zoo list\` lists them`);
  const options = builderOptions(flags);
  const bar = readingBar(file);
  let model;
  try {
    model = await importWeights(file, { model: flags.model, from: flags.from, licence: flags.licence, options, onProgress: (progress) => bar.update(progress) });
  } finally {
    bar.stop();
  }
  try {
    const manifest = await saveModel(model, flags.out, {}, { overwrite: flags.overwrite });
    const origin = manifest.importedFrom!;
    const skipped = origin.skipped.length ? `; skipped ${origin.skipped.length} tensors the model deliberately lacks (${summariseSkipped(origin.skipped)})` : '';
    io.stdout(`${manifest.model} (${model.countParams().toLocaleString('en')} parameters) from ${origin.from}'s ${origin.file} (sha256 ${origin.sha256.slice(0, 12)}…) -> ${flags.out}${skipped}\n`);
  } finally {
    model.dispose();
  }
}

/** `num_batches_tracked` x 53, `aux1.*` x 18: what was skipped, by kind. */
function summariseSkipped(keys: readonly string[]): string {
  const kinds = new Map<string, number>();
  for (const key of keys) {
    const kind = key.endsWith('.num_batches_tracked') ? 'num_batches_tracked' : `${key.split('.')[0]}.*`;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  return [...kinds].map(([kind, count]) => `${kind} x ${count}`).join(', ');
}
