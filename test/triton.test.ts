/**
 * Triton model repository: the files, their names, and config.pbtxt checked against Triton's own
 * schema. The schema below is the part of model_config.proto (triton-inference-server/common,
 * protobuf/model_config.proto) that a config of ours can touch, with its field names, types and
 * numbers; the test parses config.pbtxt (protobuf text format), refuses any field or enum value the
 * schema does not have or a value of the wrong type, and round-trips the result through protobufjs.
 * Also `cnn-zoo export`'s handler.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExport, type ExportFlags } from '../src/cli/export.js';
import { UsageError } from '../src/cli/errors.js';
import { ConfigError } from '../src/errors.js';
import { createModel, tf } from '../src/index.js';
import { OnnxExportError } from '../src/onnx/errors.js';
import { writeTritonRepository } from '../src/onnx/index.js';
import { loadOnnxRuntime } from '../src/onnx/ort.js';
import { decodeModel } from '../src/onnx/schema.js';

const MODEL_CONFIG_PROTO = `
syntax = "proto3";
package inference;
enum DataType {
  TYPE_INVALID = 0; TYPE_BOOL = 1; TYPE_UINT8 = 2; TYPE_UINT16 = 3; TYPE_UINT32 = 4; TYPE_UINT64 = 5;
  TYPE_INT8 = 6; TYPE_INT16 = 7; TYPE_INT32 = 8; TYPE_INT64 = 9; TYPE_FP16 = 10; TYPE_FP32 = 11;
  TYPE_FP64 = 12; TYPE_STRING = 13; TYPE_BF16 = 14;
}
message ModelTensorReshape { repeated int64 shape = 1; }
message ModelInput {
  enum Format { FORMAT_NONE = 0; FORMAT_NHWC = 1; FORMAT_NCHW = 2; }
  string name = 1;
  DataType data_type = 2;
  Format format = 3;
  repeated int64 dims = 4;
  ModelTensorReshape reshape = 5;
  bool is_shape_tensor = 6;
  bool allow_ragged_batch = 7;
  bool optional = 8;
  bool is_non_linear_format_io = 9;
}
message ModelOutput {
  string name = 1;
  DataType data_type = 2;
  repeated int64 dims = 3;
  ModelTensorReshape reshape = 5;
  string label_filename = 4;
  bool is_shape_tensor = 6;
  bool is_non_linear_format_io = 7;
}
message ModelDynamicBatching {
  repeated int32 preferred_batch_size = 1;
  uint64 max_queue_delay_microseconds = 2;
  bool preserve_ordering = 3;
  uint64 priority_levels = 4;
  uint64 default_priority_level = 5;
}
message ModelConfig {
  string name = 1;
  string platform = 2;
  string backend = 17;
  string runtime = 25;
  int32 max_batch_size = 4;
  repeated ModelInput input = 5;
  repeated ModelOutput output = 6;
  oneof scheduling_choice { ModelDynamicBatching dynamic_batching = 11; }
  string default_model_filename = 8;
}
`;
const ModelConfig = protobuf.parse(MODEL_CONFIG_PROTO, { keepCase: true }).root.lookupType('inference.ModelConfig');

type TextValue = string | number | boolean | { enum: string } | TextMessage;
interface TextMessage {
  [field: string]: TextValue[];
}

/** protobuf text format, as Triton writes and reads config.pbtxt: `field: value`, `field { ... }`, `field [ a, b ]`, # comments. */
function parseTextFormat(text: string): TextMessage {
  const tokens = text.replace(/#[^\n]*/g, '').match(/"(?:[^"\\]|\\.)*"|[{}[\]:,]|[^\s{}[\]:,"]+/g) ?? [];
  let at = 0;
  const next = () => tokens[at++];
  const peek = () => tokens[at];
  const scalar = (token: string): TextValue => {
    if (token.startsWith('"')) return JSON.parse(token) as string;
    if (token === 'true' || token === 'false') return token === 'true';
    if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(token)) return Number(token);
    if (/^[A-Za-z_]\w*$/.test(token)) return { enum: token };
    throw new Error(`config.pbtxt: unexpected token ${token}`);
  };
  const value = (): TextValue => {
    if (peek() === '{') {
      next();
      return message('}');
    }
    return scalar(next());
  };
  const message = (end?: string): TextMessage => {
    const fields: TextMessage = {};
    while (at < tokens.length && peek() !== end) {
      const name = next();
      if (!/^[A-Za-z_]\w*$/.test(name)) throw new Error(`config.pbtxt: expected a field name, found ${name}`);
      if (peek() === ':') next();
      const values = (fields[name] ??= []);
      if (peek() === '[') {
        next();
        while (peek() !== ']') {
          values.push(value());
          if (peek() === ',') next();
        }
        next();
      } else {
        values.push(value());
      }
    }
    if (end) expect(next()).toBe(end);
    return fields;
  };
  return message();
}

