/**
 * The options every builder shares, with the same names in every family (Keras Applications'
 * `include_top`, `input_shape`, `pooling`, `classes`, `classifier_activation`, in camelCase).
 */
import { z } from 'zod';
import { inputShapeSchema, positiveInt, rate } from './config.js';
import { freshSeed, type InitContext } from './init.js';

/** A family's defaults for the shared options. */
export interface CommonDefaults {
  numClasses: number;
  inputShape: [number, number, number];
  dropout: number;
}

/** The activation of the classifier's output. */
export const classifierActivations = ['softmax', 'sigmoid', 'linear'] as const;

/** The shared option fields, each documented, defaults in the schema. */
export function commonOptionFields(defaults: CommonDefaults) {
  return {
    /** Number of classes of the classifier. */
    numClasses: positiveInt().default(defaults.numClasses).describe('number of classes of the classifier'),
    /** `[height, width, channels]` of one input image. */
    inputShape: inputShapeSchema.default(defaults.inputShape).describe('[height, width, channels] of one input image'),
    /** `false` leaves the classifier off: the model ends with the last feature map (or `pooling`). */
    includeTop: z.boolean({ error: 'must be true or false' }).default(true).describe('include the classifier'),
    /** With `includeTop: false`, pool the last feature map to a vector: 'avg' or 'max'. */
    pooling: z.enum(['avg', 'max'], { error: "must be 'avg' or 'max'" }).optional().describe('global pooling when the top is left off'),
    /** Activation of the output layer ('linear' gives logits). */
    classifierActivation: z
      .enum(classifierActivations, { error: `must be one of ${classifierActivations.map((a) => `'${a}'`).join(', ')}` })
      .default('softmax')
      .describe('activation of the output layer'),
    /** Dropout rate before (or inside) the classifier. */
    dropout: rate().default(defaults.dropout).describe('dropout rate in the classifier'),
    /** Seed of the random initialisation; the same seed gives the same weights. */
    seed: z.number({ error: 'must be an integer' }).int({ error: 'must be an integer' }).optional().describe('seed of the random initialisation'),
    /** `false` skips random initialisation (weights start at zero): for analysis, or before loading weights. */
    initialize: z.boolean({ error: 'must be true or false' }).default(true).describe('draw random initial weights'),
  };
}

/** The parsed shared options, as every family's parsed config contains them. */
export interface CommonOptions {
  numClasses: number;
  inputShape: [number, number, number];
  includeTop: boolean;
  pooling?: 'avg' | 'max';
  classifierActivation: (typeof classifierActivations)[number];
  dropout: number;
  seed?: number;
  initialize: boolean;
}

/**
 * A family's strict options schema: the shared fields plus its own. Unknown keys are rejected, and
 * `pooling` only makes sense without the top.
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
