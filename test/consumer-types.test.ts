/**
 * The published declarations, as a consumer's compiler sees them: `npm pack` of this package (the
 * dist/ that `npm test` builds first), installed into a fresh project, type-checked by `tsc` with
 * the strictest settings a consumer may use (`moduleResolution: NodeNext`, `skipLibCheck: false`,
 * `exactOptionalPropertyTypes`), from an ES module and from a CommonJS one.
 *
 * The install is offline and strict: the tarball is unpacked as npm unpacks it, and only the
 * dependencies cnn-zoo declares are linked in from this repository's node_modules (plus the
 * consumer's own @types/node). `npm install --offline` cannot do it: after `npm ci` the cache holds
 * tarballs but not the registry metadata npm needs to resolve the ranges. A declaration that reached
 * into a package cnn-zoo does not declare (tfjs-layers, tfjs-core) fails to resolve here, as it
 * does under pnpm or any install that does not hoist it.
 *
 * TF.js's own declarations do not pass `skipLibCheck: false` in a Node project (they name DOM and
 * WebGL types, and tfjs-layers' LayersModel does not satisfy tfjs-core's InferenceModel under
 * exactOptionalPropertyTypes), so the check holds for the consumer's files and cnn-zoo's
 * declarations: diagnostics in the linked third-party packages are left out.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const TSCONFIG = {
  compilerOptions: {
    strict: true,
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    target: 'ES2022',
    lib: ['ES2022'],
    types: ['node'],
    skipLibCheck: false,
    exactOptionalPropertyTypes: true,
    noEmit: true,
  },
  files: ['consumer.ts', 'consumer-cjs.cts', 'entries.ts', 'entries.cts'],
};

/** The ES module consumer: every entry point, and what must not compile. */
const ESM_CONSUMER = `import {
  createModel, featureExtractor, freeze, importWeights, loadModel, mobilenetV2, resnet34, saveModel, summary, tf, useBackend,
  type BackendName, type ModelName, type ResNetOptions,
} from 'cnn-zoo';
import { convBnAct, defineFamily, modelOptionsSchema, torchBatchNorm, type Net } from 'cnn-zoo/net';
import type { BackendInfo, FeatureExtractor, ModelSummary, WeightsManifest } from 'cnn-zoo/types';

const backend: BackendName = 'cpu';
const info: BackendInfo = await useBackend(backend);
const small: tf.LayersModel = resnet34({ numClasses: 10, inputShape: [64, 64, 3], seed: 1 });
const headless = mobilenetV2({ includeTop: false, pooling: 'avg', alpha: 0.5 });
const custom: ResNetOptions = { architecture: { block: 'basic', layers: [1, 1, 1, 1] }, numClasses: 2 };
const byName: tf.LayersModel = await createModel('resnet34', { numClasses: 10 });
const name: ModelName = 'vgg16';
const table: ModelSummary = summary(small, { depth: 1 });
const text: string = table.toString();
const manifest: WeightsManifest = await saveModel(small, 'weights/resnet34-small');
const loaded: tf.LayersModel = await loadModel('weights/resnet34-small');
const imported: tf.LayersModel = await importWeights('resnet34-b627a593.pth', { model: 'resnet34' });
const features: FeatureExtractor = featureExtractor(byName, { stages: ['conv4', 'conv5'] });
freeze(loaded, { upTo: 'conv4_block6_out' });

const tiny = defineFamily({
  name: 'tiny',
  paper: { title: 'Tiny', authors: 'Someone', year: 2024, url: 'https://example.com' },
  table: 'Table 1',
  schema: modelOptionsSchema({ numClasses: 10, inputShape: [32, 32, 3], dropout: 0 }, {}),
  models: {},
  stages: () => [],
  describe<T>(net: Net<T>, config: { inputShape: [number, number, number] }) {
    const input = net.input(config.inputShape, 'input');
    const x = convBnAct(net, input, {
      names: { conv: 'conv1', bn: 'conv1_bn' },
      filters: 8,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      batchNorm: torchBatchNorm,
      kernelInit: { kind: 'torchDefault' },
    });
    return { inputs: [input], outputs: [x] };
  },
});
const built: tf.LayersModel = tiny.definition.build({ seed: 3 });

// @ts-expect-error not a model name
await createModel('nope');
// @ts-expect-error a misspelt option
await createModel('resnet34', { numClases: 10 });
// @ts-expect-error numClasses is a number
resnet34({ numClasses: '10' });
// @ts-expect-error a model, not a number: the declarations are typed, not any
const notANumber: number = await createModel('lenet5');

console.log(info, headless, custom, name, text, manifest, imported, features, built, notANumber);
`;

/** The CommonJS consumer: the same entry points through their .d.cts declarations. */
const CJS_CONSUMER = `import { createModel, lenet5, summary, tf } from 'cnn-zoo';
import { defineFamily } from 'cnn-zoo/net';
import type { ModelSummary } from 'cnn-zoo/types';

async function main(): Promise<void> {
  const model: tf.LayersModel = lenet5({ numClasses: 3 });
  const table: ModelSummary = summary(model);
  const byName: tf.LayersModel = await createModel('resnet18', { numClasses: 10 });
  // @ts-expect-error not a model name
  await createModel('nope');
  // @ts-expect-error a misspelt option
  await createModel('resnet34', { numClases: 10 });
  console.log(table, byName, typeof defineFamily);
}

void main();
`;

