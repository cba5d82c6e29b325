/**
 * Choosing the TensorFlow.js backend: the fastest one this machine has, or the one asked for by
 * name, never a silent fallback from a named one.
 *
 * Order of preference: `tensorflow-gpu` (tfjs-node-gpu on a CUDA GPU), `tensorflow` (tfjs-node,
 * native TensorFlow on the CPU), `wasm` (XNNPACK with SIMD, shipped inside
 * @tensorflow/tfjs-backend-wasm, ~20-35x faster than `cpu` here), `cpu` (pure JavaScript).
 * tfjs-node and tfjs-node-gpu are optional peers: their install script downloads libtensorflow,
 * which fails on air-gapped machines, so cnn-zoo must install and run without them.
 */
import { BackendError } from './errors.js';
import { skipNodeBackendAdvice, tf } from './tf.js';
import { registerWasmTrainingKernels } from './wasm/register.js';

/**
 * A backend as cnn-zoo names it: `tensorflow-gpu` (tfjs-node-gpu on a CUDA GPU), `tensorflow`
 * (tfjs-node, native TensorFlow on the CPU), `wasm` (XNNPACK, always installed), `cpu` (pure
 * JavaScript).
 *
 * @category Backend
 */
export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

/**
 * Every backend name, fastest first: the order in which {@link useBackend} tries them.
 *
 * @category Backend
 */
export const backendNames: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

/**
 * What {@link useBackend} chose, and why.
 *
 * @category Backend
 */
export interface BackendInfo {
  /** cnn-zoo's name for it. */
  name: BackendName;
  /** TF.js's own backend name (`tensorflow`, `wasm`, `cpu`). */
  tfBackend: string;
  /** Whether it was asked for (argument or `CNN_ZOO_BACKEND`) rather than picked. */
  forced: boolean;
  /** Why it was chosen, and why faster ones were not. */
  reason: string;
}

/**
 * The environment variable that forces a backend (`CNN_ZOO_BACKEND=cpu`), honoured by
 * {@link useBackend} when called without an argument. A name that is not a {@link BackendName}, or
 * a backend that cannot start, is a {@link BackendError}.
 *
 * @category Backend
 */
export const BACKEND_ENV_VAR = 'CNN_ZOO_BACKEND';

const INSTALL_HINTS: Record<BackendName, string> = {
  'tensorflow-gpu':
    'install it with `npm install @tensorflow/tfjs-node-gpu` on Linux x64 with an NVIDIA GPU, CUDA 11.2 and cuDNN 8.1 (libtensorflow 2.9, which tfjs-node-gpu 4.x downloads at install time)',
  tensorflow: 'install it with `npm install @tensorflow/tfjs-node` (its install script downloads libtensorflow, so it needs network access)',
  wasm: 'reinstall cnn-zoo: @tensorflow/tfjs-backend-wasm is one of its dependencies',
  cpu: 'the cpu backend ships with @tensorflow/tfjs; reinstall it',
};

// The zoo's wasm training kernels are registered once, when cnn-zoo is imported: they change only
// what runs on 'wasm', so they are in place both for useBackend('wasm') and for a plain
// tf.setBackend('wasm') in a program that imports cnn-zoo.
registerWasmTrainingKernels();

let current: BackendInfo | undefined;

/** Loads an optional native package; returns why not if it cannot be loaded. */
async function loadNative(pkg: string): Promise<string | undefined> {
  try {
    await import(pkg);
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return `${pkg} could not be loaded (${message})`;
  }
  if (!tf.findBackendFactory('tensorflow')) {
    return `${pkg} loaded but registered its backend with another copy of @tensorflow/tfjs-core; run \`npm dedupe\` so that both use one`;
  }
  return undefined;
}

/** Whether the active `tensorflow` backend runs on a GPU (tfjs-node-gpu with a CUDA device). */
function usingGpu(): boolean {
  const backend = tf.backend() as unknown as { isUsingGpuDevice?: boolean };
  return backend.isUsingGpuDevice === true;
}

