/**
 * Build time of every registered model on wasm, each in a fresh process, with its real random
 * initialisation; plus VGG-16 with zeros and with TF.js's own initialiser for comparison.
 */
import { execFileSync } from 'node:child_process';
import { listModels } from '../src/index.js';

interface BuildTiming {
  model: string;
  backend: string;
  mode: string;
  params: number;
  milliseconds: number;
}

function timeBuild(model: string, backend: string, mode: string): BuildTiming {
  const output = execFileSync('npx', ['tsx', 'bench/build-one.ts', model, backend, mode], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return JSON.parse(output.trim().split('\n').at(-1)!) as BuildTiming;
}

export async function benchBuildTimes(): Promise<void> {
  console.log('\n## Build time per model (wasm, fresh process each, real random initialisation)\n');
  console.log('| model | parameters | build (ms) |');
  console.log('|---|---:|---:|');
  for (const model of listModels()) {
    const timing = timeBuild(model, 'wasm', 'random');
    console.log(`| ${model} | ${timing.params.toLocaleString('en-US')} | ${timing.milliseconds} |`);
  }
  const random = timeBuild('vgg16', 'wasm', 'random');
  const zeros = timeBuild('vgg16', 'wasm', 'zeros');
  const tfjs = timeBuild('vgg16', 'wasm', 'tfjs-init');
  console.log(`\nVGG-16 on wasm: cnn-zoo random init ${random.milliseconds} ms (target <= 2000 ms), zeros ${zeros.milliseconds} ms,`);
  console.log(`TF.js's own glorotUniform on the same shapes ${tfjs.milliseconds} ms (weights only): cnn-zoo is ${(tfjs.milliseconds / random.milliseconds).toFixed(1)}x faster.`);
}
