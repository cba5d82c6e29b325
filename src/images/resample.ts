/**
 * PIL's bilinear resize of 8-bit images (Pillow's `Resample.c`: `Image.resize(size, BILINEAR)`, what
 * torchvision's `Resize` runs on a PIL image), value for value: a triangle filter whose support
 * widens with the reduction factor (antialiasing), pixel centres aligned (`(x + 0.5) * scale`),
 * weights in 22-bit fixed point, a horizontal pass then a vertical one, each rounded to 8 bits.
 *
 * Why not sharp's resize: libvips aligns pixels differently when enlarging (its output pixel x
 * samples the source at `x / factor - 0.5`, PIL's at `(x + 0.5) / factor - 0.5`) and rounds
 * differently; measured on a textured 300x200 image enlarged to 384x256, its 'linear' kernel is up
 * to 120 levels away from PIL at edges (2 to 9 levels when reducing).
 */

/** Pillow's `PRECISION_BITS` for 8-bit images. */
const PRECISION_BITS = 32 - 8 - 2;
const ONE = 2 ** PRECISION_BITS;

/** For each output pixel along one axis: the first source pixel, how many, and their fixed-point weights. */
interface Taps {
  first: Int32Array;
  count: Int32Array;
  /** `size` weights per output pixel. */
  weights: Int32Array;
  size: number;
}

/** Pillow's `precompute_coeffs` and `normalize_coeffs_8bpc` for the bilinear filter (support 1). */
function taps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale;
  const size = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * size);
  const raw = new Float64Array(size);
  for (let out = 0; out < outSize; out++) {
    const centre = (out + 0.5) * scale;
    // C's (int) cast truncates toward zero.
    const xmin = Math.max(Math.trunc(centre - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(centre + support + 0.5), inSize) - xmin;
    let total = 0;
    for (let x = 0; x < xmax; x++) {
      const distance = Math.abs((x + xmin - centre + 0.5) / filterScale);
      raw[x] = distance < 1 ? 1 - distance : 0;
      total += raw[x];
    }
    for (let x = 0; x < xmax; x++) {
      const w = total !== 0 ? raw[x] / total : raw[x];
      // Triangle weights are never negative: Pillow's positive branch, (int)(0.5 + w * 2^22).
      weights[out * size + x] = Math.trunc(0.5 + w * ONE);
    }
    first[out] = xmin;
    count[out] = xmax;
  }
  return { first, count, weights, size };
}

/** Pillow's `clip8`: a fixed-point sum back to 0..255. */
function clip8(sum: number): number {
  if (sum >= ONE * 256) return 255;
  if (sum <= 0) return 0;
  return Math.floor(sum / ONE);
}

/** Which output pixels to compute, `[from, to)` along each axis: the crop, so nothing is resampled twice or for nothing. */
export interface ResampleWindow {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/**
 * Resizes interleaved 8-bit pixels (`channels` per pixel) from `inWidth` x `inHeight` to
 * `outWidth` x `outHeight` as PIL's bilinear resize does, and returns the window's pixels only
 * (`(x1 - x0) x (y1 - y0)`, row by row): every value equals PIL's for the whole image at that place.
 */
export function resizeBilinear(
  pixels: Uint8Array,
  inWidth: number,
  inHeight: number,
  channels: number,
  outWidth: number,
  outHeight: number,
  window: ResampleWindow = { x0: 0, x1: outWidth, y0: 0, y1: outHeight },
): Uint8Array {
  const { x0, x1, y0, y1 } = window;
  const width = x1 - x0;
  const height = y1 - y0;
  const horizontal = inWidth === outWidth ? undefined : taps(inWidth, outWidth);
  const vertical = inHeight === outHeight ? undefined : taps(inHeight, outHeight);
  // Source rows the window's output rows read (Pillow's ybox_first/ybox_last).
  const rowFrom = vertical ? vertical.first[y0] : y0;
  const rowTo = vertical ? vertical.first[y1 - 1] + vertical.count[y1 - 1] : y1;
  const half = ONE / 2;

  // Horizontal pass: rows rowFrom..rowTo of the source, the window's columns, rounded to 8 bits.
  const rows = rowTo - rowFrom;
  const temp = new Uint8Array(rows * width * channels);
  for (let y = 0; y < rows; y++) {
    const source = (rowFrom + y) * inWidth * channels;
    const target = y * width * channels;
    for (let x = 0; x < width; x++) {
      const out = x0 + x;
      if (!horizontal) {
        for (let c = 0; c < channels; c++) temp[target + x * channels + c] = pixels[source + out * channels + c];
        continue;
      }
      const start = horizontal.first[out];
      const n = horizontal.count[out];
      const k = out * horizontal.size;
      for (let c = 0; c < channels; c++) {
        let sum = half;
        for (let i = 0; i < n; i++) sum += pixels[source + (start + i) * channels + c] * horizontal.weights[k + i];
        temp[target + x * channels + c] = clip8(sum);
      }
    }
  }

  // Vertical pass over the intermediate rows.
  if (!vertical) return temp;
  const result = new Uint8Array(height * width * channels);
  for (let y = 0; y < height; y++) {
    const out = y0 + y;
    const start = vertical.first[out] - rowFrom;
    const n = vertical.count[out];
    const k = out * vertical.size;
    for (let x = 0; x < width * channels; x++) {
      let sum = half;
      for (let i = 0; i < n; i++) sum += temp[(start + i) * width * channels + x] * vertical.weights[k + i];
      result[y * width * channels + x] = clip8(sum);
    }
  }
  return result;
}