/** Checks every field of a parsed text message against the schema and returns it as a plain object for protobufjs. */
function checkAgainstSchema(parsed: TextMessage, type: protobuf.Type, where = type.name): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const [name, values] of Object.entries(parsed)) {
    const field = type.fields[name];
    expect(field, `${where}.${name}: no such field in model_config.proto`).toBeDefined();
    field.resolve();
    if (!field.repeated) expect(values, `${where}.${name}: not repeated, given ${values.length} times`).toHaveLength(1);
    const checked = values.map((v) => {
      if (field.resolvedType instanceof protobuf.Type) {
        expect(typeof v === 'object' && !('enum' in v), `${where}.${name}: must be a message`).toBe(true);
        return checkAgainstSchema(v as TextMessage, field.resolvedType, `${where}.${name}`);
      }
      if (field.resolvedType instanceof protobuf.Enum) {
        const symbol = (v as { enum?: string }).enum;
        expect(symbol !== undefined && symbol in field.resolvedType.values, `${where}.${name}: ${JSON.stringify(v)} is not a ${field.resolvedType.name} value`).toBe(true);
        return symbol;
      }
      if (field.type === 'string') expect(typeof v, `${where}.${name}: must be a string`).toBe('string');
      else if (field.type === 'bool') expect(typeof v, `${where}.${name}: must be true or false`).toBe('boolean');
      else expect(Number.isInteger(v), `${where}.${name}: must be an integer (${field.type})`).toBe(true);
      return v;
    });
    object[name] = field.repeated ? checked : checked[0];
  }
  return object;
}

/** config.pbtxt parsed, checked, and round-tripped through Triton's schema. */
function readConfig(text: string): Record<string, unknown> {
  const object = checkAgainstSchema(parseTextFormat(text), ModelConfig);
  const message = ModelConfig.fromObject(object);
  expect(ModelConfig.verify(message)).toBeNull();
  const back = ModelConfig.toObject(ModelConfig.decode(ModelConfig.encode(message).finish()), { enums: String, longs: Number, defaults: false });
  return back;
}

const LABELS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const root = path.join(os.tmpdir(), `cnn-zoo-triton-${process.pid}`);
afterAll(() => fs.rm(root, { recursive: true, force: true }));

async function listTree(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/')).sort();
}

