/**
 * A folder of images, one sub-folder per class, read into a model's input batch and one-hot labels:
 * the layout of Keras's `image_dataset_from_directory` and torchvision's `ImageFolder`.
 *
 * ```
 * my-photos/
 *   cats/  0001.jpg 0002.png ...
 *   dogs/  0001.jpg more/0002.webp ...
 * ```
 *
 * Decisions:
 * - Classes are the sub-folders (hidden ones aside) sorted by code point, as Python's `sorted`
 *   orders them for both libraries; class i is output unit i. Images are found in each class
 *   folder and below it (both libraries walk it), and read in the sorted order of their paths.
 * - Files are taken by extension, the formats sharp decodes; anything else (a README, `.DS_Store`)
 *   is skipped, as both libraries skip it. A file with an image's extension that does not decode
 *   is an error naming it, not skipped: a silently smaller data set is worse than a stop.
 * - Every image goes through {@link preprocess}, so a folder is fed exactly as a model's weights
 *   expect (resize, crop, range, channel order, mean and std from their manifest).
 * - The validation split is per class (stratified), so both parts keep the classes' proportions
 *   even on a few dozen images; it is drawn by a seeded shuffle, so a seed gives the same split on
 *   every run and machine.
 */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { parseConfig } from '../config.js';
import { Xoshiro128 } from '../random.js';
import { tf } from '../tf.js';
import { PreprocessingSchema, type Preprocessing } from '../weights/manifest.js';
import { ImageError } from './errors.js';
import { preprocess } from './preprocess.js';
import { loadSharp } from './sharp.js';

/** File endings read as images (lower-cased): the formats sharp decodes. */
const IMAGE_EXTENSIONS: readonly string[] = ['.jpg', '.jpeg', '.png', '.webp', '.gif', '.tif', '.tiff', '.avif'];

/**
 * How {@link imageFolder} reads a folder.
 *
 * @category Images
 */
export interface ImageFolderOptions {
  /**
   * What the model expects of an image: a weights folder's preprocessing (`modelInfo(model)!.preprocessing`,
   * `(await readManifest(dir))!.preprocessing`), or one of your own such as
   * `{ inputShape: [64, 64, 3], range: [0, 1] }`. `channelOrder` defaults to `'rgb'`.
   */
  preprocessing: Omit<Preprocessing, 'channelOrder'> & { channelOrder?: Preprocessing['channelOrder'] };
  /**
   * The fraction of each class held out for validation, strictly between 0 and 1: of a class of n
   * images, `round(n * validationSplit)` (at least 1, at most n - 1). With it, {@link imageFolder}
   * returns `{ train, validation, classNames }`. Default: no split.
   */
  validationSplit?: number;
  /** Seed of the shuffle that draws the validation images, a non-negative integer. Default 1. */
  seed?: number;
}

/**
 * Images of a folder, preprocessed, with their labels: what {@link imageFolder} returns. The caller
 * disposes `x` and `y`.
 *
 * @category Images
 */
export interface ImageFolder {
  /** The images, float32 `[count, height, width, channels]`, as `preprocessing` says. */
  x: tf.Tensor4D;
  /** The labels one-hot, float32 `[count, classes]`: what `categoricalCrossentropy` takes. */
  y: tf.Tensor2D;
  /** The class index of each image. */
  labels: number[];
  /** The path of each image, in the order of `x`. */
  files: string[];
  /** The class names, index by index: the sub-folders' names, sorted. */
  classNames: string[];
}

/**
 * A folder split per class into training and validation images: what {@link imageFolder} returns
 * with `validationSplit`.
 *
 * @category Images
 */
export interface ImageFolderSplit {
  /** The images to train on. */
  train: ImageFolder;
  /** The held-out images, `validationSplit` of each class. */
  validation: ImageFolder;
  /** The class names, index by index. */
  classNames: string[];
}

