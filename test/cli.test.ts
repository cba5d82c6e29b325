/**
 * The `cnn-zoo` command line: outputs, exit codes and the one-line messages for every kind of
 * mistake. Commands run in-process through `runCli` (fast); two runs spawn the real executable to
 * check the process's own exit code and that no stack trace escapes.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/program.js';
import { listModels } from '../src/families/registry.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the command in-process, its tables fitted to 80 columns whatever the terminal running the tests. */
async function cli(...args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text), columns: 80 });
  return { code, stdout, stderr };
}

/** A usage error: exit 2, nothing on stdout, exactly one line on stderr. */
function expectUsageError(run: Run, message: RegExp): void {
  expect(run.code).toBe(2);
  expect(run.stdout).toBe('');
  expect(run.stderr.endsWith('\n')).toBe(true);
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(message);
}

const dir = mkdtempSync(join(tmpdir(), 'cnn-zoo-cli-'));
function configFile(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('cnn-zoo summary', () => {
  it('prints ResNet-34 with 21,797,672 trainable parameters and 3.66 G MACs', async () => {
    // --wide: the row below is the full table's (within 80 columns it ends at the MACs).
    const run = await cli('summary', 'resnet34', '--wide');
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^Trainable params: +21,797,672$/m);
    expect(run.stdout).toMatch(/^MACs: +3,663,761,408 +\(3\.66 G/m);
    // 56·56·(3·3·64)·64 MACs, 3·3·64·64 weights, indented under conv2 > conv2_block1 > conv2_block1_1
    expect(run.stdout).toMatch(/^ {6}conv2_block1_1_conv +Conv2D +56x56x64 +36,864 +115,605,504 /m);
  });

  it('prints one JSON object with the promised fields', async () => {
    const run = await cli('summary', 'lenet5', '--format', 'json');
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout);
    // LeNet-5 by hand: 5·5·6 + 6, 5·5·6·16 + 16, 400·120 + 120, 120·84 + 84, 84·10 + 10
    expect(json).toMatchObject({ model: 'lenet5', inputShape: [32, 32, 1], totalParams: 61_706, trainableParams: 61_706, nonTrainableParams: 0 });
    expect(json.macs).toBe(28 * 28 * 25 * 6 + 10 * 10 * 25 * 6 * 16 + 400 * 120 + 120 * 84 + 84 * 10);
    expect(json.flops).toBe(2 * json.macs);
    expect(json.layers[1]).toMatchObject({ name: 'c1', type: 'Conv2D', outputShape: [28, 28, 6], params: 156, macs: 117_600 });
  });

  it('takes the model options as flags: --input, --classes, --variant, --depth, --batch', async () => {
    const run = await cli('summary', 'lenet5', '--input', '36x36', '--classes', '3', '--batch', '2', '--format', 'json');
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout);
    // HxW keeps the default single channel; C1 on 36x36 gives 32x32x6.
    expect(json.inputShape).toEqual([36, 36, 1]);
    expect(json.batchSize).toBe(2);
    expect(json.layers.find((layer: { name: string }) => layer.name === 'c1').outputShape).toEqual([32, 32, 6]);
    expect(json.layers.at(-1).outputShape).toEqual([3]);
    const paper = JSON.parse((await cli('summary', 'lenet5', '--variant', 'paper', '--format', 'json')).stdout);
    expect(paper.layers.map((layer: { type: string }) => layer.type)).toContain('PartialConv2D');
    const folded = JSON.parse((await cli('summary', 'resnet34', '--depth', '1', '--format', 'json')).stdout);
    expect(folded.layers.map((layer: { name: string }) => layer.name)).toEqual(['input', 'conv1', 'pool1', 'conv2', 'conv3', 'conv4', 'conv5', 'avg_pool', 'predictions']);
  });

  it('prints Markdown', async () => {
    const run = await cli('summary', 'lenet5', '--format', 'markdown');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('| c3 | Conv2D | 10x10x16 | 2,416 | 240,000 |');
  });

  it('reads a config file; flags override its options', async () => {
    const path = configFile('lenet.json', JSON.stringify({ model: 'lenet5', options: { numClasses: 7, inputShape: [28, 28, 1] } }));
    const fromFile = JSON.parse((await cli('summary', path, '--format', 'json')).stdout);
    expect([fromFile.inputShape, fromFile.layers.at(-1).outputShape]).toEqual([[28, 28, 1], [7]]);
    const overridden = JSON.parse((await cli('summary', path, '--classes', '4', '--format', 'json')).stdout);
    expect([overridden.inputShape, overridden.layers.at(-1).outputShape]).toEqual([[28, 28, 1], [4]]);
  });
});

