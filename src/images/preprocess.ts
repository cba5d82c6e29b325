/**
 * Image files to model inputs, as a weights folder's `preprocessing` says: decode (sharp), resize,
 * centre-crop, map 0..255 onto `range`, reorder the channels, subtract `mean` and divide by `std`.
 *
 * Decisions a manifest does not spell out:
 * - EXIF orientation is applied, as a viewer shows the photo. (torchvision's `ImageFolder` loader
 *   and Keras's `load_img` do not apply it, and see a phone's portrait photo lying on its side.)
 * - Transparency is flattened onto white: a transparent pixel's colour is whatever the encoder left
 *   there (often black) and nobody sees it; on white the image is classified as it looks on a page.
 *   (PIL's `convert('RGB')`, which torchvision's and Keras's loaders call, drops alpha instead; the
 *   photos the zoo's weights were trained on have none, so neither choice follows the training.)
 * - Resampling is PIL's antialiased bilinear filter, value for value (./resample.ts), for both
 *   conventions: torchvision's `Resize` runs exactly that on PIL images. Keras's `load_img`
 *   defaults to nearest, but nearest only copies every k-th pixel, so a reduced photo aliases and
 *   its prediction depends on the pixel grid's phase; that default is the loader's, not part of
 *   the Keras weights' preprocessing (`preprocess_input` starts from an already-sized image).
 * - Greyscale models get the Rec. 601 luma 0.299 R + 0.587 G + 0.114 B of the resized 8-bit sRGB
 *   values (PIL's `convert('L')` and torchvision's `Grayscale`), unrounded.
 */
import { readFile } from 'node:fs/promises';
import { parseConfig } from '../config.js';
import { ConfigError } from '../errors.js';
import { tf } from '../tf.js';
import { PreprocessingSchema, type Preprocessing } from '../weights/manifest.js';
import { ImageError } from './errors.js';
import { resizeBilinear, type ResampleWindow } from './resample.js';
import { loadSharp, type Sharp } from './sharp.js';

/**
 * An image for {@link preprocess}: the path of a JPEG, PNG or WebP file (or any format sharp reads:
 * TIFF, GIF, AVIF), or the file's bytes.
 *
 * @category Images
 */
export type ImageInput = string | Uint8Array;

/** Images decoded at a time: libuv's default thread pool, on which sharp runs, has four threads. */
const CONCURRENCY = 4;

/** Rec. 601 luma weights (PIL's `convert('L')`). */
const LUMA = [0.299, 0.587, 0.114] as const;

interface Geometry {
  /** Size the decoded image is resized to. */
  resizeWidth: number;
  resizeHeight: number;
  /** Where the crop starts in the resized image; negative where the crop is larger (padded with 0). */
  top: number;
  left: number;
}

/** Python's `round`: halves go to the even neighbour (torchvision's `center_crop` rounds with it). */
function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction !== 0.5) return Math.round(value);
  return floor % 2 === 0 ? floor : floor + 1;
}

/** torchvision's `center_crop` offset along one axis: crop centred, or zero padding split floor-first. */
function cropOffset(size: number, crop: number): number {
  return size >= crop ? roundHalfEven((size - crop) / 2) : -Math.floor((crop - size) / 2);
}

/**
 * Resize and crop for an image of `width` x `height` (after EXIF orientation): torchvision's
 * `Resize(side)` (the longer side truncated, as its `int()` does) and `CenterCrop`, or Keras's straight
 * resize to the input size.
 */
export function geometry(width: number, height: number, preprocessing: Pick<Preprocessing, 'inputShape' | 'resizeShorterSide'>): Geometry {
  const [outHeight, outWidth] = preprocessing.inputShape;
  const side = preprocessing.resizeShorterSide;
  if (side === undefined) return { resizeWidth: outWidth, resizeHeight: outHeight, top: 0, left: 0 };
  const [resizeWidth, resizeHeight] = width <= height ? [side, Math.trunc((side * height) / width)] : [Math.trunc((side * width) / height), side];
  return { resizeWidth, resizeHeight, top: cropOffset(resizeHeight, outHeight), left: cropOffset(resizeWidth, outWidth) };
}

