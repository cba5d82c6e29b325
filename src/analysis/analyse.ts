/**
 * One pass over a model that every figure is read from: each layer call with its shapes, its
 * cost, its receptive field and (on its first call) its parameters.
 */
import type { tf } from '../tf.js';
import { countParams } from './count-params.js';
import { walkModel, type LayerCall, type OpenShape } from './graph.js';
import { layerCost, type LayerCost } from './layer-costs.js';
import { applyWindow, inputField, mergeFields, type ReceptiveField } from './receptive-field.js';

/** A layer call with everything the counters and the summary need. */
export interface AnalysedCall extends LayerCall {
  /** Per example (batch 1). */
  cost: LayerCost;
  /** Why the cost is unknown (counted as zero), if it is. */
  unknownReason?: string;
  receptiveField: ReceptiveField | null;
  /** The layer's parameters on its first call, zero on later calls of a shared layer. */
  params: number;
  trainableParams: number;
}

export interface ModelAnalysis {
  calls: AnalysedCall[];
  /** Keys of the model's input and output tensors. */
  inputs: string[];
  outputs: string[];
}

/** Walks `model` and costs every call. */
export function analyseModel(model: tf.LayersModel): ModelAnalysis {
  const graph = walkModel(model);
  const fields = new Map<string, ReceptiveField | null>();
  const counted = new Set<tf.layers.Layer>();
  const calls = graph.calls.map((call): AnalysedCall => {
    const result = layerCost(call.layer, call.inputShapes, call.outputShapes);
    let field: ReceptiveField | null;
    if (call.inputs.length === 0) {
      field = inputField(call.outputShapes[0]);
    } else {
      field = applyWindow(mergeFields(call.inputs.map((key) => fields.get(key))), result.cost.window, knownShape(call.inputShapes[0]));
    }
    for (const key of call.outputs) fields.set(key, field);
    const first = !counted.has(call.layer);
    counted.add(call.layer);
    const params = first ? countParams(call.layer) : { total: 0, trainable: 0 };
    return {
      ...call,
      cost: result.cost,
      unknownReason: result.counted ? undefined : result.reason,
      receptiveField: field,
      params: params.total,
      trainableParams: params.trainable,
    };
  });
  return { calls, inputs: graph.inputs, outputs: graph.outputs };
}

function knownShape(shape: OpenShape): number[] {
  return shape.map((size) => size ?? 0);
}

/**
 * The receptive field of every layer's output, by layer name (a shared layer: its first call).
 * `null` for layers without spatial axes from a vector input.
 *
 * @example
 * ```ts
 * receptiveFields(vgg16({ initialize: false })).block5_conv3; // { size: [196, 196], jump: [16, 16], global: false }
 * ```
 *
 * @category Analysis
 */
export function receptiveFields(model: tf.LayersModel): Record<string, ReceptiveField | null> {
  const result: Record<string, ReceptiveField | null> = {};
  for (const call of analyseModel(model).calls) {
    if (!(call.layer.name in result)) result[call.layer.name] = call.receptiveField;
  }
  return result;
}