/** Tries to activate `name`; returns undefined on success, else why it is unavailable. */
async function activate(name: BackendName): Promise<string | undefined> {
  if (name === 'tensorflow-gpu' || name === 'tensorflow') {
    const pkg = name === 'tensorflow-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
    let failure = await loadNative(pkg);
    // tfjs-node-gpu also provides the plain `tensorflow` backend (on the CPU when there is no GPU).
    if (failure && name === 'tensorflow' && !(await loadNative('@tensorflow/tfjs-node-gpu'))) failure = undefined;
    if (failure) return failure;
    if (!(await tf.setBackend('tensorflow'))) return `the tensorflow backend failed to initialise`;
    if (name === 'tensorflow-gpu' && !usingGpu()) return `${pkg} is loaded but TensorFlow found no usable CUDA GPU`;
    return undefined;
  }
  try {
    return (await tf.setBackend(name)) ? undefined : `the ${name} backend failed to initialise`;
  } catch (error) {
    return `the ${name} backend failed to initialise (${error instanceof Error ? error.message : String(error)})`;
  }
}

function parseBackendName(value: string, source: string): BackendName {
  if ((backendNames as readonly string[]).includes(value)) return value as BackendName;
  throw new BackendError(`${source}: must be one of ${backendNames.join(', ')}, received ${JSON.stringify(value)}`);
}

/**
 * Activates a backend and returns what was chosen and why.
 *
 * Without an argument it honours `CNN_ZOO_BACKEND`, else picks the fastest available:
 * tensorflow-gpu, tensorflow, wasm, cpu. A backend asked for by name (argument or environment) that
 * cannot be used throws a {@link BackendError} that says how to install it; there is no silent
 * fallback.
 *
 * @example
 * ```ts
 * const info = await useBackend(); // { name: 'wasm', reason: '...' } on a machine without tfjs-node
 * await useBackend('cpu');         // force the pure-JS backend
 * ```
 *
 * @category Backend
 */
export async function useBackend(name?: BackendName): Promise<BackendInfo> {
  skipNodeBackendAdvice(); // the caller let cnn-zoo choose the backend: TF.js's banner is not for it
  const fromEnv = process.env[BACKEND_ENV_VAR];
  const requested = name !== undefined ? parseBackendName(name, 'useBackend') : fromEnv ? parseBackendName(fromEnv, BACKEND_ENV_VAR) : undefined;
  if (requested) {
    const failure = await activate(requested);
    if (failure) throw new BackendError(`backend '${requested}' is not available: ${failure}; ${INSTALL_HINTS[requested]}`);
    const source = name !== undefined ? 'useBackend()' : BACKEND_ENV_VAR;
    current = { name: requested, tfBackend: tf.getBackend(), forced: true, reason: `asked for by ${source}` };
    return current;
  }
  const skipped: string[] = [];
  for (const candidate of backendNames) {
    const failure = await activate(candidate);
    if (!failure) {
      const reason = skipped.length ? `fastest available; skipped ${skipped.join('; ')}` : 'fastest available';
      current = { name: candidate, tfBackend: tf.getBackend(), forced: false, reason };
      return current;
    }
    skipped.push(`${candidate}: ${failure}`);
  }
  throw new BackendError(`no TensorFlow.js backend could be initialised: ${skipped.join('; ')}`);
}

/**
 * The backend chosen by the last {@link useBackend}, or, if it was never called, a description
 * of whatever TF.js is using.
 *
 * @example
 * ```ts
 * console.log(backendInfo().name);
 * ```
 *
 * @category Backend
 */
export function backendInfo(): BackendInfo {
  const active = tf.getBackend();
  if (current && current.tfBackend === active) return current;
  const name: BackendName = active === 'tensorflow' ? (usingGpu() ? 'tensorflow-gpu' : 'tensorflow') : (active as BackendName);
  return { name, tfBackend: active, forced: false, reason: 'TF.js default (useBackend() was not called)' };
}
