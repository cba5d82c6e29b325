/**
 * `toOnnx`: a TF.js LayersModel as ONNX ModelProto bytes, computed channels-first inside.
 *
 * The layers are visited in TF.js's own topological order (the model's nodes by depth), each one
 * converted by the converter for its class. Before anything is converted, every layer the chosen
 * outputs depend on must have a converter: an unknown one is an {@link OnnxExportError} naming it.
 */
import type { Node, SymbolicTensor } from '@tensorflow/tfjs-layers/dist/engine/topology';
import { version } from '../../package.json';
import type { tf } from '../tf.js';
import { elementwiseConverters } from './convert-elementwise.js';
import { linearConverters } from './convert-linear.js';
import { poolConverters } from './convert-pool.js';
import { shapeConverters } from './convert-shape.js';
import { OnnxExportError } from './errors.js';
import { OnnxGraph } from './graph.js';
import type { Converter, LayerContext } from './layer-context.js';
import { parseConfig } from '../config.js';
import { IR_VERSION_OF_OPSET, ToOnnxOptionsSchema } from './options.js';
import { DataType, encodeModel, type OnnxDimension, type OnnxModel, type OnnxNode, type OnnxValueInfo } from './schema.js';
import { inTfOrder, materialize, type Tensor, type Value } from './values.js';

/**
 * Options of {@link toOnnx}.
 *
 * @example
 * ```ts
 * const options: ToOnnxOptions = { layout: 'nchw', opset: 17, outputs: 'main' };
 * ```
 *
 * @category ONNX
 */
export interface ToOnnxOptions {
  /**
   * The layout of the input (and of an image-shaped output): `'nhwc'` (default) takes `[N, H, W, C]`
   * as the zoo's models do, at the cost of one Transpose at the input; `'nchw'` takes `[N, C, H, W]`
   * as PyTorch users feed it, with no Transpose at all.
   */
  layout?: 'nhwc' | 'nchw';
  /** The ai.onnx opset, 17 (default) to 23. */
  opset?: number;
  /** `'all'` the model's outputs (default), or only `'main'`, output 0 (GoogLeNet without its auxiliary heads). */
  outputs?: 'all' | 'main';
  /** The graph's name. Default: the model's. */
  name?: string;
}

/**
 * A graph input or output of an export: its name, and its dims with `'batch'` for the dynamic batch
 * axis.
 *
 * @example
 * ```ts
 * const input: OnnxIo = { name: 'input', dims: ['batch', 224, 224, 3], layer: 'input' };
 * ```
 *
 * @category ONNX
 */
export interface OnnxIo {
  /** The ONNX value's name: `input`, `output`, `output_1`... */
  name: string;
  /** Its shape, batch axis first (`'batch'`, any size at run time). */
  dims: Array<number | 'batch'>;
  /** The TF.js layer it comes from. */
  layer: string;
}

/** The exported model's bytes and its inputs and outputs, in the TF.js model's order. */
export interface OnnxExport {
  bytes: Uint8Array;
  inputs: OnnxIo[];
  outputs: OnnxIo[];
  layout: 'nhwc' | 'nchw';
}

const CONVERTERS: Record<string, Converter> = { ...linearConverters, ...poolConverters, ...shapeConverters, ...elementwiseConverters };

/** The batch axis's name in the graph's shapes (dim_param): any batch size runs. */
const BATCH = 'batch';

/** The node of the TF.js graph that produced `tensor`. */
function producer(tensor: SymbolicTensor): Node {
  return tensor.sourceLayer.inboundNodes[tensor.nodeIndex];
}

/** The nodes the chosen outputs depend on, in topological order, and how many readers each tensor has. */
function plan(model: tf.LayersModel, outputs: SymbolicTensor[]): { nodes: Node[]; readers: Map<number, number> } {
  const needed = new Set<Node>();
  const stack = [...outputs];
  while (stack.length) {
    const node = producer(stack.pop()!);
    if (needed.has(node)) continue;
    needed.add(node);
    stack.push(...node.inputTensors);
  }
  const depths = Object.keys(model.nodesByDepth).map(Number).sort((a, b) => b - a);
  const nodes = depths.flatMap((depth) => model.nodesByDepth[depth]).filter((node) => needed.has(node));
  const readers = new Map<number, number>();
  const read = (tensor: SymbolicTensor) => readers.set(tensor.id, (readers.get(tensor.id) ?? 0) + 1);
  for (const node of nodes) node.inputTensors.forEach(read);
  outputs.forEach(read);
  return { nodes, readers };
}

