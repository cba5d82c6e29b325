/**
 * The weights shipped in the package's weights/ folder, by model and name: what
 * `createModel(name, { weights: 'mnist' })` finds. Each folder carries its own manifest (source,
 * licence, preprocessing, classes, metrics); this table only says where it is.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Shipped weights: model name -> weights name -> folder, relative to the package root. Each folder
 * has its manifest (source, licence, preprocessing, classes, metrics).
 *
 * @category Registry
 */
export const pretrainedWeights: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  lenet5: { mnist: 'weights/lenet5-mnist' },
  // A stand-in for ImageNet weights: MobileNet V2 (alpha 0.35, no top) pretrained on generated shapes, for the recipes.
  mobilenetV2: { shapes: 'weights/mobilenetV2-shapes' },
};

let packageRoot: string | undefined;

/** The cnn-zoo package's root folder, found upward from this module (src/ in development, dist/ when installed). */
export function cnnZooRoot(): string {
  if (packageRoot) return packageRoot;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'cnn-zoo') return (packageRoot = dir);
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cnn-zoo cannot find its own package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** The folder of shipped weights `weights` for `model`, or undefined if there are none by that name. */
export function pretrainedFolder(model: string, weights: string): string | undefined {
  const relative = pretrainedWeights[model]?.[weights];
  return relative === undefined ? undefined : path.join(cnnZooRoot(), relative);
}
