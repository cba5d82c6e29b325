/**
 * `imageFolder`: folders of solid-colour PNGs written with sharp, so that every model value is known
 * by hand from the preprocessing rules (0..255 onto `range`, then mean and std); the classes and
 * files in Keras's and torchvision's order; the per-class seeded split counted by hand; the errors,
 * each naming the folder or the file.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/errors.js';
import { ImageError } from '../src/images/errors.js';
import { imageFolder, type ImageFolder } from '../src/images/image-folder.js';

const root = mkdtempSync(join(tmpdir(), 'cnn-zoo-image-folder-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

type Rgb = [number, number, number];

/** A `size` x `size` image of one colour, in the format its extension names. */
async function solid(file: string, colour: Rgb, size = 6): Promise<void> {
  mkdirSync(join(file, '..'), { recursive: true });
  const image = sharp({ create: { width: size, height: size, channels: 3, background: { r: colour[0], g: colour[1], b: colour[2] } } });
  await (file.endsWith('.jpg') ? image.jpeg({ quality: 100 }) : file.endsWith('.webp') ? image.webp({ lossless: true }) : image.png()).toFile(file);
}

/** A folder of classes, each a list of [relative path, colour]. */
async function folder(name: string, classes: Record<string, [string, Rgb][]>): Promise<string> {
  const dir = join(root, name);
  for (const [className, images] of Object.entries(classes)) {
    mkdirSync(join(dir, className), { recursive: true });
    for (const [file, colour] of images) await solid(join(dir, className, file), colour);
  }
  return dir;
}

/** Each image's values, as nested arrays, and the tensors disposed. */
async function contents(set: ImageFolder): Promise<{ x: number[][][][]; y: number[][] }> {
  const [x, y] = [(await set.x.array()) as number[][][][], (await set.y.array()) as number[][]];
  set.x.dispose();
  set.y.dispose();
  return { x, y };
}

const grey = (value: number): Rgb => [value, value, value];

