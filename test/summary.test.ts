/**
 * The summary: its JSON fields and figures (by hand), folding blocks to a depth, the memory
 * estimates, and one rendered table.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { blocksFromName } from '../src/analysis/blocks.js';
import { compact, withSeparators } from '../src/analysis/format.js';
import { summary, type ModelSummary } from '../src/analysis/summary.js';
import { useBackend } from '../src/backend.js';
import { ConfigError } from '../src/errors.js';
import { lenet5, vgg16 } from '../src/index.js';
import { tf } from '../src/tf.js';

beforeAll(async () => {
  await useBackend('cpu');
  tf.enableProdMode();
});

// LeNet-5 (classic) by hand: per layer, output elements, parameters and MACs.
const lenet = [
  { name: 'c1', elements: 28 * 28 * 6, params: 5 * 5 * 1 * 6 + 6, macs: 28 * 28 * 25 * 1 * 6 },
  { name: 's2', elements: 14 * 14 * 6, params: 0, macs: 0 },
  { name: 'c3', elements: 10 * 10 * 16, params: 5 * 5 * 6 * 16 + 16, macs: 10 * 10 * 25 * 6 * 16 },
  { name: 's4', elements: 5 * 5 * 16, params: 0, macs: 0 },
  { name: 'flatten', elements: 400, params: 0, macs: 0 },
  { name: 'c5', elements: 120, params: 400 * 120 + 120, macs: 400 * 120 },
  { name: 'f6', elements: 84, params: 120 * 84 + 84, macs: 120 * 84 },
  { name: 'predictions', elements: 10, params: 84 * 10 + 10, macs: 84 * 10 },
];
const lenetParams = lenet.reduce((sum, layer) => sum + layer.params, 0);
const lenetMacs = lenet.reduce((sum, layer) => sum + layer.macs, 0);

describe('summary of LeNet-5', () => {
  let result: ModelSummary;
  beforeAll(() => {
    result = summary(lenet5({ initialize: false }));
  });

  it('has the JSON fields the CLI promises, with the figures by hand', () => {
    const json = JSON.parse(JSON.stringify(result));
    expect(json).toMatchObject({
      model: 'lenet5',
      inputShape: [32, 32, 1],
      batchSize: 1,
      totalParams: lenetParams,
      trainableParams: lenetParams,
      nonTrainableParams: 0,
      macs: lenetMacs,
      flops: 2 * lenetMacs,
      unknownLayers: [],
    });
    expect(lenetParams).toBe(61_706);
    expect(json.layers.map((layer: { name: string }) => layer.name)).toEqual(['input', ...lenet.map((layer) => layer.name)]);
    for (const layer of json.layers) {
      expect(Object.keys(layer)).toEqual(expect.arrayContaining(['name', 'type', 'outputShape', 'params', 'macs', 'share', 'receptiveField']));
    }
    expect(json.layers[1]).toMatchObject({ name: 'c1', type: 'Conv2D', outputShape: [28, 28, 6], params: 156, macs: 117_600 });
    expect(json.layers[1].share).toBeCloseTo(117_600 / lenetMacs, 12);
    expect(json.layers.at(-1)).toMatchObject({ name: 'predictions', type: 'Dense', outputShape: [10], params: 850, macs: 840 });
  });

  it("adds up: the layers' parameters and MACs are the totals", () => {
    const layers = result.toJSON().layers;
    expect(layers.reduce((sum, layer) => sum + layer.params, 0)).toBe(result.totalParams);
    expect(layers.reduce((sum, layer) => sum + layer.macs, 0)).toBe(result.macs);
    expect(layers.reduce((sum, layer) => sum + layer.share, 0)).toBeCloseTo(1, 12);
  });

  it('estimates the memory in float32', () => {
    const json = result.toJSON();
    expect(json.paramMemoryMB).toBeCloseTo((lenetParams * 4) / 1e6, 12);
    expect(json.inputMemoryMB).toBeCloseTo((32 * 32 * 4) / 1e6, 12);
    // Every output but the flatten's (a view of s4's): what a training pass keeps.
    const kept = lenet.filter((layer) => layer.name !== 'flatten').reduce((sum, layer) => sum + layer.elements, 0);
    expect(json.activationMemoryMB).toBeCloseTo((kept * 4) / 1e6, 12);
    // Inference frees each output after its last reader: the worst moment is s2 reading c1.
    expect(json.peakActivationMemoryMB).toBeCloseTo(((28 * 28 * 6 + 14 * 14 * 6) * 4) / 1e6, 12);
  });

  it('scales MACs and activations with the batch size, not the parameters', () => {
    const batch = summary(lenet5({ initialize: false }), { batchSize: 4 });
    expect([batch.macs, batch.totalParams, batch.paramBytes]).toEqual([4 * result.macs, result.totalParams, result.paramBytes]);
    expect(batch.activationBytes).toBe(4 * result.activationBytes);
    expect(() => summary(lenet5({ initialize: false }), { depth: 0 })).toThrow(ConfigError);
  });

  it('prints as the table, and renders Markdown', () => {
    expect(String(result)).toBe(result.toTable());
    const markdown = result.toMarkdown().split('\n');
    expect(markdown[0]).toBe('### Model: lenet5 (input 32x32x1, batch 1)');
    expect(markdown).toContain('| c1 | Conv2D | 28x28x6 | 156 | 117,600 | 28.2% | 5x5 | 1 |');
    expect(markdown).toContain('| Trainable params | 61,706 |  |');
  });

  it('renders this table', () => {
    expect(result.toTable()).toMatchInlineSnapshot(`
      "Model: lenet5 (input 32x32x1, batch 1)
      ══════════════════════════════════════════════════════════════════════════════════
      Layer        Type              Output shape  Params     MACs  % MACs      RF  Jump
      ──────────────────────────────────────────────────────────────────────────────────
      input        InputLayer        32x32x1            0        0       -     1x1     1
      c1           Conv2D            28x28x6          156  117,600   28.2%     5x5     1
      s2           AveragePooling2D  14x14x6            0        0       -     6x6     2
      c3           Conv2D            10x10x16       2,416  240,000   57.6%   14x14     2
      s4           AveragePooling2D  5x5x16             0        0       -   16x16     4
      flatten      Flatten           400                0        0       -  global
      c5           Dense             120           48,120   48,000   11.5%  global
      f6           Dense             84            10,164   10,080    2.4%  global
      predictions  Dense             10               850      840    0.2%  global
      ══════════════════════════════════════════════════════════════════════════════════
      Total params:           61,706
      Trainable params:       61,706
      Non-trainable params:        0
      MACs:                  416,520  (416.52 K: multiply-adds of convolutions and dense layers)
      FLOPs:                 833,040  (833.04 K: 2 x MACs)
      Other ops:              19,340  (19.34 K: bias, BatchNorm, activations, pooling, merges)
      Params size:           0.25 MB  (float32)
      Input size:            4.10 KB  (batch 1, float32)
      Forward activations:   0.03 MB  (every layer's output, batch 1, float32)
      Peak activations:      0.02 MB  (inference, each output freed after its last use, batch 1, float32)"
    `);
  });
});

/** Layers named as Keras names VGG's: blocks come from the numbered prefixes. */
function blockyModel(): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 1], name: 'input' });
  let x = input;
  for (const [block, convs] of [[1, 2], [2, 1]]) {
    for (let i = 1; i <= convs; i++) x = tf.layers.conv2d({ name: `block${block}_conv${i}`, filters: 2, kernelSize: 3, padding: 'same' }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.maxPooling2d({ name: `block${block}_pool`, poolSize: 2 }).apply(x) as tf.SymbolicTensor;
  }
  x = tf.layers.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor;
  const output = tf.layers.dense({ name: 'predictions', units: 3 }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: 'blocky' });
}

