/**
 * The one shape every family takes. A family is declared once, with `defineFamily`: its paper, its
 * options schema (the shared options plus its own fields, its tables as data), its network
 * description, and its registered models, each a row naming the paper's table and the options the
 * model fixes by default. The registry entries and the builders are made from that declaration.
 */
import type { z } from 'zod';
import { parseConfig } from '../config.js';
import { initContext, type CommonOptions } from '../options.js';
import { buildNetwork, checkNetwork } from '../net/build.js';
import type { NetDescription, PlannedLayer } from '../net/net.js';
import type { tf } from '../tf.js';
import type { Preprocessing } from '../weights/manifest.js';
import { recordedConfig, recordModelInfo } from '../weights/model-info.js';

/**
 * The publication a family comes from.
 *
 * @category Registry
 */
export interface Paper {
  /** The paper's title. */
  title: string;
  /** Authors' surnames, in the paper's order. */
  authors: string;
  /** Year of publication. */
  year: number;
  /** arXiv or DOI link. */
  url: string;
}

/**
 * How torchvision's state_dict names a family's layers: the module path of each zoo layer
 * (`conv2_block1_1_conv` is `layer1.0.conv1`). Parameter names and layouts are the same for every
 * family and belong to the mapper (`src/import/torchvision-map.ts`).
 *
 * @category Registry
 */
export interface TorchvisionNames {
  /**
   * torchvision's module path of the zoo layer `layer`, or `undefined` where torchvision has no
   * such module. `layers` is every layer name of the model, in order: VGG and MobileNet V2 number
   * their modules by position (`features.17`), which depends on the layers around.
   */
  modulePath(layer: string, layers: readonly string[]): string | undefined;
  /**
   * Why a tensor this model has no place for is skipped rather than refused (GoogLeNet's auxiliary
   * heads when the model is built without them), or `undefined`: it is refused.
   */
  skip?(key: string, layers: readonly string[]): string | undefined;
}

/**
 * Trained weights from one library: the variant whose numbers are that library's, and the
 * preprocessing its weights expect.
 *
 * @category Registry
 */
export interface WeightSource {
  /** The variant to build (the family's default when absent). */
  variant?: string;
  /** What an image must become before it reaches the model, as the library defines it. */
  preprocessing: Preprocessing;
}

/**
 * Where a family's trained weights come from: torchvision's (and timm's, named alike) state_dicts,
 * and Keras Applications' HDF5 files (named as the zoo's layers are).
 *
 * @category Registry
 */
export interface WeightSources {
  /** torchvision's checkpoints, and timm's where timm names alike. */
  torchvision?: WeightSource & { names: TorchvisionNames };
  /** Keras Applications' weight files. */
  keras?: WeightSource;
}

/**
 * One stage of a network, for feature extraction (timm's `feature_info`): its name, the block it
 * ends with (its last layer is the stage's output: the block's own name or the last layer whose name
 * starts with `<block>_`), and how many input pixels one of its pixels spans on each axis.
 *
 * @category Registry
 */
export interface Stage {
  /** The stage's name (`conv3`, `block2`, `inception4e`). */
  name: string;
  /** The block (a layer name, or a name prefix) whose last layer is the stage's output. */
  block: string;
  /** The network's total stride at that output: 2, 4, 8, 16, 32. */
  reduction: number;
}

/**
 * One registered model of a family: where the paper gives it, and the options it fixes by default.
 *
 * @category Registry
 */
export interface ModelRow<Options> {
  /** The table, column or figure the model is read from (`Table 1, 34-layer`). */
  table: string;
  /** Options this model sets unless the caller does (a depth's architecture). */
  defaults?: Partial<Options>;
}

/**
 * A model by name: its paper, and how to parse its options, plan it and build it. Made by the
 * model's family; every builder, `createModel`, the CLI and the tests go through one.
 *
 * @typeParam Options - What its builder takes.
 * @typeParam Config - Its options as parsed (defaults filled in).
 * @category Registry
 */
