/**
 * Recipe 2 as a new user meets it: the script copied from its page into a fresh project, with
 * cnn-zoo installed from `npm pack` (the dist/ that `npm test` builds first), run once as an ES
 * module project and once as a CommonJS one (a default `npm init -y` project, where tsx compiles
 * the script to CommonJS: a top-level await or a file only the repository has fails there).
 *
 * The install is offline: the tarball is unpacked as npm unpacks it and only what the project would
 * install is linked in from this repository's node_modules: cnn-zoo's dependencies, sharp (the
 * optional peer that reads images), the packages the recipe imports, and tsx to run TypeScript.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRecipeResult, scriptBlocks } from '../scripts/recipes.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PAGE = path.join(ROOT, 'docs/recipes/02-transfer-learning.md');
/** What a user installs next to cnn-zoo to run the recipe (the page's install line says so). */
const USER_PACKAGES = ['sharp', 'commander', 'tsx'];

let workspace: string;
let tarball: string;

beforeAll(() => {
  if (!existsSync(path.join(ROOT, 'dist/index.js'))) throw new Error('dist/ is missing: build the package first (npx tsup)');
  workspace = mkdtempSync(path.join(realpathSync(tmpdir()), 'cnn-zoo-packed-recipe-'));
  // --ignore-scripts: pack the dist/ that is there (`prepare` would rebuild it).
  const packed = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', workspace], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as { filename: string }[];
  tarball = path.join(workspace, packed[0].filename);
});

afterAll(() => {
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

/** A fresh project with the packed cnn-zoo and what a user would install; returns its folder. */
function freshProject(name: string, packageJson: Record<string, unknown>): string {
  const project = path.join(workspace, name);
  const installed = path.join(project, 'node_modules', 'cnn-zoo');
  mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1']);
  const manifest = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  for (const dependency of new Set([...Object.keys(manifest.dependencies), ...USER_PACKAGES])) {
    const target = path.join(project, 'node_modules', dependency);
    mkdirSync(path.dirname(target), { recursive: true });
    symlinkSync(path.join(ROOT, 'node_modules', dependency), target, 'dir');
  }
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true, ...packageJson }, null, 2));
  return project;
}

/** The recipe's script as its page shows it (test/recipes.test.ts checks that it is the file). */
function scriptFromPage(): string {
  const blocks = scriptBlocks(readFileSync(PAGE, 'utf8'), '// docs/recipes/02-transfer-learning.ts');
  expect(blocks).toHaveLength(1);
  return blocks[0].code;
}

describe('recipe 2, copied from its page into a fresh project with the packed package', () => {
  it.each([
    ['an ES module project', { type: 'module' }],
    ['a CommonJS project (npm init -y)', { main: 'index.js', scripts: { test: 'echo "Error: no test specified" && exit 1' }, license: 'ISC' }],
  ])('runs in %s', (label, packageJson) => {
    const project = freshProject(label.startsWith('an ES') ? 'esm' : 'cjs', packageJson);
    writeFileSync(path.join(project, 'transfer-learning.ts'), scriptFromPage());
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'transfer-learning.ts', '--smoke'], {
      cwd: project,
      encoding: 'utf8',
      env: { ...process.env, CNN_ZOO_RECIPE_SMOKE: '1' },
      timeout: 240_000,
    });
    expect(run.stderr, 'stderr').not.toMatch(/Cannot find module|ERR_MODULE_NOT_FOUND|Top-level await/);
    expect(run.status, run.stderr).toBe(0);
    const result = parseRecipeResult(run.stdout) as { heldOutAccuracy: number; classNames: string[]; baseWeightsUnchanged: boolean; savedTo: string };
    // It learnt from its own generated images: better than chance (one class in three) on held-out ones,
    expect(result.heldOutAccuracy).toBeGreaterThan(1 / result.classNames.length);
    // the frozen base's weights and BatchNorm statistics did not move in fit,
    expect(result.baseWeightsUnchanged).toBe(true);
    // and it saved the model it trained.
    expect(existsSync(path.resolve(project, result.savedTo, 'cnn-zoo.json'))).toBe(true);
  }, 300_000);
});
