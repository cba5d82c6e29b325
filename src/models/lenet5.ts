/**
 * LeNet-5 (LeCun et al. 1998). The architecture is a layer list in `architectures/lenet5.ts`:
 * `classic` (the textbook simplification) or `paper` (the paper's own network).
 *
 * Layer names: each row's own name (`c1`, `s2`, `c3`, `s4`, `c5`, `f6`, as in the paper's Fig. 2);
 * `<row>_scaled_tanh` after a trainable row when the table's activation is the scaled tanh (plain
 * tanh is fused into the row's layer); `flatten` before the first dense row; `dropout` (only when
 * `dropout` > 0) and `predictions` (dense softmax, or the RBF units) at the top.
 */
import { z } from 'zod';
import { lenet5Classic, lenet5Paper } from '../../architectures/lenet5.js';
import { poolFeatures } from '../blocks/classifier.js';
import { describeValue, positiveInt, positiveNumber } from '../config.js';
import { ConfigError } from '../errors.js';
import { sampleWeights, seededConfig, weightSeed, zeros, type InitSpec } from '../init.js';
import { PartialConv2D, partialConvOutputShape } from '../layers/partial-conv2d.js';
import { EuclideanRBF } from '../layers/rbf.js';
import { ScaledTanh } from '../layers/scaled-tanh.js';
import { SubSampling2D, subsamplingOutputShape } from '../layers/subsampling2d.js';
import type { Activation, Net, NetGraph } from '../net/net.js';
import { modelOptionsSchema } from '../options.js';
import { buildModel, type ModelDefinition } from './model-definition.js';
import type { tf } from '../tf.js';

const layerName = z.string().regex(/^[a-z][a-z0-9_]*$/, { error: 'must be a lower-case layer name' });

/**
 * A partial connection table as the paper prints it (Table I): one string per INPUT map, one
 * character per OUTPUT map, 'X' where the output map sees the input map.
 */
const ConnectionTableSchema = z
  .array(z.string().regex(/^[X.]+$/, { error: "must be a row of 'X' (connected) and '.' (not connected)" }))
  .min(1, { error: 'must have one row per input map' });

const ConvRowSchema = z
  .strictObject({
    /** A convolution (C1, C3, and C5 in the paper's table), stride 1, 'valid', followed by the table's activation. */
    type: z.literal('conv'),
    /** Layer name, lower case (`c1`). */
    name: layerName,
    /** Feature maps. */
    filters: positiveInt(),
    /** Square kernel size (5 throughout LeNet-5). */
    kernelSize: positiveInt(),
    /** C3's partial connections (rows: input maps, columns: output maps); absent: fully connected. */
    connectionTable: ConnectionTableSchema.optional(),
  })
  .superRefine((row, context) => {
    const table = row.connectionTable;
    if (!table) return;
    const bad = table.findIndex((line) => line.length !== row.filters);
    if (bad >= 0) {
      context.addIssue({ code: 'custom', path: ['connectionTable', bad], message: `must have one character per filter (${row.filters})`, input: table[bad] });
      return;
    }
    const unconnected = Array.from({ length: row.filters }, (_, j) => j).find((j) => table.every((line) => line[j] !== 'X'));
    if (unconnected !== undefined) {
      context.addIssue({ code: 'custom', path: ['connectionTable'], message: `must connect every output map to at least one input map; column ${unconnected} has no 'X'`, input: table });
    }
  });

/**
 * One row of LeNet's layer list: a convolution (optionally with a partial connection table), an
 * average pool, the paper's trainable subsampling, or a dense layer.
 *
 * @example
 * ```ts
 * const row = LeNetLayerSchema.parse({ type: 'conv', name: 'c1', filters: 6, kernelSize: 5 });
 * ```
 *
 * @category LeNet-5
 */
