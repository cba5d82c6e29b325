/**
 * Every CLI table fits the width it is given (80, 100, or $COLUMNS=60 as the process reads it),
 * narrowed by the steps each command documents; `--wide` prints today's full tables. The width is
 * passed through `CliIO.columns`, so the terminal running the tests changes nothing; two runs
 * spawn the executable to see it read $COLUMNS.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUMMARY_NARROWING, type NarrowStep } from '../src/analysis/render.js';
import { FLOPS_NARROWING } from '../src/cli/flops.js';
import { LIST_NARROWING } from '../src/cli/list.js';
import { terminalColumns } from '../src/cli/output.js';
import { runCli } from '../src/cli/program.js';
import { FEATURES_NARROWING } from '../src/cli/summary.js';

const runs = new Map<string, Promise<string>>();

/** The command's stdout, run in-process with tables fitted to `columns`; the same run is made once. */
function cli(columns: number, ...args: string[]): Promise<string> {
  const key = JSON.stringify([columns, args]);
  if (!runs.has(key)) runs.set(key, run(columns, args));
  return runs.get(key)!;
}

async function run(columns: number, args: string[]): Promise<string> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text), columns });
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return stdout;
}

/** The widest line. */
function widest(text: string): number {
  return Math.max(...text.trimEnd().split('\n').map((line) => line.length));
}

/** The column names: the line above the table's rule, two or more spaces apart. */
function headers(text: string): string[] {
  const lines = text.split('\n');
  return lines[lines.findIndex((line) => line.trimStart().startsWith('─')) - 1].trim().split(/ {2,}/);
}

/** The columns left after the first `dropped` drops of `steps`, in their order. */
function afterDrops(all: readonly string[], steps: readonly NarrowStep[], dropped: number): string[] {
  const gone = steps.flatMap((step) => ('drop' in step ? [step.drop] : [])).slice(0, dropped);
  return all.filter((header) => !gone.includes(header));
}

const SUMMARY = ['Layer', 'Type', 'Output shape', 'Params', 'MACs', '% MACs', 'RF', 'Jump'];
const LIST = ['Model', 'Params', 'Trainable', 'MACs', 'Input', 'Paper'];
const FLOPS = ['Layer type', 'Layers', 'MACs', '% MACs', 'Other ops'];
const FEATURES = ['Stage', 'Layer', 'Output shape', 'Channels', 'Reduction'];

// $COLUMNS=60, read as the process reads it when stdout is not a terminal.
const COLUMNS_60 = terminalColumns({ isTTY: false }, { COLUMNS: '60' });
const WIDTHS = [80, 100, COLUMNS_60];

