// docs/recipes/_make-shapes-dataset.ts
/**
 * Generated shapes, one folder per class (`<dir>/circle/circle-000.png`, ...), the layout a user's
 * own data has: the pretext data of _pretrain-shapes-base.ts (eleven shapes). Each image has a
 * random background colour, a shape of a contrasting random colour, a random size, position and
 * rotation; the same seed gives the same files, byte for byte. A repository helper, not shipped:
 * recipes 2, 3 and 5 carry their own compact copy of its circles, squares and triangles (`makeShapes`).
 *
 * The PNGs are drawn as SVG and rendered and encoded by sharp (libvips), so the recipes read them
 * back exactly as they would read photographs: through an image library, never a hand-written
 * decoder.
 *
 * Run it on its own to look at the images: `npx tsx docs/recipes/_make-shapes-dataset.ts /tmp/shapes`.
 */
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';

/** Every shape this generator draws. */
export const SHAPES = ['circle', 'square', 'triangle', 'arrow', 'crescent', 'cross', 'hexagon', 'pentagon', 'ring', 'semicircle', 'star'] as const;
export type ShapeClass = (typeof SHAPES)[number];
/** The classes the recipes learn by default, in the order of their folders (alphabetical). */
export const SHAPE_CLASSES = ['circle', 'square', 'triangle'] as const satisfies readonly ShapeClass[];
/**
 * Other shapes, for pretraining a network before transferring it to SHAPE_CLASSES (see
 * _pretrain-shapes-base.ts): none of them is a class the recipes then learn.
 */
export const PRETEXT_CLASSES = ['arrow', 'crescent', 'cross', 'hexagon', 'pentagon', 'ring', 'semicircle', 'star'] as const satisfies readonly ShapeClass[];

export interface ShapesOptions {
  /** Images per class. */
  perClass: number;
  /** Width and height of each PNG in pixels. */
  size: number;
  /** Seed of every random choice; default 1. */
  seed?: number;
  /** Which shapes, one folder each; default SHAPE_CLASSES. */
  classes?: readonly ShapeClass[];
}