/** Refuses, before converting anything, any layer the exporter cannot convert. */
function checkLayers(nodes: Node[]): void {
  for (const node of nodes) {
    const layer = node.outboundLayer;
    const className = layer.getClassName();
    if (className === 'InputLayer') continue;
    if (!(className in CONVERTERS)) {
      const nested = 'layers' in layer ? '; a model nested as a layer is not supported (export a model whose layers are plain layers)' : '';
      throw new OnnxExportError(`has no ONNX conversion${nested}; the exporter converts ${Object.keys(CONVERTERS).sort().join(', ')}`, { layer: layer.name, className });
    }
    if (node.outputTensors.length !== 1) throw new OnnxExportError(`has ${node.outputTensors.length} outputs; the exporter converts layers with one`, { layer: layer.name, className });
  }
}

/** Without the batch axis; a dimension TF.js leaves open (other than the batch) cannot be exported. */
function staticShape(tensor: SymbolicTensor, layer: string, className: string): number[] {
  const shape = tensor.shape.slice(1);
  if (shape.some((size) => size === null)) {
    throw new OnnxExportError(`has the open shape [${tensor.shape.map((s) => s ?? 'null').join(', ')}]; the exporter needs every size but the batch fixed`, { layer, className });
  }
  return shape as number[];
}

function weightsOf(layer: tf.layers.Layer, fail: (message: string) => never): Map<string, tf.LayerVariable> {
  const weights = new Map<string, tf.LayerVariable>();
  for (const variable of layer.weights) {
    if (variable.dtype !== 'float32') fail(`weight '${variable.originalName}' has dtype ${variable.dtype}; the exporter writes float32 weights`);
    weights.set(variable.originalName.split('/').pop()!, variable);
  }
  return weights;
}

function valueInfo(name: string, dims: Array<number | 'batch'>, doc: string): OnnxValueInfo {
  const dim: OnnxDimension[] = dims.map((size) => (size === BATCH ? { dim_param: BATCH } : { dim_value: size as number }));
  return { name, type: { tensor_type: { elem_type: DataType.FLOAT, shape: { dim } } }, doc_string: doc };
}

/** Keeps only the nodes and initializers the outputs depend on. */
function pruneGraph(graph: OnnxGraph, outputs: string[]): { nodes: OnnxNode[]; used: Set<string> } {
  const producers = new Map<string, OnnxNode>();
  for (const node of graph.nodes) for (const out of node.output) producers.set(out, node);
  const used = new Set<string>();
  const keep = new Set<OnnxNode>();
  const stack = [...outputs];
  while (stack.length) {
    const name = stack.pop()!;
    if (used.has(name)) continue;
    used.add(name);
    const node = producers.get(name);
    if (node && !keep.has(node)) {
      keep.add(node);
      stack.push(...node.input);
    }
  }
  return { nodes: graph.nodes.filter((node) => keep.has(node)), used };
}

/** Gives the value `from` the graph output name `to`: renames its producer's output, or adds an Identity where that cannot be done. */
function nameOutput(graph: OnnxGraph, from: string, to: string, taken: Map<string, string>): void {
  const source = taken.get(from) ?? from;
  const node = graph.nodes.find((n) => n.output.includes(source));
  const read = graph.nodes.some((n) => n.input.includes(source));
  if (node && !read && !taken.has(from)) {
    node.output = node.output.map((name) => (name === source ? to : name));
    taken.set(from, to);
  } else {
    graph.node('Identity', [source], to, {}, to);
  }
}

/**
 * Exports `model` and describes its inputs and outputs (what {@link onnxPredictor} and
 * {@link writeTritonRepository} need besides the bytes).
 */
