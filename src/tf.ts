/**
 * The one TensorFlow.js instance that cnn-zoo, its users and its tests share. Importing the wasm
 * backend here registers it with this instance; two copies of tfjs-core would each keep their own
 * backends and their own tensors, a classic and confusing failure.
 *
 * Also the one place where cnn-zoo adjusts TF.js's backends, each below with its reason: wasm ranks
 * below cpu and starts without emscripten's process listeners, and cpu can skip its banner.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

/**
 * The options every TF.js layer takes (`name`, `trainable`, `inputShape`...): tfjs-layers'
 * `LayerArgs`, which `@tensorflow/tfjs` does not export by name, read off the public
 * `tf.layers.Layer` so that the published declarations import nothing but `@tensorflow/tfjs`.
 *
 * @internal
 */
export type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

/** TF.js's backends: those started, and the factories. Read directly: `tf.findBackend` would start one. */
const engine = tf.engine() as unknown as { registry: Record<string, unknown>; registryFactory: Record<string, { priority: number }> };

// --- cpu: the advice to install tfjs-node --------------------------------------------------------

let nodeAdviceSkipped = false;

/** Marks a cpu backend's advice as given (`firstUse` is MathBackendCPU's own one-time flag). */
function quietCpu(backend: unknown): void {
  const cpu = backend as { firstUse?: unknown } | undefined;
  if (cpu && typeof cpu.firstUse === 'boolean') cpu.firstUse = false;
}

/**
 * Marks TF.js's advice to install tfjs-node as given, in this process, from now on.
 *
 * The cpu backend prints it ("Hi, looks like you are running TensorFlow.js in Node.js. To speed
 * things up dramatically, install our node backend...") through tfjs-core's `warn` when an
 * instance stores its first tensor in Node (MathBackendCPU.write, guarded by the instance's
 * `firstUse`), and TF.js makes a new instance each time it picks its default backend anew (a test
 * file that builds a model before its beforeAll, say). TF.js's own switches, the `PROD` and
 * `IS_TEST` flags, would also silence every other TF.js warning (a backend that failed to start, a
 * kernel registered twice), so only the banner's flag is cleared: on the cpu backend that exists,
 * and on each one the factory below makes. Called by useBackend(), whose caller asked cnn-zoo to
 * choose the backend (its reason says why a native one was not used), and at the start of cnn-zoo's
 * own processes: the CLI, the test setup, the scripts and benchmarks. A program that never calls
 * useBackend() keeps TF.js's output.
 *
 * @internal
 */
export function skipNodeBackendAdvice(): void {
  nodeAdviceSkipped = true;
  quietCpu(engine.registry.cpu);
}

const cpuFactory = tf.findBackendFactory('cpu');
if (cpuFactory && !('cpu' in engine.registry)) {
  const { priority } = engine.registryFactory.cpu;
  tf.removeBackend('cpu');
  tf.registerBackend(
    'cpu',
    () => {
      const backend = cpuFactory() as tf.KernelBackend; // (cpu starts synchronously)
      if (nodeAdviceSkipped) quietCpu(backend);
      return backend;
    },
    priority,
  );
}

// --- wasm: its rank, and emscripten's process listeners ------------------------------------------

type ProcessEvent = 'uncaughtException' | 'unhandledRejection';

// What emscripten's Node glue in tfjs-backend-wasm (dist/tf-backend-wasm.node.js, both the plain
// and the threaded module) passes to process.on when the module starts, whitespace aside:
//   process.on('uncaughtException', function (ex) { if (!(ex instanceof ExitStatus)) { throw ex; } });
//   process.on('unhandledRejection', function (reason) { throw reason; });
const EMSCRIPTEN_LISTENERS: Record<ProcessEvent, RegExp> = {
  uncaughtException: /^function\s*\(\s*(\w+)\s*\)\s*\{\s*if\s*\(\s*!\s*\(\s*\1\s+instanceof\s+ExitStatus\s*\)\s*\)\s*\{\s*throw\s+\1\s*;?\s*\}\s*\}$/,
  unhandledRejection: /^function\s*\(\s*(\w+)\s*\)\s*\{\s*throw\s+\1\s*;?\s*\}$/,
};

/**
 * The wasm backend's factory, minus the process listeners that starting it adds.
 *
 * Why: emscripten's two listeners rethrow from inside a handler whatever reaches them, so once the
 * wasm backend has started, any uncaught error or unhandled rejection anywhere in the program ends
 * the process with exit code 7 (an exception in an exception handler) under a stack that points at
 * `throw ex;` in tf-backend-wasm.node.js, instead of Node's exit code 1 with the program's own
 * stack. TF.js needs neither: the first only lets through emscripten's ExitStatus, thrown by a
 * wasm `exit()` that TF.js's kernels never make, and the module's own cleanup of them (in
 * `_dispose`) is never called. Removed: only listeners added while the factory ran whose source is
 * exactly emscripten's, so listeners the program adds meanwhile stay. Undone here, where cnn-zoo
 * registers the wasm backend: useBackend() and a plain tf.setBackend('wasm') in a program that
 * imports cnn-zoo both start it through this factory.
 */
function withoutEmscriptenListeners(factory: () => tf.KernelBackend | Promise<tf.KernelBackend>): () => Promise<tf.KernelBackend> {
  const emitter: NodeJS.EventEmitter = process; // (process's own overloads take one event name at a time)
  const events = Object.keys(EMSCRIPTEN_LISTENERS) as ProcessEvent[];
  return async () => {
    const before = new Map(events.map((event) => [event, emitter.listeners(event)]));
    try {
      return await factory();
    } finally {
      for (const event of events) {
        for (const listener of emitter.listeners(event)) {
          if (!before.get(event)!.includes(listener) && EMSCRIPTEN_LISTENERS[event].test(String(listener))) {
            emitter.removeListener(event, listener as (...args: unknown[]) => void);
          }
        }
      }
    }
  };
}

// The wasm backend registers itself above cpu, but it can only start asynchronously: left so, the
// first synchronous call (any builder) would throw "backend 'wasm' has not yet been initialized"
// in a program that never awaited `useBackend()`. Registered below cpu, TF.js starts on cpu, which
// is ready at once, and `await useBackend()` moves to wasm (or a native backend) explicitly.
const WASM_PRIORITY_BELOW_CPU = 0;
const wasmFactory = tf.findBackendFactory('wasm');
if (wasmFactory && !('wasm' in engine.registry)) {
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', withoutEmscriptenListeners(wasmFactory), WASM_PRIORITY_BELOW_CPU);
}

export { tf };
