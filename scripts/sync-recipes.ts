/**
 * `npm run recipes:sync`: copies each recipe script in docs/recipes into the code block of its page,
 * so that a page always shows the code that runs. The block to replace is the one ```ts block that
 * opens with the script's first line (`// docs/recipes/NN-slug.ts`); for a new page, write that
 * block empty and run this.
 *
 * `--check` changes nothing and exits 1 if a page is out of date (what test/recipes.test.ts checks).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { ROOT, listRecipes, syncedPage } from './recipes.js';

const { check } = new Command('sync-recipes')
  .description('Copy each docs/recipes/NN-slug.ts into the code block of docs/recipes/NN-slug.md')
  .option('--check', 'change nothing; exit 1 if a page is out of date', false)
  .parse()
  .opts<{ check: boolean }>();

let problems = 0;
for (const recipe of listRecipes()) {
  const page = path.relative(ROOT, recipe.page);
  if (!existsSync(recipe.page)) {
    console.error(`${page}: missing (every recipe script needs its page)`);
    problems++;
    continue;
  }
  const markdown = readFileSync(recipe.page, 'utf8');
  let updated: string;
  try {
    updated = syncedPage(recipe, markdown, readFileSync(recipe.script, 'utf8'));
  } catch (error) {
    console.error((error as Error).message);
    problems++;
    continue;
  }
  if (updated === markdown) {
    console.log(`${page}: up to date`);
  } else if (check) {
    console.error(`${page}: out of date with ${recipe.relativeScript} (run npm run recipes:sync)`);
    problems++;
  } else {
    writeFileSync(recipe.page, updated);
    console.log(`${page}: updated from ${recipe.relativeScript}`);
  }
}
process.exitCode = problems > 0 ? 1 : 0;
