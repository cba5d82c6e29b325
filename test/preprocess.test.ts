/**
 * `preprocess`: images written with sharp from known pixel values, and the model values computed
 * by hand from the Preprocessing rules (range, channel order, mean/std, luma), the resize and
 * centre-crop geometry (an image whose colour encodes the position), the bilinear filter (by hand,
 * and against values made by the real Pillow), the three formats, EXIF orientation, transparency,
 * the errors, and a cnn-zoo without sharp.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../src/errors.js';
import { ImageError } from '../src/images/errors.js';
import { geometry, preprocess } from '../src/images/preprocess.js';
import { resizeBilinear } from '../src/images/resample.js';
import { sharpUnavailable } from '../src/images/sharp.js';
import { tf } from '../src/tf.js';
import type { Preprocessing } from '../src/weights/manifest.js';

const dir = mkdtempSync(join(tmpdir(), 'cnn-zoo-preprocess-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A PNG of raw 8-bit values, row by row, `channels` per pixel. */
function png(values: readonly number[], width: number, height: number, channels: 1 | 3 | 4 = 3): Promise<Buffer> {
  return sharp(Buffer.from(values), { raw: { width, height, channels } }).png().toBuffer();
}

function file(name: string, bytes: Uint8Array | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** The tensor's values, and the tensor disposed. */
async function values(tensor: tf.Tensor): Promise<number[]> {
  const data = Array.from(await tensor.data());
  tensor.dispose();
  return data;
}

// A 4x2 RGB image; pixel (row, column) is GRADIENT[row * 4 + column].
const GRADIENT = [
  [0, 10, 20], [30, 40, 50], [60, 70, 80], [90, 100, 110],
  [120, 130, 140], [150, 160, 170], [180, 190, 200], [210, 220, 255],
];
const gradient = () => png(GRADIENT.flat(), 4, 2);
// At its own size nothing is resampled, so every value below is exact (to float32).
const atSize = (fields: Partial<Preprocessing>): Preprocessing => ({ inputShape: [2, 4, 3], range: [0, 1], channelOrder: 'rgb', ...fields });

describe('values: range, channel order, mean and std, luma', () => {
  it('maps 0..255 linearly onto the range, pixel by pixel in row order', async () => {
    const x = await preprocess(await gradient(), atSize({}));
    expect(x.shape).toEqual([1, 2, 4, 3]);
    expect(x.dtype).toBe('float32');
    const unit = await values(x);
    expect(unit.slice(0, 3)).toEqual([0, Math.fround(10 / 255), Math.fround(20 / 255)]);
    expect(unit.slice(21)).toEqual([Math.fround(210 / 255), Math.fround(220 / 255), 1]);

    const symmetric = await values(await preprocess(await gradient(), atSize({ range: [-1, 1] })));
    // -1 + 2 * v / 255: 0 -> -1, 210 -> 0.647059, 220 -> 0.725490, 255 -> 1
    expect(symmetric[0]).toBe(-1);
    expect(symmetric.slice(21)).toEqual([expect.closeTo(0.647059, 6), expect.closeTo(0.72549, 5), 1]);

    const raw = await values(await preprocess(await gradient(), atSize({ range: [0, 255] })));
    expect(raw).toEqual(GRADIENT.flat());
  });

  it("puts the channels in the model's order for 'bgr'", async () => {
    const bgr = await values(await preprocess(await gradient(), atSize({ range: [0, 255], channelOrder: 'bgr' })));
    expect(bgr.slice(0, 6)).toEqual([20, 10, 0, 50, 40, 30]);
    expect(bgr.slice(21)).toEqual([255, 220, 210]);
  });

  it("subtracts mean and divides by std per channel, both in the model's channel order", async () => {
    // torchvision's ImageNet values on pixel (0, 1) = RGB (30, 40, 50):
    // (30/255 - 0.485) / 0.229 = -1.604161, (40/255 - 0.456) / 0.224 = -1.335434, (50/255 - 0.406) / 0.225 = -0.932985
    const torch = await values(await preprocess(await gradient(), atSize({ mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] })));
    expect(torch.slice(3, 6)).toEqual([expect.closeTo(-1.604161, 5), expect.closeTo(-1.335434, 5), expect.closeTo(-0.932985, 5)]);

    // Keras's caffe mode on pixel (1, 3) = RGB (210, 220, 255): BGR (255, 220, 210) minus the BGR means.
    const caffe = await values(
      await preprocess(await gradient(), atSize({ range: [0, 255], channelOrder: 'bgr', mean: [103.939, 116.779, 123.68], std: [1, 1, 1] })),
    );
    expect(caffe.slice(21)).toEqual([expect.closeTo(255 - 103.939, 4), expect.closeTo(220 - 116.779, 4), expect.closeTo(210 - 123.68, 4)]);

    // std alone: (v - 0) / 2 in the [0, 255] range.
    const halved = await values(await preprocess(await gradient(), atSize({ range: [0, 255], mean: [0, 0, 0], std: [2, 2, 2] })));
    expect(halved.slice(0, 3)).toEqual([0, 5, 10]);
  });

  it('gives greyscale models one channel: the Rec. 601 luma 0.299 R + 0.587 G + 0.114 B', async () => {
    const grey = await values(await preprocess(await gradient(), atSize({ inputShape: [2, 4, 1] })));
    expect(grey).toHaveLength(8);
    // Pixel (0, 1) = (30, 40, 50): 8.97 + 23.48 + 5.7 = 38.15, / 255 = 0.149608
    expect(grey[1]).toBeCloseTo(0.149608, 6);
    // Pixel (1, 3) = (210, 220, 255): 62.79 + 129.14 + 29.07 = 221.0, / 255 = 0.866667
    expect(grey[7]).toBeCloseTo(0.866667, 6);
    // A one-channel PNG keeps its values exactly.
    const levels = await values(await preprocess(await png([0, 50, 100, 255], 2, 2, 1), { inputShape: [2, 2, 1], range: [0, 255], channelOrder: 'rgb' }));
    expect(levels).toEqual([0, 50, 100, 255]);
  });

  it('gives colour models three channels of a greyscale image, and flattens transparency onto white', async () => {
    const grey = await values(await preprocess(await png([0, 50, 100, 255], 2, 2, 1), { inputShape: [2, 2, 3], range: [0, 255], channelOrder: 'rgb' }));
    expect(grey).toEqual([0, 0, 0, 50, 50, 50, 100, 100, 100, 255, 255, 255]);
    // RGBA: transparent red, half-transparent red, opaque black, transparent anything.
    const rgba = await png([255, 0, 0, 0, 255, 0, 0, 128, 0, 0, 0, 255, 10, 20, 30, 0], 2, 2, 4);
    const flat = await values(await preprocess(rgba, { inputShape: [2, 2, 3], range: [0, 255], channelOrder: 'rgb' }));
    // Over white: alpha 0 -> white; alpha 128/255 -> 255 * 128/255 + 255 * 127/255 = 255 for R, 255 * 127/255 = 127 for G and B.
    expect(flat).toEqual([255, 255, 255, 255, 127, 127, 0, 0, 0, 255, 255, 255]);
  });
});