describe('blocks', () => {
  it('reads blocks from numbered name prefixes', () => {
    expect(blocksFromName('conv2_block1_1_conv')).toEqual(['conv2', 'conv2_block1', 'conv2_block1_1']);
    expect(blocksFromName('block_3_expand_BN')).toEqual(['block_3']);
    expect(blocksFromName('inception4a_branch2_conv')).toEqual(['inception4a', 'inception4a_branch2']);
    expect(blocksFromName('predictions')).toEqual([]);
    expect(blocksFromName('fc1')).toEqual([]);
  });

  it('folds blocks below the depth into one row with their totals', () => {
    const model = blockyModel();
    // block1: two 3x3 convs 1->2 and 2->2 on 8x8 (8·8·9·1·2 = 1,152 and 8·8·9·2·2 = 2,304 MACs;
    // 20 and 38 parameters), a pool to 4x4. block2: one 3x3 conv 2->2 on 4x4 (576 MACs, 38), a pool to 2x2.
    const folded = summary(model, { depth: 1 }).toJSON();
    expect(folded.layers.map((row) => [row.name, row.type, row.layers, row.params, row.macs, row.outputShape])).toEqual([
      ['input', 'InputLayer', 1, 0, 0, [8, 8, 1]],
      ['block1', 'Block', 3, 20 + 38, 1_152 + 2_304, [4, 4, 2]],
      ['block2', 'Block', 2, 38, 576, [2, 2, 2]],
      ['flatten', 'Flatten', 1, 0, 0, [8]],
      ['predictions', 'Dense', 1, 8 * 3 + 3, 24, [3]],
    ]);
    // Fully expanded, the block rows are headers ("--") and the layers carry the figures.
    const full = summary(model);
    expect(full.rows.filter((row) => row.kind === 'block').map((row) => [row.name, row.expanded])).toEqual([
      ['block1', true],
      ['block2', true],
    ]);
    expect(full.toJSON().layers.map((row) => [row.name, row.level, row.block])).toEqual([
      ['input', 1, []],
      ['block1_conv1', 2, ['block1']],
      ['block1_conv2', 2, ['block1']],
      ['block1_pool', 2, ['block1']],
      ['block2_conv1', 2, ['block2']],
      ['block2_pool', 2, ['block2']],
      ['flatten', 1, []],
      ['predictions', 1, []],
    ]);
    expect(full.toTable()).toMatch(/^block1 +Block +4x4x2 +-- +-- /m);
    expect(full.toTable()).toMatch(/^ {2}block1_conv1 +Conv2D +8x8x2 +20 +1,152 /m);
  });

  it("can take blocks from models only, or from the user's rule", () => {
    const model = blockyModel();
    expect(summary(model, { blocks: 'models' }).rows.every((row) => row.kind !== 'block')).toBe(true);
    const byKind = summary(model, { blocks: (name) => (name.includes('conv') ? ['convs'] : []), depth: 1 });
    // block2's lone conv is a block of one: no block.
    expect(byKind.toJSON().layers.map((row) => row.name)).toEqual(['input', 'convs', 'block1_pool', 'block2_conv1', 'block2_pool', 'flatten', 'predictions']);
  });
});