const ImageFolderOptionsSchema = z.strictObject({
  preprocessing: PreprocessingSchema,
  validationSplit: z
    .number({ error: 'must be a number strictly between 0 and 1' })
    .gt(0, { error: 'must be a number strictly between 0 and 1' })
    .lt(1, { error: 'must be a number strictly between 0 and 1' })
    .optional(),
  seed: z.number({ error: 'must be a non-negative integer' }).int({ error: 'must be a non-negative integer' }).min(0, { error: 'must be a non-negative integer' }).default(1),
});

/** Why a folder cannot be listed, in a few words. */
function listingProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such folder';
  if (code === 'ENOTDIR') return 'not a folder (imageFolder reads a folder with one sub-folder of images per class)';
  if (code === 'EACCES') return 'permission denied';
  return (error as Error).message;
}

async function list(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (error) {
    throw new ImageError(dir, listingProblem(error), { cause: error });
  }
}

/** Whether an entry is a folder, following a symbolic link. */
async function isFolder(dir: string, entry: Dirent): Promise<boolean> {
  if (entry.isDirectory()) return true;
  if (!entry.isSymbolicLink()) return false;
  return (await stat(path.join(dir, entry.name)).catch(() => undefined))?.isDirectory() ?? false;
}

/** The image files in `dir` and below it, as paths relative to `dir`; hidden files and folders aside. */
async function imagesUnder(dir: string, prefix = ''): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await list(path.join(dir, prefix))) {
    if (entry.name.startsWith('.')) continue;
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (await isFolder(path.join(dir, prefix), entry)) found.push(...(await imagesUnder(dir, relative)));
    else if (IMAGE_EXTENSIONS.includes(path.extname(entry.name).toLowerCase())) found.push(relative);
  }
  return found;
}

/** Code-point order, as Python's `sorted` (not the locale's). */
const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The positions of `indices` to hold out: `count` of them, drawn by a seeded Fisher-Yates shuffle. */
function heldOut(indices: number[], count: number, random: Xoshiro128): Set<number> {
  const shuffled = [...indices];
  const uniform = new Float32Array(shuffled.length);
  random.fillUniform(uniform);
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.min(i, Math.floor(uniform[i] * (i + 1)));
    [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
  }
  return new Set(shuffled.slice(0, count));
}

/** The images at `indices` of `x` (ascending), with their labels and one-hot targets. */
function subset(x: tf.Tensor4D, indices: number[], labels: number[], files: string[], classNames: string[]): ImageFolder {
  return {
    x: indices.length === labels.length ? x : tf.tidy(() => tf.gather(x, tf.tensor1d(indices, 'int32'))),
    y: tf.tidy(() => tf.oneHot(tf.tensor1d(indices.map((i) => labels[i]), 'int32'), classNames.length).toFloat() as tf.Tensor2D),
    labels: indices.map((i) => labels[i]),
    files: indices.map((i) => files[i]),
    classNames: [...classNames],
  };
}

/**
 * Reads a folder with one sub-folder of images per class (`<dir>/<class>/<image>`, the layout of
 * Keras's `image_dataset_from_directory` and torchvision's `ImageFolder`) into a batch the model
 * takes: every image decoded and preprocessed by {@link preprocess} as `preprocessing` says, and its
 * label one-hot. Classes are the sub-folders, sorted; images are the JPEG, PNG, WebP, GIF, TIFF and
 * AVIF files in each class folder and below it, sorted by path; other files are skipped. Everything
 * is held in memory.
 *
 * Rejects with an {@link ImageError} naming the folder when it has fewer than two class folders or
 * a class has no image, naming the file when an image cannot be decoded, and saying `npm install
 * sharp` when sharp (an optional peer dependency) is missing; with a {@link ConfigError} for invalid
 * options.
 *
 * @param dir - The folder: one sub-folder per class.
 * @param options - The preprocessing, and no `validationSplit`.
 * @returns The images `x`, one-hot labels `y`, class indices, file paths and class names. The
 *   caller disposes `x` and `y`.
 *
 * @example
 * ```ts
 * const model = await createModel('lenet5', { weights: 'mnist' });
 * const { x, y, classNames } = await imageFolder('my-digits', { preprocessing: modelInfo(model)!.preprocessing! });
 * model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
 * console.log(classNames, model.evaluate(x, y));
 * ```
 *
 * @category Images
 */
