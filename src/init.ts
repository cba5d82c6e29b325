/**
 * Seeded, fast weight initialisation.
 *
 * TF.js's own random initialisers draw their numbers one by one through a seedrandom generator in
 * JavaScript: about 10 s for VGG-16's 138M weights. Here each weight tensor is filled in one tight
 * loop of a small PRNG (xoshiro128**) straight into a Float32Array, an order of magnitude faster,
 * and seeded per weight from the model seed and the weight's name, so a model built twice with the
 * same seed has the same weights whatever order its layers are built in.
 */
import { hashSeed, Xoshiro128, fillNormal } from './random.js';
import { tf } from './tf.js';

/** tfjs-layers' Initializer, as a layer's options take it (not exported by name). */
type Initializer = Exclude<NonNullable<Parameters<typeof tf.layers.dense>[0]['kernelInitializer']>, string>;

/**
 * How a weight is initialised, as data: the families write these next to the paper's rule. Every
 * weight is drawn from its own stream, seeded by the model's `seed` and the weight's name, so a
 * model built twice with the same seed has the same weights.
 *
 * Fans follow Keras: for a kernel `[k, k, in, out]`, fanIn = k·k·in and fanOut = k·k·out.
 *
 * @category Initialisation
 */
export type InitSpec =
  /** All zeros. */
  | {
      /** Rule: zeros. */
      kind: 'zeros';
    }
  /** All ones (BatchNorm's gamma). */
  | {
      /** Rule: ones. */
      kind: 'ones';
    }
  /** Every value `value`. */
  | {
      /** Rule: a constant. */
      kind: 'constant';
      /** The value. */
      value: number;
    }
  /** Normal, mean 0. */
  | {
      /** Rule: normal. */
      kind: 'normal';
      /** Standard deviation. */
      std: number;
    }
  /** Normal, redrawn outside two standard deviations (TF's and torch's `trunc_normal_(a=-2σ, b=2σ)`). */
  | {
      /** Rule: truncated normal. */
      kind: 'truncatedNormal';
      /** Standard deviation before truncation. */
      std: number;
    }
  /** Uniform in ±limit. */
  | {
      /** Rule: uniform. */
      kind: 'uniform';
      /** Half-width of the interval. */
      limit: number;
    }
  /** Keras/He/Glorot family: variance `scale / fan`. */
  | {
      /** Rule: variance scaling. */
      kind: 'varianceScaling';
      /** Variance times fan: 1 for Glorot/LeCun, 2 for He. */
      scale: number;
      /** Which fan divides: fanIn (LeCun, He), fanOut (torchvision's kaiming `fan_out`), or their mean (Glorot). */
      mode: 'fanIn' | 'fanOut' | 'fanAvg';
      /** The distribution; `truncatedNormal` is cut at ±2σ and rescaled so the variance is still `scale / fan`, as Keras does. */
      distribution: 'normal' | 'truncatedNormal' | 'uniform';
    }
  /**
   * PyTorch's default for `nn.Conv2d` / `nn.Linear` (kaiming_uniform with a = sqrt(5)):
   * uniform(±1/sqrt(fanIn)) for the weight, and for the bias too, with the weight's fanIn.
   */
  | {
      /** Rule: PyTorch's default. */
      kind: 'torchDefault';
      /** The fan-in to use; default the weight's own. A bias built by a {@link Net} layer gets its kernel's fan-in. */
      fanIn?: number;
    };

/** Keras's default for Conv2D, DepthwiseConv2D and Dense. */
export const glorotUniform: InitSpec = { kind: 'varianceScaling', scale: 1, mode: 'fanAvg', distribution: 'uniform' };
/** torchvision's ResNet and MobileNet V2 rule: kaiming_normal_(mode='fan_out', nonlinearity='relu'). */
export const heNormalFanOut: InitSpec = { kind: 'varianceScaling', scale: 2, mode: 'fanOut', distribution: 'normal' };
export const zeros: InitSpec = { kind: 'zeros' };
export const ones: InitSpec = { kind: 'ones' };

/** Keras's fan computation: the last two dims are (in, out), the others the receptive field. */
export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) return { fanIn: shape[0] ?? 1, fanOut: shape[0] ?? 1 };
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[shape.length - 2] * receptive, fanOut: shape[shape.length - 1] * receptive };
}

/** One independent random stream per weight: the model seed mixed with the weight's name. */
export function weightSeed(modelSeed: number, weightName: string): number {
  return hashSeed(modelSeed, weightName);
}

/** Fills `out` (a weight of `shape`) with values drawn under `spec` from `seed`. */
export function fillWeights(out: Float32Array, spec: InitSpec, shape: readonly number[], seed: number): Float32Array {
  const rng = new Xoshiro128(seed);
  switch (spec.kind) {
    case 'zeros':
      return out.fill(0);
    case 'ones':
      return out.fill(1);
    case 'constant':
      return out.fill(spec.value);
    case 'normal':
      fillNormal(out, rng, spec.std, false);
      return out;
    case 'truncatedNormal':
      fillNormal(out, rng, spec.std, true);
      return out;
    case 'uniform':
      rng.fillUniform(out, 2 * spec.limit, -spec.limit);
      return out;
    case 'torchDefault': {
      const limit = 1 / Math.sqrt(spec.fanIn ?? fans(shape).fanIn);
      rng.fillUniform(out, 2 * limit, -limit);
      return out;
    }
    case 'varianceScaling': {
      const { fanIn, fanOut } = fans(shape);
      const fan = spec.mode === 'fanIn' ? fanIn : spec.mode === 'fanOut' ? fanOut : (fanIn + fanOut) / 2;
      const variance = spec.scale / Math.max(1, fan);
      if (spec.distribution === 'uniform') {
        const limit = Math.sqrt(3 * variance);
        rng.fillUniform(out, 2 * limit, -limit);
      } else if (spec.distribution === 'normal') {
        fillNormal(out, rng, Math.sqrt(variance), false);
      } else {
        // A normal truncated at ±2σ has a standard deviation of 0.8796σ; Keras corrects for it.
        fillNormal(out, rng, Math.sqrt(variance) / 0.87962566103423978, true);
      }
      return out;
    }
  }
}