describe('receptive fields in the summary', () => {
  it("gives VGG-16's published fields: conv5_3 sees 196 pixels, pool5 212", () => {
    // 3x3 convs add 2·jump, 2x2 pools add 1·jump and double it: block1 5, 6 (jump 2); block2 10, 14,
    // 16 (4); block3 24, 32, 40, 44 (8); block4 60, 76, 92, 100 (16); block5 132, 164, 196, 212 (32).
    const result = summary(vgg16({ initialize: false }));
    const field = (name: string) => result.rows.find((row) => row.name === name)?.receptiveField;
    expect(field('block1_pool')).toEqual({ size: [6, 6], jump: [2, 2], global: false });
    expect(field('block5_conv3')).toEqual({ size: [196, 196], jump: [16, 16], global: false });
    expect(field('block5_pool')).toEqual({ size: [212, 212], jump: [32, 32], global: false });
    expect(field('fc1')?.global).toBe(true);
  });
});

describe('formatting', () => {
  it('writes thousands separators and decimal units', () => {
    expect([withSeparators(0), withSeparators(999), withSeparators(21_797_672), withSeparators(-1234.5)]).toEqual(['0', '999', '21,797,672', '-1,234.5']);
    expect([compact(3_663_761_408), compact(568_740_352), compact(61_706), compact(950)]).toEqual(['3.66 G', '568.74 M', '61.71 K', '950']);
  });
});