describe('cnn-zoo summary --features', () => {
  /** [stage, layer, output shape, channels, reduction] per row of the table. */
  const rows = (stdout: string) => stdout.trimEnd().split('\n').slice(3).map((line) => line.split(/ +/));

  it("lists ResNet-50's stages with timm's feature_info: channels 64 to 2048, reductions 2 to 32", async () => {
    const run = await cli('summary', 'resnet50', '--features');
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n').slice(0, 2)).toEqual(['Feature stages: resnet50 (input 224x224x3)', 'Stage  Layer             Output shape  Channels  Reduction']);
    expect(rows(run.stdout)).toEqual([
      ['conv1', 'conv1_relu', '112x112x64', '64', '2'],
      ['conv2', 'conv2_block3_out', '56x56x256', '256', '4'],
      ['conv3', 'conv3_block4_out', '28x28x512', '512', '8'],
      ['conv4', 'conv4_block6_out', '14x14x1024', '1024', '16'],
      ['conv5', 'conv5_block3_out', '7x7x2048', '2048', '32'],
    ]);
  });

  it('prints JSON and Markdown, built with the flags', async () => {
    const json = JSON.parse((await cli('summary', 'resnet50', '--features', '--input', '160x160', '--format', 'json')).stdout);
    expect(json).toMatchObject({ model: 'resnet50', inputShape: [160, 160, 3] });
    expect(json.features.map((stage: { channels: number }) => stage.channels)).toEqual([64, 256, 512, 1024, 2048]);
    expect(json.features.map((stage: { reduction: number }) => stage.reduction)).toEqual([2, 4, 8, 16, 32]);
    expect(json.features[4]).toEqual({ stage: 'conv5', layer: 'conv5_block3_out', outputShape: [5, 5, 2048], channels: 2048, reduction: 32 });
    const paper = JSON.parse((await cli('summary', 'lenet5', '--variant', 'paper', '--features', '--format', 'json')).stdout);
    // The paper's LeNet-5 ends its last stage at C5, the classic one at S4 (below).
    expect(paper.features.map((stage: { stage: string }) => stage.stage)).toEqual(['c1', 'c3', 'c5']);
    const markdown = (await cli('summary', 'lenet5', '--features', '--format', 'markdown')).stdout;
    expect(markdown).toContain('| c3 | c3 | 10x10x16 | 16 | 2 |');
    expect(markdown).toContain('| s4 | s4 | 5x5x16 | 16 | 4 |');
  });

  it("takes a config file's model and options", async () => {
    const path = configFile('resnet18-64.json', JSON.stringify({ model: 'resnet18', options: { inputShape: [64, 64, 3], numClasses: 10 } }));
    const run = await cli('summary', path, '--features');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Feature stages: resnet18 \(input 64x64x3\)$/m);
    expect(rows(run.stdout).map((row) => [row[0], row[2], row[4]])).toEqual([
      ['conv1', '32x32x64', '2'],
      ['conv2', '16x16x64', '4'],
      ['conv3', '8x8x128', '8'],
      ['conv4', '4x4x256', '16'],
      ['conv5', '2x2x512', '32'],
    ]);
  });

  it('takes neither --depth nor --batch', async () => {
    expectUsageError(await cli('summary', 'resnet50', '--features', '--depth', '1'), /^error: option '--features' cannot be used with option '--depth <n>'$/m);
    expectUsageError(await cli('summary', 'resnet50', '--batch', '2', '--features'), /^error: option '--features' cannot be used with option '--batch <n>'$/m);
  });
});

