/**
 * Parameters and MACs of every zoo model, against integers derived here layer by layer from the
 * architecture tables, and against the published figures: torchvision's "GFLOPS" column (which is
 * multiply-accumulates of convolutions and linear layers) and MobileNet V1's Table 8.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { countFlops } from '../src/analysis/count-flops.js';
import { countParams } from '../src/analysis/count-params.js';
import { useBackend } from '../src/backend.js';
import { alexnet, googlenet, lenet5, mobilenetV1, mobilenetV2, resnet18, resnet34, resnet50, vgg16, vgg19 } from '../src/index.js';
import { tf } from '../src/tf.js';

// Counting reads shapes only: the models are built with zero weights, on cpu where zeros are free
// (a fresh Float32Array), so VGG-19 costs what LeNet does.
beforeAll(async () => {
  await useBackend('cpu');
  tf.enableProdMode(); // as the CLI does: silences TF.js's advice to install tfjs-node
});

let built: tf.LayersModel | undefined;
afterEach(() => {
  built?.dispose();
  built = undefined;
});

function measure(model: tf.LayersModel): { macs: number; trainable: number; nonTrainable: number } {
  built = model;
  const params = countParams(model);
  const { macs, unknownLayers } = countFlops(model);
  expect(unknownLayers).toEqual([]);
  return { macs, trainable: params.trainable, nonTrainable: params.nonTrainable };
}

/**
 * A running count, layer by layer. `h` is the (square) output size of the layer; MACs are
 * h·h·k·k·(cin/groups)·cout for a convolution, nin·nout for a dense layer.
 */
class Tally {
  macs = 0;
  trainable = 0;
  nonTrainable = 0;

  conv(h: number, k: number, cin: number, cout: number, options: { bias?: boolean; groups?: number } = {}): this {
    const groups = options.groups ?? 1;
    this.macs += h * h * k * k * (cin / groups) * cout;
    this.trainable += k * k * (cin / groups) * cout + (options.bias ? cout : 0);
    return this;
  }

  depthwise(h: number, k: number, channels: number): this {
    this.macs += h * h * k * k * channels;
    this.trainable += k * k * channels;
    return this;
  }

  /** BatchNorm: gamma and beta trained, moving mean and variance kept. */
  bn(channels: number): this {
    this.trainable += 2 * channels;
    this.nonTrainable += 2 * channels;
    return this;
  }

  convBn(h: number, k: number, cin: number, cout: number): this {
    return this.conv(h, k, cin, cout).bn(cout);
  }

  dense(nin: number, nout: number): this {
    this.macs += nin * nout;
    this.trainable += nin * nout + nout;
    return this;
  }
}

describe('LeNet-5', () => {
  it('classic: 416,520 MACs, 61,706 parameters', () => {
    // 32x32x1 -> C1 5x5x6 (28) -> S2 -> C3 5x5x16 (10) -> S4 -> 400 -> 120 -> 84 -> 10
    const t = new Tally().conv(28, 5, 1, 6, { bias: true }).conv(10, 5, 6, 16, { bias: true }).dense(400, 120).dense(120, 84).dense(84, 10);
    expect(t.macs).toBe(416_520);
    expect(measure(lenet5({ initialize: false }))).toEqual({ macs: t.macs, trainable: t.trainable, nonTrainable: 0 });
  });

  it("paper: C3's 60 connections (Table I) and the RBF output", () => {
    // C1: 28·28·25·6; C3 connects 60 (input, output) map pairs with 5x5 kernels: 10·10·25·60 (the
    // paper's 151,600 connections minus its 1,600 biases); C5 and F6 dense; RBF 84 -> 10 (its
    // distances are a multiply-add per weight). S2/S4 have 2 weights per map and no MACs.
    const macs = 28 * 28 * 25 * 6 + 10 * 10 * 25 * 60 + 400 * 120 + 120 * 84 + 84 * 10;
    // The paper's own counts: C1 156, S2 12, C3 1,516, S4 32, C5 48,120, F6 10,164: 60,000 trained;
    // the RBF's 7x12 bitmaps (84 x 10) are fixed.
    const trainable = 156 + 12 + 1_516 + 32 + 48_120 + 10_164;
    expect(trainable).toBe(60_000);
    expect(measure(lenet5({ variant: 'paper', initialize: false }))).toEqual({ macs, trainable, nonTrainable: 84 * 10 });
  });
});

