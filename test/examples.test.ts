/**
 * Every `@example` in src/ compiles: each is type-checked as a module of its own against the
 * package's two entry points (every name they export is in scope, as a user would import it), so an
 * example that calls something renamed, or passes an option that no longer exists, fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const ENTRIES = { 'cnn-zoo': 'src/index.ts', 'cnn-zoo/net': 'src/net/index.ts', 'cnn-zoo/onnx': 'src/onnx/index.ts' };

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(file) : file.endsWith('.ts') ? [file] : [];
  });
}

/** Every example: the code of each ```ts block that follows an `@example` tag, with where it is. */
function examples(): { where: string; code: string }[] {
  return sourceFiles(path.join(ROOT, 'src')).flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    return [...text.matchAll(/@example\n \* ```ts\n((?: \*[^\n]*\n)*?) \* ```/g)].map((match) => ({
      where: `${path.relative(ROOT, file)}:${text.slice(0, match.index).split('\n').length}`,
      code: match[1].split('\n').map((line) => line.slice(3)).join('\n'),
    }));
  });
}

const options: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  strict: true,
  esModuleInterop: true,
  resolveJsonModule: true,
  skipLibCheck: true,
  noEmit: true,
  types: ['node'],
};

/** `import { every, exported, name } from '<entry>'`, for each entry point. */
function prelude(): string {
  const program = ts.createProgram(Object.values(ENTRIES).map((file) => path.join(ROOT, file)), options);
  const checker = program.getTypeChecker();
  return Object.values(ENTRIES)
    .map((file) => {
      const module = checker.getSymbolAtLocation(program.getSourceFile(path.join(ROOT, file))!)!;
      const names = checker.getExportsOfModule(module).map((symbol) => symbol.name);
      return `import { ${names.join(', ')} } from '${path.join(ROOT, file).replace(/\.ts$/, '.js')}';`;
    })
    .join('\n');
}

describe('the API examples', () => {
  const all = examples();

  it('are found (the builders and top-level functions have one each)', () => {
    expect(all.length).toBeGreaterThanOrEqual(30);
  });

  it('all compile against the public entry points', () => {
    const header = prelude();
    const files = new Map(all.map((example, i) => [path.join(ROOT, `.example-${i}.ts`), `${header}\n${example.code}\nexport {};\n`]));
    const host = ts.createCompilerHost(options);
    const readFile = host.readFile.bind(host);
    const fileExists = host.fileExists.bind(host);
    host.readFile = (file) => files.get(path.resolve(file)) ?? readFile(file);
    host.fileExists = (file) => files.has(path.resolve(file)) || fileExists(file);
    const program = ts.createProgram([...files.keys()], options, host);
    const problems = [...files.keys()].flatMap((file, i) =>
      ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map((d) => `${all[i].where}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`),
    );
    expect(problems).toEqual([]);
  }, 120_000);
});
