/**
 * Loading onnxruntime-node, an optional peer dependency: imported only when a predictor is made, so
 * that cnn-zoo installs and runs without it. Its types stay out of cnn-zoo's own declarations; the
 * few parts used are described here.
 */
import { BackendError } from '../errors.js';

/** An onnxruntime tensor, as far as the predictor uses one. */
export interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
  readonly type: string;
  dispose(): void;
}

/** An onnxruntime inference session, as far as the predictor uses one. */
export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}

/** The onnxruntime-node module, as far as the predictor uses it. */
export interface OrtModule {
  InferenceSession: { create(model: Uint8Array, options?: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
}

const PACKAGE = 'onnxruntime-node';

/** Why a module could not be loaded, in one line. */
function reason(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}

/**
 * onnxruntime-node, or a {@link BackendError} that says how to install it. `importer` is for tests
 * (a runtime that is missing, or broken).
 */
export async function loadOnnxRuntime(importer: () => Promise<unknown> = () => import(PACKAGE)): Promise<OrtModule> {
  let loaded: unknown;
  try {
    loaded = await importer();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    const missing = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
    throw new BackendError(
      missing
        ? `running ONNX models needs ${PACKAGE}, an optional peer dependency of cnn-zoo that is not installed: npm install ${PACKAGE}`
        : `${PACKAGE} is installed but could not be loaded (${reason(error)}); reinstall it with npm install ${PACKAGE}`,
    );
  }
  // An ES module namespace, or CommonJS exports under `default`.
  const module = loaded as Partial<OrtModule> & { default?: Partial<OrtModule> };
  const ort = module.InferenceSession ? module : module.default;
  if (!ort?.InferenceSession || !ort.Tensor) throw new BackendError(`${PACKAGE} loaded but has no InferenceSession or Tensor; reinstall it with npm install ${PACKAGE}`);
  return ort as OrtModule;
}
