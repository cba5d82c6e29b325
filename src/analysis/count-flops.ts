/**
 * Multiply-accumulates of a forward pass, torchvision's way, with every other operation counted
 * apart (the rules are in `layer-costs.ts`).
 */
import { checkPositiveInt } from '../config.js';
import type { tf } from '../tf.js';
import { analyseModel, type ModelAnalysis } from './analyse.js';

/**
 * What {@link countFlops} returns: the totals, and the same figures per layer call and per class.
 *
 * @category Analysis
 */
export interface FlopCount {
  /** Multiply-accumulates of convolutions and dense layers: torchvision's "GFLOPS" column, times 1e9. */
  macs: number;
  /** 2 x macs: a multiply-add is two floating-point operations. */
  flops: number;
  /** Bias adds, BatchNorm, activations, pooling, LRN, element-wise merges: not in `macs`. */
  otherOps: number;
  /** The batch size every figure is for. */
  batchSize: number;
  /** One entry per layer call, input layers left out, in execution order. */
  byLayer: {
    /** The layer's name. */
    name: string;
    /** The layer class. */
    type: string;
    /** Enclosing models, outermost first, for a model used as a layer. */
    path: string[];
    /** Multiply-accumulates of this call, times the batch size. */
    macs: number;
    /** Other operations of this call, times the batch size. */
    otherOps: number;
    /** `false`: no rule covers this layer; it counts 0 and is listed in `unknownLayers`. */
    counted: boolean;
  }[];
  /** By layer class, most MACs first. */
  byType: {
    /** The layer class. */
    type: string;
    /** Number of calls. */
    layers: number;
    /** Their multiply-accumulates. */
    macs: number;
    /** Their other operations. */
    otherOps: number;
  }[];
  /** Layers counted as zero because no rule covers them (or a dimension is open), and why. Empty when every figure is complete. */
  unknownLayers: {
    /** The layer's name. */
    name: string;
    /** The layer class. */
    type: string;
    /** Why it has no cost. */
    reason: string;
  }[];
}

type LayerFlops = FlopCount['byLayer'][number];
type TypeFlops = FlopCount['byType'][number];

/** {@link countFlops} from an analysis already made (the summary reuses its walk). */
export function flopsOf(analysis: ModelAnalysis, batchSize: number): FlopCount {
  const byLayer: LayerFlops[] = [];
  const unknownLayers: FlopCount['unknownLayers'] = [];
  const types = new Map<string, TypeFlops>();
  for (const call of analysis.calls) {
    if (call.inputs.length === 0) continue;
    const entry: LayerFlops = {
      name: call.layer.name,
      type: call.type,
      path: call.path,
      macs: call.cost.macs * batchSize,
      otherOps: call.cost.otherOps * batchSize,
      counted: call.unknownReason === undefined,
    };
    byLayer.push(entry);
    if (call.unknownReason !== undefined) unknownLayers.push({ name: entry.name, type: entry.type, reason: call.unknownReason });
    const byType = types.get(entry.type) ?? { type: entry.type, layers: 0, macs: 0, otherOps: 0 };
    byType.layers += 1;
    byType.macs += entry.macs;
    byType.otherOps += entry.otherOps;
    types.set(entry.type, byType);
  }
  const macs = byLayer.reduce((sum, layer) => sum + layer.macs, 0);
  const otherOps = byLayer.reduce((sum, layer) => sum + layer.otherOps, 0);
  const byType = [...types.values()].sort((a, b) => b.macs - a.macs || b.otherOps - a.otherOps || a.type.localeCompare(b.type));
  return { macs, flops: 2 * macs, otherOps, batchSize, byLayer, byType, unknownLayers };
}

/**
 * Counts the multiply-accumulates of one forward pass of any tf.LayersModel, from its layers'
 * shapes alone (no weight is read, nothing runs).
 *
 * `macs` follows torchvision (convolutions and dense layers only); `flops` is twice that; every
 * other operation is in `otherOps` and in `byLayer`, so you can choose what to add. A layer the
 * counter does not know counts zero and is listed in `unknownLayers`; a custom layer can report
 * its own cost (`CountableLayer`) or be given a rule (`registerLayerCost`).
 *
 * @example
 * ```ts
 * const { macs, unknownLayers } = countFlops(resnet34({ initialize: false }));
 * // macs === 3_663_761_408 (torchvision: 3.66 GFLOPS)
 * ```
 *
 * @category Analysis
 */
export function countFlops(
  model: tf.LayersModel,
  options: {
    /** Examples per forward pass; every count scales with it. Default 1. */
    batchSize?: number;
  } = {},
): FlopCount {
  return flopsOf(analyseModel(model), checkPositiveInt('batchSize', options.batchSize ?? 1));
}
