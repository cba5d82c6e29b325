// docs/recipes/06-inspecting-models.ts
/**
 * Recipe 6: inspecting models to choose one under a compute budget. Counts every zoo model's
 * parameters and multiply-adds at 224x224 with countParams and countFlops, ranks them by their
 * published ImageNet accuracy, keeps the most accurate within the budget, shows its summary, and
 * checks that `cnn-zoo summary --format json` reports the same figures.
 *
 *   npx tsx docs/recipes/06-inspecting-models.ts [--max-macs 1e9] [--max-params 10e6]
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { countFlops, countParams, createModel, listModels, summary, useBackend } from 'cnn-zoo';

/** 300.77M, 3.66B: short numbers for the tables. */
const compact = (n: number) => new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 2 }).format(n);
const withSeparators = (n: number) => n.toLocaleString('en');

function positiveNumber(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError(`must be a positive number such as 1e9, received ${JSON.stringify(value)}`);
  return parsed;
}

const program = new Command('06-inspecting-models')
  .option('--max-macs <n>', 'budget: multiply-adds of one 224x224 image', positiveNumber, 1e9)
  .option('--max-params <n>', 'budget: parameters', positiveNumber, 10e6)
  .option('--smoke', 'the same run (counting takes seconds); accepted as every recipe takes it', process.env.CNN_ZOO_RECIPE_SMOKE === '1');

async function main(): Promise<void> {
  const options = program.parse().opts<{ maxMacs: number; maxParams: number; smoke: boolean }>();
  const budget = { macs: options.maxMacs, params: options.maxParams };

  /**
   * ImageNet-1k top-1 accuracy (%, validation set, one 224x224 centre crop) published for the
   * implementation each zoo model reproduces: torchvision's model tables for AlexNet, ResNet and
   * GoogLeNet, Keras Applications' table for VGG and the MobileNets. The papers' own figures mix
   * protocols (10 crops, several scales), so they do not compare. LeNet-5 has no ImageNet figure.
   */
  const publishedTop1: Record<string, { top1: number; source: string }> = {
    alexnet: { top1: 56.522, source: 'torchvision AlexNet_Weights.IMAGENET1K_V1' },
    vgg16: { top1: 71.3, source: 'Keras Applications VGG16' },
    vgg19: { top1: 71.3, source: 'Keras Applications VGG19' },
    resnet18: { top1: 69.758, source: 'torchvision ResNet18_Weights.IMAGENET1K_V1' },
    resnet34: { top1: 73.314, source: 'torchvision ResNet34_Weights.IMAGENET1K_V1' },
    resnet50: { top1: 76.13, source: 'torchvision ResNet50_Weights.IMAGENET1K_V1' },
    googlenet: { top1: 69.778, source: 'torchvision GoogLeNet_Weights.IMAGENET1K_V1' },
    mobilenetV1: { top1: 70.4, source: 'Keras Applications MobileNet (alpha 1.0)' },
    mobilenetV2: { top1: 71.3, source: 'Keras Applications MobileNetV2 (alpha 1.0)' },
  };

  const backend = await useBackend();
  console.log(`backend: ${backend.name}`);

  // --- 1. Count every model -----------------------------------------------------------------------
  // `initialize: false` starts every weight at zero without drawing random numbers: counting runs no
  // math, and VGG-19's 144M weights then cost nothing to build. Each model at its default input:
  // 224x224x3 for all but LeNet-5 (32x32x1).
  const rows = [];
  for (const name of listModels()) {
    const model = await createModel(name, { initialize: false });
    const params = countParams(model).total;
    const { macs } = countFlops(model); // multiply-adds of one image, torchvision's convention
    const inputShape = model.inputs[0].shape.slice(1) as number[];
    model.dispose();
    const top1 = publishedTop1[name]?.top1 ?? null;
    const over = [macs > budget.macs ? 'MACs' : '', params > budget.params ? 'params' : ''].filter(Boolean);
    rows.push({ name, inputShape, params, macs, top1, fits: over.length === 0, over });
  }

  // --- 2. Rank by published accuracy; keep the best within the budget --------------------------------
  const ranked = rows.sort((a, b) => (b.top1 ?? -1) - (a.top1 ?? -1));
  const chosen = ranked.find((row) => row.fits && row.top1 !== null);
  console.log(`\nBudget: ${compact(budget.macs)} MACs and ${compact(budget.params)} parameters per 224x224 image\n`);
  console.log(`${'model'.padEnd(12)} ${'input'.padEnd(10)} ${'params'.padStart(12)} ${'MACs'.padStart(10)} ${'top-1'.padStart(7)}  budget`);
  for (const row of ranked) {
    console.log(
      `${row.name.padEnd(12)} ${row.inputShape.join('x').padEnd(10)} ${withSeparators(row.params).padStart(12)} ${compact(row.macs).padStart(10)} ` +
        `${(row.top1 === null ? '-' : `${row.top1.toFixed(1)}%`).padStart(7)}  ${row.fits ? 'fits' : `over in ${row.over.join(' and ')}`}${row === chosen ? '  <- chosen' : ''}`,
    );
  }
  if (!chosen) console.log('\nNo model with a published accuracy fits this budget.');

  // --- 3. Look inside the chosen model ---------------------------------------------------------------
  // summary() lists every layer (here folded to the top-level blocks, depth 1) with its output shape,
  // parameters, MACs, share of the MACs and receptive field, then the totals and the memory.
  let cliAgrees = false;
  if (chosen) {
    console.log(`\nChosen: ${chosen.name}, ${publishedTop1[chosen.name].top1}% top-1 (${publishedTop1[chosen.name].source})\n`);
    const model = await createModel(chosen.name, { initialize: false });
    console.log(summary(model, { depth: 1 }).toTable());
    // Where the multiply-adds go, by layer type.
    for (const type of countFlops(model).byType.filter((entry) => entry.macs > 0)) {
      console.log(`${type.type.padEnd(16)} ${String(type.layers).padStart(3)} layers ${compact(type.macs).padStart(10)} MACs`);
    }
    model.dispose();

    // --- 4. The same from the command line ---------------------------------------------------------
    //   npx cnn-zoo summary mobilenetV2 --format json
    // Here the CLI is found through the installed package's `bin`, and run with this Node.
    // It is resolved from this script's own path (process.argv[1]), as its imports are: import.meta
    // exists only in ES modules and require only in CommonJS, and the script runs as either.
    const packageJson = createRequire(path.resolve(process.argv[1])).resolve('cnn-zoo/package.json');
    const cli = path.join(path.dirname(packageJson), JSON.parse(readFileSync(packageJson, 'utf8')).bin['cnn-zoo']);
    const report = JSON.parse(execFileSync(process.execPath, [cli, 'summary', chosen.name, '--format', 'json'], { encoding: 'utf8' }));
    cliAgrees = report.totalParams === chosen.params && report.macs === chosen.macs;
    console.log(`\ncnn-zoo summary ${chosen.name} --format json: ${withSeparators(report.totalParams)} parameters, ${withSeparators(report.macs)} MACs, agrees: ${cliAgrees}`);
  }

  console.log(
    `RECIPE_RESULT ${JSON.stringify({
      backend: backend.name,
      budget,
      ranked: ranked.map(({ name, inputShape, params, macs, top1, fits }) => ({ name, inputShape, params, macs, top1, fits })),
      chosen: chosen?.name ?? null,
      cliAgrees,
    })}`,
  );
}

// No top-level await, so that the script runs unchanged as an ES module and as CommonJS.
main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
