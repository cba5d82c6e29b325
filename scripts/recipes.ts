/**
 * The recipes of docs/recipes, as the harness sees them: one `NN-slug.ts` script and one
 * `NN-slug.md` page per recipe (files starting with `_` are helpers, not recipes). Shared by
 * `npm run recipes:sync` (scripts/sync-recipes.ts), `npm run recipes:smoke`
 * (scripts/run-recipes.ts) and the contract test (test/recipes.test.ts).
 *
 * The conventions a recipe follows:
 * - The script's first line is `// docs/recipes/NN-slug.ts`; the page shows the whole script in
 *   exactly one fenced block that opens with ```` ```ts ```` and that line, byte for byte.
 * - It runs unchanged when copied into a project of one's own, ES module or CommonJS: it imports
 *   only `cnn-zoo`, `cnn-zoo/net`, Node's modules and public npm packages, never a file beside it,
 *   and has no top-level await and no `import.meta` (see {@link portabilityProblems}).
 * - `--smoke` (or CNN_ZOO_RECIPE_SMOKE=1) runs it on tiny data in seconds.
 * - The last line of its stdout is `RECIPE_RESULT {...}`: the figures it measured, as JSON.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const RECIPES_DIR = path.join(ROOT, 'docs', 'recipes');
/** The prefix of the last stdout line of every recipe. */
export const RESULT_PREFIX = 'RECIPE_RESULT ';
/** The environment variable that turns smoke mode on, like `--smoke`. */
export const SMOKE_ENV = 'CNN_ZOO_RECIPE_SMOKE';

export interface Recipe {
  /** `01-train-lenet5-mnist`. */
  slug: string;
  /** Absolute paths of the script and its page. */
  script: string;
  page: string;
  /** `docs/recipes/01-train-lenet5-mnist.ts`, as the script's first line names it. */
  relativeScript: string;
}

/** Every recipe script in docs/recipes (not the `_` helpers), in file-name order. */
export function listRecipes(dir = RECIPES_DIR): Recipe[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.ts') && !file.startsWith('_') && !file.endsWith('.d.ts'))
    .sort()
    .map((file) => {
      const slug = file.slice(0, -'.ts'.length);
      return { slug, script: path.join(dir, file), page: path.join(dir, `${slug}.md`), relativeScript: `docs/recipes/${file}` };
    });
}

/** The line a recipe script starts with, and that opens its code block on the page. */
export function headerLine(recipe: Pick<Recipe, 'relativeScript'>): string {
  return `// ${recipe.relativeScript}`;
}

/** A fenced block on a page: the lines of its fences and the code between them. */
export interface CodeBlock {
  /** Index of the ```` ```ts ```` line. */
  open: number;
  /** Index of the closing ```` ``` ```` line. */
  close: number;
  /** The block's content, each line ending with '\n'. */
  code: string;
}

/** The ```` ```ts ```` blocks of `markdown` whose first line is `header` (a page must have exactly one). */
export function scriptBlocks(markdown: string, header: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length - 1; i++) {
    if (lines[i] !== '```ts' || lines[i + 1] !== header) continue;
    const close = lines.findIndex((line, j) => j > i && line === '```');
    if (close < 0) throw new Error(`the code block of ${header.slice(3)} opened at line ${i + 1} is never closed`);
    blocks.push({ open: i, close, code: lines.slice(i + 1, close).map((line) => `${line}\n`).join('') });
    i = close;
  }
  return blocks;
}

/** Why a script cannot be shown verbatim in a fenced block, or undefined if it can. */
export function unshowableReason(recipe: Recipe, script: string): string | undefined {
  if (!script.startsWith(`${headerLine(recipe)}\n`)) return `its first line must be '${headerLine(recipe)}'`;
  if (!script.endsWith('\n') || script.endsWith('\n\n')) return 'it must end with exactly one newline';
  if (script.split('\n').some((line) => line.startsWith('```'))) return 'a line starting with ``` would close the code block';
  if (script.includes('\r')) return 'it must use \\n line endings';
  return undefined;
}

/**
 * The page with its script block replaced by `script`. The page must already hold exactly one
 * block opening with the header line (a placeholder ```` ```ts ```` + header + ```` ``` ```` will do).
 */