describe('writeTritonRepository', () => {
  let lenet: tf.LayersModel;
  beforeAll(async () => {
    lenet = await createModel('lenet5', { weights: 'mnist' });
  });
  afterAll(() => lenet.dispose());

  it('writes config.pbtxt, labels.txt and 1/model.onnx, with a config Triton can read', async () => {
    const repository = path.join(root, 'repo');
    const written = await writeTritonRepository(lenet, repository, { name: 'lenet5', maxBatchSize: 32, classNames: LABELS });
    expect(written.folder).toBe(path.join(repository, 'lenet5'));
    expect(await listTree(repository)).toEqual(['lenet5/1/model.onnx', 'lenet5/config.pbtxt', 'lenet5/labels.txt']);
    expect(await fs.readFile(path.join(written.folder, 'labels.txt'), 'utf8')).toBe(`${LABELS.join('\n')}\n`);

    const text = await fs.readFile(path.join(written.folder, 'config.pbtxt'), 'utf8');
    expect(text).toBe(written.config);
    expect(readConfig(text)).toEqual({
      name: 'lenet5',
      platform: 'onnxruntime_onnx',
      max_batch_size: 32,
      input: [{ name: 'input', data_type: 'TYPE_FP32', format: 'FORMAT_NHWC', dims: [28, 28, 1] }],
      output: [{ name: 'output', data_type: 'TYPE_FP32', dims: [10], label_filename: 'labels.txt' }],
      dynamic_batching: {},
    });

    // The ONNX model has those names, those dims after a dynamic batch axis, and runs at max_batch_size.
    const bytes = await fs.readFile(path.join(written.folder, '1', 'model.onnx'));
    const graph = decodeModel(bytes).graph;
    expect(graph.input.map((io) => [io.name, io.type.tensor_type.shape.dim])).toEqual([['input', [{ dim_param: 'batch' }, { dim_value: 28 }, { dim_value: 28 }, { dim_value: 1 }]]]);
    expect(graph.output.map((io) => [io.name, io.type.tensor_type.shape.dim])).toEqual([['output', [{ dim_param: 'batch' }, { dim_value: 10 }]]]);
    const { InferenceSession, Tensor } = await loadOnnxRuntime();
    const session = await InferenceSession.create(bytes);
    const result = await session.run({ input: new Tensor('float32', new Float32Array(32 * 28 * 28), [32, 28, 28, 1]) });
    expect(result.output.dims).toEqual([32, 10]);
    await session.release();
  });

  it('lists every output of GoogLeNet with its auxiliary heads, NCHW, without labels', async () => {
    const model = await createModel('googlenet', { auxLogits: true, inputShape: [32, 32, 3], numClasses: 4, seed: 1 });
    try {
      const written = await writeTritonRepository(model, path.join(root, 'repo'), { name: 'googlenet-aux', maxBatchSize: 4, layout: 'nchw' });
      expect(written.files).toEqual(['config.pbtxt', '1/model.onnx']);
      const config = readConfig(written.config);
      expect(config.input).toEqual([{ name: 'input', data_type: 'TYPE_FP32', format: 'FORMAT_NCHW', dims: [3, 32, 32] }]);
      expect(config.output).toEqual(['output', 'output_1', 'output_2'].map((name) => ({ name, data_type: 'TYPE_FP32', dims: [4] })));
    } finally {
      model.dispose();
    }
  });

  it('gives a feature-map output its dims in the layout, and refuses labels for it', async () => {
    const model = await createModel('resnet18', { includeTop: false, inputShape: [32, 32, 3], seed: 2 });
    const repository = path.join(root, 'headless');
    try {
      const written = await writeTritonRepository(model, repository, { name: 'features', maxBatchSize: 2 });
      expect(readConfig(written.config).output).toEqual([{ name: 'output', data_type: 'TYPE_FP32', dims: [1, 1, 512] }]);
      await expect(writeTritonRepository(model, repository, { name: 'labelled', maxBatchSize: 2, classNames: ['a'] })).rejects.toThrow(/classNames: need output 0 to be a vector of class scores, but it has shape \[batch, 1, 1, 512\]/);
      await expect(writeTritonRepository(lenet, repository, { name: 'few', maxBatchSize: 2, classNames: ['a', 'b'] })).rejects.toThrow(/must list one name per class of output 0 \(10\), received 2/);
      expect(await fs.readdir(repository)).toEqual(['features']);
    } finally {
      model.dispose();
    }
  });

  it('checks its options', async () => {
    await expect(writeTritonRepository(lenet, root, { name: '../escape', maxBatchSize: 1 })).rejects.toThrow(ConfigError);
    await expect(writeTritonRepository(lenet, root, { name: 'ok', maxBatchSize: 0 })).rejects.toThrow(/options\.maxBatchSize: must be a positive integer, received 0/);
    await expect(writeTritonRepository(lenet, root, { name: 'ok', maxBatchSize: 1, classNames: ['a\nb'] })).rejects.toThrow(/options\.classNames/);
  });

  it('writes atomically: refuses to replace a model folder without overwrite, replaces it with, leaves no temporary files', async () => {
    const repository = path.join(root, 'atomic');
    await writeTritonRepository(lenet, repository, { name: 'm', maxBatchSize: 1 });
    await expect(writeTritonRepository(lenet, repository, { name: 'm', maxBatchSize: 2 })).rejects.toThrow(/already exists; pass overwrite/);
    const written = await writeTritonRepository(lenet, repository, { name: 'm', maxBatchSize: 2, classNames: LABELS, overwrite: true });
    expect(readConfig(written.config).max_batch_size).toBe(2);
    expect(await fs.readdir(repository)).toEqual(['m']);
    expect(await listTree(repository)).toEqual(['m/1/model.onnx', 'm/config.pbtxt', 'm/labels.txt']);
  });

  it('fails on an unwritable path with a clear error and leaves nothing behind', async () => {
    await fs.mkdir(root, { recursive: true });
    const blocker = path.join(root, 'not-a-folder');
    await fs.writeFile(blocker, 'x');
    const error = await writeTritonRepository(lenet, path.join(blocker, 'models'), { name: 'm', maxBatchSize: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OnnxExportError);
    expect((error as Error).message).toMatch(/cannot write '.*not-a-folder\/models\/m' \(ENOTDIR: a parent is a file, not a folder\); nothing was written/);
    // Folders made for the repository go again when the write fails (a name too long for the file system).
    const fresh = path.join(root, 'fresh', 'models');
    await expect(writeTritonRepository(lenet, fresh, { name: 'm'.repeat(300), maxBatchSize: 1 })).rejects.toThrow(/ENAMETOOLONG/);
    await expect(fs.stat(path.join(root, 'fresh'))).rejects.toThrow(/ENOENT/);
  });

  it('writes nothing for a model it cannot export', async () => {
    const input = tf.input({ shape: [4, 2] });
    const model = tf.model({ inputs: input, outputs: tf.layers.simpleRNN({ units: 3, name: 'rnn' }).apply(input) as tf.SymbolicTensor });
    const repository = path.join(root, 'refused');
    try {
      await expect(writeTritonRepository(model, repository, { name: 'rnn', maxBatchSize: 1 })).rejects.toThrow(/layer 'rnn' \(SimpleRNN\): has no ONNX conversion/);
      await expect(fs.stat(repository)).rejects.toThrow(/ENOENT/);
    } finally {
      model.dispose();
    }
  });
});

describe('cnn-zoo export (runExport)', () => {
  async function run(argument: string, flags: ExportFlags): Promise<string> {
    let stdout = '';
    await runExport({ stdout: (text) => void (stdout += text), stderr: () => undefined }, argument, flags);
    return stdout;
  }

  it('exports a registered model with seeded random weights to an ONNX file', async () => {
    const out = path.join(root, 'cli', 'lenet5.onnx');
    const printed = await run('lenet5', { format: 'onnx', out, layout: 'nchw', opset: '18', seed: '3' });
    expect(printed).toMatch(/^wrote .*lenet5\.onnx \(0\.\d MB\): lenet5 \(random weights, seed 3\), opset 18, input 'input' \[batch, 1, 32, 32\] \(nchw\), output 'output' \[batch, 10\]\n$/);
    const again = path.join(root, 'cli', 'again.onnx');
    await run('lenet5', { out: again, layout: 'nchw', opset: '18', seed: '3' });
    // Same seed, same bytes; a fixed default seed keeps exports reproducible.
    expect(Buffer.compare(await fs.readFile(out), await fs.readFile(again))).toBe(0);
    expect(decodeModel(await fs.readFile(out)).opset_import[0].version).toBe(18);
  });

  it('exports a weights folder as a Triton model, with the folder name and its class names', async () => {
    const repository = path.join(root, 'cli-models');
    const printed = await run('weights/lenet5-mnist', { format: 'triton', out: repository, maxBatchSize: '16' });
    expect(printed).toMatch(/^wrote Triton model 'lenet5-mnist' to .*lenet5-mnist \(config\.pbtxt, labels\.txt, 1\/model\.onnx\): lenet5 from weights\/lenet5-mnist, max_batch_size 16, input layout nhwc\n$/);
    const folder = path.join(repository, 'lenet5-mnist');
    expect(await fs.readFile(path.join(folder, 'labels.txt'), 'utf8')).toBe('0\n1\n2\n3\n4\n5\n6\n7\n8\n9\n');
    expect(readConfig(await fs.readFile(path.join(folder, 'config.pbtxt'), 'utf8'))).toMatchObject({ name: 'lenet5-mnist', max_batch_size: 16 });
  });

  it('reports a user mistake as a UsageError naming the flag or argument', async () => {
    const out = path.join(root, 'cli', 'x.onnx');
    const cases: [string, ExportFlags, RegExp][] = [
      ['resnet35', { out }, /unknown model "resnet35"; did you mean 'resnet34'\?.*or give a weights folder path/],
      ['lenet5', {}, /--out: required/],
      ['lenet5', { out, format: 'tflite' }, /--format: must be 'onnx' or 'triton' or 'safetensors', received "tflite"/],
      ['lenet5', { out, layout: 'chw' }, /--layout: must be 'nhwc' or 'nchw', received "chw"/],
      ['lenet5', { out, opset: '16' }, /--opset: must be an integer from 17 to 23, received "16"/],
      ['lenet5', { out, seed: 'x' }, /--seed: must be an integer >= 0/],
      ['lenet5', { out, name: 'n' }, /apply to --format triton/],
      ['weights/lenet5-mnist', { out, seed: '1' }, /--seed: applies to a model name/],
      ['./no-such-folder', { out }, /no-such-folder/],
      ['lenet5', { format: 'triton', out: root, name: '.hidden' }, /--name: must be a folder name/],
      ['lenet5', { format: 'safetensors', out }, /^model: lenet5 has no torchvision counterpart/],
      ['resnet18', { format: 'safetensors', out, layout: 'nchw' }, /--layout, --opset, --name and --max-batch-size apply to --format onnx or triton/],
    ];
    for (const [argument, flags, message] of cases) {
      const error = await run(argument, flags).catch((e: unknown) => e);
      expect(error, `${argument} ${JSON.stringify(flags)}`).toBeInstanceOf(UsageError);
      expect((error as Error).message).toMatch(message);
    }
    await expect(fs.stat(out)).rejects.toThrow(/ENOENT/);
  });

  it("exports torchvision's state_dict as safetensors, and refuses to replace a file without --overwrite", async () => {
    const out = path.join(root, 'cli', 'resnet18.safetensors');
    // resnet18 has 20 convolutions and 20 BatchNorms (5 tensors each: weight, bias, running mean and
    // variance, num_batches_tracked) and fc (weight, bias): 20 + 100 + 2 tensors.
    expect(await run('resnet18', { format: 'safetensors', out })).toMatch(/^wrote .*resnet18\.safetensors: resnet18 \(random weights, seed 0\), 122 tensors in torchvision's names and layouts\n$/);
    const before = await fs.readFile(out);
    const error = await run('resnet18', { format: 'safetensors', out, seed: '1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(/already exists; pass --overwrite to replace it/);
    expect(Buffer.compare(await fs.readFile(out), before)).toBe(0);
    await run('resnet18', { format: 'safetensors', out, seed: '1', overwrite: true });
    expect(Buffer.compare(await fs.readFile(out), before)).not.toBe(0);
  });
});
