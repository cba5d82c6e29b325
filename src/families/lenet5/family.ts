/**
 * LeNet-5: LeCun, Bottou, Bengio, Haffner, "Gradient-Based Learning Applied to Document
 * Recognition", Proc. IEEE 86(11), 1998, Section II.B, Fig. 2 and Table I
 * (https://doi.org/10.1109/5.726791). Two variants, each a layer list:
 *
 * - `classic` (default): the textbook simplification everyone trains today; its departures from
 *   the paper: C3 sees all six S2 maps (no Table I), S2 and S4 are plain average pools, tanh, a
 *   dense softmax output, Glorot-uniform init.
 * - `paper`: trainable subsampling, C3's partial connection table, the scaled tanh and Euclidean
 *   RBF outputs on fixed ±1 digit bitmaps; 60,000 trainable parameters. Departures: the output is
 *   `classifierActivation` of the NEGATED squared distances -y_i (softmax by default, whose
 *   cross-entropy is the paper's Eq. 9 without the "rubbish class" constant); the digit bitmaps are
 *   redrawn in the style of Fig. 3, not copied pixel for pixel; input normalisation and training are
 *   left to the caller.
 *
 * Layer names: each row's own (`c1`, `s2`, `c3`, `s4`, `c5`, `f6`, as Fig. 2), `<row>_scaled_tanh`
 * after a trainable row when the activation is the scaled tanh (plain tanh is fused into the row),
 * `input_pad`, `flatten`, `dropout`, `predictions`.
 */
import { z } from 'zod';
import { poolFeatures } from '../../blocks/classifier.js';
import { layerName, positiveInt, positiveNumber } from '../../config.js';
import { sampleWeights, seededConfig, weightSeed, zeros, type InitSpec } from '../../init.js';
import { PartialConv2D } from '../../layers/partial-conv2d.js';
import { EuclideanRBF } from '../../layers/rbf.js';
import { ScaledTanh } from '../../layers/scaled-tanh.js';
import { SubSampling2D } from '../../layers/subsampling2d.js';
import type { Activation, Net, NetGraph } from '../../net/net.js';
import { modelOptionsSchema, variantOption } from '../../options.js';
import { defineFamily } from '../family.js';
import { stagesByStride } from '../stages.js';
// Unused in the code: in scope, it makes the builders' declarations name their return type
// tf.LayersModel (@tensorflow/tfjs) rather than import it from tfjs-layers, not a dependency.
import type { tf } from '../../tf.js';

