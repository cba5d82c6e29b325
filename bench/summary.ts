/**
 * Wall time of `cnn-zoo summary vgg19` against `cnn-zoo summary lenet5`, each the built executable
 * (dist/cli.js) in a fresh process, median of several runs. A summary needs no random numbers and
 * reads no weight, so its cost must not grow with the parameter count: VGG-19 (143,667,240
 * parameters) at most 3x LeNet-5 (61,706), both under 2 s.
 *
 * Run alone with `npx tsx bench/summary.ts`; `npm run bench` calls {@link benchSummary}.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Runs per command; the median is reported. */
const RUNS = 7;
const MAX_RATIO = 3;
const MAX_MILLISECONDS = 2000;

export interface SummaryTiming {
  model: string;
  /** Median wall time of `node dist/cli.js summary <model>`, in ms. */
  milliseconds: number;
  runs: number[];
}

export interface SummaryBench {
  lenet5: SummaryTiming;
  vgg19: SummaryTiming;
  /** vgg19 / lenet5. */
  ratio: number;
  passed: boolean;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function timeSummary(model: string): SummaryTiming {
  const runs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    const result = spawnSync(process.execPath, ['dist/cli.js', 'summary', model], { encoding: 'utf8' });
    const elapsed = performance.now() - start;
    if (result.status !== 0) throw new Error(`cnn-zoo summary ${model} exited with ${result.status}: ${result.stderr.trim()}`);
    runs.push(Math.round(elapsed));
  }
  return { model, milliseconds: median(runs), runs };
}

/**
 * Builds dist/ (unless `build: false` and it exists), times both summaries and prints the figures
 * as Markdown.
 */
export async function benchSummary(options: { build?: boolean } = {}): Promise<SummaryBench> {
  if (options.build !== false || !existsSync('dist/cli.js')) execFileSync('npx', ['tsup'], { stdio: 'ignore' });
  // One untimed run each, so that the file cache is warm for both.
  spawnSync(process.execPath, ['dist/cli.js', 'summary', 'lenet5']);
  spawnSync(process.execPath, ['dist/cli.js', 'summary', 'vgg19']);
  const lenet5 = timeSummary('lenet5');
  const vgg19 = timeSummary('vgg19');
  const ratio = vgg19.milliseconds / lenet5.milliseconds;
  const passed = ratio <= MAX_RATIO && lenet5.milliseconds < MAX_MILLISECONDS && vgg19.milliseconds < MAX_MILLISECONDS;
  console.log(`\n## \`cnn-zoo summary\` wall time (node dist/cli.js, fresh process, median of ${RUNS})\n`);
  console.log('| command | parameters | median (ms) | runs (ms) |');
  console.log('|---|---:|---:|---|');
  console.log(`| cnn-zoo summary lenet5 | 61,706 | ${lenet5.milliseconds} | ${lenet5.runs.join(', ')} |`);
  console.log(`| cnn-zoo summary vgg19 | 143,667,240 | ${vgg19.milliseconds} | ${vgg19.runs.join(', ')} |`);
  console.log(
    `\nvgg19 / lenet5 = ${ratio.toFixed(2)} (target <= ${MAX_RATIO}); both under ${MAX_MILLISECONDS} ms: ${
      lenet5.milliseconds < MAX_MILLISECONDS && vgg19.milliseconds < MAX_MILLISECONDS ? 'yes' : 'no'
    }. ${passed ? 'PASS' : 'FAIL'}`,
  );
  return { lenet5, vgg19, ratio, passed };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const result = await benchSummary();
  if (!result.passed) process.exitCode = 1;
}
