/**
 * The `cnn-zoo` command line: `list`, `summary`, `flops`, each with `--help`.
 *
 * A summary runs nothing and reads no weight, so models are built with zero weights on the `cpu`
 * backend: a fresh Float32Array of zeros costs nothing until it is touched, whereas the wasm heap
 * would copy every weight in (half a gigabyte for VGG-19). That keeps `cnn-zoo summary vgg19` as
 * fast as `cnn-zoo summary lenet5`.
 */
import { Command, CommanderError, Option } from 'commander';
import { useBackend } from '../backend.js';
import { tf } from '../tf.js';
import { describeFailure, EXIT_OK, EXIT_USAGE, oneLine } from './errors.js';
import { FLOPS_NARROWING, runFlops } from './flops.js';
import { runExport, type ExportFlags } from './export.js';
import { runImport, type ImportFlags } from './import.js';
import { PREDICT_NARROWING, runPredict, type PredictFlags } from './predict.js';
import { LIST_NARROWING, runList } from './list.js';
import { FORMATS, narrowingHelp, processIO, wideOption, type CliIO, type Format } from './output.js';
import { FEATURES_NARROWING, runSummary } from './summary.js';
import { SUMMARY_NARROWING } from '../analysis/render.js';
import { version } from '../../package.json';

const MODEL_ARGUMENT = 'a model name (see `cnn-zoo list`) or a config file, e.g. path/to/config.json';

const CONFIG_HELP = `
A config file is JSON naming a model and its builder options; flags override the options:
  { "model": "resnet34", "options": { "numClasses": 10, "inputShape": [160, 160, 3] } }`;

function formatOption(): Option {
  return new Option('--format <format>', 'output format').choices(FORMATS).default('table');
}

/** The model options every model command takes; they go through the builder's own schema. */
function addModelOptions(command: Command): Command {
  return command
    .option('--input <HxWxC>', 'input shape, e.g. 224x224x3 (HxW keeps the default channels)')
    .option('--classes <n>', 'number of classes of the classifier')
    .option('--variant <name>', "the family's variant, for families that have one")
    .option('--batch <n>', 'batch size for the MACs and memory figures (default 1)');
}

/** Analysis does no math: the cpu backend makes zero weights free (see the module comment). */
async function analysisBackend(): Promise<void> {
  // Production mode also silences TF.js's console advice to install tfjs-node.
  tf.enableProdMode();
  await useBackend('cpu');
}