export interface ModelDefinition<Options = Record<string, unknown>, Config extends CommonOptions = CommonOptions> {
  /** The registry name (`resnet34`), or the family's name for the family's own builder. */
  readonly name: string;
  /** The family's name (`resnet`). */
  readonly family: string;
  /** The paper, and the table the model is read from. */
  readonly paper: Paper & { table: string };
  /** Where the family's trained weights come from, and how they are named. */
  readonly sources: WeightSources;
  /** Validates the options against the family's schema (with this model's defaults) and returns them parsed. */
  parse(options?: Options): Config;
  /** Every layer's name, class and output shape, without building anything; the same errors as `build`. */
  plan(options?: Options): PlannedLayer[];
  /** Validates, checks every layer's shape, then builds the model. */
  build(options?: Options): tf.LayersModel;
  /** The stages of the model these options build, first to last. */
  stages(options?: Options): Stage[];
}

/**
 * The options a model's builder takes: the family's, with the ones its row sets made optional.
 *
 * @category Registry
 */
export type RowOptions<Input, Row> = Row extends { defaults: infer D } ? Omit<Input, keyof D> & Partial<Pick<Input, Extract<keyof D, keyof Input>>> : Input;

/**
 * What `defineFamily` is given.
 *
 * @category Registry
 */
export interface FamilyDeclaration<S extends z.ZodType<CommonOptions>, M extends Record<string, ModelRow<z.input<S>>>> {
  /** The family's name, and its own builder's (`resnet`). */
  name: string;
  /** The paper the family comes from. */
  paper: Paper;
  /** The table its own builder cites. */
  table: string;
  /** The options: the shared ones with the family's defaults, plus its own (see `modelOptionsSchema`). */
  schema: S;
  /** The network, described once on a {@link Net}. */
  describe: NetDescription<z.output<S>>;
  /** The registered models, by registry name. */
  models: M;
  /** Where trained weights come from. Default: nowhere (no importer knows the family). */
  sources?: WeightSources;
  /** The stages of a network built with `config`, first to last: where each ends and its reduction. */
  stages: (config: z.output<S>) => Stage[];
}

/**
 * A declared family: its declaration, its own builder's definition, and one definition per model.
 *
 * @category Registry
 */
export interface Family<S extends z.ZodType<CommonOptions>, M extends Record<string, ModelRow<z.input<S>>>> extends FamilyDeclaration<S, M> {
  /** The family's own builder: every option as the caller gives it (`architecture` required where no row sets one). */
  readonly definition: ModelDefinition<z.input<S>, z.output<S>>;
  /** One definition per registered model. */
  readonly definitions: { readonly [K in keyof M]: ModelDefinition<RowOptions<z.input<S>, M[K]>, z.output<S>> };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function modelDefinition<S extends z.ZodType<CommonOptions>, Options>(
  family: { name: string; paper: Paper; schema: S; describe: NetDescription<z.output<S>>; sources?: WeightSources; stages: (config: z.output<S>) => Stage[] },
  name: string,
  table: string,
  defaults: object | undefined,
): ModelDefinition<Options, z.output<S>> {
  const parse = (options?: Options): z.output<S> =>
    // A value that is not an options object goes to the schema as it is, which says what it received.
    parseConfig(family.schema, defaults && (options === undefined || isPlainObject(options)) ? { ...defaults, ...options } : options);
  return {
    name,
    family: family.name,
    paper: { ...family.paper, table },
    sources: family.sources ?? {},
    parse,
    plan: (options) => checkNetwork(name, family.describe, parse(options)),
    stages: (options) => family.stages(parse(options)),
    build: (options) => {
      const config = parse(options);
      const model = buildNetwork(name, family.describe, config, initContext(config));
      recordModelInfo(model, { model: name, config: recordedConfig(config) });
      return model;
    },
  };
}

/**
 * Declares a family: returns its declaration with the definitions of its own builder and of every model.
 *
 * @category Registry
 */
export function defineFamily<S extends z.ZodType<CommonOptions>, const M extends Record<string, ModelRow<z.input<S>>>>(declaration: FamilyDeclaration<S, M>): Family<S, M> {
  const definitions = Object.fromEntries(
    Object.entries(declaration.models).map(([name, row]) => [name, modelDefinition(declaration, name, row.table, row.defaults)]),
  ) as Family<S, M>['definitions'];
  return { ...declaration, definition: modelDefinition(declaration, declaration.name, declaration.table, undefined), definitions };
}