/** The preprocessing, checked by the manifest's own schema; the channels must be 1 or 3. */
function checkedPreprocessing(preprocessing: Preprocessing): Preprocessing {
  const parsed = parseConfig(PreprocessingSchema, preprocessing, 'preprocessing');
  const channels = parsed.inputShape[2];
  if (channels !== 1 && channels !== 3) {
    throw new ConfigError({ field: 'preprocessing.inputShape.2', rule: 'must be 1 (greyscale) or 3 (colour) channels to read images', received: channels });
  }
  return parsed;
}

/** How an image is named in errors: its path, or which buffer. */
function imageLabel(image: ImageInput, index: number, count: number): string {
  if (typeof image === 'string') return image;
  const buffer = `a ${image.byteLength.toLocaleString('en-US')}-byte buffer`;
  return count === 1 ? `the image (${buffer})` : `image ${index + 1} of ${count} (${buffer})`;
}

async function readImageFile(file: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new ImageError(file, why, { cause: error });
  }
}

/** Decodes one image and writes its `H x W x C` model values into `into`. */
async function readInto(sharp: Sharp, image: ImageInput, label: string, spec: Preprocessing, into: Float32Array): Promise<void> {
  const bytes = typeof image === 'string' ? await readImageFile(image) : image;
  let decoded: { data: Buffer; info: { width: number; height: number; channels: number } };
  try {
    // 'error' fails on truncated and corrupt data, as PIL does by default; warnings about an image
    // that still decodes whole (libjpeg's "extraneous bytes before marker") pass.
    decoded = await sharp(bytes, { autoOrient: true, failOn: 'error' })
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw new ImageError(label, `sharp cannot decode it: ${(error as Error).message.trim().split('\n')[0]}`, { cause: error });
  }
  const { data, info } = decoded;
  if (info.channels !== 3) throw new ImageError(label, `decoded to ${info.channels} channels where sRGB has 3`);
  const size = geometry(info.width, info.height, spec);
  const [height, width] = spec.inputShape;
  // Only the part of the resized image the crop keeps is computed; the rest of the crop is padding.
  const window: ResampleWindow = {
    x0: Math.max(size.left, 0),
    x1: Math.min(size.left + width, size.resizeWidth),
    y0: Math.max(size.top, 0),
    y1: Math.min(size.top + height, size.resizeHeight),
  };
  const pixels = resizeBilinear(data, info.width, info.height, 3, size.resizeWidth, size.resizeHeight, window);
  writeValues(pixels, window, size, spec, into);
}

/** Crop (zero outside the resized image), map onto `range`, reorder, normalise. */
function writeValues(rgb: Uint8Array, window: ResampleWindow, size: Geometry, spec: Preprocessing, into: Float32Array): void {
  const [height, width, channels] = spec.inputShape;
  const [low, high] = spec.range;
  const scale = (high - low) / 255;
  const mean = spec.mean ?? new Array<number>(channels).fill(0);
  const std = spec.std ?? new Array<number>(channels).fill(1);
  // Source channel of each model channel.
  const order = spec.channelOrder === 'bgr' ? [2, 1, 0] : [0, 1, 2];
  const windowWidth = window.x1 - window.x0;
  let out = 0;
  for (let y = 0; y < height; y++) {
    const sourceY = y + size.top;
    for (let x = 0; x < width; x++) {
      const sourceX = x + size.left;
      const inside = sourceY >= window.y0 && sourceY < window.y1 && sourceX >= window.x0 && sourceX < window.x1;
      const at = ((sourceY - window.y0) * windowWidth + (sourceX - window.x0)) * 3;
      const r = inside ? rgb[at] : 0;
      const g = inside ? rgb[at + 1] : 0;
      const b = inside ? rgb[at + 2] : 0;
      if (channels === 1) {
        // A grey pixel keeps its value exactly (the weights sum to 1 only up to rounding).
        const luma = r === g && g === b ? r : LUMA[0] * r + LUMA[1] * g + LUMA[2] * b;
        into[out++] = (low + luma * scale - mean[0]) / std[0];
      } else {
        const pixel = [r, g, b];
        for (let c = 0; c < 3; c++) into[out++] = (low + pixel[order[c]] * scale - mean[c]) / std[c];
      }
    }
  }
}