function createProgram(io: CliIO): Command {
  const program = new Command('cnn-zoo')
    .description('The classic CNNs as TensorFlow.js models: list them, summarise them, count their MACs.')
    .version(version, '-v, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout(text),
      writeErr: (text) => io.stderr(text),
      // Commander's own errors (unknown option, missing argument...) on one line, like ours.
      outputError: (text, write) => write(`${oneLine(text).replace(/\(Did you mean/, '(did you mean')}\n`),
    })
    .showSuggestionAfterError(true)
    .allowExcessArguments(false);

  program
    .command('list')
    .description('every model with its parameters, MACs, default input size and paper')
    .argument('[pattern]', 'only the names matching this glob, e.g. "resnet*"')
    .addOption(formatOption())
    .addOption(wideOption())
    .addHelpText('after', narrowingHelp(['the table', LIST_NARROWING]))
    .action(async (pattern: string | undefined, flags: { format: Format; wide?: boolean }) => {
      await analysisBackend();
      runList(io, { format: flags.format, pattern, wide: flags.wide });
    });

  addModelOptions(
    program
      .command('summary')
      .description('the per-layer table: output shapes, parameters, MACs, receptive fields, totals and memory')
      .argument('<model>', MODEL_ARGUMENT),
  )
    .option('--depth <n>', 'levels of blocks to show; deeper blocks fold into one row (default: every layer)')
    .addOption(new Option('--features', "the feature stages instead: each stage's layer, output shape, channels, reduction").conflicts(['depth', 'batch']))
    .addOption(formatOption())
    .addOption(wideOption())
    .addHelpText(
      'after',
      `
Examples:
  cnn-zoo summary resnet34
  cnn-zoo summary resnet34 --depth 1
  cnn-zoo summary vgg16 --input 160x160 --classes 10 --format markdown
  cnn-zoo summary my-model.json --format json
  cnn-zoo summary resnet50 --features
${CONFIG_HELP}`,
    )
    .addHelpText('after', narrowingHelp(['the table', SUMMARY_NARROWING], ['the --features table', FEATURES_NARROWING]))
    .action(async (model: string, flags) => {
      await analysisBackend();
      runSummary(io, model, flags);
    });

  addModelOptions(
    program.command('flops').description('the MACs of a forward pass, broken down by layer type').argument('<model>', MODEL_ARGUMENT),
  )
    .addOption(formatOption())
    .addOption(wideOption())
    .addHelpText(
      'after',
      `
MACs follow torchvision: multiply-adds of convolutions and dense layers; other operations are
counted apart.

Examples:
  cnn-zoo flops mobilenetV2
  cnn-zoo flops resnet34 --batch 32 --format json
${CONFIG_HELP}`,
    )
    .addHelpText('after', narrowingHelp(['the table', FLOPS_NARROWING]))
    .action(async (model: string, flags) => {
      await analysisBackend();
      runFlops(io, model, flags);
    });

  program
    .command('import')
    .description("another library's weight file (torchvision .pth, timm .safetensors, Keras .h5) as a cnn-zoo weights folder")
    .argument('<file>', 'the weight file')
    .requiredOption('--out <dir>', 'the weights folder to write')
    .option('--model <name>', "the registered model it fits (default: an official file's, known by its name)")
    .addOption(new Option('--from <library>', 'the library the file follows, when the file does not tell').choices(['torchvision', 'timm', 'keras']))
    .option('--variant <name>', "the family's variant (default: the one whose numbers are the source's)")
    .option('--options <json>', 'other builder options as a JSON object, e.g. \'{"batchNorm": true}\' for a vgg16_bn file')
    .option('--licence <text>', 'the weights\' licence, recorded in the manifest (default: unknown)')
    .option('--overwrite', 'replace the folder if it exists', false)
    .addHelpText(
      'after',
      `
Examples:
  cnn-zoo import resnet34-b627a593.pth --out weights/resnet34-imagenet
  cnn-zoo import mobilenet_v2-b0353104.pth --model mobilenetV2 --variant torchvision --out mnv2
  cnn-zoo import vgg16_weights_tf_dim_ordering_tf_kernels.h5 --model vgg16 --out vgg16-keras
  cnn-zoo import model.safetensors --model resnet50 --from timm --out resnet50-timm`,
    )
    .action(async (file: string, flags: ImportFlags) => {
      await analysisBackend();
      await runImport(io, file, flags);
    });

  program
    .command('export')
    .description('a model or weights folder as ONNX, a Triton model folder, or torchvision safetensors')
    .argument('<model | weights-dir>', 'a registered model name (seeded random weights) or a weights folder')
    .addOption(new Option('--format <format>', 'what to write').choices(['onnx', 'triton', 'safetensors']).default('onnx'))
    .requiredOption('--out <path>', 'the ONNX or safetensors file, or the Triton model repository folder')
    .addOption(new Option('--layout <layout>', "the input's layout (onnx, triton; default nhwc)").choices(['nhwc', 'nchw']))
    .option('--opset <n>', 'the ai.onnx opset, 17 to 23 (onnx, triton; default 17)')
    .option('--seed <n>', "a model name's random weights (default 0)")
    .option('--name <name>', "Triton's model name (default: the model's or the folder's name)")
    .option('--max-batch-size <n>', "Triton's max_batch_size (default 8)")
    .option('--overwrite', 'replace an existing Triton model folder or safetensors file')
    .addHelpText(
      'after',
      `
Examples:
  cnn-zoo export weights/resnet34-imagenet --out resnet34.onnx --layout nchw
  cnn-zoo export weights/resnet34-imagenet --format triton --out models --max-batch-size 16
  cnn-zoo export weights/resnet34-imagenet --format safetensors --out resnet34.safetensors`,
    )
    .action(async (argument: string, flags: ExportFlags) => {
      await analysisBackend();
      await runExport(io, argument, flags);
    });

  program
    .command('predict')
    .description('the top classes of each image, by the model of a weights folder')
    .argument('<weights-dir>', 'a folder written by saveModel or cnn-zoo import (model.json, shards, cnn-zoo.json)')
    .argument('<image...>', 'JPEG, PNG or WebP files')
    .option('--top <k>', 'classes per image', '5')
    .option('--json', 'print JSON instead of a table')
    .addOption(new Option('--runtime <runtime>', "'tfjs' (the TF.js backend) or 'onnx' (ONNX Runtime: npm install onnxruntime-node)").choices(['tfjs', 'onnx']).default('tfjs'))
    .addOption(wideOption())
    .addHelpText(
      'after',
      `
Examples:
  cnn-zoo predict weights/resnet34-imagenet cat.jpg dog.png --top 5
  cnn-zoo predict weights/resnet34-imagenet cat.jpg --runtime onnx
  cnn-zoo predict weights/lenet5-mnist digit.png --json`,
    )
    .addHelpText('after', narrowingHelp(["each image's table", PREDICT_NARROWING]))
    .action(async (dir: string, images: string[], flags: PredictFlags) => {
      tf.enableProdMode();
      await useBackend();
      await runPredict(io, dir, images, flags);
    });

  return program;
}

/**
 * Runs the command line on `args` (without `node` and the script) and returns the exit code:
 * 0 done, 2 a usage or configuration error (one line on stderr), 1 a bug.
 */
export async function runCli(args: readonly string[], io: CliIO = processIO): Promise<number> {
  const program = createProgram(io);
  try {
    await program.parseAsync([...args], { from: 'user' });
    return EXIT_OK;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    const failure = describeFailure(error);
    io.stderr(`${failure.message}\n`);
    return failure.exitCode;
  }
}