/** Rows of '#' (+1) and '.' (-1). */
const BitmapSchema = z.array(z.string().regex(/^[#.]+$/, { error: "must be a bitmap row of '#' (+1) and '.' (-1)" })).min(1, { error: 'must have at least one row' });

const ConvRowSchema = z
  .strictObject({
    /** A convolution (C1, C3, C5), stride 1, 'valid', followed by the table's activation. */
    type: z.literal('conv'),
    /** Layer name (`c1`). */
    name: layerName(),
    /** Feature maps. */
    filters: positiveInt(),
    /** Square kernel size (5 throughout LeNet-5). */
    kernelSize: positiveInt(),
    /** C3's partial connections as the paper prints Table I: one string per INPUT map, one 'X' or '.' per OUTPUT map. Absent: fully connected. */
    connectionTable: z.array(z.string().regex(/^[X.]+$/, { error: "must be a row of 'X' (connected) and '.' (not connected)" })).min(1, { error: 'must have one row per input map' }).optional(),
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
 * LeNet's architecture: the layers before the output layer, their activation, the output layer and
 * the init rule.
 *
 * @category LeNet-5
 */
export const LeNetArchitectureSchema = z
  .strictObject({
    /** The layers before the output layer, in order: convolutions, average pools, the paper's trainable subsampling, dense layers. */
    layers: z
      .array(
        z.discriminatedUnion(
          'type',
          [
            ConvRowSchema,
            z.strictObject({
              /** Plain average pooling (the classic's S2 and S4), non-overlapping. */
              type: z.literal('avgPool'),
              /** Layer name (`s2`). */
              name: layerName(),
              /** Window and stride. */
              poolSize: positiveInt(),
            }),
            z.strictObject({
              /** The paper's trainable subsampling: window sum times a coefficient plus a bias, per map. */
              type: z.literal('subsample'),
              /** Layer name (`s2`). */
              name: layerName(),
              /** Window and stride. */
              poolSize: positiveInt(),
            }),
            z.strictObject({
              /** A fully connected layer (the classic's C5, and F6). */
              type: z.literal('dense'),
              /** Layer name (`f6`). */
              name: layerName(),
              /** Output units. */
              units: positiveInt(),
            }),
          ],
          { error: "must be a layer with type 'conv', 'avgPool', 'subsample' or 'dense'" },
        ),
      )
      .min(1, { error: 'must list at least one layer' }),
    /** 'tanh' (fused into each layer; the default), or the paper's f(a) = A·tanh(S·a) as a layer of its own. */
    activation: z
      .union(
        [
          z.literal('tanh'),
          z.strictObject({
            /** The paper's scaled tanh. */
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
    /** A dense classifier (the default), or the paper's Euclidean RBF units on fixed ±1 vectors (one bitmap per class; absent: fixed ±1 codes). */
    output: z
      .discriminatedUnion(
        'type',
        [
          z.strictObject({
            /** A dense layer with `classifierActivation`. */
            type: z.literal('dense'),
          }),
          z.strictObject({
            /** Euclidean RBF units. */
            type: z.literal('rbf'),
            /** One bitmap per class, as many pixels in all as the last layer has units. */
            prototypes: z.array(BitmapSchema).min(1, { error: 'must have one bitmap per class' }).optional(),
          }),
        ],
        { error: "must be { type: 'dense' } or { type: 'rbf', prototypes? }" },
      )
      .default({ type: 'dense' }),
    /** 'glorotUniform' (Keras's default) or 'lecun1998': uniform in ±2.4 / F_i, F_i the unit's fan-in (Appendix A). Biases start at zero. */
    init: z.enum(['glorotUniform', 'lecun1998'], { error: "must be 'glorotUniform' or 'lecun1998'" }).default('glorotUniform'),
  })
  .superRefine((architecture, context) => {
    const firstDense = architecture.layers.findIndex((layer) => layer.type === 'dense');
    architecture.layers.forEach((layer, index) => {
      if (firstDense >= 0 && index > firstDense && layer.type !== 'dense') {
        context.addIssue({ code: 'custom', path: ['layers', index], message: `a '${layer.type}' layer needs a feature map but follows a dense layer`, input: layer });
      }
    });
  });

/**
 * A LeNet architecture as written.
 *
 * @category LeNet-5
 */
export type LeNetArchitectureInput = z.input<typeof LeNetArchitectureSchema>;
type LeNetArchitecture = z.output<typeof LeNetArchitectureSchema>;

/**
 * Table I: which S2 maps (rows 0-5) each C3 map (columns 0-15) combines. Maps 0-5 take 3
 * contiguous S2 maps, 6-11 four contiguous ones, 12-14 four discontinuous ones, 15 all six: 60
 * connections instead of 96.
 */
const c3Connections = [
  //   C3: 0123456789012345
  /* 0 */ 'X...XXX..XXXX.XX',
  /* 1 */ 'XX...XXX..XXXX.X',
  /* 2 */ 'XXX...XXX..X.XXX',
  /* 3 */ '.XXX..XXXX..X.XX',
  /* 4 */ '..XXX..XXXX.XX.X',
  /* 5 */ '...XXX..XXXX.XXX',
];

/**
 * The RBF output's fixed vectors: one 7x12 bitmap per digit, '#' = +1, '.' = -1, flattened row by
 * row into the 84 values F6's units are compared with, redrawn in the style of Fig. 3.
 *
 * @category LeNet-5
 */
// prettier-ignore
export const lenet5DigitBitmaps: string[][] = [
  ['.......', '..###..', '.#...#.', '#.....#', '#.....#', '#.....#', '#.....#', '#.....#', '#.....#', '.#...#.', '..###..', '.......'], // 0
  ['.......', '...#...', '..##...', '.#.#...', '...#...', '...#...', '...#...', '...#...', '...#...', '...#...', '.#####.', '.......'], // 1
  ['.......', '..###..', '.#...#.', '#.....#', '......#', '.....#.', '....#..', '...#...', '..#....', '.#.....', '#######', '.......'], // 2
  ['.......', '.####..', '#....#.', '......#', '.....#.', '..###..', '.....#.', '......#', '......#', '#....#.', '.####..', '.......'], // 3
  ['.......', '.....#.', '....##.', '...#.#.', '..#..#.', '.#...#.', '#....#.', '#######', '.....#.', '.....#.', '.....#.', '.......'], // 4
  ['.......', '#######', '#......', '#......', '#.###..', '##...#.', '......#', '......#', '#.....#', '.#...#.', '..###..', '.......'], // 5
  ['.......', '..###..', '.#...#.', '#......', '#......', '#.###..', '##...#.', '#.....#', '#.....#', '.#...#.', '..###..', '.......'], // 6
  ['.......', '#######', '......#', '.....#.', '.....#.', '....#..', '....#..', '...#...', '...#...', '..#....', '..#....', '.......'], // 7
  ['.......', '..###..', '.#...#.', '#.....#', '.#...#.', '..###..', '.#...#.', '#.....#', '#.....#', '.#...#.', '..###..', '.......'], // 8
  ['.......', '..###..', '.#...#.', '#.....#', '#.....#', '.#...##', '..###.#', '......#', '......#', '.#...#.', '..###..', '.......'], // 9
];

/**
 * The variants' tables.
 *
 * @category LeNet-5
 */
export const lenet5Architectures = {
  classic: LeNetArchitectureSchema.parse({
    layers: [
      { type: 'conv', name: 'c1', filters: 6, kernelSize: 5 }, // 32x32x1 -> 28x28x6
      { type: 'avgPool', name: 's2', poolSize: 2 }, // -> 14x14x6
      { type: 'conv', name: 'c3', filters: 16, kernelSize: 5 }, // -> 10x10x16
      { type: 'avgPool', name: 's4', poolSize: 2 }, // -> 5x5x16
      { type: 'dense', name: 'c5', units: 120 }, // a 5x5 conv on a 5x5 map: a dense layer on the flattened map
      { type: 'dense', name: 'f6', units: 84 },
    ],
  }),
  // Every trainable layer is followed by f(a) = A·tanh(S·a), A = 1.7159, S = 2/3, and weights start
  // uniform in ±2.4 / F_i (Section II.B, Appendix A).
  paper: LeNetArchitectureSchema.parse({
    layers: [
      { type: 'conv', name: 'c1', filters: 6, kernelSize: 5 }, // 32x32x1 -> 28x28x6: 6 · (25 + 1) = 156
      { type: 'subsample', name: 's2', poolSize: 2 }, // -> 14x14x6: a coefficient and a bias per map, 12
      { type: 'conv', name: 'c3', filters: 16, kernelSize: 5, connectionTable: c3Connections }, // -> 10x10x16: 60 · 25 + 16 = 1,516
      { type: 'subsample', name: 's4', poolSize: 2 }, // -> 5x5x16: 32
      { type: 'conv', name: 'c5', filters: 120, kernelSize: 5 }, // -> 1x1x120: 120 · (400 + 1) = 48,120
      { type: 'dense', name: 'f6', units: 84 }, // 84 · (120 + 1) = 10,164
    ],
    activation: { type: 'scaledTanh', amplitude: 1.7159, slope: 2 / 3 },
    output: { type: 'rbf', prototypes: lenet5DigitBitmaps }, // no trainable parameter
    init: 'lecun1998',
  }),
} satisfies Record<string, LeNetArchitecture>;

/** The options' cross-checks against the table: C3-style tables against the maps they see, the RBF bitmaps against the classes, pooling against a dense ending. */
function checkAgainstTable(options: { architecture: LeNetArchitecture; inputShape: readonly number[]; numClasses: number; includeTop: boolean; pooling?: 'avg' | 'max' }, context: z.core.$RefinementCtx): void {
  const { architecture } = options;
  let maps = options.inputShape[2];
  architecture.layers.forEach((layer, index) => {
    if (layer.type !== 'conv') return;
    if (layer.connectionTable && layer.connectionTable.length !== maps) {
      const rule = `must have one row per input map of layer '${layer.name}' (${maps})`;
      context.addIssue({ code: 'custom', path: ['architecture', 'layers', index, 'connectionTable'], message: rule, input: layer.connectionTable, params: { shown: `${layer.connectionTable.length} rows` } });
    }
    maps = layer.filters;
  });
  const { output } = architecture;
  if (options.includeTop && output.type === 'rbf' && output.prototypes && output.prototypes.length !== options.numClasses) {
    const rule = `must equal the number of RBF prototypes in architecture.output.prototypes (${output.prototypes.length}); pass numClasses ${output.prototypes.length}, or an architecture whose rbf output has no prototypes (fixed ±1 codes are then generated per class)`;
    context.addIssue({ code: 'custom', path: ['numClasses'], message: rule, input: options.numClasses });
  }
  const last = architecture.layers.at(-1)!;
  if (!options.includeTop && options.pooling && last.type === 'dense') {
    const rule = `only applies when the features end with a feature map; this layer list ends with dense layer '${last.name}' (a vector)`;
    context.addIssue({ code: 'custom', path: ['pooling'], message: rule, input: options.pooling });
  }
}

const LeNetOptionsSchema = modelOptionsSchema(
  { numClasses: 10, inputShape: [32, 32, 1], dropout: 0 },
  {
    /** Which table to build when no `architecture` is given: 'classic' (default) or 'paper'. */
    variant: variantOption(lenet5Architectures, "the variant: 'classic' or 'paper'"),
    /** Zero padding on every side of the input, inside the model (`input_pad`). The paper centres 28x28 digits in a 32x32 field (Section III.A): `inputShape: [28, 28, 1], inputPadding: 2`. Default 0. */
    inputPadding: z.number({ error: 'must be a non-negative integer' }).int({ error: 'must be a non-negative integer' }).min(0, { error: 'must be a non-negative integer' }).default(0),
    /** Your own layer list ({@link LeNetArchitectureInput}); default the variant's table. */
    architecture: LeNetArchitectureSchema.optional(),
  },
)
  .transform((options) => ({ ...options, architecture: options.architecture ?? lenet5Architectures[options.variant] }))
  .superRefine(checkAgainstTable);

/**
 * Options of {@link lenet5}: `variant` ('classic'), `inputPadding` (0), `architecture` (the
 * variant's table), and the shared options with LeNet-5's defaults (`numClasses` 10, `inputShape`
 * [32, 32, 1], `dropout` 0).
 *
 * @useDeclaredType
 * @category LeNet-5
 */
export type LeNetOptions = z.input<typeof LeNetOptionsSchema>;
type LeNetConfig = z.output<typeof LeNetOptionsSchema>;

/** A uniform initialiser under the table's rule, from the unit's fans. */
function uniformInit(rule: LeNetArchitecture['init'], fanIn: number, fanOut: number): InitSpec {
  // Glorot: Keras's GlorotUniform written out with the layer's own fans (which a custom layer's
  // weight shape does not tell); LeCun 1998, Appendix A: ±2.4 / F_i.
  return { kind: 'uniform', limit: rule === 'lecun1998' ? 2.4 / fanIn : Math.sqrt(6 / (fanIn + fanOut)) };
}

/**
 * The RBF units' fixed vectors, as ±1 numbers: the table's bitmaps, or without bitmaps a fixed ±1
 * code per class, the signs of a uniform draw from one constant seed (every model has the same
 * codes; for 84 values about 42 bit flips apart on average).
 */
function rbfPrototypes(output: Extract<LeNetArchitecture['output'], { type: 'rbf' }>, numClasses: number, width: number): number[][] {
  if (output.prototypes) return output.prototypes.map((bitmap) => Array.from(bitmap.join(''), (pixel) => (pixel === '#' ? 1 : -1)));
  const draw = sampleWeights({ kind: 'uniform', limit: 1 }, [numClasses, width], weightSeed(0, 'lenet5/rbf_prototypes'));
  return Array.from({ length: numClasses }, (_, i) => Array.from(draw.subarray(i * width, (i + 1) * width), (v) => (v >= 0 ? 1 : -1)));
}

/** For each output map of a Table-I-style table, the input maps it sees. */
function connectionsByOutput(table: readonly string[], filters: number): number[][] {
  return Array.from({ length: filters }, (_, j) => table.flatMap((line, i) => (line[j] === 'X' ? [i] : [])));
}

function describeLeNet<T>(net: Net<T>, config: LeNetConfig): NetGraph<T> {
  const { architecture } = config;
  const rule = architecture.init;
  const scaled = architecture.activation === 'tanh' ? undefined : architecture.activation;
  const fused: Activation = scaled ? 'linear' : 'tanh';
  const activate = (x: T, layer: string): T => {
    if (!scaled) return x;
    const name = `${layer}_scaled_tanh`;
    return net.custom(x, { create: () => new ScaledTanh({ name, amplitude: scaled.amplitude, slope: scaled.slope }) });
  };

  const input = net.input(config.inputShape, 'input');
  let x = config.inputPadding > 0 ? net.zeroPad(input, config.inputPadding, 'input_pad') : input;
  let flat = false;
  for (const layer of architecture.layers) {
    if (layer.type === 'conv') {
      const inputMaps = net.shape(x)[2];
      const { name, filters, kernelSize: k, connectionTable } = layer;
      if (connectionTable) {
        const connections = connectionsByOutput(connectionTable, filters);
        const count = connections.reduce((sum, inputs) => sum + inputs.length, 0);
        // A unit of map j sees k² · |connections[j]| inputs; the rule uses the layer's mean fans.
        const kernelInit = uniformInit(rule, (k * k * count) / filters, (k * k * count) / inputMaps);
        x = net.custom(x, {
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
        });
      } else {
        x = net.conv2d(x, { name, filters, kernelSize: k, activation: fused, kernelInit: uniformInit(rule, k * k * inputMaps, k * k * filters), biasInit: zeros });
      }
      x = activate(x, name);
    } else if (layer.type === 'avgPool') {
      x = net.avgPool(x, { name: layer.name, poolSize: layer.poolSize });
    } else if (layer.type === 'subsample') {
      const { name, poolSize } = layer;
      // Each unit sums poolSize² inputs into one coefficient: fan-in poolSize², fan-out 1.
      const coefficientInit = uniformInit(rule, poolSize * poolSize, 1);
      x = net.custom(x, {
        create: (init) =>
          new SubSampling2D({
            name,
            poolSize,
            activation: fused,
            coefficientInitializer: seededConfig(coefficientInit, `${name}/coefficient`, init),
            biasInitializer: seededConfig(zeros, `${name}/bias`, init),
          }),
      });
      x = activate(x, name);
    } else {
      if (!flat) x = net.flatten(x, 'flatten');
      flat = true;
      x = net.dense(x, { name: layer.name, units: layer.units, activation: fused, kernelInit: uniformInit(rule, net.shape(x)[0], layer.units), biasInit: zeros });
      x = activate(x, layer.name);
    }
  }

  if (!config.includeTop) return { inputs: [input], outputs: [config.pooling ? poolFeatures(net, x, config.pooling) : x] };
  if (!flat) x = net.flatten(x, 'flatten');
  if (config.dropout > 0) x = net.dropout(x, config.dropout, 'dropout');
  const width = net.shape(x)[0];
  if (architecture.output.type === 'dense') {
    const kernelInit = uniformInit(rule, width, config.numClasses);
    return { inputs: [input], outputs: [net.dense(x, { name: 'predictions', units: config.numClasses, activation: config.classifierActivation, kernelInit, biasInit: zeros })] };
  }
  const prototypes = rbfPrototypes(architecture.output, config.numClasses, width);
  const output = net.custom(x, { create: () => new EuclideanRBF({ name: 'predictions', prototypes, activation: config.classifierActivation }) });
  return { inputs: [input], outputs: [output] };
}

/**
 * LeNet-5's family: one model, in two variants.
 *
 * @category LeNet-5
 */
export const lenet5Family = defineFamily({
  name: 'lenet5',
  paper: { title: 'Gradient-Based Learning Applied to Document Recognition', authors: 'LeCun, Bottou, Bengio, Haffner', year: 1998, url: 'https://doi.org/10.1109/5.726791' },
  table: 'Section II.B, Fig. 2, Table I',
  schema: LeNetOptionsSchema,
  describe: describeLeNet,
  models: { lenet5: { table: 'Section II.B, Fig. 2, Table I' } },
  // The feature maps (not the dense layers): the last layer before each subsampling, and the last map.
  stages: ({ architecture }) =>
    stagesByStride(architecture.layers.filter((layer) => layer.type !== 'dense').map((layer) => ({ block: layer.name, stride: layer.type === 'conv' ? 1 : layer.poolSize })), 1),
});

/**
 * LeNet-5 on 32x32x1 images by default: the classic (61,706 parameters) or, with
 * `variant: 'paper'`, the paper's network (60,000 trainable parameters).
 *
 * @example
 * ```ts
 * const model = lenet5();
 * const paper = lenet5({ variant: 'paper' });
 * const mnist = lenet5({ inputShape: [28, 28, 1], inputPadding: 2 }); // 28x28 digits in the paper's 32x32 field
 * ```
 *
 * @category LeNet-5
 */
export const lenet5 = lenet5Family.definitions.lenet5.build;
