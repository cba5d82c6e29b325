/**
 * The per-layer summary, in the spirit of torchinfo and Keras's `model.summary()`: one row per
 * layer with its output shape, parameters, MACs, share of the MACs and receptive field; nested
 * blocks folded to a chosen depth; then the totals and the memory a forward pass needs.
 */
import { checkPositiveInt } from '../config.js';
import type { tf } from '../tf.js';
import { analyseModel, type AnalysedCall } from './analyse.js';
import { buildBlockTree, blocksFromName, type BlockRule, type BlockTree } from './blocks.js';
import { countParams } from './count-params.js';
import { flopsOf, type FlopCount } from './count-flops.js';
import type { OpenShape } from './graph.js';
import { elements } from './layer-costs.js';
import type { ReceptiveField } from './receptive-field.js';
import { renderMarkdown, renderTable } from './render.js';

/** Bytes of one float32 number. */
const FLOAT32_BYTES = 4;

/** Layers whose output shares its input's memory (a view) or is the input itself at inference. */
const NO_NEW_MEMORY = new Set(['Flatten', 'Reshape', 'Dropout', 'SpatialDropout1D', 'GaussianDropout', 'GaussianNoise', 'AlphaDropout']);

/**
 * Options of {@link summary}.
 *
 * @category Analysis
 */
export interface SummaryOptions {
  /**
   * How many levels of blocks to show: 1 shows the top level only (stages, with their totals);
   * deeper blocks are folded into one row each. Default: every layer.
   */
  depth?: number;
  /** Examples per forward pass, for MACs and activation memory. Default 1. */
  batchSize?: number;
  /** Where blocks come from; default `'names'`. */
  blocks?: BlockRule;
}

/**
 * One row of the summary: a layer, an input, or a block (expanded or folded).
 *
 * @category Analysis
 */
export interface SummaryRow {
  /** The layer's or block's name. */
  name: string;
  /** The layer class, or `Block` for a block. */
  type: string;
  /** An input layer, a layer, or a block. */
  kind: 'input' | 'layer' | 'block';
  /** 1 for the top level. */
  level: number;
  /** For a block: whether its layers are shown below it (then its figures are not to be added again). */
  expanded: boolean;
  /** Enclosing blocks, outermost first. */
  block: string[];
  /** Layer calls inside (1 for a layer). */
  layers: number;
  /** Per-example output shape (the last layer's, for a block). */
  outputShape: (number | null)[];
  /** Every output's shape, for a layer with several outputs. */
  outputShapes: (number | null)[][];
  /** Parameters (a block: of all its layers). */
  params: number;
  /** Trainable parameters. */
  trainableParams: number;
  /** Multiply-accumulates, times the batch size. */
  macs: number;
  /** Other operations, times the batch size. */
  otherOps: number;
  /** Share of the model's MACs, 0 to 1. */
  share: number;
  /** The receptive field of its output (a block: of its last layer's); `null` where it cannot be told. */
  receptiveField: ReceptiveField | null;
}

/**
 * The JSON form of the summary (`cnn-zoo summary --format json`). Memory in decimal megabytes
 * (10^6 bytes), float32.
 *
 * @category Analysis
 */
export interface SummaryJson {
  /** The model's name. */
  model: string;
  /** The first input's per-example shape. */
  inputShape: (number | null)[];
  /** Every input's per-example shape. */
  inputShapes: (number | null)[][];
  /** Examples per forward pass. */
  batchSize: number;
  /** Levels of blocks shown; `null`: every layer. */
  depth: number | null;
  /** All parameters. */
  totalParams: number;
  /** Trainable parameters (torchvision's count). */
  trainableParams: number;
  /** Non-trainable parameters (BatchNorm's moving statistics...). */
  nonTrainableParams: number;
  /** Multiply-accumulates of convolutions and dense layers. */
  macs: number;
  /** 2 x macs. */
  flops: number;
  /** Every other operation. */
  otherOps: number;
  /** Parameters in float32. */
  paramMemoryMB: number;
  /** The input batch. */
  inputMemoryMB: number;
  /** Every layer's output, kept together (what training keeps for the backward pass). */
  activationMemoryMB: number;
  /** The most alive at once in an inference pass that frees each output after its last use. */
  peakActivationMemoryMB: number;
  /** Layers counted as zero (no cost rule). */
  unknownLayers: FlopCount['unknownLayers'];
  /** The rows to add up: layers, inputs and folded blocks (expanded blocks are left out). */
  layers: Omit<SummaryRow, 'expanded'>[];
}