export function syncedPage(recipe: Recipe, markdown: string, script: string): string {
  const reason = unshowableReason(recipe, script);
  if (reason) throw new Error(`${recipe.relativeScript}: ${reason}`);
  const blocks = scriptBlocks(markdown, headerLine(recipe));
  if (blocks.length !== 1) {
    throw new Error(
      `docs/recipes/${recipe.slug}.md must hold exactly one \`\`\`ts block starting with '${headerLine(recipe)}', found ${blocks.length}` +
        (blocks.length === 0 ? ' (add a placeholder block: ```ts, that line, ```)' : ''),
    );
  }
  const lines = markdown.split('\n');
  const { open, close } = blocks[0];
  return [...lines.slice(0, open + 1), ...script.slice(0, -1).split('\n'), ...lines.slice(close)].join('\n');
}

/** The modules a script imports: static imports and re-exports, `import()` and `require()` of a string. */
export function importedModules(script: string): string[] {
  const source = ts.createSourceFile('recipe.ts', script, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const modules: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) modules.push(node.moduleSpecifier.text);
    const dynamic = ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'));
    if (dynamic && node.arguments.length > 0 && ts.isStringLiteralLike(node.arguments[0])) modules.push(node.arguments[0].text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return modules;
}

/**
 * What stops a script from running unchanged in a project of one's own, ES module or CommonJS, as
 * sentences (none: it is portable). `packages` are the npm packages it may import besides
 * `cnn-zoo` and `cnn-zoo/net`; Node's own modules are always allowed. In a CommonJS project
 * (`npm init -y` makes one) tsx compiles the script to CommonJS, where a top-level await is an
 * error and `import.meta` is empty; a relative import names a file the user did not copy.
 */
export function portabilityProblems(script: string, packages: readonly string[]): string[] {
  const source = ts.createSourceFile('recipe.ts', script, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const problems: string[] = [];
  const line = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const visit = (node: ts.Node, inFunction: boolean): void => {
    const topLevelAwait = ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier !== undefined);
    if (topLevelAwait && !inFunction) problems.push(`line ${line(node)}: a top-level await (CommonJS has none: put the code in an async function)`);
    if (ts.isMetaProperty(node) && node.keywordToken === ts.SyntaxKind.ImportKeyword) problems.push(`line ${line(node)}: import.meta (empty in CommonJS)`);
    const functionLike = ts.isFunctionLike(node) || ts.isClassStaticBlockDeclaration(node);
    ts.forEachChild(node, (child) => visit(child, inFunction || functionLike));
  };
  visit(source, false);
  for (const specifier of importedModules(script)) {
    const bare = specifier.replace(/^node:/, '');
    const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
    const allowed = specifier === 'cnn-zoo' || specifier === 'cnn-zoo/net' || builtinModules.includes(bare) || packages.includes(name);
    if (!allowed) {
      const why = specifier.startsWith('.') || path.isAbsolute(specifier) ? 'a file beside the script, which a copy of it lacks' : `not cnn-zoo, cnn-zoo/net, a Node module or one of ${packages.join(', ')}`;
      problems.push(`imports '${specifier}': ${why}`);
    }
  }
  return problems;
}

/** The JSON object of the `RECIPE_RESULT` line, which must be the last line of stdout. */
export function parseRecipeResult(stdout: string): Record<string, unknown> {
  const last = stdout.trimEnd().split('\n').at(-1) ?? '';
  if (!last.startsWith(RESULT_PREFIX)) throw new Error(`the last line of stdout is not '${RESULT_PREFIX}{...}': ${JSON.stringify(last.slice(0, 200))}`);
  const parsed: unknown = JSON.parse(last.slice(RESULT_PREFIX.length));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${RESULT_PREFIX}must be followed by a JSON object, received ${last.slice(0, 200)}`);
  return parsed as Record<string, unknown>;
}

export interface RecipeRun {
  recipe: Recipe;
  /** Exit code; null when killed (timeout). */
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
  timedOut: boolean;
}

/**
 * Runs a recipe as a user would (`npx tsx docs/recipes/NN-slug.ts --smoke`), from the repository
 * root, as `node --import tsx`: the same TypeScript loader in one process, so that a timeout's kill
 * ends the recipe itself (the `tsx` command runs it in a child process, which a kill of the command
 * would leave running). The environment is inherited, so CNN_ZOO_BACKEND reaches it.
 */
export function runRecipe(recipe: Recipe, options: { smoke?: boolean; args?: string[]; timeoutMs?: number } = {}): Promise<RecipeRun> {
  const args = [recipe.relativeScript, ...(options.smoke === false ? [] : ['--smoke']), ...(options.args ?? [])];
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const timer = options.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, options.timeoutMs)
      : undefined;
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ recipe, code, stdout, stderr, seconds: (performance.now() - started) / 1000, timedOut });
    });
  });
}
