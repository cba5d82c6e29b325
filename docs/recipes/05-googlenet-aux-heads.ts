// docs/recipes/05-googlenet-aux-heads.ts
/**
 * Recipe 5: GoogLeNet with its two auxiliary classifiers. Train with the auxiliary losses weighted
 * by 0.3 (Szegedy et al. 2015, Section 5), then drop the auxiliary heads for inference, save the
 * inference model and load it back by name.
 *
 *   npx tsx docs/recipes/05-googlenet-aux-heads.ts [--smoke] [--data my-photos] [--out dir]
 *
 * Without --data it generates PNGs of circles, squares and triangles and learns those.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import sharp from 'sharp';
import { countParams, createModel, googlenet, imageFolder, progressBar, saveModel, tf, useBackend, withoutAuxHeads } from 'cnn-zoo';

function positiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new InvalidArgumentError(`must be a positive integer, received ${JSON.stringify(value)}`);
  return parsed;
}

const program = new Command('05-googlenet-aux-heads')
  .option('--smoke', 'tiny run: 32x32 inputs, 12 generated images per class, 2 epochs', process.env.CNN_ZOO_RECIPE_SMOKE === '1')
  .option('--data <dir>', 'your images: one sub-folder per class (default: generate shapes)')
  .option('--image-size <n>', 'input height and width (default 64; 32 with --smoke)', positiveInt)
  .option('--epochs <n>', 'training epochs (default 30; 2 with --smoke)', positiveInt)
  .option('--batch-size <n>', 'images per batch', positiveInt, 16)
  .option('--per-class <n>', 'generated images per class, without --data (default 200; 12 with --smoke)', positiveInt)
  .option('--seed <n>', 'seed of the initial weights and the split', positiveInt, 2015)
  .option('--out <dir>', 'folder to save the inference model to (default: a new folder in the system temp dir)');
/** torchvision's GoogLeNet weights take ImageNet-normalised [0, 1] pixels; trained from scratch, [0, 1] will do. */
const RANGE: [number, number] = [0, 1];
/** Section 5: "during training, their loss gets added to the total loss of the network with a discount weight (the losses of the auxiliary classifiers were weighted by 0.3)". */
const AUX_WEIGHT = 0.3;

/** mulberry32: seeded uniform numbers in [0, 1), so each run draws the same images. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Writes `perClass` PNGs of each shape into `<dir>/<shape>/`, the layout of your own photos: a
 * circle, square or triangle of random colour, size, position and rotation on a background of a
 * contrasting random colour. Drawn as SVG, rendered and encoded by sharp, so they are read back as
 * photographs are.
 */
