/**
 * Walks a tfjs-layers model the way its forward pass runs: every application of a layer, in
 * topological order, with its per-example input and output shapes and the tensors it reads and
 * writes. The counters, the receptive fields and the summary all read this one walk.
 *
 * Models used as layers inside a model (a `tf.sequential()` inside a functional model, say) are
 * walked into: their layers appear with `path` naming the enclosing models, and their input and
 * output tensors are tied to the outer tensors they stand for.
 */
import { tf } from '../tf.js';

/** A node of a model's graph: one application of a layer (tfjs-layers does not export the class by name). */
type Node = tf.layers.Layer['inboundNodes'][number];

/** A shape without its batch axis; `null` where the model leaves a size open. */
export type OpenShape = readonly (number | null)[];

/** One application of one layer. */
export interface LayerCall {
  layer: tf.layers.Layer;
  /** The layer's class name, as tfjs-layers serialises it (`Conv2D`, `GroupedConv2D`...). */
  type: string;
  /** Names of the models this call sits inside, outermost first (empty for the model's own layers). */
  path: string[];
  /** Per-example shapes, batch axis removed. */
  inputShapes: OpenShape[];
  outputShapes: OpenShape[];
  /** Keys of the tensors read and written, unique within one walk. */
  inputs: string[];
  outputs: string[];
}

/** The walk of a model: its calls in order, and the keys of its own inputs and outputs. */
export interface ModelGraph {
  calls: LayerCall[];
  inputs: string[];
  outputs: string[];
}

function isContainer(layer: tf.layers.Layer): layer is tf.LayersModel {
  return layer instanceof tf.LayersModel;
}

/** `Shape | Shape[]` as tfjs-layers stores it on a node, always as a list, batch axis removed. */
function shapeList(shapes: unknown): OpenShape[] {
  const list = (Array.isArray(shapes) && shapes.length > 0 && Array.isArray(shapes[0]) ? shapes : [shapes]) as (number | null)[][];
  return list.map((shape) => shape.slice(1));
}

function tensorKey(layer: tf.layers.Layer, nodeIndex: number, tensorIndex: number): string {
  return `${layer.id}:${nodeIndex}:${tensorIndex}`;
}

/** The nodes of a model, inputs first: tfjs-layers keeps them by depth, the outputs at depth 0. */
function nodesInOrder(model: tf.LayersModel): Node[] {
  // A Sequential model creates its functional graph lazily, on build().
  if (!model.built && model instanceof tf.Sequential) (model as unknown as { build(): void }).build();
  const byDepth = model.nodesByDepth as unknown as Record<string, Node[]>;
  return Object.keys(byDepth)
    .map(Number)
    .sort((a, b) => b - a)
    .flatMap((depth) => byDepth[depth]);
}

/**
 * The calls of `model` in execution order.
 */
export function walkModel(model: tf.LayersModel): ModelGraph {
  const aliases = new Map<string, string>();
  const resolve = (key: string): string => {
    let current = key;
    while (aliases.has(current)) current = aliases.get(current)!;
    return current;
  };
  const calls: LayerCall[] = [];

  const walk = (container: tf.LayersModel, path: string[], outerInputs?: string[]): { inputs: string[]; outputs: string[] } => {
    const inputs = container.inputLayers.map((layer, i) =>
      tensorKey(layer, container.inputLayersNodeIndices[i], container.inputLayersTensorIndices[i]),
    );
    // Inside a nested model, its inputs are the outer tensors it was called on.
    if (outerInputs) inputs.forEach((key, i) => aliases.set(key, outerInputs[i]));
    for (const node of nodesInOrder(container)) {
      const layer = node.outboundLayer;
      const nodeIndex = layer.inboundNodes.indexOf(node);
      const inputKeys = node.inboundLayers.map((inbound, i) => resolve(tensorKey(inbound, node.nodeIndices[i], node.tensorIndices[i])));
      const outputKeys = node.outputTensors.map((_, i) => tensorKey(layer, nodeIndex, i));
      const type = layer.getClassName();
      if (node.inboundLayers.length === 0) {
        // An InputLayer: a row of the outermost model; inside a nested model, an alias.
        if (!outerInputs) calls.push({ layer, type, path, inputShapes: [], outputShapes: shapeList(node.outputShapes), inputs: [], outputs: outputKeys });
        continue;
      }
      if (isContainer(layer)) {
        const inner = walk(layer, [...path, layer.name], inputKeys);
        outputKeys.forEach((key, i) => aliases.set(key, resolve(inner.outputs[i])));
        continue;
      }
      calls.push({
        layer,
        type,
        path,
        inputShapes: shapeList(node.inputShapes),
        outputShapes: shapeList(node.outputShapes),
        inputs: inputKeys,
        outputs: outputKeys,
      });
    }
    const outputs = container.outputLayers.map((layer, i) =>
      resolve(tensorKey(layer, container.outputLayersNodeIndices[i], container.outputLayersTensorIndices[i])),
    );
    return { inputs: inputs.map(resolve), outputs };
  };

  const { inputs, outputs } = walk(model, []);
  return { calls, inputs, outputs };
}