/**
 * Reads images into a model's input batch, as a weights folder's `preprocessing` says: the images
 * (file paths or the files' bytes: JPEG, PNG, WebP...) are decoded with sharp, turned upright by
 * their EXIF orientation, converted to sRGB with any transparency flattened onto white, resized
 * (with `resizeShorterSide`: the shorter side to it, then a centre crop to `inputShape`, as
 * torchvision's presets; without: straight to `inputShape`, as Keras's `load_img`), reduced to
 * luminance for a one-channel model, mapped from 0..255 onto `range`, put in `channelOrder`, and
 * normalised per channel by `mean` and `std` (given in the model's channel order). Resampling is
 * PIL's antialiased bilinear filter, value for value (torchvision's `Resize` on PIL images), for
 * both conventions.
 *
 * Returns a float32 `[N, H, W, C]` tensor (N = 1 for a single image), which the caller disposes.
 * sharp is an optional peer dependency, imported on the first call; without it the promise rejects
 * with an {@link ImageError} that says `npm install sharp`. An image that cannot be read or decoded
 * rejects with an {@link ImageError} naming it (the first such image of a batch) and what sharp said;
 * invalid `preprocessing` with a {@link ConfigError}.
 *
 * @param image - A path or the bytes of one image, or an array of them (one batch).
 * @param preprocessing - What the weights expect: a manifest's `preprocessing` ({@link readManifest}).
 *
 * @example
 * ```ts
 * const model = await loadModel('weights/lenet5-mnist');
 * const manifest = await readManifest('weights/lenet5-mnist');
 * const batch = await preprocess(['three.png', 'seven.jpg'], manifest!.preprocessing); // [2, 28, 28, 1]
 * const probabilities = model.predict(batch) as tf.Tensor;
 * const [three, seven] = decodePredictions(probabilities, manifest!.classNames!, 3);
 * console.log(seven[0]); // { index: 7, className: '7', probability: 0.99... }
 * tf.dispose([batch, probabilities]);
 * ```
 *
 * @category Images
 */
export async function preprocess(image: ImageInput | readonly ImageInput[], preprocessing: Preprocessing): Promise<tf.Tensor4D> {
  const spec = checkedPreprocessing(preprocessing);
  const images: readonly ImageInput[] = Array.isArray(image) ? image : [image as ImageInput];
  if (images.length === 0) throw new RangeError('preprocess: no images given (an empty array)');
  images.forEach((item, index) => {
    if (typeof item !== 'string' && !(item instanceof Uint8Array)) {
      throw new TypeError(`preprocess: image ${index + 1} must be a file path or a Buffer/Uint8Array of the file's bytes, received ${Object.prototype.toString.call(item)}`);
    }
  });
  const sharp = await loadSharp();
  const [height, width, channels] = spec.inputShape;
  const perImage = height * width * channels;
  const values = new Float32Array(images.length * perImage);

  // A small pool: images start in order, none after a failure, and the error reported is the
  // first failing image's whatever order they finish in.
  const failures = new Map<number, unknown>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < images.length && failures.size === 0) {
      const index = next++;
      try {
        await readInto(sharp, images[index], imageLabel(images[index], index, images.length), spec, values.subarray(index * perImage, (index + 1) * perImage));
      } catch (error) {
        failures.set(index, error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, images.length) }, worker));
  if (failures.size > 0) throw failures.get(Math.min(...failures.keys()));
  return tf.tensor4d(values, [images.length, height, width, channels], 'float32');
}
