/** Where the commands write, so that tests can run them in-process and read what they print. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** The formats every command prints in. */
export const FORMATS = ['table', 'markdown', 'json'] as const;
export type Format = (typeof FORMATS)[number];

/** The process's own streams. */
export const processIO: CliIO = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};