describe('mistakes: exit code 2 and one line naming the cause', () => {
  it('a bad flag value names the flag', async () => {
    expectUsageError(await cli('summary', 'lenet5', '--classes', '0'), /^error: --classes: must be a positive integer, received 0$/m);
    expectUsageError(await cli('summary', 'lenet5', '--classes', 'ten'), /^error: --classes: must be a positive integer, received "ten"$/m);
    expectUsageError(await cli('summary', 'lenet5', '--input', 'big'), /^error: --input: must be HxWxC or HxW \(e\.g\. 224x224x3\), received "big"$/m);
    expectUsageError(await cli('summary', 'lenet5', '--input', '0x32x1'), /^error: --input: the height must be a positive integer, received 0$/m);
    expectUsageError(await cli('summary', 'lenet5', '--input', '8x8'), /^error: --input: too small for lenet5: at layer 'c3' .* received \[8, 8, 1\]$/m);
    expectUsageError(await cli('summary', 'lenet5', '--depth', '0'), /^error: --depth: must be a positive integer, received "0"$/m);
    expectUsageError(await cli('flops', 'lenet5', '--batch', 'x'), /^error: --batch: must be a positive integer, received "x"$/m);
    expectUsageError(await cli('summary', 'lenet5', '--variant', 'v2'), /^error: --variant: must be 'classic' or 'paper', received "v2"$/m);
    expectUsageError(await cli('summary', 'vgg16', '--variant', 'v2'), /^error: --variant: vgg16 has no variants \(it takes no 'variant' option\)$/m);
    expectUsageError(await cli('summary', 'lenet5', '--format', 'xml'), /^error: option '--format <format>' argument 'xml' is invalid\. Allowed choices are table, markdown, json\.$/m);
  });

  it('an unknown flag, command or a missing argument', async () => {
    expectUsageError(await cli('summary', 'lenet5', '--clases', '3'), /^error: unknown option '--clases' \(did you mean --classes\?\)$/m);
    expectUsageError(await cli('summarise', 'lenet5'), /^error: unknown command 'summarise' \(did you mean summary\?\)$/m);
    expectUsageError(await cli('summary'), /^error: missing required argument 'model'$/m);
    expectUsageError(await cli('summary', 'lenet5', 'vgg16'), /^error: too many arguments for 'summary'/m);
  });

  it('an unknown model lists the known ones', async () => {
    const run = await cli('summary', 'resnet35');
    expectUsageError(run, /^error: unknown model "resnet35"; did you mean 'resnet34'\? known models are: /m);
    for (const name of listModels()) expect(run.stderr).toContain(name);
    expectUsageError(await cli('flops', 'nope'), /^error: unknown model "nope"/m);
  });

  it('a config file that cannot be read, is not JSON, or is invalid', async () => {
    expectUsageError(await cli('summary', join(dir, 'missing.json')), /^error: cannot read config file '.*missing\.json': no such file$/m);
    expectUsageError(await cli('summary', dir), /^error: cannot read config file '.*': it is a directory$/m);
    expectUsageError(await cli('summary', configFile('broken.json', '{ "model": ')), /^error: .*broken\.json: invalid JSON: /m);
    expectUsageError(await cli('summary', configFile('no-model.json', '{ "options": {} }')), /^error: .*no-model\.json: model: must be a model name \(a string\), received undefined$/m);
    expectUsageError(await cli('summary', configFile('typo.json', '{ "model": "lenet5", "option": {} }')), /^error: .*typo\.json: option: unknown option; did you mean 'options'\?/m);
    expectUsageError(
      await cli('summary', configFile('bad-option.json', '{ "model": "lenet5", "options": { "numClasses": -1 } }')),
      /^error: .*bad-option\.json: options\.numClasses: must be a positive integer, received -1$/m,
    );
    expectUsageError(await cli('summary', configFile('bad-model.json', '{ "model": "lenet9" }')), /^error: .*bad-model\.json: model: unknown model "lenet9"; did you mean 'lenet5'\?/m);
  });
});