describe('geometry: torchvision resize and centre crop, Keras straight resize', () => {
  // A 300x200 image whose colour encodes the position: R = 255 x / 299, G = 255 y / 199, B = 128.
  const ramp = (width: number, height: number) => {
    const pixels: number[] = [];
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) pixels.push(Math.round((255 * x) / (width - 1)), Math.round((255 * y) / (height - 1)), 128);
    return png(pixels, width, height);
  };
  /** The pixel (row, column) of a [1, H, W, 3] tensor's values. */
  const pixel = (data: number[], width: number, row: number, column: number) => data.slice((row * width + column) * 3, (row * width + column) * 3 + 3);
  const torchvision224: Preprocessing = { inputShape: [224, 224, 3], range: [0, 255], channelOrder: 'rgb', resizeShorterSide: 256 };

  it('computes the sizes and offsets as torchvision does (int() of the long side, round-half-even crop)', () => {
    // 300x200: shorter side 200 -> 256, longer 256 * 300 / 200 = 384; crop at ((384 - 224) / 2, (256 - 224) / 2) = (80, 16).
    expect(geometry(300, 200, torchvision224)).toEqual({ resizeWidth: 384, resizeHeight: 256, left: 80, top: 16 });
    expect(geometry(200, 300, torchvision224)).toEqual({ resizeWidth: 256, resizeHeight: 384, left: 16, top: 80 });
    // 500x375: 256 * 500 / 375 = 341.33 -> 341; (341 - 224) / 2 = 58.5 -> 58 (Python rounds halves to even).
    expect(geometry(500, 375, torchvision224)).toEqual({ resizeWidth: 341, resizeHeight: 256, left: 58, top: 16 });
    // 375x503: 256 * 503 / 375 = 343.38 -> 343; (343 - 224) / 2 = 59.5 -> 60.
    expect(geometry(375, 503, torchvision224)).toEqual({ resizeWidth: 256, resizeHeight: 343, left: 16, top: 60 });
    // A crop larger than the resized image pads it with zeros, floor((crop - size) / 2) before it, as torchvision's center_crop.
    expect(geometry(100, 100, { inputShape: [227, 227, 3], resizeShorterSide: 224 })).toEqual({ resizeWidth: 224, resizeHeight: 224, left: -1, top: -1 });
    // Without resizeShorterSide: straight to the input size, aspect ratio not kept (Keras's load_img).
    expect(geometry(300, 200, { inputShape: [224, 224, 3] })).toEqual({ resizeWidth: 224, resizeHeight: 224, left: 0, top: 0 });
  });

  it('takes the centre 224x224 of a 300x200 image resized to 384x256', async () => {
    const data = await values(await preprocess(await ramp(300, 200), torchvision224));
    expect(data).toHaveLength(224 * 224 * 3);
    // Output (row i, column j) is resized (16 + i, 80 + j), whose centre is source x = (80 + j + 0.5) * 300/384 - 0.5,
    // y = (16 + i + 0.5) * 200/256 - 0.5. Corner (0, 0): x = 62.39, y = 12.39, so R = 53.2, G = 15.9.
    const expected = (i: number, j: number) => [((80 + j + 0.5) * 300) / 384 - 0.5, ((16 + i + 0.5) * 200) / 256 - 0.5].map((s, axis) => (255 * s) / (axis === 0 ? 299 : 199));
    expect(expected(0, 0).map((v) => Math.round(v * 10) / 10)).toEqual([53.2, 15.9]);
    for (const [i, j] of [[0, 0], [0, 223], [223, 0], [223, 223], [112, 112], [50, 170]]) {
      const [r, g, b] = pixel(data, 224, i, j);
      const [expectedR, expectedG] = expected(i, j);
      expect(Math.abs(r - expectedR), `R at (${i}, ${j})`).toBeLessThanOrEqual(1);
      expect(Math.abs(g - expectedG), `G at (${i}, ${j})`).toBeLessThanOrEqual(1);
      expect(b).toBe(128);
    }
  });

  it('crops a portrait image vertically, after a downscale (400x600 -> 256x384 -> rows 80..303)', async () => {
    const data = await values(await preprocess(await ramp(400, 600), torchvision224));
    // Source x = (16 + j + 0.5) * 400/256 - 0.5, y = (80 + i + 0.5) * 600/384 - 0.5.
    const expected = (i: number, j: number) => [(255 * (((16 + j + 0.5) * 400) / 256 - 0.5)) / 399, (255 * (((80 + i + 0.5) * 600) / 384 - 0.5)) / 599];
    for (const [i, j] of [[0, 0], [0, 223], [223, 0], [223, 223], [112, 112]]) {
      const [r, g] = pixel(data, 224, i, j);
      expect(Math.abs(r - expected(i, j)[0]), `R at (${i}, ${j})`).toBeLessThanOrEqual(1);
      expect(Math.abs(g - expected(i, j)[1]), `G at (${i}, ${j})`).toBeLessThanOrEqual(1);
    }
  });

  it('resizes straight to the input size without resizeShorterSide (corners stay corners)', async () => {
    const data = await values(await preprocess(await ramp(300, 200), { inputShape: [224, 224, 3], range: [0, 255], channelOrder: 'rgb' }));
    const [r0, g0, b0] = pixel(data, 224, 0, 0);
    expect([r0, g0, b0]).toEqual([expect.toBeOneOf([0, 1, 2]), expect.toBeOneOf([0, 1, 2]), 128]);
    const [r, g] = pixel(data, 224, 223, 223);
    expect(r).toBeGreaterThanOrEqual(253);
    expect(g).toBeGreaterThanOrEqual(253);
  });
});

