/**
 * `onnxPredictor`: a model exported to ONNX and run by ONNX Runtime (onnxruntime-node), behind a
 * `predict` that takes and returns TF.js tensors or plain Float32Arrays.
 */
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { tf } from '../tf.js';
import { loadModel } from '../weights/load.js';
import { parseConfig } from '../config.js';
import { LayoutSchema } from './options.js';
import { loadOnnxRuntime, type OrtModule, type OrtSession, type OrtTensor } from './ort.js';
import { exportOnnx, type OnnxIo } from './to-onnx.js';

/**
 * Options of {@link onnxPredictor}.
 *
 * @example
 * ```ts
 * const options: OnnxPredictorOptions = { threads: 4, executionProviders: ['cuda', 'cpu'], layout: 'nchw' };
 * ```
 *
 * @category ONNX
 */
export interface OnnxPredictorOptions {
  /** ONNX Runtime's intra-op threads. Default: this machine's cores (`os.availableParallelism()`). */
  threads?: number;
  /**
   * ONNX Runtime's execution providers, in order of preference, as onnxruntime-node names them
   * (`'cpu'`, `'cuda'`, `'tensorrt'`...; an object for provider options). Default `['cpu']`.
   */
  executionProviders?: Array<
    | string
    | {
        /** The provider's name (`'cuda'`, `'tensorrt'`...). */
        name: string;
        /** The provider's own options (`deviceId`...). */
        [option: string]: unknown;
      }
  >;
  /** The layout `predict` takes images in: `'nhwc'` (default, as TF.js) or `'nchw'`. */
  layout?: 'nhwc' | 'nchw';
  /** `'all'` outputs (default) or only the `'main'` one (see {@link ToOnnxOptions}). */
  outputs?: 'all' | 'main';
}

/**
 * A batch as a plain array: `data` row-major in `shape` (batch axis first).
 *
 * @example
 * ```ts
 * const batch: OnnxArray = { data: new Float32Array(2 * 32 * 32 * 1), shape: [2, 32, 32, 1] };
 * ```
 *
 * @category ONNX
 */
export interface OnnxArray {
  /** The values, row-major. */
  data: Float32Array;
  /** The shape, batch axis first. */
  shape: number[];
}

/**
 * What {@link onnxPredictor} returns.
 *
 * @example
 * ```ts
 * const predictor: OnnxPredictor = await onnxPredictor('weights/lenet5-mnist');
 * console.log(predictor.input.dims); // ['batch', 28, 28, 1]
 * await predictor.dispose();
 * ```
 *
 * @category ONNX
 */
export interface OnnxPredictor {
  /** The ONNX input, with `'batch'` for the batch axis. */
  readonly input: OnnxIo;
  /** The ONNX outputs, in the TF.js model's order. */
  readonly outputs: readonly OnnxIo[];
  /** Runs a batch; a TF.js tensor in, TF.js tensors out (the caller disposes them); one array per output when there are several. */
  predict(input: tf.Tensor): Promise<tf.Tensor | tf.Tensor[]>;
  /** Runs a batch given as a Float32Array and its shape; returns the same kind. */
  predict(input: OnnxArray): Promise<OnnxArray | OnnxArray[]>;
  /** Releases the ONNX Runtime session; `predict` fails afterwards. */
  dispose(): Promise<void>;
}

const ProviderSchema = z.union([z.string().min(1), z.looseObject({ name: z.string().min(1) })], {
  error: "must be a provider name ('cpu', 'cuda'...) or an object with a name",
});

const PredictorOptionsSchema = z.strictObject({
  threads: z.number({ error: 'must be a positive integer' }).int({ error: 'must be a positive integer' }).positive({ error: 'must be a positive integer' }).optional(),
  executionProviders: z.array(ProviderSchema, { error: 'must be an array of execution providers' }).min(1, { error: 'must name at least one execution provider' }).optional(),
  layout: LayoutSchema.default('nhwc'),
  outputs: z.enum(['all', 'main'], { error: "must be 'all' or 'main'" }).default('all'),
});

const describeShape = (dims: readonly (number | string)[]) => `[${dims.join(', ')}]`;

/** Checks a batch against the ONNX input's shape (any batch size). */
function checkShape(input: OnnxIo, shape: readonly number[], layout: string): void {
  const fits = shape.length === input.dims.length && shape.every((size, i) => (input.dims[i] === 'batch' ? Number.isInteger(size) && size >= 1 : size === input.dims[i]));
  if (!fits) throw new ConfigError({ field: 'input', rule: `must have shape ${describeShape(input.dims)} (layout ${layout}, any batch size)`, received: shape, shown: describeShape(shape) });
}

