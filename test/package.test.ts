/**
 * The published package: ESM `import` and CJS `require` both work, expose the same builders, and
 * share one tfjs-core with the user's own `@tensorflow/tfjs` (the build in dist/ is what users get;
 * `npm test` builds it first).
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

function run(args: string[]): string {
  return execFileSync('node', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

describe('the cnn-zoo package', () => {
  it('loads with require() and shares tfjs with the caller', () => {
    const out = run([
      '-e',
      `const zoo = require('cnn-zoo'); const tf = require('@tensorflow/tfjs');
       const model = zoo.lenet5();
       console.log(JSON.stringify({ sameEngine: zoo.tf.engine() === tf.engine(), params: model.countParams(), isModel: model instanceof tf.LayersModel }));`,
    ]);
    expect(JSON.parse(out.split('\n').at(-1)!)).toEqual({ sameEngine: true, params: 61_706, isModel: true });
  });

  it('loads with import and shares tfjs with the caller', () => {
    const out = run([
      '--input-type=module',
      '-e',
      `import { lenet5, tf as zooTf, listModels } from 'cnn-zoo'; import * as tf from '@tensorflow/tfjs';
       const model = lenet5();
       console.log(JSON.stringify({ sameEngine: zooTf.engine() === tf.engine(), params: model.countParams(), hasModels: listModels().includes('lenet5') }));`,
    ]);
    expect(JSON.parse(out.split('\n').at(-1)!)).toEqual({ sameEngine: true, params: 61_706, hasModels: true });
  });

  it('ships type declarations for both module systems', async () => {
    const { existsSync } = await import('node:fs');
    expect(existsSync('dist/index.d.ts')).toBe(true);
    expect(existsSync('dist/index.d.cts')).toBe(true);
  });
});