/**
 * A model's summary, as {@link summary} returns it. Printing it (`console.log`, template strings)
 * shows the table; `toMarkdown()` and `toJSON()` give the other forms.
 *
 * @category Analysis
 */
export class ModelSummary {
  constructor(
    /** The model's name. */
    readonly model: string,
    /** Every input's per-example shape. */
    readonly inputShapes: (number | null)[][],
    /** Examples per forward pass. */
    readonly batchSize: number,
    /** Levels of blocks shown; `null`: every layer. */
    readonly depth: number | null,
    /** All parameters. */
    readonly totalParams: number,
    /** Trainable parameters (torchvision's count). */
    readonly trainableParams: number,
    /** Non-trainable parameters. */
    readonly nonTrainableParams: number,
    /** Multiply-accumulates of convolutions and dense layers, times the batch size. */
    readonly macs: number,
    /** Every other operation, times the batch size. */
    readonly otherOps: number,
    /** Bytes of the parameters in float32. */
    readonly paramBytes: number,
    /** Bytes of the input batch. */
    readonly inputBytes: number,
    /** Bytes of every layer's output, kept together (what training keeps for the backward pass). */
    readonly activationBytes: number,
    /** The most bytes alive at once in an inference pass that frees each output after its last use (input included). */
    readonly peakActivationBytes: number,
    /** Layers counted as zero (no cost rule). */
    readonly unknownLayers: FlopCount['unknownLayers'],
    /** Every row in display order, expanded blocks included as headers. */
    readonly rows: SummaryRow[],
  ) {}

  /** The first input's per-example shape. */
  get inputShape(): (number | null)[] {
    return this.inputShapes[0] ?? [];
  }

  /** 2 x macs: a multiply-add is two floating-point operations. */
  get flops(): number {
    return 2 * this.macs;
  }

  /** The rows that add up to the totals: layers, inputs and folded blocks. */
  get layers(): SummaryRow[] {
    return this.rows.filter((row) => !(row.kind === 'block' && row.expanded));
  }

  /** The table for a terminal. */
  toTable(): string {
    return renderTable(this);
  }

  /** The summary as a Markdown table. */
  toMarkdown(): string {
    return renderMarkdown(this);
  }

  /** The JSON form (`JSON.stringify(summary)` uses it). */
  toJSON(): SummaryJson {
    const mb = (bytes: number) => bytes / 1e6;
    return {
      model: this.model,
      inputShape: this.inputShape,
      inputShapes: this.inputShapes,
      batchSize: this.batchSize,
      depth: this.depth,
      totalParams: this.totalParams,
      trainableParams: this.trainableParams,
      nonTrainableParams: this.nonTrainableParams,
      macs: this.macs,
      flops: this.flops,
      otherOps: this.otherOps,
      paramMemoryMB: mb(this.paramBytes),
      inputMemoryMB: mb(this.inputBytes),
      activationMemoryMB: mb(this.activationBytes),
      peakActivationMemoryMB: mb(this.peakActivationBytes),
      unknownLayers: this.unknownLayers,
      layers: this.layers.map(({ expanded: _expanded, ...row }) => row),
    };
  }

  /** The table, as {@link ModelSummary.toTable}. */
  toString(): string {
    return this.toTable();
  }

