/**
 * LeNet-5 (LeCun et al. 1998). The architecture is the layer list in `architectures/lenet5.ts`.
 */
import { z } from 'zod';
import { lenet5Classic } from '../../architectures/lenet5.js';
import { positiveInt } from '../config.js';
import { glorotUniform, zeros } from '../init.js';
import type { Net, NetGraph } from '../net/net.js';
import { modelOptionsSchema } from '../options.js';
import { buildModel, type ModelDefinition } from './model-definition.js';
import type { tf } from '../tf.js';

const layerName = z.string().regex(/^[a-z][a-z0-9_]*$/, { error: 'must be a lower-case layer name' });

/** One row of LeNet's layer list. */
export const LeNetLayerSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('conv'), name: layerName, filters: positiveInt(), kernelSize: positiveInt() }),
    z.strictObject({ type: z.literal('avgPool'), name: layerName, poolSize: positiveInt() }),
    z.strictObject({ type: z.literal('dense'), name: layerName, units: positiveInt() }),
  ],
  { error: "must be a layer with type 'conv', 'avgPool' or 'dense'" },
);

/** LeNet's architecture: the layers before the output layer, in order. */
export const LeNetArchitectureSchema = z.strictObject({
  layers: z.array(LeNetLayerSchema).min(1, { error: 'must list at least one layer' }),
});
export type LeNetArchitecture = z.output<typeof LeNetArchitectureSchema>;
export type LeNetArchitectureInput = z.input<typeof LeNetArchitectureSchema>;

/** Options of {@link lenet5}. */
export const LeNetOptionsSchema = modelOptionsSchema(
  { numClasses: 10, inputShape: [32, 32, 1], dropout: 0 },
  {
    /** The layer list; defaults to the classic LeNet-5. */
    architecture: LeNetArchitectureSchema.default(lenet5Classic as LeNetArchitecture).describe('the layer list'),
  },
);
export type LeNetOptions = z.input<typeof LeNetOptionsSchema>;
type LeNetConfig = z.output<typeof LeNetOptionsSchema>;

function describeLeNet<T>(net: Net<T>, config: LeNetConfig): NetGraph<T> {
  const input = net.input(config.inputShape, 'input');
  let x = input;
  let flat = false;
  for (const layer of config.architecture.layers) {
    if (layer.type === 'conv') {
      x = net.conv2d(x, { name: layer.name, filters: layer.filters, kernelSize: layer.kernelSize, activation: 'tanh', kernelInit: glorotUniform, biasInit: zeros });
    } else if (layer.type === 'avgPool') {
      x = net.avgPool(x, { name: layer.name, poolSize: layer.poolSize });
    } else {
      if (!flat) x = net.flatten(x, 'flatten');
      flat = true;
      x = net.dense(x, { name: layer.name, units: layer.units, activation: 'tanh', kernelInit: glorotUniform, biasInit: zeros });
    }
  }
  if (!config.includeTop) return { inputs: [input], outputs: [x] };
  if (!flat) x = net.flatten(x, 'flatten');
  if (config.dropout > 0) x = net.dropout(x, config.dropout, 'dropout');
  const output = net.dense(x, { name: 'predictions', units: config.numClasses, activation: config.classifierActivation, kernelInit: glorotUniform, biasInit: zeros });
  return { inputs: [input], outputs: [output] };
}

export const lenet5Definition: ModelDefinition<typeof LeNetOptionsSchema> = {
  name: 'lenet5',
  schema: LeNetOptionsSchema,
  describe: describeLeNet,
  paper: {
    title: 'Gradient-Based Learning Applied to Document Recognition',
    authors: 'LeCun, Bottou, Bengio, Haffner',
    year: 1998,
    url: 'https://doi.org/10.1109/5.726791',
    table: 'Section II.B, Fig. 2',
  },
};

/**
 * LeNet-5: two tanh convolutions with average pooling, then 120-84-`numClasses` dense layers, on
 * 32x32x1 images by default.
 *
 * @example
 * ```ts
 * const model = lenet5(); // 61,706 parameters
 * ```
 */
export function lenet5(options: LeNetOptions = {}): tf.LayersModel {
  return buildModel(lenet5Definition, options);
}