describe('AlexNet', () => {
  const classifier = (t: Tally) => t.dense(6 * 6 * 256, 4096).dense(4096, 4096).dense(4096, 1000);

  it("torchvision: 714,188,480 MACs, torchvision's 0.71 GFLOPS", () => {
    // 224 -> conv1 11x11/4 pad 2 (55) -> pool (27) -> conv2 5x5 (27) -> pool (13) -> conv3-5 3x3 (13) -> pool (6)
    const t = classifier(
      new Tally()
        .conv(55, 11, 3, 64, { bias: true })
        .conv(27, 5, 64, 192, { bias: true })
        .conv(13, 3, 192, 384, { bias: true })
        .conv(13, 3, 384, 256, { bias: true })
        .conv(13, 3, 256, 256, { bias: true }),
    );
    expect(t.trainable).toBe(61_100_840);
    const counted = measure(alexnet({ initialize: false }));
    expect(counted).toEqual({ macs: t.macs, trainable: t.trainable, nonTrainable: 0 });
    expect((counted.macs / 1e9).toFixed(2)).toBe('0.71');
  });

  it("paper, two GPUs: conv2, conv4 and conv5 grouped in two", () => {
    // 227 -> conv1 11x11/4 (55) -> LRN, pool (27) -> conv2 5x5 g2 (27) -> LRN, pool (13) -> conv3, conv4 g2, conv5 g2 (13) -> pool (6)
    const t = classifier(
      new Tally()
        .conv(55, 11, 3, 96, { bias: true })
        .conv(27, 5, 96, 256, { bias: true, groups: 2 })
        .conv(13, 3, 256, 384, { bias: true })
        .conv(13, 3, 384, 384, { bias: true, groups: 2 })
        .conv(13, 3, 384, 256, { bias: true, groups: 2 }),
    );
    expect(t.trainable).toBe(60_965_224);
    expect(measure(alexnet({ variant: 'paper', groups: 2, initialize: false }))).toEqual({ macs: t.macs, trainable: t.trainable, nonTrainable: 0 });
  });
});

describe('VGG (Table 1, configurations D and E)', () => {
  /** 3x3 convs with biases, 2x2 pools halving 224 down to 7, then 25088 -> 4096 -> 4096 -> 1000. */
  function vggTally(stages: number[][]): Tally {
    const t = new Tally();
    let cin = 3;
    stages.forEach((widths, stage) => {
      const h = 224 / 2 ** stage;
      for (const width of widths) {
        t.conv(h, 3, cin, width, { bias: true });
        cin = width;
      }
    });
    return t.dense(7 * 7 * 512, 4096).dense(4096, 4096).dense(4096, 1000);
  }

  it("VGG-16: torchvision's 15.47 GFLOPS, 138,357,544 parameters", () => {
    const t = vggTally([[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]]);
    expect(t.trainable).toBe(138_357_544);
    const counted = measure(vgg16({ initialize: false }));
    expect(counted).toEqual({ macs: t.macs, trainable: t.trainable, nonTrainable: 0 });
    expect((counted.macs / 1e9).toFixed(2)).toBe('15.47');
  });

  it("VGG-19: torchvision's 19.63 GFLOPS, 143,667,240 parameters", () => {
    const t = vggTally([[64, 64], [128, 128], [256, 256, 256, 256], [512, 512, 512, 512], [512, 512, 512, 512]]);
    expect(t.trainable).toBe(143_667_240);
    const counted = measure(vgg19({ initialize: false }));
    expect(counted).toEqual({ macs: t.macs, trainable: t.trainable, nonTrainable: 0 });
    expect((counted.macs / 1e9).toFixed(2)).toBe('19.63');
  });
});