describe("resampling: PIL's bilinear filter", () => {
  const row = Uint8Array.from([0, 100, 200, 250]);

  it('enlarges with pixel centres aligned: [0, 100, 200, 250] to 8 pixels', () => {
    // Output x samples source (x + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, ... with the triangle
    // 1 - |d| over the taps inside the image, renormalised: x = 0 sees only pixel 0 -> 0;
    // x = 1 at 0.25 -> 0.75 * 0 + 0.25 * 100 = 25; x = 2 at 0.75 -> 0.25 * 0 + 0.75 * 100 = 75;
    // ... x = 5 at 2.25 -> 0.75 * 200 + 0.25 * 250 = 212.5 -> 213 (fixed point, rounded half up).
    expect(Array.from(resizeBilinear(row, 4, 1, 1, 8, 1))).toEqual([0, 25, 75, 125, 175, 213, 238, 250]);
  });

  it('reduces with the support widened by the factor (antialiasing): [0, 100, 200, 250] to 2 pixels', () => {
    // Factor 2: the triangle spans 2 source pixels each side. Output 0 is centred at 1.0 and reads
    // pixels 0..2 at distances 0.5, 0.5, 1.5 (in source pixels), weights 1 - d/2 = 0.75, 0.75, 0.25,
    // over 1.75: (0.75 * 0 + 0.75 * 100 + 0.25 * 200) / 1.75 = 71.4 -> 71. Output 1 at 3.0 reads 1..3:
    // (0.25 * 100 + 0.75 * 200 + 0.75 * 250) / 1.75 = 207.1 -> 207.
    expect(Array.from(resizeBilinear(row, 4, 1, 1, 2, 1))).toEqual([71, 207]);
  });

  it('gives the values Pillow gives, and torchvision\'s resize + centre crop (fixture made by Pillow 9.4)', async () => {
    const fixture = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures/images/pil-bilinear.json'), 'utf8'));
    const { width, height, pixels } = fixture.input;
    const image = await png(pixels, width, height);
    for (const resized of fixture.resized) {
      const spec: Preprocessing = { inputShape: [resized.height, resized.width, 3], range: [0, 255], channelOrder: 'rgb' };
      expect(await values(await preprocess(image, spec)), `${resized.width}x${resized.height}`).toEqual(resized.pixels);
    }
    const { resizeShorterSide, inputShape } = fixture.torchvision;
    expect(await values(await preprocess(image, { inputShape, range: [0, 255], channelOrder: 'rgb', resizeShorterSide }))).toEqual(fixture.torchvision.pixels);
  });
});

