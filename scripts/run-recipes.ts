/**
 * `npm run recipes:smoke`: runs every recipe in docs/recipes in smoke mode (`--smoke`: tiny data,
 * seconds each), one after the other, prints what each measured, and exits 1 if any fails.
 * Arguments filter by slug: `npm run recipes:smoke -- 01 04` runs recipes 01 and 04.
 * `--full` runs them at full size instead (minutes; the figures the pages quote).
 */
import { Command } from 'commander';
import { listRecipes, parseRecipeResult, runRecipe } from './recipes.js';

const program = new Command('run-recipes')
  .description('Run the recipes of docs/recipes (smoke mode by default)')
  .argument('[filters...]', 'run only the recipes whose slug starts with one of these')
  .option('--full', 'run at full size instead of --smoke', false)
  .option('--timeout <seconds>', 'kill a recipe that runs longer (default: 300 in smoke mode, none in full)')
  .parse();
const filters = program.args;
const { full, timeout } = program.opts<{ full: boolean; timeout?: string }>();
const timeoutMs = timeout ? Number(timeout) * 1000 : full ? undefined : 300_000;

const recipes = listRecipes().filter((recipe) => filters.length === 0 || filters.some((filter) => recipe.slug.startsWith(filter)));
if (recipes.length === 0) {
  console.error(`no recipe matches ${filters.join(', ')}`);
  process.exit(1);
}
const failed: string[] = [];
for (const recipe of recipes) {
  console.log(`\n== ${recipe.slug}${full ? '' : ' --smoke'}`);
  const run = await runRecipe(recipe, { smoke: !full, timeoutMs });
  let verdict: string;
  try {
    if (run.timedOut) throw new Error(`timed out after ${timeoutMs! / 1000} s`);
    if (run.code !== 0) throw new Error(`exit code ${run.code}`);
    const result = parseRecipeResult(run.stdout);
    verdict = `ok in ${run.seconds.toFixed(1)} s: ${JSON.stringify(result)}`;
  } catch (error) {
    failed.push(recipe.slug);
    verdict = `FAILED (${(error as Error).message}) after ${run.seconds.toFixed(1)} s`;
    // The whole output of a failed recipe: it is what one needs to see why.
    process.stdout.write(run.stdout);
    process.stderr.write(run.stderr);
  }
  console.log(`${recipe.slug}: ${verdict}`);
}
console.log(`\n${recipes.length - failed.length}/${recipes.length} recipes ran${failed.length ? `; failed: ${failed.join(', ')}` : ''}`);
process.exitCode = failed.length ? 1 : 0;
