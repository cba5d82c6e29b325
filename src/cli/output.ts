/** Where the commands write, so that tests can run them in-process and read what they print. */
import { Option } from 'commander';
import { wrapLine, type NarrowStep } from '../analysis/render.js';

export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** The width tables fit in; default: the terminal's ({@link terminalColumns}). */
  columns?: number;
}

/** The formats every command prints in. */
export const FORMATS = ['table', 'markdown', 'json'] as const;
export type Format = (typeof FORMATS)[number];

/** The process's own streams. */
export const processIO: CliIO = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};

/** The terminal's width: stdout's on a terminal, else `$COLUMNS`, else 80. */
export function terminalColumns(stdout: { isTTY?: boolean; columns?: number } = process.stdout, env: NodeJS.ProcessEnv = process.env): number {
  if (stdout.isTTY && stdout.columns && stdout.columns > 0) return stdout.columns;
  const columns = Number(env.COLUMNS);
  return Number.isInteger(columns) && columns > 0 ? columns : 80;
}

/** The width a command's table fits in: unlimited with `--wide`. */
export function tableWidth(io: CliIO, wide = false): number {
  return wide ? Infinity : (io.columns ?? terminalColumns());
}

/** `--wide`, for every command that prints a table. */
export function wideOption(): Option {
  return new Option('--wide', 'print the table in full, however wide the terminal');
}

/** The `--help` paragraph that says how each `[table, steps]` fits the terminal: the steps the code takes. */
export function narrowingHelp(...tables: [string, readonly NarrowStep[]][]): string {
  const said = tables.map(([table, steps]) => `${table}: ${steps.map((step) => ('drop' in step ? `drop '${step.drop}'` : `cut '${step.shorten}' to ${step.min} characters`)).join(', ')}`);
  const text = `Width: tables fit the terminal's width (stdout's, else $COLUMNS, else 80), taking these steps in turn until they fit; ${said.join('; ')}. --wide prints every column in full; other formats are never narrowed.`;
  return `\n${wrapLine('', text, 80, 0).join('\n')}`;
}