interface PackedManifest {
  dependencies: Record<string, string>;
  exports: Record<string, string | { import?: { types?: string }; require?: { types?: string } }>;
}

let project: string;
let manifest: PackedManifest;

/** Links `name` (scoped or not) from this repository's node_modules into the consumer's. */
function link(name: string): void {
  const source = path.join(ROOT, 'node_modules', name);
  if (!existsSync(source)) throw new Error(`${name} is not installed in ${ROOT}/node_modules (run npm ci)`);
  const target = path.join(project, 'node_modules', name);
  mkdirSync(path.dirname(target), { recursive: true });
  symlinkSync(source, target, 'dir');
}

beforeAll(() => {
  if (!existsSync(path.join(ROOT, 'dist/index.d.ts'))) throw new Error('dist/ is missing: build the package first (npx tsup)');
  project = mkdtempSync(path.join(realpathSync(tmpdir()), 'cnn-zoo-consumer-'));
  // --ignore-scripts: pack the dist/ that is there (`prepare` would rebuild it).
  const packed = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', project], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as { filename: string }[];
  const installed = path.join(project, 'node_modules', 'cnn-zoo');
  mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['-xzf', path.join(project, packed[0].filename), '-C', installed, '--strip-components=1']);
  manifest = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8')) as PackedManifest;
  for (const dependency of Object.keys(manifest.dependencies)) link(dependency);
  link('@types/node');
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
  writeFileSync(path.join(project, 'consumer.ts'), ESM_CONSUMER);
  writeFileSync(path.join(project, 'consumer-cjs.cts'), CJS_CONSUMER);
  // Every entry point the package exports, also those the consumers above do not use.
  const entries = Object.keys(manifest.exports)
    .filter((key) => key !== './package.json')
    .map((key, i) => `import type * as entry${i} from '${key === '.' ? 'cnn-zoo' : `cnn-zoo/${key.slice(2)}`}';`)
    .join('\n');
  writeFileSync(path.join(project, 'entries.ts'), `${entries}\n`);
  writeFileSync(path.join(project, 'entries.cts'), `${entries}\n`);
});

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

/** Every declaration file of the installed package. */
function declarationFiles(): string[] {
  const dist = path.join(project, 'node_modules', 'cnn-zoo', 'dist');
  return readdirSync(dist)
    .filter((file) => file.endsWith('.d.ts') || file.endsWith('.d.cts'))
    .map((file) => path.join(dist, file));
}

describe('the packed package, for a consumer', () => {
  it('ships declarations that import only its declared dependencies, by their entry points', () => {
    const files = declarationFiles();
    expect(files.length).toBeGreaterThanOrEqual(6); // index, net, types, each as .d.ts and .d.cts
    const specifier = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*|<reference\s+types=)["']([^"']+)["']/g;
    const outside = new Set<string>();
    for (const file of files) {
      for (const [, module] of readFileSync(file, 'utf8').matchAll(specifier)) {
        if (!module.startsWith('./')) outside.add(module);
      }
    }
    // Node's own modules and types aside: cnn-zoo runs on Node, whose types a consumer brings.
    const undeclared = [...outside].filter((module) => !(module in manifest.dependencies) && !module.startsWith('node:') && module !== 'node');
    expect(undeclared).toEqual([]);
    expect([...outside]).toContain('@tensorflow/tfjs');
  });

  it('type-checks in a strict NodeNext project (ESM and CommonJS), and rejects unknown models and misspelt options', () => {
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = spawnSync(process.execPath, [tsc, '-p', project, '--pretty', 'false', '--listFiles'], { cwd: project, encoding: 'utf8' });
    expect(result.error).toBeUndefined();
    // tsc's output: the files it read, one path a line, and diagnostics (`file(line,col): error
    // TS...: ...`, or without a file), whose further lines are indented.
    const header = /^(?:(.+?)\(\d+,\d+\): )?(?:error|warning) TS\d+: /;
    const read: string[] = [];
    const diagnostics: { file?: string; text: string }[] = [];
    let open: { file?: string; text: string } | undefined;
    for (const line of result.stdout.split('\n')) {
      const match = header.exec(line);
      if (match) diagnostics.push((open = { file: match[1], text: line }));
      else if (open && /^\s/.test(line)) open.text += `\n${line}`;
      else if (line.trim() !== '') {
        open = undefined;
        read.push(path.resolve(project, line.trim()));
      }
    }
    const installed = path.join(project, 'node_modules', 'cnn-zoo');
    const declarations = Object.values(manifest.exports).flatMap((target) => (typeof target === 'string' ? [] : [target.import?.types, target.require?.types]));
    expect(declarations).toContain('./dist/index.d.cts');
    for (const file of declarations) if (file) expect(read).toContain(path.join(installed, file));
    for (const file of TSCONFIG.files) expect(read).toContain(path.join(project, file));
    // A file outside the project is a linked third-party package: left out (see the file comment).
    const ours = diagnostics.filter(({ file }) => file === undefined || path.resolve(project, file).startsWith(project + path.sep));
    expect(ours.map(({ text }) => text).join('\n')).toBe('');
  }, 120_000);
});