describe('ResNet (Table 1; torchvision v1.5: the stride on the 3x3)', () => {
  function resnetTally(block: 'basic' | 'bottleneck', depths: number[]): Tally {
    const expansion = block === 'basic' ? 1 : 4;
    const t = new Tally().convBn(112, 7, 3, 64); // conv1 7x7/2, then a 3x3/2 max pool to 56
    let cin = 64;
    depths.forEach((blocks, stage) => {
      const width = 64 * 2 ** stage;
      const h = 56 / 2 ** stage;
      for (let i = 0; i < blocks; i++) {
        const stride = stage > 0 && i === 0 ? 2 : 1;
        if (block === 'basic') {
          t.convBn(h, 3, cin, width).convBn(h, 3, width, width);
        } else {
          // the 1x1 reduction runs at the block's input size, before the strided 3x3
          t.convBn(h * stride, 1, cin, width).convBn(h, 3, width, width).convBn(h, 1, width, width * expansion);
        }
        if (stride !== 1 || cin !== width * expansion) t.convBn(h, 1, cin, width * expansion); // projection shortcut
        cin = width * expansion;
      }
    });
    return t.dense(cin, 1000);
  }

  it('ResNet-18: 1.81 GFLOPS, 11,689,512 parameters', () => {
    const t = resnetTally('basic', [2, 2, 2, 2]);
    expect(t.trainable).toBe(11_689_512);
    const counted = measure(resnet18({ initialize: false }));
    expect(counted).toEqual({ macs: t.macs, trainable: t.trainable, nonTrainable: t.nonTrainable });
    expect((counted.macs / 1e9).toFixed(2)).toBe('1.81');
  });

  it('ResNet-34: 3.66 GFLOPS, 21,797,672 parameters', () => {
    const t = resnetTally('basic', [3, 4, 6, 3]);
    expect(t.trainable).toBe(21_797_672);
    expect(t.macs).toBe(3_663_761_408);
    const counted = measure(resnet34({ initialize: false }));
    expect(counted).toEqual({ macs: t.macs, trainable: t.trainable, nonTrainable: t.nonTrainable });
    expect((counted.macs / 1e9).toFixed(2)).toBe('3.66');
  });

  it('ResNet-50: 4.09 GFLOPS, 25,557,032 parameters', () => {
    const t = resnetTally('bottleneck', [3, 4, 6, 3]);
    expect(t.trainable).toBe(25_557_032);
    const counted = measure(resnet50({ initialize: false }));
    expect(counted).toEqual({ macs: t.macs, trainable: t.trainable, nonTrainable: t.nonTrainable });
    expect((counted.macs / 1e9).toFixed(2)).toBe('4.09');
  });
});

