/**
 * Seeded, fast weight initialisation.
 *
 * TF.js's own random initialisers draw their numbers one by one through a seedrandom generator in
 * JavaScript: about 10 s for VGG-16's 138M weights. Here each weight tensor is filled in one tight
 * loop of a small PRNG (xoshiro128**) straight into a Float32Array, an order of magnitude faster,
 * and seeded per weight from the model seed and the weight's name, so a model built twice with the
 * same seed has the same weights whatever order its layers are built in.
 */
import type { Initializer } from '@tensorflow/tfjs-layers/dist/initializers';
import { tf } from './tf.js';

/** How a weight is initialised, as data: the families write these next to the paper's rule. */
export type InitSpec =
  | { kind: 'zeros' }
  | { kind: 'ones' }
  | { kind: 'constant'; value: number }
  | { kind: 'normal'; std: number }
  /** Normal, redrawn outside two standard deviations (TF's and torch's `trunc_normal_(a=-2σ, b=2σ)`). */
  | { kind: 'truncatedNormal'; std: number }
  | { kind: 'uniform'; limit: number }
  /** Keras/He/Glorot family: variance `scale / fan`. */
  | {
      kind: 'varianceScaling';
      scale: number;
      mode: 'fanIn' | 'fanOut' | 'fanAvg';
      distribution: 'normal' | 'truncatedNormal' | 'uniform';
    }
  /**
   * PyTorch's default for `nn.Conv2d` / `nn.Linear` (kaiming_uniform with a = sqrt(5)):
   * uniform(±1/sqrt(fanIn)) for the weight, and for the bias too, with the weight's fanIn.
   */
  | { kind: 'torchDefault'; fanIn?: number };

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

/** splitmix32: turns a seed into well-mixed 32-bit states. */
function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** FNV-1a over the text, mixed with the seed: one independent stream per weight name. */
export function weightSeed(modelSeed: number, weightName: string): number {
  let h = (0x811c9dc5 ^ modelSeed) >>> 0;
  for (let i = 0; i < weightName.length; i++) h = Math.imul(h ^ weightName.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** Fills `out` with uniform numbers in [0, 1) from xoshiro128** seeded with `seed`. */
function fillUniform01(out: Float32Array, seed: number): void {
  const next = splitmix32(seed);
  let a = next() | 1;
  let b = next();
  let c = next();
  let d = next();
  for (let i = 0; i < out.length; i++) {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9);
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    out[i] = (result >>> 8) * 5.960464477539063e-8; // 24 random bits / 2^24
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Box-Muller on pairs of uniforms, in place; `truncate` redraws values outside ±2. */
function fillStandardNormal(out: Float32Array, seed: number, truncate: boolean): void {
  // Twice as many uniforms as needed, plus slack for the ~4.6% that truncation redraws.
  const extra = truncate ? Math.ceil(out.length * 0.1) + 64 : 0;
  let uniforms = new Float32Array(2 * (out.length + extra));
  fillUniform01(uniforms, seed);
  let u = 0;
  let round = 1;
  for (let i = 0; i < out.length; ) {
    if (u + 2 > uniforms.length) {
      uniforms = new Float32Array(2 * (out.length - i) + 64);
      fillUniform01(uniforms, weightSeed(seed, `refill${round++}`));
      u = 0;
    }
    const radius = Math.sqrt(-2 * Math.log(1 - uniforms[u++]));
    const angle = 2 * Math.PI * uniforms[u++];
    const z0 = radius * Math.cos(angle);
    const z1 = radius * Math.sin(angle);
    if (!truncate || Math.abs(z0) <= 2) out[i++] = z0;
    if (i < out.length && (!truncate || Math.abs(z1) <= 2)) out[i++] = z1;
  }
}

/** The values of a weight of `shape` under `spec`, from `seed`. */
export function sampleWeights(spec: InitSpec, shape: readonly number[], seed: number): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  switch (spec.kind) {
    case 'zeros':
      return out;
    case 'ones':
      return out.fill(1);
    case 'constant':
      return out.fill(spec.value);
    case 'normal':
      return scaleInPlace(fillNormal(out, seed, false), spec.std);
    case 'truncatedNormal':
      return scaleInPlace(fillNormal(out, seed, true), spec.std);
    case 'uniform':
      return uniformInPlace(out, seed, spec.limit);
    case 'torchDefault':
      return uniformInPlace(out, seed, 1 / Math.sqrt(spec.fanIn ?? fans(shape).fanIn));
    case 'varianceScaling': {
      const { fanIn, fanOut } = fans(shape);
      const fan = spec.mode === 'fanIn' ? fanIn : spec.mode === 'fanOut' ? fanOut : (fanIn + fanOut) / 2;
      const variance = spec.scale / Math.max(1, fan);
      if (spec.distribution === 'uniform') return uniformInPlace(out, seed, Math.sqrt(3 * variance));
      // A normal truncated at ±2σ has a standard deviation of 0.8796σ; Keras corrects for it.
      const std = spec.distribution === 'truncatedNormal' ? Math.sqrt(variance) / 0.87962566103423978 : Math.sqrt(variance);
      return scaleInPlace(fillNormal(out, seed, spec.distribution === 'truncatedNormal'), std);
    }
  }
}

function fillNormal(out: Float32Array, seed: number, truncate: boolean): Float32Array {
  fillStandardNormal(out, seed, truncate);
  return out;
}

function scaleInPlace(values: Float32Array, factor: number): Float32Array {
  for (let i = 0; i < values.length; i++) values[i] *= factor;
  return values;
}

function uniformInPlace(values: Float32Array, seed: number, limit: number): Float32Array {
  fillUniform01(values, seed);
  for (let i = 0; i < values.length; i++) values[i] = (2 * values[i] - 1) * limit;
  return values;
}

/**
 * tfjs-layers does not export its Initializer base class, but a layer only accepts an instance of
 * it (anything else is treated as a serialised config). Take the class from a built-in one.
 */
const InitializerBase = Object.getPrototypeOf(tf.initializers.zeros().constructor) as abstract new () => Initializer;

/** A tfjs-layers initialiser that fills a weight from an {@link InitSpec} and a seed. */
export class SeededInitializer extends InitializerBase {
  /** The name under which models that use it are saved and loaded. */
  static className = 'CnnZooSeededInitializer';

  constructor(readonly config: { spec: InitSpec; seed: number }) {
    super();
  }

  apply(shape: number[]): tf.Tensor {
    return tf.tensor(sampleWeights(this.config.spec, shape, this.config.seed), shape, 'float32');
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { spec: this.config.spec as unknown as tf.serialization.ConfigDictValue, seed: this.config.seed };
  }

  static fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(config);
  }
}
tf.serialization.registerClass(SeededInitializer as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);

/** How a model's weights are drawn: from which seed, or not at all (zeros, for analysis). */
export interface InitContext {
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
