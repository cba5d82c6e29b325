/**
 * How the command line fails: a user's mistake (a bad flag, an unknown model, a config file that
 * cannot be read or is invalid) is one line on stderr and exit code 2, never a stack trace; a bug
 * is exit code 1, with the stack only when CNN_ZOO_DEBUG is set.
 */
import { ConfigError } from '../errors.js';
import { WeightsError } from '../weights/errors.js';

/** Exit codes. */
export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;
export const EXIT_USAGE = 2;

/** A mistake in how the command was called; its message is the whole story, in one line. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Collapses a message onto one line. */
export function oneLine(text: string): string {
  return text.trim().replace(/\s*\n\s*/g, ' ');
}

/** The stderr line and exit code for an error thrown while running a command. */
export function describeFailure(error: unknown): { message: string; exitCode: number } {
  // One line per problem: a ConfigError lists every problem of the options, one a line.
  // A weights file or folder that does not fit is the user's to fix, as a bad flag is.
  if (error instanceof UsageError || error instanceof ConfigError || error instanceof WeightsError) return { message: error.message.split('\n').map((line) => `error: ${oneLine(line)}`).join('\n'), exitCode: EXIT_USAGE };
  const text = error instanceof Error ? error.message : String(error);
  const stack = process.env.CNN_ZOO_DEBUG && error instanceof Error && error.stack ? `\n${error.stack}` : '';
  return {
    message: `error: internal error: ${oneLine(text)} (this is a bug in cnn-zoo; set CNN_ZOO_DEBUG=1 for the stack trace)${stack}`,
    exitCode: EXIT_INTERNAL,
  };
}