describe('cnn-zoo list and flops', () => {
  it('list: every model with its parameters, MACs, input and paper', async () => {
    // --wide: the full paper titles (within 80 columns, they are cut).
    const run = await cli('list', '--wide');
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Model +Params +Trainable +MACs +Input +Paper$/);
    expect(lines.slice(2).map((line) => line.split(/\s+/)[0])).toEqual(listModels());
    expect(run.stdout).toMatch(/^lenet5 +61,706 +61,706 +416\.52 K +32x32x1 +Gradient-Based Learning Applied to Document Recognition \(LeCun et al\., 1998\)$/m);
    expect(run.stdout).toMatch(/^resnet34 +21,814,696 +21,797,672 +3\.66 G +224x224x3 +Deep Residual Learning/m);
    const json = JSON.parse((await cli('list', 'resnet*', '--format', 'json')).stdout);
    expect(json.map((model: { name: string }) => model.name)).toEqual(listModels('resnet*'));
    expect(json[0]).toMatchObject({ name: 'resnet18', trainableParams: 11_689_512, inputShape: [224, 224, 3] });
  });

  it('flops: the MACs by layer type', async () => {
    const run = await cli('flops', 'lenet5');
    expect(run.code).toBe(0);
    // Conv2D: 28·28·25·6 + 10·10·25·6·16 = 357,600 of 416,520; Dense: 48,000 + 10,080 + 840 = 58,920
    expect(run.stdout).toMatch(/^Conv2D +2 +357,600 +85\.9% /m);
    expect(run.stdout).toMatch(/^Dense +3 +58,920 +14\.1% /m);
    expect(run.stdout).toMatch(/^Total +8 +416,520 +100\.0% /m);
    const json = JSON.parse((await cli('flops', 'resnet34', '--batch', '2', '--format', 'json')).stdout);
    expect([json.macs, json.batchSize]).toEqual([2 * 3_663_761_408, 2]);
    expect(json.byType[0]).toMatchObject({ type: 'Conv2D', macs: 2 * (3_663_761_408 - 512_000) });
  });

  it('--help on every command', async () => {
    for (const command of [[], ['list'], ['summary'], ['flops']]) {
      const run = await cli(...command, '--help');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^Usage: cnn-zoo ${command[0] ?? ''}`));
    }
    expect((await cli('summary', '--help')).stdout).toContain('--format <format>');
  });
});

describe('the executable', () => {
  const run = promisify(execFile);
  const exec = async (...args: string[]): Promise<Run> => {
    try {
      const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8' });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  };

  it('exits 0 with the summary, and 2 with one line (no stack trace) for a mistake', async () => {
    const ok = await exec('summary', 'lenet5', '--format', 'json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).totalParams).toBe(61_706);
    const bad = await exec('summary', 'lenet5', '--classes', '0');
    expect(bad).toEqual({ code: 2, stdout: '', stderr: 'error: --classes: must be a positive integer, received 0\n' });
  });

  it('is the package\'s bin, built from src/cli/main.ts with a node shebang', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
    expect(pkg.bin).toEqual({ 'cnn-zoo': './dist/cli.js' });
    const tsup = readFileSync('tsup.config.ts', 'utf8');
    expect(tsup).toContain("entry: { cli: 'src/cli/main.ts' }");
    expect(tsup).toContain("banner: { js: '#!/usr/bin/env node' }");
  });
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