describe('formats, orientation, batches', () => {
  const colour = [200, 100, 50];
  const solid = () => sharp({ create: { width: 16, height: 16, channels: 3, background: { r: colour[0], g: colour[1], b: colour[2] } } });
  const formats = async () => ({
    'solid.jpg': await solid().jpeg({ quality: 95 }).toBuffer(),
    'solid.png': await solid().png().toBuffer(),
    'solid.webp': await solid().webp({ quality: 90 }).toBuffer(),
  });

  it('decodes JPEG, PNG and WebP, from a path or from bytes', async () => {
    const spec: Preprocessing = { inputShape: [8, 8, 3], range: [0, 255], channelOrder: 'rgb' };
    for (const [name, bytes] of Object.entries(await formats())) {
      for (const input of [file(name, bytes), bytes, new Uint8Array(bytes)]) {
        const data = await values(await preprocess(input, spec));
        expect(data).toHaveLength(8 * 8 * 3);
        // Lossy formats move a flat colour by a level or two.
        for (let i = 0; i < data.length; i++) expect(Math.abs(data[i] - colour[i % 3]), `${name} value ${i}`).toBeLessThanOrEqual(3);
      }
    }
  });

  it('turns a photo upright by its EXIF orientation', async () => {
    // Stored 32 wide and 16 high, left half black, right half white; orientation 6 shows it rotated
    // 90 degrees clockwise: 16 wide, 32 high, the stored left edge on top, so the top half is black.
    const stored: number[] = [];
    for (let y = 0; y < 16; y++) for (let x = 0; x < 32; x++) stored.push(...(x < 16 ? [0, 0, 0] : [255, 255, 255]));
    const jpeg = await sharp(Buffer.from(stored), { raw: { width: 32, height: 16, channels: 3 } }).withMetadata({ orientation: 6 }).jpeg({ quality: 100 }).toBuffer();
    const data = await values(await preprocess(jpeg, { inputShape: [32, 16, 3], range: [0, 255], channelOrder: 'rgb' }));
    const at = (row: number, column: number) => data[(row * 16 + column) * 3];
    for (const column of [0, 8, 15]) {
      expect(at(4, column)).toBeLessThan(10);
      expect(at(27, column)).toBeGreaterThan(245);
    }
  });

  it('stacks several images into one [N, H, W, C] batch, in order', async () => {
    const black = await png([0, 0, 0, 0], 2, 2, 1);
    const white = await png([255, 255, 255, 255], 2, 2, 1);
    const batch = await preprocess([white, file('black.png', black), white], { inputShape: [2, 2, 1], range: [0, 1], channelOrder: 'rgb' });
    expect(batch.shape).toEqual([3, 2, 2, 1]);
    expect(await values(batch)).toEqual([1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1]);
  });
});