  /** `console.log(summary(model))` in Node prints the table, not the object. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toTable();
  }
}

function pathRule(rule: BlockRule): (call: AnalysedCall) => string[] {
  if (rule === 'models') return (call) => call.path;
  const fromName = rule === 'names' ? blocksFromName : rule;
  return (call) => [...call.path, ...fromName(call.layer.name).filter((block) => !call.path.includes(block))];
}

/** The bytes alive at the worst moment of an inference pass that frees each output after its last reader. */
function peakBytes(calls: AnalysedCall[], outputs: string[], batchSize: number): number {
  // A view's output lives in its input's memory: follow views back to the memory they share.
  const storage = new Map<string, string>();
  const bytes = new Map<string, number>();
  const born = new Map<string, number>();
  const lastUse = new Map<string, number>();
  const storageOf = (key: string) => storage.get(key) ?? key;
  calls.forEach((call, step) => {
    for (const key of call.inputs) lastUse.set(storageOf(key), step);
    call.outputs.forEach((key, i) => {
      if (NO_NEW_MEMORY.has(call.type) && call.inputs.length === 1) {
        storage.set(key, storageOf(call.inputs[0]));
      } else {
        bytes.set(key, elements((call.outputShapes[i] ?? []).map((size) => size ?? 0)) * batchSize * FLOAT32_BYTES);
        born.set(key, step);
        lastUse.set(key, Math.max(lastUse.get(key) ?? step, step));
      }
    });
  });
  for (const key of outputs) lastUse.set(storageOf(key), calls.length);
  let peak = 0;
  for (let step = 0; step < calls.length; step++) {
    let alive = 0;
    for (const [key, size] of bytes) if (born.get(key)! <= step && lastUse.get(key)! >= step) alive += size;
    peak = Math.max(peak, alive);
  }
  return peak;
}

interface RowFigures {
  params: number;
  trainableParams: number;
  macs: number;
  otherOps: number;
  layers: number;
  last: AnalysedCall;
}

function figures(node: BlockTree<AnalysedCall>, batchSize: number): RowFigures {
  if (node.kind === 'item') {
    const call = node.item;
    return { params: call.params, trainableParams: call.trainableParams, macs: call.cost.macs * batchSize, otherOps: call.cost.otherOps * batchSize, layers: 1, last: call };
  }
  const parts = node.children.map((child) => figures(child, batchSize));
  return {
    params: parts.reduce((sum, part) => sum + part.params, 0),
    trainableParams: parts.reduce((sum, part) => sum + part.trainableParams, 0),
    macs: parts.reduce((sum, part) => sum + part.macs, 0),
    otherOps: parts.reduce((sum, part) => sum + part.otherOps, 0),
    layers: parts.reduce((sum, part) => sum + part.layers, 0),
    last: parts[parts.length - 1].last,
  };
}

/**
 * The summary of any tf.LayersModel: rows per layer (or per block, folded to `depth`), totals,
 * memory. Nothing is run and no weight is read; build zoo models with `initialize: false` to skip
 * the random numbers too.
 *
 * @example
 * ```ts
 * console.log(summary(resnet34({ initialize: false }), { depth: 1 })); // one row per stage
 * summary(lenet5()).toJSON().trainableParams; // 61706
 * ```
 *
 * @category Analysis
 */
export function summary(model: tf.LayersModel, options: SummaryOptions = {}): ModelSummary {
  const depth = options.depth === undefined || options.depth === Infinity ? null : checkPositiveInt('depth', options.depth);
  const batchSize = checkPositiveInt('batchSize', options.batchSize ?? 1);
  const analysis = analyseModel(model);
  const flops = flopsOf(analysis, batchSize);
  const params = countParams(model);
  const calls = analysis.calls;

  const rows: SummaryRow[] = [];
  const pathOf = pathRule(options.blocks ?? 'names');
  const emit = (node: BlockTree<AnalysedCall>, level: number, block: string[]) => {
    const sums = figures(node, batchSize);
    const call = sums.last;
    const isBlock = node.kind === 'block';
    const expanded = isBlock && (depth === null || level < depth);
    rows.push({
      name: isBlock ? node.name : call.layer.name,
      type: isBlock ? 'Block' : call.type,
      kind: isBlock ? 'block' : call.inputs.length === 0 ? 'input' : 'layer',
      level,
      expanded,
      block,
      layers: sums.layers,
      outputShape: [...(call.outputShapes[0] ?? [])],
      outputShapes: call.outputShapes.map((shape) => [...shape]),
      params: sums.params,
      trainableParams: sums.trainableParams,
      macs: sums.macs,
      otherOps: sums.otherOps,
      share: flops.macs > 0 ? sums.macs / flops.macs : 0,
      receptiveField: call.receptiveField,
    });
    if (node.kind === 'block' && expanded) for (const child of node.children) emit(child, level + 1, [...block, node.name]);
  };
  for (const node of buildBlockTree(calls, pathOf)) emit(node, 1, []);

  const inputCalls = calls.filter((call) => call.inputs.length === 0);
  const outputElements = (shape: OpenShape) => elements(shape.map((size) => size ?? 0));
  const inputBytes = inputCalls.reduce((sum, call) => sum + outputElements(call.outputShapes[0]), 0) * batchSize * FLOAT32_BYTES;
  const activationBytes =
    calls
      .filter((call) => call.inputs.length > 0 && !NO_NEW_MEMORY.has(call.type))
      .reduce((sum, call) => sum + call.outputShapes.reduce((s, shape) => s + outputElements(shape), 0), 0) *
    batchSize *
    FLOAT32_BYTES;

  return new ModelSummary(
    model.name,
    inputCalls.map((call) => [...call.outputShapes[0]]),
    batchSize,
    depth,
    params.total,
    params.trainable,
    params.nonTrainable,
    flops.macs,
    flops.otherOps,
    params.total * FLOAT32_BYTES,
    inputBytes,
    activationBytes,
    peakBytes(calls, analysis.outputs, batchSize),
    flops.unknownLayers,
    rows,
  );
}
