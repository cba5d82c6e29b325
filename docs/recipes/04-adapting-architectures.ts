// docs/recipes/04-adapting-architectures.ts
/**
 * Recipe 4: adapting an architecture to your images. ResNet-34 for 32x32 one-channel images, what
 * the stem does to such small inputs, ResNet-18 and VGG-11 from their configs (Table 1 of their
 * papers), and a CIFAR ResNet-20 of your own made of the zoo's residual blocks. Each model trains
 * briefly on generated images of ten classes.
 *
 *   npx tsx docs/recipes/04-adapting-architectures.ts [--smoke] [--epochs 5] [--train 600]
 */
import { Command, InvalidArgumentError } from 'commander';
import { countParams, featureExtractor, getModelDefinition, planModel, resnet18, resnet34, tf, useBackend, vgg11, type CommonOptions } from 'cnn-zoo';
import { basicBlock, convBnAct, defineFamily, modelOptionsSchema, poolAndClassify, resnet, torchBatchNorm, type Net } from 'cnn-zoo/net';

function positiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new InvalidArgumentError(`must be a positive integer, received ${JSON.stringify(value)}`);
  return parsed;
}

const program = new Command('04-adapting-architectures')
  .option('--smoke', 'tiny run: 8 training images, 3 epochs of one batch', process.env.CNN_ZOO_RECIPE_SMOKE === '1')
  .option('--epochs <n>', 'training epochs per model (default 5; 3 with --smoke)', positiveInt)
  .option('--train <n>', 'generated training images (default 600; 8 with --smoke)', positiveInt)
  .option('--seed <n>', 'seed of the data and of the initial weights', positiveInt, 7);

