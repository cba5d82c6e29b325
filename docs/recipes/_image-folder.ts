// docs/recipes/_image-folder.ts
/**
 * A folder of images, one sub-folder per class, read with sharp (libvips): the layout of Keras's
 * `image_dataset_from_directory` and torchvision's `ImageFolder`.
 *
 * ```
 * my-photos/
 *   cats/  a.jpg b.png ...
 *   dogs/  c.jpg ...
 * ```
 *
 * Each image is decoded (PNG, JPEG, WebP, TIFF, GIF, AVIF: whatever sharp reads), turned upright by
 * its EXIF orientation, flattened onto black if it has transparency, converted to 3-channel sRGB,
 * resized to fill the input size and centre-cropped (`fit: 'cover'`, so the aspect ratio is kept),
 * and its 0..255 values mapped linearly onto the range the model expects: [-1, 1] for Keras's
 * MobileNets, [0, 1] for torchvision-style weights. Classes are the sub-folders in alphabetical
 * order; class i is output unit i.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';

/** File endings read as images; anything else in a class folder (README, .DS_Store) is skipped. */
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp', '.tif', '.tiff', '.gif', '.avif'];

export interface ReadImagesOptions {
  /** Height and width the images are resized to: the model's input size. */
  height: number;
  width: number;
  /** The interval onto which 0..255 is mapped: [-1, 1] for Keras's MobileNet V2. */
  range: [number, number];
}

/** Decoded images, `[count, height, width, 3]` in NHWC order, and their labels. */
export interface ImageSet {
  images: Float32Array;
  labels: Int32Array;
  files: string[];
  count: number;
  height: number;
  width: number;
}

export interface ImageFolder extends ImageSet {
  /** The sub-folder names, index by index. */
  classNames: string[];
}

/** Decodes one image file to `height x width x 3` floats in `range`. */
export async function readImage(file: string, options: ReadImagesOptions, into = new Float32Array(options.height * options.width * 3)): Promise<Float32Array> {
  const { data, info } = await sharp(file)
    .rotate() // EXIF orientation
    .flatten({ background: '#000000' })
    .toColourspace('srgb')
    .resize(options.width, options.height, { fit: 'cover' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3 || info.width !== options.width || info.height !== options.height) {
    throw new Error(`${file}: decoded to ${info.width}x${info.height}x${info.channels}, expected ${options.width}x${options.height}x3`);
  }
  const [low, high] = options.range;
  const scale = (high - low) / 255;
  for (let i = 0; i < data.length; i++) into[i] = low + data[i] * scale;
  return into;
}

/** Reads every image of every class folder of `dir`. */
export async function readImageFolder(dir: string, options: ReadImagesOptions): Promise<ImageFolder> {
  const entries = await readdir(dir, { withFileTypes: true });
  const classNames = entries.filter((entry) => entry.isDirectory() && !entry.name.startsWith('.')).map((entry) => entry.name).sort();
  if (classNames.length < 2) throw new Error(`${dir} must hold one sub-folder of images per class (at least 2), found ${classNames.length}: ${classNames.join(', ') || 'none'}`);
  const files: string[] = [];
  const labels: number[] = [];
  for (const [label, name] of classNames.entries()) {
    const names = (await readdir(path.join(dir, name))).filter((file) => IMAGE_EXTENSIONS.includes(path.extname(file).toLowerCase())).sort();
    if (names.length === 0) throw new Error(`${path.join(dir, name)} holds no image (${IMAGE_EXTENSIONS.join(', ')})`);
    for (const file of names) {
      files.push(path.join(dir, name, file));
      labels.push(label);
    }
  }
  const pixels = options.height * options.width * 3;
  const images = new Float32Array(files.length * pixels);
  // Eight files in flight at a time: sharp decodes on libvips's own threads.
  for (let start = 0; start < files.length; start += 8) {
    await Promise.all(files.slice(start, start + 8).map((file, i) => readImage(file, options, images.subarray((start + i) * pixels, (start + i + 1) * pixels))));
  }
  return { images, labels: Int32Array.from(labels), files, classNames, count: files.length, height: options.height, width: options.width };
}

/** The images at `indices`, in that order. */
export function pick(set: ImageSet, indices: readonly number[]): ImageSet {
  const pixels = set.height * set.width * 3;
  const images = new Float32Array(indices.length * pixels);
  indices.forEach((index, i) => images.set(set.images.subarray(index * pixels, (index + 1) * pixels), i * pixels));
  return {
    images,
    labels: Int32Array.from(indices, (index) => set.labels[index]),
    files: indices.map((index) => set.files[index]),
    count: indices.length,
    height: set.height,
    width: set.width,
  };
}

/**
 * Splits each class into training and held-out images: in every class, `heldOutFraction` of its
 * images (at least one) chosen by a seeded shuffle are held out, so both parts keep the classes'
 * proportions and the split is the same on every run.
 */
export function splitHeldOut(set: ImageSet, heldOutFraction: number, seed = 1): { train: ImageSet; heldOut: ImageSet } {
  if (!(heldOutFraction > 0 && heldOutFraction < 1)) throw new RangeError(`heldOutFraction must be between 0 and 1, received ${heldOutFraction}`);
  let state = seed >>> 0;
  const random = () => {
    // A linear congruential generator: enough to shuffle file indices reproducibly.
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  const train: number[] = [];
  const heldOut: number[] = [];
  const byClass = new Map<number, number[]>();
  set.labels.forEach((label, index) => {
    if (!byClass.has(label)) byClass.set(label, []);
    byClass.get(label)!.push(index);
  });
  for (const indices of byClass.values()) {
    for (let i = indices.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [indices[i], indices[j]] = [indices[j], indices[i]];
    }
    const held = Math.max(1, Math.round(indices.length * heldOutFraction));
    if (held >= indices.length) throw new Error(`a class has ${indices.length} image(s): too few to hold out ${held} and still train`);
    heldOut.push(...indices.slice(0, held));
    train.push(...indices.slice(held));
  }
  return { train: pick(set, train), heldOut: pick(set, heldOut) };
}
