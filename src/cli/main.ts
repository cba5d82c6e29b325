/**
 * The `cnn-zoo` executable (`bin` in package.json; tsup builds it to dist/cli.js with a node
 * shebang).
 */
import { skipNodeBackendAdvice } from '../tf.js';
import { runCli } from './program.js';

skipNodeBackendAdvice(); // TF.js's advice to install tfjs-node is not for the CLI's output

// `cnn-zoo list | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

process.exitCode = await runCli(process.argv.slice(2));