async function makeShapes(dir: string, perClass: number, size: number, seed: number): Promise<void> {
  const random = seededRandom(seed);
  const between = (low: number, high: number) => low + (high - low) * random();
  for (const shape of ['circle', 'square', 'triangle']) {
    mkdirSync(path.join(dir, shape), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      // Background and shape differ in lightness by at least 35 points, so the shape is always visible.
      const background = between(10, 90);
      const lightness = background < 50 ? between(background + 35, 95) : between(5, background - 35);
      const radius = between(0.22, 0.45) * size;
      const [cx, cy, angle] = [between(radius, size - radius), between(radius, size - radius), between(0, 2 * Math.PI)];
      const colour = (light: number) => `hsl(${Math.round(between(0, 360))}, ${Math.round(between(30, 100))}%, ${Math.round(light)}%)`;
      const fill = colour(lightness);
      const corners = shape === 'square' ? 4 : 3;
      const points = Array.from({ length: corners }, (_, k) => {
        const a = angle + (2 * Math.PI * k) / corners;
        return `${(cx + radius * Math.cos(a)).toFixed(2)},${(cy + radius * Math.sin(a)).toFixed(2)}`;
      });
      const body = shape === 'circle' ? `<circle cx="${cx.toFixed(2)}" cy="${cy.toFixed(2)}" r="${(0.85 * radius).toFixed(2)}" fill="${fill}"/>` : `<polygon points="${points.join(' ')}" fill="${fill}"/>`;
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><rect width="${size}" height="${size}" fill="${colour(background)}"/>${body}</svg>`;
      await sharp(Buffer.from(svg)).png().toFile(path.join(dir, shape, `${shape}-${String(i).padStart(3, '0')}.png`));
    }
  }
}

async function main(): Promise<void> {
  const options = program.parse().opts<{ smoke: boolean; data?: string; imageSize?: number; epochs?: number; batchSize: number; perClass?: number; seed: number; out?: string }>();
  const size = options.imageSize ?? (options.smoke ? 32 : 64);
  const epochs = options.epochs ?? (options.smoke ? 2 : 30);
  const backend = await useBackend(); // the fastest backend here: tensorflow-gpu, tensorflow, wasm or cpu
  console.log(`backend: ${backend.name}`);
  const started = performance.now();
  const work = mkdtempSync(path.join(os.tmpdir(), 'cnn-zoo-recipe-05-'));

  // --- Data ---------------------------------------------------------------------------------------
  let dataDir = options.data;
  if (!dataDir) {
    dataDir = path.join(work, 'shapes');
    const perClass = options.perClass ?? (options.smoke ? 12 : 200);
    await makeShapes(dataDir, perClass, 128, options.seed);
    console.log(`generated ${3 * perClass} PNGs of circles, squares and triangles in ${dataDir}`);
  }
  // Decoded with sharp, resized to the input size, mapped onto RANGE; a quarter of each class held out.
  const { train, validation: heldOut, classNames } = await imageFolder(dataDir, { preprocessing: { inputShape: [size, size, 3], range: RANGE }, validationSplit: 0.25, seed: options.seed });
  console.log(`${train.files.length + heldOut.files.length} images of ${classNames.length} classes (${classNames.join(', ')}): ${train.files.length} to train, ${heldOut.files.length} held out`);

  // --- The training model: three outputs ------------------------------------------------------------
  // auxLogits: true adds the classifiers on inception (4a) and (4d) as outputs 2 and 3:
  // [main, aux1, aux2]. GoogLeNet takes inputs down to 15x15 (a smaller one is a ConfigError naming
  // the layer that breaks); at 64x64 the maps under the auxiliary heads are 4x4, their pooling's
  // size (at the smoke run's 32x32 they are 2x2, and the adaptive pool repeats each value).
  const config = { numClasses: classNames.length, inputShape: [size, size, 3] as [number, number, number], seed: options.seed };
  const model = googlenet({ ...config, auxLogits: true });
  console.log(`outputs: ${model.outputNames.join(', ')}`);

  // TF.js's compile() has no `lossWeights` (Keras's loss_weights): the 0.3 goes into the auxiliary
  // outputs' own loss functions. The per-output losses that fit() reports are then the weighted ones,
  // and the loss it minimises is their sum: main + 0.3 aux1 + 0.3 aux2.
  const crossEntropy = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.metrics.categoricalCrossentropy(yTrue, yPred);
  const weightedCrossEntropy = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.mul(crossEntropy(yTrue, yPred), AUX_WEIGHT);
  model.compile({ optimizer: tf.train.adam(1e-3), loss: [crossEntropy, weightedCrossEntropy, weightedCrossEntropy], metrics: ['accuracy'] });

  // --- Train --------------------------------------------------------------------------------------
  // Every output learns the same labels.
  const { x, y } = train;
  /**
   * Each output's loss on the training images in inference mode (no dropout, BatchNorm's moving
   * statistics): the plain cross entropy, and the loss the model was compiled with.
   */
  function outputLossesNow(): { plain: number[]; compiled: number[] } {
    return tf.tidy(() => {
      const outputs = model.predict(x, { batchSize: 32 }) as tf.Tensor[];
      return {
        plain: outputs.map((output) => crossEntropy(y, output).mean().dataSync()[0]),
        compiled: outputs.map((output, i) => model.lossFunctions[i](y, output).mean().dataSync()[0]),
      };
    });
  }
  const atStart = outputLossesNow();
  const bar = progressBar({ epochs, batchesPerEpoch: Math.ceil(train.files.length / options.batchSize) });
  const history = await model.fit(x, [y, y, y], { epochs, batchSize: options.batchSize, shuffle: true, verbose: 0, callbacks: [bar] });
  bar.stop();
  const trained = outputLossesNow();
  // fit() names each output's loss after the output's layer: fc_loss, aux1_fc2_loss, aux2_fc2_loss.
  const epochLosses = history.history.loss as number[];
  const outputLosses = Object.fromEntries(model.outputNames.map((name) => [name, history.history[`${name}_loss`] as number[]]));
  for (let epoch = 0; epoch < epochs; epoch++) {
    const parts = model.outputNames.map((name) => `${name} ${outputLosses[name][epoch].toFixed(4)}`).join(' + ');
    console.log(`epoch ${epoch + 1}: loss ${epochLosses[epoch].toFixed(4)} = ${parts}`);
  }
  const show = (values: number[]) => values.map((value) => value.toFixed(4)).join(', ');
  console.log(`cross entropies of fc, aux1, aux2 before training ${show(atStart.plain)}, after ${show(trained.plain)}; as compiled (x 1, 0.3, 0.3) after ${show(trained.compiled)}`);

  // --- The inference model: one output, the same weights ---------------------------------------------
  // withoutAuxHeads keeps the input and output 0; its layers are the training model's layers, so it
  // needs no copy of the weights, and the auxiliary heads cost nothing at inference.
  const inference = withoutAuxHeads(model);
  const inputs = heldOut.x;
  const trainingMain = (model.predict(inputs) as tf.Tensor[])[0];
  const inferenceOut = inference.predict(inputs) as tf.Tensor;
  const inferenceMaxAbsDifference = tf.tidy(() => tf.max(tf.abs(tf.sub(trainingMain, inferenceOut))).dataSync()[0]);
  console.log(`inference model: ${inference.outputs.length} output; max |difference| from the training model's output 0: ${inferenceMaxAbsDifference}`);

  const predicted = tf.tidy(() => inferenceOut.argMax(-1).dataSync());
  const heldOutAccuracy = heldOut.labels.filter((label, i) => predicted[i] === label).length / heldOut.labels.length;
  console.log(`held-out accuracy ${(100 * heldOutAccuracy).toFixed(1)}% on ${heldOut.labels.length} images (chance: ${(100 / classNames.length).toFixed(1)}%)`);

  // --- Save the inference model, load it by name ------------------------------------------------------
  // Saved with the options of a plain googlenet (auxLogits off), it is what createModel builds: the
  // weights are matched by layer name, and those of the auxiliary heads are not in the folder.
  const savedTo = options.out ?? path.join(work, 'googlenet');
  await saveModel(
    inference,
    savedTo,
    {
      model: 'googlenet',
      config,
      source: `05-googlenet-aux-heads.ts: trained from scratch with the auxiliary classifiers (losses weighted ${AUX_WEIGHT}), ${epochs} epochs on ${train.files.length} images of ${options.data ?? 'generated shapes'}`,
      licence: 'MIT',
      preprocessing: { range: RANGE },
      classNames,
      metrics: { heldOutAccuracy, heldOutImages: heldOut.files.length, epochs },
    },
    { overwrite: true },
  );
  const reloaded = await createModel('googlenet', { weights: savedTo });
  const reloadedMaxAbsDifference = tf.tidy(() => tf.max(tf.abs(tf.sub(reloaded.predict(inputs) as tf.Tensor, inferenceOut))).dataSync()[0]);
  console.log(`saved to ${savedTo}; createModel('googlenet', { weights }) predicts the same (max |difference| ${reloadedMaxAbsDifference})`);

  console.log(
    `RECIPE_RESULT ${JSON.stringify({
      backend: backend.name,
      smoke: options.smoke,
      data: options.data ?? 'generated shapes',
      classNames,
      trainImages: train.files.length,
      heldOutImages: heldOut.files.length,
      inputShape: config.inputShape,
      epochs,
      auxWeight: AUX_WEIGHT,
      trainingOutputs: model.outputNames,
      trainingOutputShapes: model.outputs.map((output) => output.shape),
      trainingParams: countParams(model),
      epochLosses,
      outputLosses,
      lossesAtStart: atStart,
      lossesTrained: trained,
      inferenceOutputs: inference.outputNames,
      inferenceParams: countParams(inference),
      inferenceMaxAbsDifference,
      heldOutAccuracy,
      savedTo,
      reloadedOutputs: reloaded.outputs.length,
      reloadedMaxAbsDifference,
      seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
    })}`,
  );
}

// No top-level await, so that the script runs unchanged as an ES module and as CommonJS.
main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