describe('errors', () => {
  const spec: Preprocessing = { inputShape: [8, 8, 3], range: [0, 1], channelOrder: 'rgb' };

  it('names a file sharp cannot decode and says what sharp said', async () => {
    const text = file('notes.jpg', 'these are notes, not a photo\n');
    await expect(preprocess(text, spec)).rejects.toThrow(new RegExp(`^${text.replace(/[.\\/]/g, '\\$&')}: sharp cannot decode it: Input buffer contains unsupported image format$`));
    const whole = await png(Array.from({ length: 64 * 64 * 3 }, (_, i) => (i * 7) % 256), 64, 64);
    const truncated = file('truncated.png', whole.subarray(0, Math.floor(whole.length / 2)));
    const error = await preprocess(truncated, spec).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ImageError);
    expect((error as ImageError).image).toBe(truncated);
    expect((error as Error).message).toMatch(/truncated\.png: sharp cannot decode it: pngload_buffer: /);
    await expect(preprocess(join(dir, 'missing.png'), spec)).rejects.toThrow(/missing\.png: no such file$/);
    await expect(preprocess(dir, spec)).rejects.toThrow(/: it is a directory$/);
  });

  it('names the first bad image of a batch, by position for bytes', async () => {
    const good = await png([1, 2, 3], 1, 1);
    await expect(preprocess([good, Buffer.from('oops!'), file('also-bad.png', 'x')], spec)).rejects.toThrow(
      /^image 2 of 3 \(a 5-byte buffer\): sharp cannot decode it: /,
    );
    await expect(preprocess(Buffer.from('oops!'), spec)).rejects.toThrow(/^the image \(a 5-byte buffer\): /);
  });

  it('checks the preprocessing with the manifest schema, and takes 1 or 3 channels', async () => {
    const image = await gradient();
    await expect(preprocess(image, { ...spec, inputShape: [8, 8, 4] })).rejects.toThrow(/^preprocessing\.inputShape\.2: must be 1 \(greyscale\) or 3 \(colour\) channels/);
    const error = await preprocess(image, { ...spec, mean: [0.5, 0.5] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/preprocessing\.(mean|std)/);
    await expect(preprocess([], spec)).rejects.toThrow(RangeError);
  });
});

describe('without sharp', () => {
  it("rejects with an ImageError that says 'npm install sharp', and cnn-zoo still loads", async () => {
    // The import of sharp fails as Node fails it when the package is absent.
    vi.doMock('sharp', () => {
      throw Object.assign(new Error("Cannot find package 'sharp' imported from /app/node_modules/cnn-zoo/dist/index.js"), { code: 'ERR_MODULE_NOT_FOUND' });
    });
    vi.resetModules();
    try {
      const fresh = await import('../src/images/preprocess.js');
      const error = await fresh.preprocess(await gradient(), atSize({})).catch((caught: unknown) => caught);
      expect((error as Error).name).toBe('ImageError');
      expect((error as Error).message).toBe('reading images needs sharp, an optional peer dependency of cnn-zoo that is not installed: npm install sharp');
    } finally {
      vi.doUnmock('sharp');
      vi.resetModules();
    }
  });

  it('tells a sharp that is installed but cannot load (no binary for this platform) from a missing one', () => {
    const broken = new Error('Could not load the "sharp" module using the linux-arm64 runtime\nPossible solutions:\n- ...');
    expect(sharpUnavailable(broken).message).toBe(
      'sharp is installed but cannot be loaded (Could not load the "sharp" module using the linux-arm64 runtime); npm install sharp installs it again for this platform',
    );
    const missing = Object.assign(new Error("Cannot find module 'sharp'"), { code: 'MODULE_NOT_FOUND' });
    expect(sharpUnavailable(missing).message).toMatch(/not installed: npm install sharp$/);
  });
});