export function imageFolder(dir: string, options: ImageFolderOptions & { validationSplit?: undefined }): Promise<ImageFolder>;
/**
 * Reads a folder with one sub-folder of images per class, as above, and splits every class into
 * training and validation images: `validationSplit` of each class (at least one image, and at
 * least one left to train on) is held out, drawn by a shuffle seeded with `seed`, so the same seed
 * gives the same split. Each part keeps the folder's order. Rejects as above, and with an
 * {@link ImageError} naming a class folder with too few images to split.
 *
 * @param dir - The folder: one sub-folder per class.
 * @param options - The preprocessing, `validationSplit` and `seed`.
 * @returns `{ train, validation, classNames }`; the caller disposes each part's `x` and `y`.
 *
 * @example
 * ```ts
 * const base = await createModel('mobilenetV2', { weights: 'shapes', includeTop: false, pooling: 'avg' });
 * const { train, validation, classNames } = await imageFolder('my-photos', {
 *   preprocessing: modelInfo(base)!.preprocessing!,
 *   validationSplit: 0.25,
 *   seed: 7,
 * });
 * console.log(classNames, train.x.shape, validation.x.shape);
 * ```
 *
 * @category Images
 */
export function imageFolder(dir: string, options: ImageFolderOptions & { validationSplit: number }): Promise<ImageFolderSplit>;
export async function imageFolder(dir: string, options: ImageFolderOptions): Promise<ImageFolder | ImageFolderSplit> {
  const { preprocessing, validationSplit, seed } = parseConfig(ImageFolderOptionsSchema, options);
  // sharp first: without it nothing can be read, and walking a large folder would only delay saying so.
  await loadSharp();

  const classNames: string[] = [];
  for (const entry of await list(dir)) if (!entry.name.startsWith('.') && (await isFolder(dir, entry))) classNames.push(entry.name);
  classNames.sort(byCodePoint);
  if (classNames.length < 2) {
    const found = classNames.length ? `only ${classNames.map((name) => JSON.stringify(name)).join(', ')}` : 'none';
    throw new ImageError(dir, `must hold one sub-folder of images per class, at least 2 (found ${found}): <folder>/<class>/<image>`);
  }
  const files: string[] = [];
  const labels: number[] = [];
  const byClass: number[][] = [];
  for (const [label, name] of classNames.entries()) {
    const classDir = path.join(dir, name);
    const images = (await imagesUnder(classDir)).sort(byCodePoint);
    if (images.length === 0) throw new ImageError(classDir, `the class "${name}" holds no image (${IMAGE_EXTENSIONS.join(', ')}); every class needs at least one`);
    byClass.push(images.map((_, i) => files.length + i));
    for (const image of images) {
      files.push(path.join(classDir, ...image.split('/')));
      labels.push(label);
    }
  }
  // Checked before decoding anything: a class too small to split.
  const validationCounts = byClass.map((indices, label) => {
    if (validationSplit === undefined) return 0;
    const count = Math.max(1, Math.round(indices.length * validationSplit));
    if (count >= indices.length) {
      throw new ImageError(
        path.join(dir, classNames[label]),
        `the class "${classNames[label]}" has ${indices.length} image(s): too few to hold out ${count} for validation (validationSplit ${validationSplit}) and train on the rest`,
      );
    }
    return count;
  });

  const x = await preprocess(files, preprocessing);
  const all = files.map((_, i) => i);
  if (validationSplit === undefined) return subset(x, all, labels, files, classNames);

  const random = new Xoshiro128(seed);
  const validation = new Set<number>();
  byClass.forEach((indices, label) => {
    for (const index of heldOut(indices, validationCounts[label], random)) validation.add(index);
  });
  try {
    return {
      train: subset(x, all.filter((i) => !validation.has(i)), labels, files, classNames),
      validation: subset(x, all.filter((i) => validation.has(i)), labels, files, classNames),
      classNames: [...classNames],
    };
  } finally {
    x.dispose();
  }
}
