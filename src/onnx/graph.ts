/**
 * An ONNX graph under construction: nodes in topological order, float weights as raw_data
 * initializers, small int64/float constants, and unique value names.
 */
import { AttributeType, DataType, type OnnxAttribute, type OnnxNode, type OnnxTensor } from './schema.js';

/** An attribute value by JavaScript type: integer, float (wrapped), integer list, float list, string. */
export type AttributeValue = number | { float: number } | number[] | { floats: number[] } | string;

/** A node's attributes by name. */
export type Attributes = Record<string, AttributeValue | undefined>;

function attribute(name: string, value: AttributeValue): OnnxAttribute {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`ONNX attribute '${name}': ${value} is not an integer; pass { float: ${value} } for a float`);
    return { name, type: AttributeType.INT, i: value };
  }
  if (typeof value === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
  if ('float' in value) return { name, type: AttributeType.FLOAT, f: value.float };
  return { name, type: AttributeType.FLOATS, floats: value.floats };
}

/** The bytes of a typed array, little-endian as raw_data requires. */
function littleEndianBytes(values: Float32Array | BigInt64Array): Uint8Array {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  if (LITTLE_ENDIAN) return bytes;
  const swapped = new Uint8Array(bytes);
  const width = values.BYTES_PER_ELEMENT;
  for (let i = 0; i < swapped.length; i += width) swapped.subarray(i, i + width).reverse();
  return swapped;
}
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export class OnnxGraph {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private readonly names = new Set<string>();
  private readonly constants = new Map<string, string>();

  /** `base`, or `base_1`, `base_2`... the first name not yet taken (ONNX names must be unique). */
  uniqueName(base: string): string {
    const clean = base.replace(/[^A-Za-z0-9_./:-]/g, '_') || 'value';
    let name = clean;
    for (let i = 1; this.names.has(name); i++) name = `${clean}_${i}`;
    this.names.add(name);
    return name;
  }

  /** Reserves a name exactly as given (graph inputs and outputs); a clash is a bug. */
  reserve(name: string): string {
    if (this.names.has(name)) throw new Error(`ONNX value name '${name}' is already used`);
    this.names.add(name);
    return name;
  }

  /** Adds a node and returns its (single) output's name, derived from `name` unless `output` is given. */
  node(opType: string, inputs: string[], name: string, attributes: Attributes = {}, output?: string): string {
    const out = output ?? this.uniqueName(name);
    const attribute_ = Object.entries(attributes)
      .filter((entry): entry is [string, AttributeValue] => entry[1] !== undefined)
      .map(([key, value]) => attribute(key, value));
    this.nodes.push({ name: this.uniqueName(`${name}/${opType}`), op_type: opType, input: inputs, output: [out], attribute: attribute_ });
    return out;
  }

  /** A float initializer (a weight), stored as raw_data. */
  weight(name: string, values: Float32Array, dims: number[]): string {
    const count = dims.reduce((a, b) => a * b, 1);
    if (count !== values.length) throw new Error(`ONNX initializer '${name}': ${values.length} values for dims [${dims.join(', ')}]`);
    const unique = this.uniqueName(name);
    this.initializers.push({ name: unique, data_type: DataType.FLOAT, dims, raw_data: littleEndianBytes(values) });
    return unique;
  }

  /** An int64 vector constant (shapes, axes), shared between nodes that use the same values. */
  int64s(values: readonly number[]): string {
    const key = `i64:${values.join(',')}`;
    let name = this.constants.get(key);
    if (!name) {
      name = this.uniqueName(`const_i64_${values.map((v) => String(v).replace('-', 'm')).join('_') || 'empty'}`);
      this.initializers.push({ name, data_type: DataType.INT64, dims: [values.length], raw_data: littleEndianBytes(BigInt64Array.from(values, BigInt)) });
      this.constants.set(key, name);
    }
    return name;
  }

  /** A float scalar constant (Clip's bounds, Mul's factors), shared between nodes. */
  scalar(value: number): string {
    const key = `f32:${value}`;
    let name = this.constants.get(key);
    if (!name) {
      name = this.uniqueName(`const_f32_${String(value).replace('-', 'm').replace('.', 'p')}`);
      this.initializers.push({ name, data_type: DataType.FLOAT, dims: [], raw_data: littleEndianBytes(Float32Array.of(value)) });
      this.constants.set(key, name);
    }
    return name;
  }
}