/** The values of a weight of `shape` under `spec`, from `seed`, in a new array. */
export function sampleWeights(spec: InitSpec, shape: readonly number[], seed: number): Float32Array {
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  // A fresh Float32Array is already zero, in pages the OS has not handed over yet: filling it
  // would touch every page (400 MB for VGG's fc1) and make a zero-weight build cost what its size does.
  return spec.kind === 'zeros' ? out : fillWeights(out, spec, shape, seed);
}

/** The two public methods of the wasm backend that let a tensor be filled in place. */
interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}

/** The active backend if it is wasm (and has those methods), else undefined. */
function wasmHeapBackend(): WasmHeapBackend | undefined {
  if (tf.getBackend() !== 'wasm') return undefined;
  const backend = tf.backend() as unknown as Partial<WasmHeapBackend>;
  return backend.makeOutput && backend.typedArrayFromHeap ? (backend as WasmHeapBackend) : undefined;
}

/**
 * tfjs-layers does not export its Initializer base class, but a layer only accepts an instance of
 * it (anything else is treated as a serialised config). Take the class from a built-in one.
 */
const InitializerBase = Object.getPrototypeOf(tf.initializers.zeros().constructor) as abstract new () => Initializer;

/**
 * A tfjs-layers initialiser that fills a weight from an {@link InitSpec} and a seed, an order of
 * magnitude faster than TF.js's own random initialisers (one tight PRNG loop, xoshiro128**, straight
 * into the weight's memory). Registered for serialisation as `CnnZooSeededInitializer`, so a saved
 * model that uses it loads again.
 *
 * @category Initialisation
 */
export class SeededInitializer extends InitializerBase {
  /** The name under which models that use it are saved and loaded. */
  static className = 'CnnZooSeededInitializer';

  /** @param config - The rule, and the seed of this weight's random stream. */
  constructor(
    /** The rule, and the seed of this weight's random stream. */
    readonly config: {
      /** The rule. */
      spec: InitSpec;
      /** The seed of this weight's random stream. */
      seed: number;
    },
  ) {
    super();
  }

  /** A new tensor of `shape` drawn under the rule from the seed (the same seed gives the same values). */
  apply(shape: number[]): tf.Tensor {
    const { spec, seed } = this.config;
    const heap = wasmHeapBackend();
    if (heap) {
      // On wasm, draw straight into the tensor's heap memory: a separate JS array would be
      // touched and copied once more, and first touches of fresh memory dominate for big models.
      const info = heap.makeOutput(shape, 'float32');
      fillWeights(heap.typedArrayFromHeap(info) as Float32Array, spec, shape, seed);
      return tf.engine().makeTensorFromTensorInfo(info);
    }
    return tf.tensor(sampleWeights(spec, shape, seed), shape, 'float32');
  }

  /** The rule and the seed, for serialisation. */
  override getConfig(): tf.serialization.ConfigDict {
    return { spec: this.config.spec as unknown as tf.serialization.ConfigDictValue, seed: this.config.seed };
  }

  /** Rebuilds the initialiser from {@link SeededInitializer.getConfig}'s output (TF.js's serialisation calls this). */
  static fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(config);
  }
}
tf.serialization.registerClass(SeededInitializer as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);

/**
 * How a model's weights are drawn: from which seed, or not at all (zeros, for analysis). A
 * {@link CustomLayerSpec}'s `create` receives it to seed its layer's weights.
 *
 * @category Initialisation
 */
export interface InitContext {
  /** The model's seed; each weight's stream is this seed mixed with the weight's name. */
  seed: number;
  /** `false`: random weights start at zero (no random numbers drawn), for analysis or before loading weights. */
  random: boolean;
}

/** A seed for models built without one. */
export function freshSeed(): number {
  return Math.floor(Math.random() * 0x7fffffff);
}

/**
 * The initialiser config for weight `weightName` under `context`: its own seed, and zeros in place
 * of random numbers when the context asks for no random initialisation.
 */
export function seededConfig(spec: InitSpec, weightName: string, context: InitContext): { spec: InitSpec; seed: number } {
  const isConstant = spec.kind === 'zeros' || spec.kind === 'ones' || spec.kind === 'constant';
  return { spec: context.random || isConstant ? spec : { kind: 'zeros' }, seed: weightSeed(context.seed, weightName) };
}

/** The tfjs-layers initialiser for weight `weightName` under `context`. */
export function makeInitializer(spec: InitSpec, weightName: string, context: InitContext): Initializer {
  return new SeededInitializer(seededConfig(spec, weightName, context));
}