/** mulberry32: a small seeded generator of uniform numbers in [0, 1), enough for drawing pictures. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The SVG of one image: a background and one shape, everything drawn from `random`. */
function shapeSvg(kind: ShapeClass, size: number, random: () => number): string {
  const between = (low: number, high: number) => low + (high - low) * random();
  // Background and shape differ in lightness by at least 35 points, so the shape is always visible.
  const backgroundLightness = between(10, 90);
  const shapeLightness = backgroundLightness < 50 ? between(backgroundLightness + 35, 95) : between(5, backgroundLightness - 35);
  const colour = (lightness: number) => `hsl(${Math.round(between(0, 360))}, ${Math.round(between(30, 100))}%, ${Math.round(lightness)}%)`;
  // Radius of the circle circumscribing the shape: 22% to 45% of the image.
  const radius = between(0.22, 0.45) * size;
  const cx = between(radius, size - radius);
  const cy = between(radius, size - radius);
  const angle = between(0, 2 * Math.PI);
  /** A polygon whose corners go round the centre at the given radii (fractions of `radius`). */
  const polygon = (radii: number[]) =>
    `<polygon points="${radii
      .map((r, i) => {
        const a = angle + (2 * Math.PI * i) / radii.length;
        return `${(cx + r * radius * Math.cos(a)).toFixed(2)},${(cy + r * radius * Math.sin(a)).toFixed(2)}`;
      })
      .join(' ')}" fill="${fill}"/>`;
  const regular = (corners: number) => polygon(Array<number>(corners).fill(1));
  /** A polygon given by corners in the shape's own frame ([-1, 1] on both axes), rotated, scaled and placed. */
  const outline = (corners: [number, number][]) =>
    `<polygon points="${corners
      .map(([u, v]) => {
        const [x, y] = [cx + radius * (u * Math.cos(angle) - v * Math.sin(angle)), cy + radius * (u * Math.sin(angle) + v * Math.cos(angle))];
        return `${x.toFixed(2)},${y.toFixed(2)}`;
      })
      .join(' ')}" fill="${fill}"/>`;
  const point = (r: number, a: number) => `${(cx + r * radius * Math.cos(angle + a)).toFixed(2)} ${(cy + r * radius * Math.sin(angle + a)).toFixed(2)}`;
  const circle = (r: number, paint: string) => `<circle cx="${cx.toFixed(2)}" cy="${cy.toFixed(2)}" r="${(r * radius).toFixed(2)}" ${paint}/>`;
  const fill = colour(shapeLightness);
  const shapes: Record<ShapeClass, () => string> = {
    circle: () => circle(0.85, `fill="${fill}"`),
    square: () => regular(4),
    triangle: () => regular(3),
    pentagon: () => regular(5),
    hexagon: () => regular(6),
    arrow: () => outline([[-1, -0.25], [0.1, -0.25], [0.1, -0.65], [1, 0], [0.1, 0.65], [0.1, 0.25], [-1, 0.25]]),
    // A disc with a smaller disc bitten out of one side: two arcs between the same two points.
    crescent: () => `<path d="M ${point(1, -2.2)} A ${radius.toFixed(2)} ${radius.toFixed(2)} 0 1 1 ${point(1, 2.2)} A ${(0.85 * radius).toFixed(2)} ${(0.85 * radius).toFixed(2)} 0 1 0 ${point(1, -2.2)} Z" fill="${fill}"/>`,
    star: () => polygon(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? 1 : 0.45))),
    // A plus sign: 12 corners, alternating between the arms' outer corners and the inner ones.
    cross: () => polygon(Array.from({ length: 12 }, (_, i) => [1, 1, 0.45][i % 3])),
    ring: () => circle(0.7, `fill="none" stroke="${fill}" stroke-width="${(0.3 * radius).toFixed(2)}"`),
    // A half disc: the arc from one end of a diameter to the other, closed by the diameter.
    semicircle: () => {
      const [x0, y0, x1, y1] = [cx + radius * Math.cos(angle), cy + radius * Math.sin(angle), cx - radius * Math.cos(angle), cy - radius * Math.sin(angle)];
      return `<path d="M ${x0.toFixed(2)} ${y0.toFixed(2)} A ${radius.toFixed(2)} ${radius.toFixed(2)} 0 0 1 ${x1.toFixed(2)} ${y1.toFixed(2)} Z" fill="${fill}"/>`;
    },
  };
  const shape = shapes[kind]();
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><rect width="${size}" height="${size}" fill="${colour(backgroundLightness)}"/>${shape}</svg>`;
}

/**
 * Writes `perClass` PNGs of each class into `<dir>/<class>/`, creating the folders, and returns
 * the class names and the number of files. An existing folder must be empty (or absent): the
 * generator never mixes its images with others.
 */
export async function makeShapesDataset(dir: string, options: ShapesOptions): Promise<{ dir: string; classNames: string[]; count: number }> {
  const { perClass, size, seed = 1, classes = SHAPE_CLASSES } = options;
  if (!Number.isInteger(perClass) || perClass < 1) throw new RangeError(`perClass must be a positive integer, received ${perClass}`);
  if (!Number.isInteger(size) || size < 8) throw new RangeError(`size must be an integer of at least 8 pixels, received ${size}`);
  await mkdir(dir, { recursive: true });
  const existing = await readdir(dir);
  if (existing.length > 0) throw new Error(`${dir} is not empty (it holds ${existing.slice(0, 3).join(', ')}...); give an empty or new folder`);
  const random = seededRandom(seed);
  for (const kind of classes) {
    await mkdir(path.join(dir, kind));
    for (let i = 0; i < perClass; i++) {
      const file = path.join(dir, kind, `${kind}-${String(i).padStart(3, '0')}.png`);
      await sharp(Buffer.from(shapeSvg(kind, size, random))).png().toFile(file);
    }
  }
  return { dir, classNames: [...classes], count: perClass * classes.length };
}

// `npx tsx docs/recipes/_make-shapes-dataset.ts <dir> [perClass] [size]`
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [dir, perClass = '20', size = '64'] = process.argv.slice(2);
  if (!dir) throw new Error('usage: npx tsx docs/recipes/_make-shapes-dataset.ts <dir> [perClass] [size]');
  const made = await makeShapesDataset(dir, { perClass: Number(perClass), size: Number(size) });
  console.log(`wrote ${made.count} PNGs of ${made.classNames.join(', ')} into ${made.dir}`);
}