const dir = mkdtempSync(join(tmpdir(), 'cnn-zoo-width-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the width rule', () => {
  it("is stdout's width on a terminal, else $COLUMNS, else 80", () => {
    expect(COLUMNS_60).toBe(60);
    expect(terminalColumns({ isTTY: true, columns: 132 }, { COLUMNS: '60' })).toBe(132);
    expect(terminalColumns({ isTTY: false, columns: 132 }, {})).toBe(80);
    expect(terminalColumns({ isTTY: false }, { COLUMNS: 'wide' })).toBe(80);
    expect(terminalColumns({ isTTY: false }, { COLUMNS: '0' })).toBe(80);
  });
});

describe.each(WIDTHS)('within %i columns', (width) => {
  it('summary: every line, heading and totals included; the columns dropped are the first documented ones', async () => {
    for (const args of [['resnet34'], ['googlenet'], ['mobilenetV2', '--depth', '1'], ['lenet5', '--batch', '64']]) {
      const text = await cli(width, 'summary', ...args);
      expect(widest(text), args.join(' ')).toBeLessThanOrEqual(width);
      const shown = headers(text);
      expect(shown).toEqual(afterDrops(SUMMARY, SUMMARY_NARROWING, SUMMARY.length - shown.length));
    }
  });

  it('summary --features', async () => {
    for (const model of ['resnet50', 'googlenet', 'mobilenetV2']) {
      const text = await cli(width, 'summary', model, '--features');
      expect(widest(text), model).toBeLessThanOrEqual(width);
      const shown = headers(text);
      expect(shown).toEqual(afterDrops(FEATURES, FEATURES_NARROWING, FEATURES.length - shown.length));
    }
  });

  it('list: the paper is cut with an ellipsis before any column goes', async () => {
    const text = await cli(width, 'list');
    expect(widest(text)).toBeLessThanOrEqual(width);
    const shown = headers(text);
    expect(shown).toEqual(afterDrops(LIST, LIST_NARROWING, LIST.length - shown.length));
    expect(shown).toContain('Paper');
    expect(text).toMatch(/^resnet34 .* Deep Residual[^\n]*…$/m);
  });

  it('flops', async () => {
    for (const model of ['googlenet', 'lenet5']) {
      const text = await cli(width, 'flops', model);
      expect(widest(text), model).toBeLessThanOrEqual(width);
      const shown = headers(text);
      expect(shown).toEqual(afterDrops(FLOPS, FLOPS_NARROWING, FLOPS.length - shown.length));
    }
  });
});

describe('the columns at each width', () => {
  it('summary: Jump, RF and % MACs go first; then Type is cut, Layer is cut, Type goes', async () => {
    expect(headers(await cli(100, 'summary', 'resnet34'))).toEqual(['Layer', 'Type', 'Output shape', 'Params', 'MACs', '% MACs']);
    const at80 = await cli(80, 'summary', 'resnet34');
    expect(headers(at80)).toEqual(['Layer', 'Type', 'Output shape', 'Params', 'MACs']);
    expect(at80).toMatch(/^ {6}conv2_block1_1_conv +Conv2D +56x56x64 +36,864 +115,605,504$/m);
    expect(at80).toMatch(/^ {6}conv2_block1_1_bn +BatchNormal\S*… +56x56x64 /m);
    expect(headers(await cli(60, 'summary', 'resnet34'))).toEqual(['Layer', 'Output shape', 'Params', 'MACs']);
    // The totals wrap their notes under the opening parenthesis.
    expect(at80).toMatch(/^Peak activations: +6\.54 MB {2}\(inference, [^\n]*\n {39}[^\n]*float32\)$/m);
  });

  it('list: at 60 the total parameters and the input go too', async () => {
    expect(headers(await cli(80, 'list'))).toEqual(LIST);
    expect(headers(await cli(60, 'list'))).toEqual(['Model', 'Trainable', 'MACs', 'Paper']);
  });

  it('flops: at 60 the other operations go', async () => {
    expect(headers(await cli(80, 'flops', 'googlenet'))).toEqual(FLOPS);
    expect(headers(await cli(60, 'flops', 'googlenet'))).toEqual(['Layer type', 'Layers', 'MACs', '% MACs']);
  });

  it('summary --features: at 40 the channels and the layer go', async () => {
    const text = await cli(40, 'summary', 'resnet50', '--features');
    expect(widest(text)).toBeLessThanOrEqual(40);
    expect(headers(text)).toEqual(['Stage', 'Output shape', 'Reduction']);
  });
});

describe('--wide prints the full tables, as before', () => {
  it('summary', async () => {
    const wide = await cli(60, 'summary', 'lenet5', '--wide');
    expect(wide).toBe(`Model: lenet5 (input 32x32x1, batch 1)
══════════════════════════════════════════════════════════════════════════════════
Layer        Type              Output shape  Params     MACs  % MACs      RF  Jump
──────────────────────────────────────────────────────────────────────────────────
input        InputLayer        32x32x1            0        0       -     1x1     1
c1           Conv2D            28x28x6          156  117,600   28.2%     5x5     1
s2           AveragePooling2D  14x14x6            0        0       -     6x6     2
c3           Conv2D            10x10x16       2,416  240,000   57.6%   14x14     2
s4           AveragePooling2D  5x5x16             0        0       -   16x16     4
flatten      Flatten           400                0        0       -  global
c5           Dense             120           48,120   48,000   11.5%  global
f6           Dense             84            10,164   10,080    2.4%  global
predictions  Dense             10               850      840    0.2%  global
══════════════════════════════════════════════════════════════════════════════════
Total params:           61,706
Trainable params:       61,706
Non-trainable params:        0
MACs:                  416,520  (416.52 K: multiply-adds of convolutions and dense layers)
FLOPs:                 833,040  (833.04 K: 2 x MACs)
Other ops:              19,340  (19.34 K: bias, BatchNorm, activations, pooling, merges)
Params size:           0.25 MB  (float32)
Input size:            4.10 KB  (batch 1, float32)
Forward activations:   0.03 MB  (every layer's output, batch 1, float32)
Peak activations:      0.02 MB  (inference, each output freed after its last use, batch 1, float32)
`);
    // The width changes nothing under --wide.
    expect(await cli(80, 'summary', 'resnet34', '--wide')).toBe(await cli(1000, 'summary', 'resnet34'));
  });

  it('list', async () => {
    expect(await cli(60, 'list', 'lenet5', '--wide')).toBe(`Model   Params  Trainable      MACs  Input    Paper
──────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
lenet5  61,706     61,706  416.52 K  32x32x1  Gradient-Based Learning Applied to Document Recognition (LeCun et al., 1998)
`);
  });

  it('flops', async () => {
    expect(await cli(60, 'flops', 'lenet5', '--wide')).toBe(`Model: lenet5 (input 32x32x1, batch 1)
Layer type        Layers     MACs  % MACs  Other ops
────────────────────────────────────────────────────
Conv2D                 2  357,600   85.9%     12,608
Dense                  3   58,920   14.1%        428
AveragePooling2D       2        0       -      6,304
Flatten                1        0       -          0
────────────────────────────────────────────────────
Total                  8  416,520  100.0%     19,340

MACs: 416.52 K (multiply-adds of convolutions and dense layers, torchvision's convention)
FLOPs: 833.04 K (2 x MACs)
Other ops: 19.34 K (bias, BatchNorm, activations, pooling, merges; not in MACs)
`);
  });

  it('markdown and json are never narrowed', async () => {
    for (const format of ['markdown', 'json']) {
      expect(await cli(60, 'summary', 'resnet34', '--format', format)).toBe(await cli(1000, 'summary', 'resnet34', '--format', format));
      expect(await cli(60, 'list', 'lenet5', '--format', format)).toBe(await cli(1000, 'list', 'lenet5', '--format', format));
    }
  });
});

describe('predict', () => {
  let weights: string;
  let image: string;
  beforeAll(async () => {
    // The shipped LeNet-5 with long class names, and any digit-sized image: only the layout matters.
    weights = join(dir, 'long-names');
    cpSync('weights/lenet5-mnist', weights, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(weights, 'cnn-zoo.json'), 'utf8'));
    manifest.classNames = manifest.classNames.map((name: string) => `the handwritten digit ${name}, as written in the United States Census Bureau's forms`);
    writeFileSync(join(weights, 'cnn-zoo.json'), JSON.stringify(manifest));
    image = join(dir, 'digit.png');
    await sharp(Buffer.alloc(28 * 28, 128), { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(image);
  });

  it.each(WIDTHS)('fits %i columns by cutting the class names', async (width) => {
    const text = await cli(width, 'predict', weights, image, '--top', '3');
    expect(widest(text)).toBeLessThanOrEqual(width);
    expect(headers(text)).toEqual(['#', 'Class', 'Index', 'Probability']);
    expect(text).toMatch(/^ {2}1 {2}the handwritten digit \d, [^…]*… +\d +[<>\d.]+%$/m);
  });

  it('--wide prints the class names in full', async () => {
    const text = await cli(60, 'predict', weights, image, '--top', '3', '--wide');
    expect(text).not.toContain('…');
    expect(text).toMatch(/^ {2}1 {2}the handwritten digit \d, as written in the United States Census Bureau's forms +\d +[<>\d.]+%$/m);
  });
});

describe('the executable reads $COLUMNS when stdout is not a terminal', () => {
  const run = promisify(execFile);
  const exec = async (env: NodeJS.ProcessEnv, ...args: string[]) => (await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', env })).stdout;

  it('60 with COLUMNS=60, 80 without', async () => {
    const { COLUMNS: _unset, ...rest } = process.env;
    const narrow = await exec({ ...rest, COLUMNS: '60' }, 'summary', 'lenet5');
    expect(widest(narrow)).toBeLessThanOrEqual(60);
    const shown = headers(narrow);
    expect(shown.length).toBeLessThan(SUMMARY.length);
    expect(shown).toEqual(afterDrops(SUMMARY, SUMMARY_NARROWING, SUMMARY.length - shown.length));
    const standard = await exec(rest, 'summary', 'lenet5');
    expect(widest(standard)).toBeLessThanOrEqual(80);
    expect(widest(standard)).toBeGreaterThan(60);
  });
});