async function toArray(input: tf.Tensor | OnnxArray): Promise<OnnxArray> {
  if (input instanceof tf.Tensor) {
    if (input.dtype !== 'float32') throw new ConfigError({ field: 'input', rule: 'must be a float32 tensor', received: input.dtype, shown: input.dtype });
    return { data: (await input.data()) as Float32Array, shape: input.shape };
  }
  if (!(input?.data instanceof Float32Array) || !Array.isArray(input.shape)) {
    throw new ConfigError({ field: 'input', rule: 'must be a tf.Tensor or { data: Float32Array, shape: number[] }' });
  }
  const count = input.shape.reduce((a, b) => a * b, 1);
  if (count !== input.data.length) throw new ConfigError({ field: 'input', rule: `has ${input.data.length} values for shape ${describeShape(input.shape)} (${count})` });
  return input;
}

class Predictor implements OnnxPredictor {
  private session?: OrtSession;

  constructor(
    private readonly ort: OrtModule,
    session: OrtSession,
    readonly input: OnnxIo,
    readonly outputs: readonly OnnxIo[],
    private readonly layout: string,
  ) {
    this.session = session;
  }

  predict(input: tf.Tensor): Promise<tf.Tensor | tf.Tensor[]>;
  predict(input: OnnxArray): Promise<OnnxArray | OnnxArray[]>;
  async predict(input: tf.Tensor | OnnxArray): Promise<tf.Tensor | tf.Tensor[] | OnnxArray | OnnxArray[]> {
    const session = this.session;
    if (!session) throw new Error('onnxPredictor: predict called after dispose()');
    const array = await toArray(input);
    checkShape(this.input, array.shape, this.layout);
    const feed = new this.ort.Tensor('float32', array.data, array.shape);
    let results: Record<string, OrtTensor>;
    try {
      results = await session.run({ [this.input.name]: feed });
    } finally {
      feed.dispose();
    }
    const arrays = this.outputs.map(({ name }) => {
      const result = results[name];
      const out = { data: result.data as Float32Array, shape: [...result.dims] };
      result.dispose();
      return out;
    });
    const asTensors = input instanceof tf.Tensor;
    const outputs = asTensors ? arrays.map(({ data, shape }) => tf.tensor(data, shape, 'float32')) : arrays;
    return outputs.length === 1 ? outputs[0] : (outputs as tf.Tensor[] | OnnxArray[]);
  }

  async dispose(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    await session?.release();
  }
}

/**
 * Exports a model to ONNX ({@link toOnnx}) and opens it in ONNX Runtime: 10-20x faster than
 * tfjs-wasm on a CPU, and the way to CUDA or TensorRT (`executionProviders`). Takes a
 * `tf.LayersModel` or a cnn-zoo weights folder (read with {@link loadModel}, which checks it).
 * onnxruntime-node is an optional peer dependency, loaded here: without it, a `BackendError` (from `cnn-zoo`)
 * says to `npm install onnxruntime-node`.
 *
 * `predict` takes a batch of any size, as a float32 `tf.Tensor` (and returns TF.js tensors, which
 * the caller disposes) or as `{ data: Float32Array, shape }` (and returns the same); a model with
 * several outputs gives an array. Nothing is kept between calls: the input's and outputs' native
 * memory is released at once.
 *
 * @example
 * ```ts
 * const predictor = await onnxPredictor(resnet34({ numClasses: 10 }), { threads: 2 });
 * const probabilities = (await predictor.predict(tf.zeros([8, 224, 224, 3]))) as tf.Tensor; // [8, 10]
 * await predictor.dispose();
 * ```
 *
 * @category ONNX
 */
export async function onnxPredictor(modelOrWeightsDir: tf.LayersModel | string, options: OnnxPredictorOptions = {}): Promise<OnnxPredictor> {
  const { threads, executionProviders, layout, outputs } = parseConfig(PredictorOptionsSchema, options, 'options');
  const ort = await loadOnnxRuntime();
  const owned = typeof modelOrWeightsDir === 'string';
  const model = owned ? await loadModel(modelOrWeightsDir) : modelOrWeightsDir;
  let exported;
  try {
    exported = exportOnnx(model, { layout, outputs });
  } finally {
    if (owned) model.dispose();
  }
  if (exported.inputs.length !== 1) throw new ConfigError({ field: 'model', rule: 'must have one input for onnxPredictor', received: exported.inputs.length });
  const session = await ort.InferenceSession.create(exported.bytes, {
    intraOpNumThreads: threads ?? availableParallelism(),
    interOpNumThreads: 1,
    executionProviders: executionProviders ?? ['cpu'],
    graphOptimizationLevel: 'all',
  });
  return new Predictor(ort, session, exported.inputs[0], exported.outputs, layout);
}