export function exportOnnx(model: tf.LayersModel, options: ToOnnxOptions = {}): OnnxExport {
  const { layout, opset, outputs: which, name } = parseConfig(ToOnnxOptionsSchema, options, 'options');
  const chosen = which === 'main' ? model.outputs.slice(0, 1) : model.outputs;
  const { nodes, readers } = plan(model, chosen);
  checkLayers(nodes);

  const graph = new OnnxGraph();
  const inputNames = model.inputs.map((_, i) => graph.reserve(model.inputs.length === 1 ? 'input' : `input_${i}`));
  const outputNames = chosen.map((_, i) => graph.reserve(i === 0 ? 'output' : `output_${i}`));
  const values = new Map<number, Value>();
  const inputs: OnnxIo[] = model.inputs.map((tensor, i) => {
    const layer = tensor.sourceLayer.name;
    const shape = staticShape(tensor, layer, 'InputLayer');
    const isMap = shape.length === 3;
    if (!isMap) {
      values.set(tensor.id, { kind: 'tensor', name: inputNames[i], shape, layout: 'plain', nonNegative: false });
      return { name: inputNames[i], dims: [BATCH, ...shape], layer };
    }
    const [h, w, c] = shape;
    // The one Transpose of an NHWC export: everything after it runs channels-first.
    const nchw = layout === 'nhwc' ? graph.node('Transpose', [inputNames[i]], `${inputNames[i]}_nchw`, { perm: [0, 3, 1, 2] }) : inputNames[i];
    values.set(tensor.id, { kind: 'tensor', name: nchw, shape, layout: 'nchw', nonNegative: false });
    return { name: inputNames[i], dims: layout === 'nhwc' ? [BATCH, h, w, c] : [BATCH, c, h, w], layer };
  });

  for (const node of nodes) {
    const layer = node.outboundLayer;
    const className = layer.getClassName();
    if (className === 'InputLayer') continue;
    const fail = (message: string): never => {
      throw new OnnxExportError(message, { layer: layer.name, className });
    };
    const weights = weightsOf(layer, fail);
    const ctx: LayerContext = {
      graph,
      name: layer.name,
      className,
      config: layer.getConfig() as Record<string, unknown>,
      inputs: node.inputTensors.map((tensor) => values.get(tensor.id)!),
      outputShape: staticShape(node.outputTensors[0], layer.name, className),
      ownsInput: (index) => readers.get(node.inputTensors[index].id) === 1,
      hasWeight: (weightName) => weights.has(weightName),
      weight: (weightName) => {
        const variable = weights.get(weightName) ?? fail(`has no weight '${weightName}' (it has ${[...weights.keys()].join(', ') || 'none'})`);
        return { values: variable.read().dataSync() as Float32Array, shape: [...variable.shape] as number[] };
      },
      fail,
    };
    values.set(node.outputTensors[0].id, CONVERTERS[className](ctx));
  }

  // Graph inputs keep their names; a value already given an output name is that output.
  const taken = new Map<string, string>(inputNames.map((input) => [input, input]));
  const outputs: OnnxIo[] = chosen.map((tensor, i) => {
    const layer = tensor.sourceLayer.name;
    let x: Tensor = materialize(graph, values.get(tensor.id)!);
    let dims: Array<number | 'batch'>;
    if (x.layout === 'nchw') {
      const [h, w, c] = x.shape;
      // A feature map leaves in the input's layout: NHWC transposed back, NCHW as computed.
      if (layout === 'nhwc') x = inTfOrder(graph, x, `${outputNames[i]}`);
      dims = layout === 'nhwc' ? [BATCH, h, w, c] : [BATCH, c, h, w];
    } else {
      x = inTfOrder(graph, x, outputNames[i]);
      dims = [BATCH, ...x.shape];
    }
    nameOutput(graph, x.name, outputNames[i], taken);
    return { name: outputNames[i], dims, layer };
  });

  const { nodes: kept, used } = pruneGraph(graph, outputNames);
  const onnx: OnnxModel = {
    ir_version: IR_VERSION_OF_OPSET[opset],
    opset_import: [{ domain: '', version: opset }],
    producer_name: 'cnn-zoo',
    producer_version: version,
    doc_string: `${model.name}, exported from TensorFlow.js by cnn-zoo (input layout ${layout})`,
    graph: {
      name: name ?? model.name,
      node: kept,
      initializer: graph.initializers.filter((tensor) => used.has(tensor.name)),
      input: inputs.map((io) => valueInfo(io.name, io.dims, `TF.js input layer '${io.layer}'`)),
      output: outputs.map((io) => valueInfo(io.name, io.dims, `TF.js layer '${io.layer}'`)),
    },
    metadata_props: [
      { key: 'cnn-zoo.model', value: model.name },
      { key: 'cnn-zoo.layout', value: layout },
    ],
  };
  return { bytes: encodeModel(onnx), inputs, outputs, layout };
}

/**
 * A TF.js LayersModel (any zoo model, or one built from the same layers) as the bytes of an ONNX
 * ModelProto, for ONNX Runtime (CPU, CUDA, TensorRT), onnxruntime-web or Triton.
 *
 * The graph runs channels-first throughout: with `layout: 'nhwc'` one Transpose at the input, none
 * between layers. BatchNormalization is folded into the convolution before it, activations follow
 * their convolution directly (ORT fuses Conv+Relu, Conv+Clip), TF's 'same' padding is written as
 * explicit pads, a ZeroPadding2D is folded into the Conv after it (and into a MaxPool where that is
 * exact), and the Dense after a Flatten takes its kernel rows in the channels-first order. The batch
 * axis is dynamic (`batch`); weights are raw_data initializers. Inputs are named `input`, outputs
 * `output`, `output_1`...; a feature-map output comes in the input's layout.
 *
 * A layer without a conversion is an {@link OnnxExportError} naming the layer and its class, thrown
 * before anything is returned; a bad option is a `ConfigError` (from `cnn-zoo`).
 *
 * @example
 * ```ts
 * import { writeFile } from 'node:fs/promises';
 * const bytes = toOnnx(resnet34({ numClasses: 10 }), { layout: 'nchw' });
 * await writeFile('resnet34.onnx', bytes);
 * ```
 *
 * @category ONNX
 */
export function toOnnx(model: tf.LayersModel, options: ToOnnxOptions = {}): Uint8Array {
  return exportOnnx(model, options).bytes;
}
