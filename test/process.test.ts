/**
 * cnn-zoo inside a user's process, as the built package (dist/, which `npm test` builds first):
 * an uncaught error after the wasm backend has started still ends the process the way Node ends it
 * (exit code 1, the program's own stack), and TF.js's banner advising tfjs-node stays out of
 * cnn-zoo's own output: the CLI, a vitest run with this repository's setup, and programs that let
 * useBackend() choose the backend.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BANNER = 'Hi, looks like you are running TensorFlow.js in Node.js';

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment without what would change the child's backend or make it think it is a vitest worker. */
function childEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== 'CNN_ZOO_BACKEND' && !key.startsWith('VITEST') && key !== 'NODE_OPTIONS'));
}

function run(args: string[], cwd: string): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let dir: string;

/** Writes `source` as a user's script (resolving `cnn-zoo` to this repository) and runs it with node. */
async function runScript(name: string, source: string): Promise<Outcome & { file: string }> {
  const file = path.join(dir, name);
  writeFileSync(file, source);
  return { file, ...(await run([file], dir)) };
}

beforeAll(() => {
  if (!existsSync(path.join(ROOT, 'dist/index.js')) || !existsSync(path.join(ROOT, 'dist/index.cjs'))) {
    throw new Error('dist/ is missing: build the package first (npx tsup)');
  }
  // A user's project: `cnn-zoo` is this repository (its package.json `exports`, hence dist/), and
  // @tensorflow/* are the very copies cnn-zoo loads, as npm would hoist them.
  dir = mkdtempSync(path.join(realpathSync(tmpdir()), 'cnn-zoo-process-'));
  mkdirSync(path.join(dir, 'node_modules'));
  symlinkSync(ROOT, path.join(dir, 'node_modules', 'cnn-zoo'), 'dir');
  symlinkSync(path.join(ROOT, 'node_modules', '@tensorflow'), path.join(dir, 'node_modules', '@tensorflow'), 'dir');
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

type ModuleSystem = 'esm' | 'cjs';
type Failure = 'throw' | 'reject';
type Setup = 'none' | 'useBackend wasm' | 'tf.setBackend wasm' | 'useBackend cpu';

/**
 * What each setup runs before the failure (CJS: a promise the failure is chained to), with `tf` in
 * scope, and the backend it leaves active. 'none' is Node's own behaviour: no cnn-zoo, no TF.js.
 */
const SETUPS: Record<Setup, { esm: string; cjs: string; backend?: string }> = {
  none: { esm: 'await Promise.resolve();', cjs: 'Promise.resolve()' },
  'useBackend wasm': {
    esm: "import { tf, useBackend } from 'cnn-zoo';\nawait useBackend('wasm');",
    cjs: "const { tf, useBackend } = require('cnn-zoo');\nuseBackend('wasm')",
    backend: 'wasm',
  },
  'tf.setBackend wasm': {
    esm: "import 'cnn-zoo';\nimport * as tf from '@tensorflow/tfjs';\nawait tf.setBackend('wasm');",
    cjs: "require('cnn-zoo');\nconst tf = require('@tensorflow/tfjs');\ntf.setBackend('wasm')",
    backend: 'wasm',
  },
  'useBackend cpu': {
    esm: "import { tf, useBackend } from 'cnn-zoo';\nawait useBackend('cpu');",
    cjs: "const { tf, useBackend } = require('cnn-zoo');\nuseBackend('cpu')",
    backend: 'cpu',
  },
};

/**
 * A script that fails after its setup: a synchronous throw (top-level after the await in ESM; in a
 * timer in CJS, where a throw inside `.then` would be a rejection), or a rejected promise nobody
 * handles. It prints the active backend first, so that the test knows the setup took effect.
 */
function script(system: ModuleSystem, setup: Setup, failure: Failure, message: string): string {
  const report = SETUPS[setup].backend ? "console.log('backend:', tf.getBackend());" : '';
  const userCode = `function userCode() {\n  throw new Error(${JSON.stringify(message)});\n}`;
  const reject = `Promise.reject(new Error(${JSON.stringify(message)}));`;
  if (system === 'esm') return `${SETUPS[setup].esm}\n${report}\n${userCode}\n${failure === 'throw' ? 'userCode();' : reject}\n`;
  return `${userCode}\n${SETUPS[setup].cjs}.then(() => {\n  ${report}\n  ${failure === 'throw' ? 'setTimeout(userCode);' : reject}\n});\n`;
}

/** Where Node's report of an uncaught error from `file` points: its URL (ESM) or its path (CJS). */
function locationOf(file: string): string {
  return file.endsWith('.mjs') ? pathToFileURL(file).href : file;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('an uncaught error in the user\'s code', () => {
  for (const system of ['esm', 'cjs'] as const) {
    for (const failure of ['throw', 'reject'] as const) {
      it(`${system}, ${failure === 'throw' ? 'thrown' : 'a rejected promise'}: exits as without cnn-zoo, whatever the backend`, async () => {
        const extension = system === 'esm' ? 'mjs' : 'cjs';
        const setups = Object.keys(SETUPS) as Setup[];
        const outcomes = await Promise.all(
          setups.map(async (setup, i) => {
            const message = `user error ${system} ${failure} ${i}`;
            return { setup, message, ...(await runScript(`${failure}-${i}.${extension}`, script(system, setup, failure, message))) };
          }),
        );
        const baseline = outcomes.find((outcome) => outcome.setup === 'none')!;
        expect(baseline.code).toBe(1);
        for (const outcome of outcomes) {
          const context = `${outcome.setup}:\n${outcome.stdout}${outcome.stderr}`;
          const { backend } = SETUPS[outcome.setup];
          if (backend) expect(outcome.stdout, context).toContain(`backend: ${backend}`);
          expect(outcome.code, context).toBe(baseline.code);
          expect(outcome.stderr, context).toContain(`Error: ${outcome.message}`);
          const location = escapeRegExp(locationOf(outcome.file));
          // Node's report: the throw's location in the user's script first, then the user's stack.
          expect(outcome.stderr.split('\n')[0], context).toMatch(new RegExp(`^${location}:\\d+$`));
          expect(outcome.stderr, context).toMatch(new RegExp(`^\\s+at .*${location}:\\d+:\\d+`, 'm'));
          expect(outcome.stderr, context).not.toContain('tf-backend-wasm');
          expect(outcome.stderr, context).toContain(`Node.js ${process.version}`);
        }
      });
    }
  }

  it('listeners the program added itself stay, and still see the error', async () => {
    const outcome = await runScript(
      'own-listener.mjs',
      `import { useBackend } from 'cnn-zoo';
process.on('uncaughtException', (error) => { console.log('handled:', error.message); process.exitCode = 3; });
await useBackend('wasm');
setTimeout(() => { throw new Error('caught by the program'); });
`,
    );
    expect(outcome.stdout, outcome.stderr).toContain('handled: caught by the program');
    expect(outcome.code, outcome.stderr).toBe(3);
  });
});

describe("TF.js's advice to install tfjs-node", () => {
  it('is not in the output of the CLI', async () => {
    for (const args of [['summary', 'lenet5'], ['flops', 'lenet5']]) {
      const { code, stdout, stderr } = await run([path.join(ROOT, 'dist/cli.js'), ...args], ROOT);
      expect(code, stderr).toBe(0);
      expect(stdout + stderr).not.toContain(BANNER);
    }
  });

  it('is not printed by a vitest run with this repository\'s setup', async () => {
    // A test file that computes on cpu, run by vitest with the suite's own setup files.
    const testFile = path.join(dir, 'cpu.test.ts');
    writeFileSync(
      testFile,
      `import { tf } from ${JSON.stringify(path.join(ROOT, 'src/tf.ts'))};
test('cpu', async () => {
  await tf.setBackend('cpu');
  expect(tf.tensor([1, 2, 3]).sum().dataSync()[0]).toBe(6);
});
`,
    );
    const config = (name: string, setup: boolean) => {
      const file = path.join(dir, name);
      const setupFiles = setup ? [path.join(ROOT, 'test/setup.ts')] : [];
      const globalSetup = setup ? [path.join(ROOT, 'test/global-setup.ts')] : [];
      writeFileSync(file, `export default ${JSON.stringify({ test: { globals: true, include: ['cpu.test.ts'], setupFiles, globalSetup, pool: 'forks' } })};\n`);
      return file;
    };
    const vitest = path.join(ROOT, 'node_modules/vitest/vitest.mjs');
    const [suite, control] = await Promise.all([
      run([vitest, 'run', '--root', dir, '--config', config('with-setup.config.mjs', true)], ROOT),
      run([vitest, 'run', '--root', dir, '--config', config('without-setup.config.mjs', false)], ROOT),
    ]);
    expect(suite.code, suite.stdout + suite.stderr).toBe(0);
    expect(suite.stdout + suite.stderr).not.toContain(BANNER);
    // The same file without the setup: TF.js prints it, so the run above would have shown it.
    expect(control.code, control.stdout + control.stderr).toBe(0);
    expect(control.stdout + control.stderr).toContain(BANNER);
  });

  it("is not printed once useBackend() has chosen; a program that never calls it keeps TF.js's output", async () => {
    const compute = 'const sum = tf.tensor([1, 2, 3]).sum().dataSync()[0];\nconsole.log(tf.getBackend(), sum);';
    const [chosen, cpuAfterWasm, untouched] = await Promise.all([
      runScript('chosen.mjs', `import { tf, useBackend } from 'cnn-zoo';\nawait useBackend('cpu');\n${compute}\n`),
      runScript('cpu-after-wasm.mjs', `import { tf, useBackend } from 'cnn-zoo';\nawait useBackend('wasm');\nawait tf.setBackend('cpu');\n${compute}\n`),
      runScript('untouched.cjs', `const { tf } = require('cnn-zoo');\n${compute}\n`),
    ]);
    for (const outcome of [chosen, cpuAfterWasm, untouched]) expect(outcome.stdout, outcome.stderr).toContain('cpu 6');
    expect(chosen.stdout + chosen.stderr).not.toContain(BANNER);
    expect(cpuAfterWasm.stdout + cpuAfterWasm.stderr).not.toContain(BANNER);
    expect(untouched.stderr).toContain(BANNER);
  });
});