async function main(): Promise<void> {
  const options = program.parse().opts<{ smoke: boolean; epochs?: number; train?: number; seed: number }>();
  const epochs = options.epochs ?? (options.smoke ? 3 : 5);
  const trainCount = options.train ?? (options.smoke ? 8 : 600);
  const heldOutCount = options.smoke ? 16 : 200;
  const batchSize = options.smoke ? 8 : 32;

  const backend = await useBackend();
  console.log(`backend: ${backend.name}`);

  // --- Data: ten classes of stripes -------------------------------------------------------------
  // Class k is a grating at k x 18 degrees, with a random period, phase and colour, plus noise: a
  // small problem that needs real spatial features, generated here so the recipe needs no download.
  /** A small seeded generator (mulberry32): the same images on every run and every machine. */
  function mulberry32(seed: number): () => number {
    return () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  function gratings(count: number, [height, width, channels]: [number, number, number], seed: number) {
    const random = mulberry32(seed);
    const pixels = new Float32Array(count * height * width * channels);
    const labels = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const label = i % 10;
      const angle = (label * Math.PI) / 10;
      const period = 4 + 4 * random();
      const phase = 2 * Math.PI * random();
      const colour = Array.from({ length: channels }, () => 0.5 + 0.5 * random());
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const wave = 0.5 + 0.5 * Math.sin((2 * Math.PI * (x * Math.cos(angle) + y * Math.sin(angle))) / period + phase);
          for (let c = 0; c < channels; c++) pixels[((i * height + y) * width + x) * channels + c] = wave * colour[c] + 0.2 * (random() - 0.5);
        }
      }
      labels[i] = label;
    }
    return { x: tf.tensor4d(pixels, [count, height, width, channels]), y: tf.oneHot(tf.tensor1d(labels, 'int32'), 10) };
  }

  /** Trains `model` briefly on gratings of its input shape and measures it; then frees it. */
  async function trainBriefly(name: string, model: tf.LayersModel, learningRate = 1e-3) {
    const inputShape = model.inputs[0].shape.slice(1) as [number, number, number];
    const train = gratings(trainCount, inputShape, options.seed);
    const heldOut = gratings(heldOutCount, inputShape, options.seed + 1);
    model.compile({ optimizer: tf.train.adam(learningRate), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const started = performance.now();
    const history = await model.fit(train.x, train.y, { epochs, batchSize, shuffle: true, verbose: 0 });
    const seconds = (performance.now() - started) / 1000;
    const losses = history.history.loss as number[];
    const heldOutAccuracy = (model.evaluate(heldOut.x, heldOut.y, { batchSize: 64 }) as tf.Scalar[])[1].dataSync()[0];
    const { total, trainable } = countParams(model);
    console.log(
      `${name.padEnd(10)} ${total.toLocaleString('en').padStart(11)} params | loss ${losses[0].toFixed(3)} -> ${losses.at(-1)!.toFixed(3)}` +
        ` | held-out accuracy ${(100 * heldOutAccuracy).toFixed(1)}% | ${(seconds / epochs).toFixed(1)} s/epoch`,
    );
    tf.dispose([train.x, train.y, heldOut.x, heldOut.y]);
    model.dispose();
    return { inputShape, params: total, trainableParams: trainable, firstLoss: losses[0], lastLoss: losses.at(-1)!, heldOutAccuracy, secondsPerEpoch: seconds / epochs };
  }

  // --- 1. ResNet-34 for 32x32 one-channel images -------------------------------------------------
  // The options say it all: one input channel makes conv1 a 7x7x1x64 convolution (3,136 weights
  // instead of 9,408), and ten classes make the classifier 512x10.
  const small = { inputShape: [32, 32, 1] as [number, number, number], numClasses: 10 };

  // What the small input does to the feature maps, planned from the conv arithmetic (nothing is built).
  // The stem divides by four before the first residual stage, so conv5_x works on a 1x1 map.
  const stageEnds = ['conv1_relu', 'pool1_pool', 'conv2_block3_out', 'conv3_block4_out', 'conv4_block6_out', 'conv5_block3_out'];
  const imagenetPlan = planModel('resnet34', {});
  const smallPlan = planModel('resnet34', small);
  const shapeOf = (plan: typeof smallPlan, name: string) => plan.find((layer) => layer.name === name)!.outputShape;
  console.log('\nResNet-34 feature maps   224x224x3     32x32x1');
  for (const name of stageEnds) console.log(`${name.padEnd(22)} ${shapeOf(imagenetPlan, name).join('x').padStart(12)} ${shapeOf(smallPlan, name).join('x').padStart(11)}`);
  const stageSizes = Object.fromEntries(stageEnds.map((name) => [name.split('_')[0], shapeOf(smallPlan, name)[0]]));

  // The same, from the built model: featureExtractor gives one output per stage (timm's
  // features_only), sharing the model's layers and weights, each with its channels and the total
  // stride there. A detector or a segmentation head takes its inputs from these.
  const small34 = resnet34({ ...small, seed: options.seed });
  const features = featureExtractor(small34);
  const featureMaps = Object.fromEntries(features.featureInfo.map((info, i) => [info.stage, { shape: features.outputs[i].shape.slice(1), reduction: info.reduction }]));
  console.log(`featureExtractor(resnet34 at 32x32x1): ${features.featureInfo.map((info, i) => `${info.stage} ${features.outputs[i].shape.slice(1).join('x')} (/${info.reduction})`).join(', ')}`);

  console.log('\nTraining each model briefly on generated gratings:');
  const resnet34Result = { ...(await trainBriefly('ResNet-34', small34)), stageSizes, featureMaps };

  // --- 2. Custom configs: ResNet-18 from its table, and VGG-11 ---------------------------------------
  // ResNet-18 is Table 1's 18-layer column: basic blocks, two per stage. Written out as the family's
  // `architecture`, it is exactly what resnet18() builds: the same layers, names and shapes.
  const resnet18Config = { architecture: { block: 'basic' as const, layers: [2, 2, 2, 2] }, inputShape: [32, 32, 3] as [number, number, number], numClasses: 10 };
  const custom18 = resnet(resnet18Config);
  const reference18 = resnet18({ inputShape: [32, 32, 3], numClasses: 10, initialize: false }); // zero weights: only compared
  // `originalName`: TF.js appends a suffix to a variable's `name` when another model already uses it.
  const describeWeights = (model: tf.LayersModel) => model.weights.map((weight) => `${weight.originalName}:${weight.shape.join('x')}`).join(',');
  const sameAsResnet18 = describeWeights(custom18) === describeWeights(reference18);
  reference18.dispose();
  console.log(`resnet({ block: 'basic', layers: [2, 2, 2, 2] }) has the same weights as resnet18(): ${sameAsResnet18}`);
  const resnet18Result = { ...(await trainBriefly('ResNet-18', custom18)), sameAsResnet18 };

  // VGG-11 is Table 1's configuration A. At 32x32 the five pools leave a 1x1x512 map, so fc1 takes
  // 512 features (25,088 at 224x224): 28.1M parameters instead of 132.9M, all but 9.2M in fc1-fc2.
  const vgg11Architecture = getModelDefinition('vgg11').parse({}).architecture;
  const vgg11Result = {
    // VGG has no BatchNorm: a lower learning rate than the ResNets' keeps its plain stack training.
    ...(await trainBriefly('VGG-11', vgg11({ inputShape: [32, 32, 3], numClasses: 10, seed: options.seed }), 1e-4)),
    fc1Units: vgg11Architecture.fc[0],
    fc2Units: vgg11Architecture.fc[1],
  };

  // --- 3. Your own network from the zoo's blocks: ResNet-20 for CIFAR --------------------------------
  // He et al. 2016, Section 4.2: on 32x32 images, a 3x3 conv of 16 filters without pooling, then three
  // stages of n basic blocks of 16, 32 and 64 filters on 32x32, 16x16 and 8x8 maps; n = 3 is ResNet-20
  // (0.27M parameters). Departure: the paper's CIFAR nets use identity shortcuts padded with zeros
  // (option A); basicBlock projects with a 1x1 conv where the shape changes (option B): +2,752 trainable.
  // A family declared once: its definition plans (checks every shape) and builds from one description.
  const resnet20Family = defineFamily({
    name: 'resnet20_cifar',
    paper: { title: 'Deep Residual Learning for Image Recognition', authors: 'He, Zhang, Ren, Sun', year: 2016, url: 'https://arxiv.org/abs/1512.03385' },
    table: 'Section 4.2',
    schema: modelOptionsSchema({ numClasses: 10, inputShape: [32, 32, 3], dropout: 0 }, {}),
    models: {},
    // No stem stride on 32x32: the stages run at 32, 16 and 8 pixels.
    stages: () => [2, 3, 4].map((stage, s) => ({ name: `conv${stage}`, block: `conv${stage}_block3`, reduction: 2 ** s })),
    describe<T>(net: Net<T>, config: CommonOptions) {
      const input = net.input(config.inputShape, 'input');
      let x = convBnAct(net, input, {
        names: { conv: 'conv1_conv', bn: 'conv1_bn', activation: 'conv1_relu' },
        filters: 16,
        kernelSize: 3,
        padding: 'symmetric',
        activation: 'relu',
        batchNorm: torchBatchNorm,
        kernelInit: { kind: 'varianceScaling', scale: 2, mode: 'fanOut', distribution: 'normal' }, // He init, as the blocks
      });
      [16, 32, 64].forEach((filters, stage) => {
        for (let block = 0; block < 3; block++) {
          x = basicBlock(net, x, { name: `conv${stage + 2}_block${block + 1}`, filters, strides: block === 0 && stage > 0 ? 2 : 1 });
        }
      });
      const output = poolAndClassify(net, x, config, { pool: 'avg_pool', classifier: 'predictions' }, { kernel: { kind: 'torchDefault' }, bias: { kind: 'torchDefault' } });
      return { inputs: [input], outputs: [output] };
    },
  });
  const resnet20Plan = resnet20Family.definition.plan({});
  console.log(`ResNet-20 feature maps: ${['conv1_relu', 'conv2_block3_out', 'conv3_block3_out', 'conv4_block3_out'].map((name) => shapeOf(resnet20Plan, name).join('x')).join(' -> ')}`);
  const resnet20Result = await trainBriefly('ResNet-20', resnet20Family.definition.build({ seed: options.seed }));

  console.log(
    `RECIPE_RESULT ${JSON.stringify({
      backend: backend.name,
      smoke: options.smoke,
      epochs,
      trainImages: trainCount,
      heldOutImages: heldOutCount,
      resnet34: resnet34Result,
      resnet18: resnet18Result,
      vgg11: vgg11Result,
      resnet20: resnet20Result,
    })}`,
  );
}

// No top-level await, so that the script runs unchanged as an ES module and as CommonJS.
main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