export const LeNetLayerSchema = z.discriminatedUnion(
  'type',
  [
    ConvRowSchema,
    /** Plain average pooling (the classic's S2 and S4). */
    z.strictObject({
      /** Average pooling, non-overlapping windows. */
      type: z.literal('avgPool'),
      /** Layer name (`s2`). */
      name: layerName,
      /** Window and stride. */
      poolSize: positiveInt(),
    }),
    /** The paper's trainable subsampling: window sum times a coefficient plus a bias, per map. */
    z.strictObject({
      /** Trainable subsampling ({@link SubSampling2D}), followed by the table's activation. */
      type: z.literal('subsample'),
      /** Layer name (`s2`). */
      name: layerName,
      /** Window and stride. */
      poolSize: positiveInt(),
    }),
    /** A fully connected layer (the classic's C5, and F6), followed by the table's activation. */
    z.strictObject({
      /** Fully connected. */
      type: z.literal('dense'),
      /** Layer name (`f6`). */
      name: layerName,
      /** Output units. */
      units: positiveInt(),
    }),
  ],
  { error: "must be a layer with type 'conv', 'avgPool', 'subsample' or 'dense'" },
);

/** A 7x12-style bitmap: rows of '#' (+1) and '.' (-1). */
const BitmapSchema = z
  .array(z.string().regex(/^[#.]+$/, { error: "must be a bitmap row of '#' (+1) and '.' (-1)" }))
  .min(1, { error: 'must have at least one row' });

/**
 * LeNet's architecture: the layers before the output layer, their activation, the output, the
 * init rule. The two tables of the paper are `lenet5Classic` and `lenet5Paper` in
 * `architectures/lenet5.ts`, parsed in {@link lenet5Architectures}.
 *
 * @example
 * ```ts
 * // A wider classic LeNet for CIFAR-10:
 * const wide = LeNetArchitectureSchema.parse({
 *   layers: [
 *     { type: 'conv', name: 'c1', filters: 32, kernelSize: 5 },
 *     { type: 'avgPool', name: 's2', poolSize: 2 },
 *     { type: 'conv', name: 'c3', filters: 64, kernelSize: 5 },
 *     { type: 'avgPool', name: 's4', poolSize: 2 },
 *     { type: 'dense', name: 'f5', units: 256 },
 *   ],
 * });
 * const model = lenet5({ architecture: wide, inputShape: [32, 32, 3] });
 * ```
 *
 * @category LeNet-5
 */
export const LeNetArchitectureSchema = z.strictObject({
  /** The layers before the output layer, in order (a row of {@link LeNetLayerSchema} each). */
  layers: z.array(LeNetLayerSchema).min(1, { error: 'must list at least one layer' }),
  /** 'tanh' (fused into each layer; the default), or the paper's f(a) = A·tanh(S·a) as a layer of its own. */
  activation: z
    .union(
      [
        z.literal('tanh'),
        z.strictObject({
          /** The paper's scaled tanh ({@link ScaledTanh}). */
          type: z.literal('scaledTanh'),
          /** A (the paper: 1.7159). */
          amplitude: positiveNumber(),
          /** S (the paper: 2/3). */
          slope: positiveNumber(),
        }),
      ],
      { error: "must be 'tanh' or { type: 'scaledTanh', amplitude, slope }" },
    )
    .default('tanh'),
  /**
   * The output layer: a dense softmax classifier (the default), or the paper's Euclidean RBF units
   * with fixed ±1 parameter vectors (`prototypes`, one bitmap per class; absent: generated, see
   * {@link rbfPrototypes}).
   */
  output: z
    .discriminatedUnion(
      'type',
      [
        z.strictObject({
          /** A dense layer with `classifierActivation`. */
          type: z.literal('dense'),
        }),
        z.strictObject({
          /** Euclidean RBF units ({@link EuclideanRBF}). */
          type: z.literal('rbf'),
          /** One bitmap per class, rows of '#' (+1) and '.' (-1), as many pixels in all as the last layer has units. */
          prototypes: z.array(BitmapSchema).min(1, { error: 'must have one bitmap per class' }).optional(),
        }),
      ],
      { error: "must be { type: 'dense' } or { type: 'rbf', prototypes? }" },
    )
    .default({ type: 'dense' }),
  /**
   * Weight initialisation: 'glorotUniform' (Keras's default, and this field's), or 'lecun1998':
   * uniform in ±2.4 / F_i, F_i the unit's fan-in (the paper's Appendix A). Biases start at zero
   * either way.
   */
  init: z.enum(['glorotUniform', 'lecun1998'], { error: "must be 'glorotUniform' or 'lecun1998'" }).default('glorotUniform'),
});
/**
 * A LeNet architecture as parsed (defaults filled in): what {@link lenet5Architectures} holds.
 *
 * @example
 * ```ts
 * const paper: LeNetArchitecture = lenet5Architectures.paper;
 * paper.init; // 'lecun1998'
 * ```
 *
 * @useDeclaredType
 * @category LeNet-5
 */
export type LeNetArchitecture = z.output<typeof LeNetArchitectureSchema>;
/**
 * A LeNet architecture as written (optional fields may be left out): what `architecture` takes.
 *
 * @example
 * ```ts
 * const tiny: LeNetArchitectureInput = { layers: [{ type: 'conv', name: 'c1', filters: 4, kernelSize: 5 }, { type: 'dense', name: 'f2', units: 32 }] };
 * ```
 *
 * @useDeclaredType
 * @category LeNet-5
 */
export type LeNetArchitectureInput = z.input<typeof LeNetArchitectureSchema>;

/**
 * The variants' tables, parsed (defaults filled in): `classic` (the textbook simplification) and
 * `paper` (LeCun et al. 1998, Section II.B, Fig. 2, Table I).
 *
 * @example
 * ```ts
 * lenet5Architectures.classic.layers.map((layer) => layer.name); // ['c1', 's2', 'c3', 's4', 'c5', 'f6']
 * ```
 *
 * @category LeNet-5
 */
export const lenet5Architectures: Record<'classic' | 'paper', LeNetArchitecture> = {
  classic: LeNetArchitectureSchema.parse(lenet5Classic),
  paper: LeNetArchitectureSchema.parse(lenet5Paper),
};

/**
 * Options of {@link lenet5}, as a zod schema: the shared options (defaults: `numClasses` 10,
 * `inputShape` [32, 32, 1], `dropout` 0) plus `variant`, `inputPadding` and `architecture`. Field
 * by field in {@link LeNetOptions}.
 *
 * @example
 * ```ts
 * parseConfig(LeNetOptionsSchema, { variant: 'paper' }).architecture.output.type; // 'rbf'
 * ```
 *
 * @category LeNet-5
 */
export const LeNetOptionsSchema = modelOptionsSchema(
  { numClasses: 10, inputShape: [32, 32, 1], dropout: 0 },
  {
    /** Which table to build when no `architecture` is given: 'classic' (default) or 'paper'; see {@link lenet5Architectures}. */
    variant: z.enum(['classic', 'paper'], { error: "must be 'classic' or 'paper'" }).default('classic').describe("the variant: 'classic' or 'paper'"),
    /**
     * Zero padding on every side of the input, inside the model (layer `input_pad`). Default 0. The
     * paper feeds 28x28 MNIST digits centred in a 32x32 field (Section III.A):
     * `inputShape: [28, 28, 1], inputPadding: 2`.
     */
    inputPadding: z
      .number({ error: 'must be a non-negative integer' })
      .int({ error: 'must be a non-negative integer' })
      .min(0, { error: 'must be a non-negative integer' })
      .default(0)
      .describe('zero padding around the input, inside the model'),
    /** Your own layer list ({@link LeNetArchitectureInput}); replaces the variant's table. Default: the variant's. */
    architecture: LeNetArchitectureSchema.optional().describe("the layer list; defaults to the variant's table"),
  },
).transform((options) => ({ ...options, architecture: options.architecture ?? lenet5Architectures[options.variant] }));
/**
 * Options of {@link lenet5}, every one optional: the shared options with LeNet-5's defaults
 * (`numClasses` 10, `inputShape` [32, 32, 1], `dropout` 0) and LeNet's own.
 *
 * @example
 * ```ts
 * const options: LeNetOptions = { inputShape: [28, 28, 1], inputPadding: 2, variant: 'paper' };
 * ```
 *
 * @useDeclaredType
 * @category LeNet-5
 */
export type LeNetOptions = z.input<typeof LeNetOptionsSchema>;
type LeNetConfig = z.output<typeof LeNetOptionsSchema>;

/** A uniform initialiser under the table's rule, from the fans of the unit. */
function uniformInit(rule: LeNetArchitecture['init'], fanIn: number, fanOut: number): InitSpec {
  // Glorot: Keras's GlorotUniform written out with the layer's own fans (which a custom layer's
  // weight shape does not tell); LeCun 1998, Appendix A: ±2.4 / F_i.
  return { kind: 'uniform', limit: rule === 'lecun1998' ? 2.4 / fanIn : Math.sqrt(6 / (fanIn + fanOut)) };
}

/**
 * The RBF units' fixed parameter vectors, as ±1 numbers. From the table's bitmaps, one per class;
 * without bitmaps, a fixed ±1 code per class: the signs of a uniform draw from one constant seed
 * (independent of the model's `seed`, so every model has the same codes), which for 84 values
 * gives codes about 42 bit flips (distance² 4 · 42 = 168) apart on average.
 *
 * @param output - The table's `rbf` output.
 * @param numClasses - Units (classes); must equal the number of bitmaps when there are bitmaps.
 * @param width - Values per vector: the last layer's units (84 for F6).
 *
 * @example
 * ```ts
 * const vectors = rbfPrototypes({ type: 'rbf' }, 26, 84); // 26 fixed ±1 codes of 84 values
 * ```
 *
 * @category LeNet-5
 */
export function rbfPrototypes(output: Extract<LeNetArchitecture['output'], { type: 'rbf' }>, numClasses: number, width: number): number[][] {
  if (!output.prototypes) {
    const draw = sampleWeights({ kind: 'uniform', limit: 1 }, [numClasses, width], weightSeed(0, 'lenet5/rbf_prototypes'));
    return Array.from({ length: numClasses }, (_, i) => Array.from(draw.subarray(i * width, (i + 1) * width), (v) => (v >= 0 ? 1 : -1)));
  }
  if (output.prototypes.length !== numClasses) {
    throw new ConfigError(
      'numClasses',
      `must equal the number of RBF prototypes in architecture.output.prototypes (${output.prototypes.length}); pass numClasses ${output.prototypes.length}, or an architecture whose rbf output has no prototypes (fixed ±1 codes are then generated per class), received ${numClasses}`,
    );
  }
  return output.prototypes.map((bitmap, i) => {
    const pixels = bitmap.join('');
    if (pixels.length !== width) {
      throw new ConfigError(`architecture.output.prototypes.${i}`, `must have as many pixels as the last layer has units (${width}), received ${pixels.length} pixels`);
    }
    return Array.from(pixels, (pixel) => (pixel === '#' ? 1 : -1));
  });
}

/** C3's table as the layer wants it: for each output map, the input maps it sees. */
function connectionsByOutput(table: readonly string[], filters: number): number[][] {
  return Array.from({ length: filters }, (_, j) => table.flatMap((line, i) => (line[j] === 'X' ? [i] : [])));
}

function describeLeNet<T>(net: Net<T>, config: LeNetConfig): NetGraph<T> {
  const architecture = config.architecture;
  const rule = architecture.init;
  const scaled = architecture.activation === 'tanh' ? undefined : architecture.activation;
  // Plain tanh is fused into each layer (as Keras would); the scaled tanh is a layer of its own.
  const fused: Activation = scaled ? 'linear' : 'tanh';
  const activate = (x: T, name: string): T =>
    scaled
      ? net.custom(x, {
          name: `${name}_scaled_tanh`,
          type: 'ScaledTanh',
          create: () => new ScaledTanh({ name: `${name}_scaled_tanh`, amplitude: scaled.amplitude, slope: scaled.slope }),
          outputShape: ([shape]) => shape,
        })
      : x;

  const input = net.input(config.inputShape, 'input');
  let x = config.inputPadding > 0 ? net.zeroPad(input, config.inputPadding, 'input_pad') : input;
  let flat = false;
  architecture.layers.forEach((layer, index) => {
    if (flat && layer.type !== 'dense') {
      throw new ConfigError(`architecture.layers.${index}`, `a '${layer.type}' layer needs a feature map but follows a dense layer, received ${describeValue(layer)}`);
    }
    if (layer.type === 'conv') {
      const inputMaps = net.shape(x)[2];
      const { name, filters, kernelSize: k, connectionTable } = layer;
      if (connectionTable) {
        if (connectionTable.length !== inputMaps) {
          throw new ConfigError(
            `architecture.layers.${index}.connectionTable`,
            `must have one row per input map of layer '${name}' (${inputMaps}), received ${connectionTable.length} rows`,
          );
        }
        const connections = connectionsByOutput(connectionTable, filters);
        const count = connections.reduce((sum, inputs) => sum + inputs.length, 0);
        // A unit of map j sees k² · |connections[j]| inputs; the rule uses the layer's mean fans.
        const kernelInit = uniformInit(rule, (k * k * count) / filters, (k * k * count) / inputMaps);
        x = net.custom(x, {
          name,
          type: 'PartialConv2D',
          create: (init) =>
            new PartialConv2D({
              name,
              filters,
              kernelSize: k,
              connections,
              activation: fused,
              kernelInitializer: seededConfig(kernelInit, `${name}/kernel`, init),
              biasInitializer: seededConfig(zeros, `${name}/bias`, init),
            }),
          outputShape: ([shape]) => partialConvOutputShape(shape, k, filters),
        });
      } else {
        const kernelInit = uniformInit(rule, k * k * inputMaps, k * k * filters);
        x = net.conv2d(x, { name, filters, kernelSize: k, activation: fused, kernelInit, biasInit: zeros });
      }
      x = activate(x, name);
    } else if (layer.type === 'avgPool') {
      x = net.avgPool(x, { name: layer.name, poolSize: layer.poolSize });
    } else if (layer.type === 'subsample') {
      const { name, poolSize } = layer;
      // Each unit sums poolSize² inputs into one coefficient: fan-in poolSize², fan-out 1.
      const coefficientInit = uniformInit(rule, poolSize * poolSize, 1);
      x = net.custom(x, {
        name,
        type: 'SubSampling2D',
        create: (init) =>
          new SubSampling2D({
            name,
            poolSize,
            activation: fused,
            coefficientInitializer: seededConfig(coefficientInit, `${name}/coefficient`, init),
            biasInitializer: seededConfig(zeros, `${name}/bias`, init),
          }),
        outputShape: ([shape]) => subsamplingOutputShape(shape, poolSize),
      });
      x = activate(x, name);
    } else {
      if (!flat) x = net.flatten(x, 'flatten');
      flat = true;
      const fanIn = net.shape(x)[0];
      x = net.dense(x, { name: layer.name, units: layer.units, activation: fused, kernelInit: uniformInit(rule, fanIn, layer.units), biasInit: zeros });
      x = activate(x, layer.name);
    }
  });

  if (!config.includeTop) {
    if (!config.pooling) return { inputs: [input], outputs: [x] };
    if (flat) {
      throw new ConfigError('pooling', `only applies when the features end with a feature map; this layer list ends with dense layer '${architecture.layers.at(-1)!.name}' (a vector), received ${describeValue(config.pooling)}`);
    }
    return { inputs: [input], outputs: [poolFeatures(net, x, config.pooling)] };
  }
  if (!flat) x = net.flatten(x, 'flatten');
  if (config.dropout > 0) x = net.dropout(x, config.dropout, 'dropout');
  const width = net.shape(x)[0];
  if (architecture.output.type === 'dense') {
    const output = net.dense(x, {
      name: 'predictions',
      units: config.numClasses,
      activation: config.classifierActivation,
      kernelInit: uniformInit(rule, width, config.numClasses),
      biasInit: zeros,
    });
    return { inputs: [input], outputs: [output] };
  }
  const prototypes = rbfPrototypes(architecture.output, config.numClasses, width);
  const output = net.custom(x, {
    name: 'predictions',
    type: 'EuclideanRBF',
    create: () => new EuclideanRBF({ name: 'predictions', prototypes, activation: config.classifierActivation }),
    outputShape: () => [config.numClasses],
  });
  return { inputs: [input], outputs: [output] };
}

/**
 * LeNet-5's registry entry (`lenet5`): its options schema, network description and paper.
 *
 * @example
 * ```ts
 * planModel(lenet5Definition, {}).map((layer) => `${layer.name} ${layer.outputShape.join('x')}`);
 * ```
 *
 * @category LeNet-5
 */
export const lenet5Definition: ModelDefinition<typeof LeNetOptionsSchema> = {
  name: 'lenet5',
  schema: LeNetOptionsSchema,
  describe: describeLeNet,
  paper: {
    title: 'Gradient-Based Learning Applied to Document Recognition',
    authors: 'LeCun, Bottou, Bengio, Haffner',
    year: 1998,
    url: 'https://doi.org/10.1109/5.726791',
    table: 'Section II.B, Fig. 2, Table I',
  },
};

/**
 * LeNet-5 on 32x32x1 images by default.
 *
 * Paper: LeCun, Bottou, Bengio, Haffner, "Gradient-Based Learning Applied to Document
 * Recognition", Proc. IEEE 86(11), 1998, Section II.B, Fig. 2 and Table I
 * (https://doi.org/10.1109/5.726791).
 *
 * - `variant: 'classic'` (default): two tanh convolutions with average pooling, then
 *   120-84-`numClasses` dense layers; 61,706 parameters. Departures from the paper, as in every
 *   textbook LeNet: C3 sees all six S2 maps (no Table I), S2 and S4 are plain average pools, the
 *   activation is tanh, the output a dense softmax, the init Glorot uniform.
 * - `variant: 'paper'`: the paper's network, with trainable subsampling, C3's partial connection
 *   table, the scaled tanh and Euclidean RBF outputs on fixed ±1 digit bitmaps; 60,000 trainable
 *   parameters (plus the 840 fixed RBF values). Departures: its output is `classifierActivation`
 *   applied to the NEGATED squared distances -y_i (softmax by default: exp(-y_i) / Σ exp(-y_k),
 *   whose cross-entropy is the paper's Eq. 9 without the "rubbish class" constant); with 'linear'
 *   you get -y_i, the paper's penalties with the sign flipped. The digit bitmaps are redrawn in
 *   the style of Fig. 3, not copied pixel for pixel. The input normalisation (background -0.1,
 *   ink 1.175) and the training method are left to the caller.
 *
 * Options (all optional, see {@link LeNetOptions}): `variant` ('classic'), `inputPadding` (0),
 * `architecture` (the variant's table), and the shared `numClasses` (10), `inputShape`
 * ([32, 32, 1]), `includeTop` (true), `pooling`, `classifierActivation` ('softmax'), `dropout` (0),
 * `seed` (random), `initialize` (true).
 *
 * Layer names: each row's own (`c1`, `s2`, `c3`, `s4`, `c5`, `f6`), `<row>_scaled_tanh`,
 * `input_pad`, `flatten`, `dropout`, `predictions`.
 *
 * @example
 * ```ts
 * const model = lenet5(); // 61,706 parameters
 * const paper = lenet5({ variant: 'paper' }); // 60,000 trainable parameters
 * const mnist = lenet5({ inputShape: [28, 28, 1], inputPadding: 2 }); // 28x28 digits in the paper's 32x32 field
 * ```
 *
 * @category LeNet-5
 */
export function lenet5(options: LeNetOptions = {}): tf.LayersModel {
  return buildModel(lenet5Definition, options);
}