describe('imageFolder', () => {
  it('reads one class per sub-folder, in code-point order, with their images sorted by path, nested ones included', async () => {
    const dir = await folder('order', {
      // Code-point order, as Python's sorted(): upper case before lower case.
      b: [['z.png', grey(30)], ['a.png', grey(20)], ['deeper/m.png', grey(25)]],
      A: [['x.webp', grey(10)]],
      c: [['only.png', grey(40)]],
    });
    // Skipped: hidden files and folders, files of other types, files directly in the folder.
    writeFileSync(join(dir, 'b', 'README.txt'), 'notes');
    writeFileSync(join(dir, 'b', '.DS_Store'), '');
    await solid(join(dir, 'b', '.hidden', 'skip.png'), grey(99));
    await solid(join(dir, '.cache', 'skip.png'), grey(99));
    await solid(join(dir, 'stray.png'), grey(99));

    const set = await imageFolder(dir, { preprocessing: { inputShape: [6, 6, 3], range: [0, 255] } });
    expect(set.classNames).toEqual(['A', 'b', 'c']);
    expect(set.files).toEqual([join(dir, 'A', 'x.webp'), join(dir, 'b', 'a.png'), join(dir, 'b', 'deeper', 'm.png'), join(dir, 'b', 'z.png'), join(dir, 'c', 'only.png')]);
    expect(set.labels).toEqual([0, 1, 1, 1, 2]);
    expect(set.x.shape).toEqual([5, 6, 6, 3]);
    expect(set.x.dtype).toBe('float32');
    expect(set.y.dtype).toBe('float32');
    const { x, y } = await contents(set);
    // range [0, 255] keeps the 8-bit values; every pixel of an image is its colour.
    expect(x.map((image) => image[3][2][1])).toEqual([10, 20, 25, 30, 40]);
    expect(y).toEqual([[1, 0, 0], [0, 1, 0], [0, 1, 0], [0, 1, 0], [0, 0, 1]]);
  });

  it('follows a class folder that is a symbolic link', async () => {
    const dir = await folder('linked', { cats: [['1.png', grey(1)]] });
    await solid(join(root, 'elsewhere', 'dog.png'), grey(2));
    symlinkSync(join(root, 'elsewhere'), join(dir, 'dogs'));
    const set = await imageFolder(dir, { preprocessing: { inputShape: [6, 6, 3], range: [0, 255] } });
    expect(set.classNames).toEqual(['cats', 'dogs']);
    expect(set.files).toEqual([join(dir, 'cats', '1.png'), join(dir, 'dogs', 'dog.png')]);
    await contents(set);
  });

  it('feeds each image exactly as the preprocessing says: size, range, channel order, mean and std', async () => {
    const dir = await folder('values', { red: [['r.png', [255, 0, 0]]], teal: [['t.png', [0, 128, 192]]] });
    const mean = [0.485, 0.456, 0.406];
    const std = [0.229, 0.224, 0.225];
    // torchvision's ImageNet preprocessing at 4x4: resize the 6x6 image to 5x5, crop 4x4 (a solid colour stays itself).
    const set = await imageFolder(dir, { preprocessing: { inputShape: [4, 4, 3], range: [0, 1], mean, std, resizeShorterSide: 5 } });
    expect(set.x.shape).toEqual([2, 4, 4, 3]);
    const { x } = await contents(set);
    ([[255, 0, 0], [0, 128, 192]] as Rgb[]).forEach((colour, i) => {
      const expected = colour.map((value, c) => (value / 255 - mean[c]) / std[c]);
      for (const row of x[i]) for (const pixel of row) pixel.forEach((value, c) => expect(value).toBeCloseTo(expected[c], 5));
    });
    // Caffe-style: BGR on [0, 255].
    const bgr = await contents(await imageFolder(dir, { preprocessing: { inputShape: [6, 6, 3], range: [0, 255], channelOrder: 'bgr' } }));
    expect(bgr.x[1][0][0]).toEqual([192, 128, 0]);
    // One channel: Rec. 601 luma of the colour.
    const luma = await contents(await imageFolder(dir, { preprocessing: { inputShape: [6, 6, 1], range: [0, 255] } }));
    expect(luma.x[0][5][5][0]).toBeCloseTo(0.299 * 255, 3);
    expect(luma.x[1][5][5][0]).toBeCloseTo(0.587 * 128 + 0.114 * 192, 3);
  });

  describe('with validationSplit', () => {
    /** Classes of 10, 7, 4 and 2 images; each image's value is its class's base plus its index. */
    const sizes = { a: 10, b: 7, c: 4, d: 2 };
    const makeFolder = () =>
      folder(
        'split',
        Object.fromEntries(Object.entries(sizes).map(([name, count], k) => [name, Array.from({ length: count }, (_, i) => [`${i}.png`, grey(50 * k + i)] as [string, Rgb])])),
      );

    it('holds out round(n x split) of each class (at least one, at most n - 1), the rest to train, both in the folder\'s order', async () => {
      const dir = await makeFolder();
      const { train, validation, classNames } = await imageFolder(dir, { preprocessing: { inputShape: [6, 6, 3], range: [0, 255] }, validationSplit: 0.25, seed: 3 });
      expect(classNames).toEqual(['a', 'b', 'c', 'd']);
      expect(train.classNames).toEqual(classNames);
      expect(validation.classNames).toEqual(classNames);
      // round(10 / 4) = 3 (2.5 rounds up), round(7 / 4) = 2, round(4 / 4) = 1, round(2 / 4) = 1 (at least one).
      const count = (labels: number[], label: number) => labels.filter((other) => other === label).length;
      expect([0, 1, 2, 3].map((label) => count(validation.labels, label))).toEqual([3, 2, 1, 1]);
      expect([0, 1, 2, 3].map((label) => count(train.labels, label))).toEqual([7, 5, 3, 1]);
      // Disjoint, together every file, each part sorted as the folder is.
      expect([...train.files, ...validation.files].sort()).toEqual(Object.entries(sizes).flatMap(([name, n]) => Array.from({ length: n }, (_, i) => join(dir, name, `${i}.png`))).sort());
      for (const part of [train, validation]) expect(part.files).toEqual([...part.files].sort());
      // x, y and labels stay together: each image's value says its file, and y its label.
      for (const part of [train, validation]) {
        const { files, labels } = part;
        const { x, y } = await contents(part);
        files.forEach((file, i) => {
          const [, name, index] = /\/(\w)\/(\d+)\.png$/.exec(file)!;
          expect(x[i][0][0][0]).toBe(50 * Object.keys(sizes).indexOf(name) + Number(index));
          expect(y[i]).toEqual([0, 1, 2, 3].map((label) => (label === labels[i] ? 1 : 0)));
          expect(labels[i]).toBe(Object.keys(sizes).indexOf(name));
        });
      }
    });

    it('draws the same split for the same seed, and another for another seed', async () => {
      const dir = await makeFolder();
      const preprocessing = { inputShape: [6, 6, 3] as [number, number, number], range: [0, 1] as [number, number] };
      const held = async (seed?: number) => {
        const split = await imageFolder(dir, { preprocessing, validationSplit: 0.5, ...(seed === undefined ? {} : { seed }) });
        for (const part of [split.train, split.validation]) await contents(part);
        return split.validation.files;
      };
      const first = await held(11);
      expect(await held(11)).toEqual(first);
      expect(await held()).toEqual(await held(1)); // the default seed is 1
      const others = await Promise.all([12, 13, 14].map((seed) => held(seed)));
      expect(others.some((files) => JSON.stringify(files) !== JSON.stringify(first))).toBe(true);
    });

    it('refuses a class too small to keep an image to train on, naming it, before decoding anything', async () => {
      const dir = await folder('too-small', { many: [['1.png', grey(1)], ['2.png', grey(2)]], one: [['1.png', grey(3)]] });
      writeFileSync(join(dir, 'many', 'broken.png'), 'not a png');
      const error = await imageFolder(dir, { preprocessing: { inputShape: [6, 6, 3], range: [0, 1] }, validationSplit: 0.2 }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ImageError);
      expect((error as ImageError).image).toBe(join(dir, 'one'));
      expect((error as Error).message).toBe(`${join(dir, 'one')}: the class "one" has 1 image(s): too few to hold out 1 for validation (validationSplit 0.2) and train on the rest`);
    });
  });

  describe('errors', () => {
    const preprocessing = { inputShape: [6, 6, 3] as [number, number, number], range: [0, 1] as [number, number] };

    it('names the folder when it holds fewer than two classes, or does not exist', async () => {
      const one = await folder('one-class', { cats: [['1.png', grey(1)]] });
      await expect(imageFolder(one, { preprocessing })).rejects.toThrow(new ImageError(one, 'must hold one sub-folder of images per class, at least 2 (found only "cats"): <folder>/<class>/<image>'));
      const none = join(root, 'no-classes');
      mkdirSync(none);
      await solid(join(none, 'loose.png'), grey(1));
      await expect(imageFolder(none, { preprocessing })).rejects.toThrow(new ImageError(none, 'must hold one sub-folder of images per class, at least 2 (found none): <folder>/<class>/<image>'));
      const missing = join(root, 'missing');
      await expect(imageFolder(missing, { preprocessing })).rejects.toThrow(new ImageError(missing, 'no such folder'));
      await expect(imageFolder(join(none, 'loose.png'), { preprocessing })).rejects.toThrow(/loose\.png: not a folder/);
    });

    it('names the class folder that holds no image', async () => {
      const dir = await folder('empty-class', { cats: [['1.png', grey(1)]] });
      mkdirSync(join(dir, 'dogs', 'nested'), { recursive: true });
      writeFileSync(join(dir, 'dogs', 'notes.txt'), 'no image here');
      const error = await imageFolder(dir, { preprocessing }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ImageError);
      expect((error as ImageError).image).toBe(join(dir, 'dogs'));
      expect((error as Error).message).toMatch(/dogs: the class "dogs" holds no image \(\.jpg, \.jpeg, \.png, .*\); every class needs at least one$/);
    });

    it('names an image that does not decode', async () => {
      const dir = await folder('undecodable', { cats: [['1.png', grey(1)]], dogs: [['1.png', grey(2)]] });
      const broken = join(dir, 'dogs', '2.jpg');
      writeFileSync(broken, 'this is not a JPEG');
      const error = await imageFolder(dir, { preprocessing }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ImageError);
      expect((error as ImageError).image).toBe(broken);
      expect((error as Error).message).toMatch(/2\.jpg: sharp cannot decode it: /);
    });

    it('refuses invalid options with one ConfigError listing them', async () => {
      const dir = await folder('options', { cats: [['1.png', grey(1)]], dogs: [['1.png', grey(2)]] });
      const error = await imageFolder(dir, { preprocessing: { inputShape: [6, 6, 3], range: [1, 0] }, validationSplit: 1, seed: -1 }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues.map((issue) => issue.field)).toEqual(['preprocessing.range', 'validationSplit', 'seed']);
      await expect(imageFolder(dir, { preprocessing, validatonSplit: 0.2 } as never)).rejects.toThrow(ConfigError);
    });
  });
});
