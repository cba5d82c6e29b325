/**
 * The options every builder shares, with the same names in every family (Keras Applications'
 * `include_top`, `input_shape`, `pooling`, `classes`, `classifier_activation`, in camelCase).
 */
import { z } from 'zod';
import { inputShapeSchema, positiveInt, rate } from './config.js';
import { freshSeed, type InitContext } from './init.js';

/**
 * A family's defaults for the shared options that differ between families; the others have the
 * same default everywhere (`includeTop` true, `classifierActivation` 'softmax', `initialize` true).
 *
 * @category Options
 */
export interface CommonDefaults {
  /** Default of `numClasses`. */
  numClasses: number;
  /** Default of `inputShape`, `[height, width, channels]`. */
  inputShape: [number, number, number];
  /** Default of `dropout`. */
  dropout: number;
}

/** The activation of the classifier's output. */
export const classifierActivations = ['softmax', 'sigmoid', 'linear'] as const;

/** The shared option fields, each documented, defaults in the schema. */
export function commonOptionFields(defaults: CommonDefaults) {
  return {
    /** Number of classes of the classifier. Default: the family's (1000 for the ImageNet models, 10 for LeNet-5). */
    numClasses: positiveInt().default(defaults.numClasses).describe('number of classes of the classifier'),
    /**
     * `[height, width, channels]` of one input image. Default: the family's (224x224x3 for the
     * ImageNet models, 32x32x1 for LeNet-5). An input too small for the network is refused before
     * anything is built, naming the layer and the arithmetic.
     */
    inputShape: inputShapeSchema.default(defaults.inputShape).describe('[height, width, channels] of one input image'),
    /** `false` leaves the classifier off: the model ends with the last feature map (or `pooling`). Default `true`. */
    includeTop: z.boolean({ error: 'must be true or false' }).default(true).describe('include the classifier'),
    /** With `includeTop: false`, pool the last feature map to a vector: 'avg' or 'max'. Default: no pooling. */
    pooling: z.enum(['avg', 'max'], { error: "must be 'avg' or 'max'" }).optional().describe('global pooling when the top is left off'),
    /** Activation of the output layer: 'softmax' (default), 'sigmoid', or 'linear' (logits). */
    classifierActivation: z
      .enum(classifierActivations, { error: `must be one of ${classifierActivations.map((a) => `'${a}'`).join(', ')}` })
      .default('softmax')
      .describe('activation of the output layer'),
    /** Dropout rate before (or inside) the classifier, in [0, 1). Default: the family's (0 where Keras has none). */
    dropout: rate().default(defaults.dropout).describe('dropout rate in the classifier'),
    /** Seed of the random initialisation; the same seed gives the same weights. Default: a fresh random seed. */
    seed: z.number({ error: 'must be an integer' }).int({ error: 'must be an integer' }).optional().describe('seed of the random initialisation'),
    /** `false` skips random initialisation (weights start at zero): for analysis, or before loading weights. Default `true`. */
    initialize: z.boolean({ error: 'must be true or false' }).default(true).describe('draw random initial weights'),
  };
}

/**
 * The parsed shared options, as every family's parsed config contains them (defaults filled in).
 * Every builder takes these, under the same names (Keras Applications' `classes`, `input_shape`,
 * `include_top`, `pooling`, `classifier_activation`, in camelCase).
 *
 * @category Options
 */
export interface CommonOptions {
  /** Number of classes of the classifier. */
  numClasses: number;
  /** `[height, width, channels]` of one input image. */
  inputShape: [number, number, number];
  /** Whether the classifier is built. */
  includeTop: boolean;
  // `| undefined` on the optional fields: what zod's parsed optional fields are, so that a schema's
  // output satisfies this type also in a consumer's `exactOptionalPropertyTypes` project.
  /** Global pooling of the last feature map when `includeTop` is false; absent: none. */
  pooling?: 'avg' | 'max' | undefined;
  /** Activation of the output layer. */
  classifierActivation: (typeof classifierActivations)[number];
  /** Dropout rate in the classifier. */
  dropout: number;
  /** Seed of the random initialisation, if one was given. */
  seed?: number | undefined;
  /** Whether weights are drawn at random (false: zeros). */
  initialize: boolean;
}

/**
 * A family's strict options schema: the shared fields (see {@link CommonOptions}) with the
 * family's defaults, plus its own fields. A family field of the same name replaces the shared
 * one. Unknown keys are rejected, and `pooling` only makes sense without the top.
 *
 * @param defaults - The family's defaults for `numClasses`, `inputShape` and `dropout`.
 * @param familyFields - The family's own zod fields, each with a doc comment (it is what the reference shows).
 *
 * @category Options
 */
export function modelOptionsSchema<F extends z.ZodRawShape>(defaults: CommonDefaults, familyFields: F) {
  // A family field replaces the shared one of the same name (AlexNet's `inputShape`, whose default
  // depends on the variant); TS types a generic spread as an intersection, so say so explicitly.
  const shape = { ...commonOptionFields(defaults), ...familyFields } as Omit<ReturnType<typeof commonOptionFields>, keyof F> & F;
  return z.strictObject(shape).superRefine((parsed, context) => {
    const options = parsed as Pick<CommonOptions, 'includeTop' | 'pooling'>;
    if (options.includeTop && options.pooling !== undefined) {
      context.addIssue({
        code: 'custom',
        path: ['pooling'],
        message: 'only applies when includeTop is false',
        input: options.pooling,
      });
    }
  });
}

/** The initialisation the options ask for. */
export function initContext(options: Pick<CommonOptions, 'seed' | 'initialize'>): InitContext {
  return { seed: options.seed ?? freshSeed(), random: options.initialize };
}

/**
 * The `variant` option of a family whose variants compute differently: one of the keys of its
 * variants table, the first by default.
 *
 * @category Options
 */
export function variantOption<const V extends Record<string, unknown>>(variants: V, description: string) {
  const names = Object.keys(variants) as [Extract<keyof V, string>, ...Extract<keyof V, string>[]];
  const quoted = names.map((name) => `'${name}'`);
  const choices = quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}` : quoted[0];
  return z.enum(names, { error: `must be ${choices}` }).default(names[0] as never).describe(description);
}