describe('GoogLeNet (Table 1, no auxiliary heads)', () => {
  /** Table 1's Inception rows: name, #1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj; and the map size. */
  const rows: [number, number[]][] = [
    [28, [64, 96, 128, 16, 32, 32]], // 3a
    [28, [128, 128, 192, 32, 96, 64]], // 3b
    [14, [192, 96, 208, 16, 48, 64]], // 4a
    [14, [160, 112, 224, 24, 64, 64]], // 4b
    [14, [128, 128, 256, 24, 64, 64]], // 4c
    [14, [112, 144, 288, 32, 64, 64]], // 4d
    [14, [256, 160, 320, 32, 128, 128]], // 4e
    [7, [256, 160, 320, 32, 128, 128]], // 5a
    [7, [384, 192, 384, 48, 128, 128]], // 5b
  ];

  /** `unit(h, k, cin, cout)` adds one conv unit; the "5x5" branch has kernel `k5`. */
  function googlenetTally(unit: (t: Tally, h: number, k: number, cin: number, cout: number) => void, k5: number): Tally {
    const t = new Tally();
    unit(t, 112, 7, 3, 64); // conv1 7x7/2, max pool to 56
    unit(t, 56, 1, 64, 64); // conv2
    unit(t, 56, 3, 64, 192); // conv3, max pool to 28
    let cin = 192;
    for (const [h, [c1, c3r, c3, c5r, c5, pool]] of rows) {
      unit(t, h, 1, cin, c1);
      unit(t, h, 1, cin, c3r);
      unit(t, h, 3, c3r, c3);
      unit(t, h, 1, cin, c5r);
      unit(t, h, k5, c5r, c5);
      unit(t, h, 1, cin, pool); // after a 3x3/1 max pool
      cin = c1 + c3 + c5 + pool;
    }
    return t.dense(cin, 1000);
  }

  it("torchvision: BN units, a 3x3 '5x5' branch; 1.50 GFLOPS, 6,624,904 parameters", () => {
    const t = googlenetTally((tally, h, k, cin, cout) => tally.convBn(h, k, cin, cout), 3);
    expect(t.trainable).toBe(6_624_904);
    const counted = measure(googlenet({ initialize: false }));
    expect(counted).toEqual({ macs: t.macs, trainable: t.trainable, nonTrainable: t.nonTrainable });
    expect((counted.macs / 1e9).toFixed(2)).toBe('1.50');
  });

  it('paper: convolutions with biases, a true 5x5 branch', () => {
    const t = googlenetTally((tally, h, k, cin, cout) => tally.conv(h, k, cin, cout, { bias: true }), 5);
    expect(measure(googlenet({ variant: 'paper', initialize: false }))).toEqual({ macs: t.macs, trainable: t.trainable, nonTrainable: 0 });
  });
});

describe('MobileNets', () => {
  it('V1 (Table 1): 569 million mult-adds, as Table 8 says; 4,231,976 trained parameters', () => {
    // Conv 3x3/2 to 112, then 13 depthwise-separable pairs (depthwise stride, pointwise filters).
    const pairs = [[1, 64], [2, 128], [1, 128], [2, 256], [1, 256], [2, 512], [1, 512], [1, 512], [1, 512], [1, 512], [1, 512], [2, 1024], [1, 1024]];
    const t = new Tally().convBn(112, 3, 3, 32);
    let cin = 32;
    let h = 112;
    for (const [stride, filters] of pairs) {
      h /= stride;
      t.depthwise(h, 3, cin).bn(cin).convBn(h, 1, cin, filters);
      cin = filters;
    }
    t.conv(1, 1, 1024, 1000, { bias: true }); // Keras's classifier: a 1x1 conv on the pooled 1x1 map
    expect(t.trainable).toBe(4_231_976);
    const counted = measure(mobilenetV1({ initialize: false }));
    expect(counted).toEqual({ macs: t.macs, trainable: t.trainable, nonTrainable: t.nonTrainable });
    expect(Math.round(counted.macs / 1e6)).toBe(569);
  });

  it("V2 (Table 2): torchvision's 0.30 GFLOPS, 3,504,872 trained parameters", () => {
    // Rows t (expansion), c (channels), n (repeats), s (stride of the first).
    const table = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]];
    const t = new Tally().convBn(112, 3, 3, 32);
    let cin = 32;
    let h = 112;
    for (const [expansion, channels, repeats, firstStride] of table) {
      for (let i = 0; i < repeats; i++) {
        const stride = i === 0 ? firstStride : 1;
        const hidden = cin * expansion;
        if (expansion !== 1) t.convBn(h, 1, cin, hidden); // expand, at the input size
        h /= stride;
        t.depthwise(h, 3, hidden).bn(hidden); // depthwise
        t.convBn(h, 1, hidden, channels); // project
        cin = channels;
      }
    }
    t.convBn(7, 1, 320, 1280).dense(1280, 1000);
    expect(t.trainable).toBe(3_504_872);
    const counted = measure(mobilenetV2({ initialize: false }));
    expect(counted).toEqual({ macs: t.macs, trainable: t.trainable, nonTrainable: t.nonTrainable });
    expect((counted.macs / 1e9).toFixed(2)).toBe('0.30');
  });
});
