/**
 * The last step of every import: mapped values written into a model's variables. All or nothing:
 * every variable is checked to be alive before the first one is written.
 */
import { tf } from '../tf.js';
import { WeightsError } from '../weights/errors.js';

/** Writes each `weights` entry (zoo weight name → values in TF.js's layout) into `model`; `source` names the file in errors. */
export function writeMappedWeights(model: tf.LayersModel, weights: ReadonlyMap<string, { shape: number[]; data: Float32Array }>, source: string): void {
  const variables = new Map(model.weights.map((variable) => [variable.originalName, variable]));
  for (const [name, variable] of variables) {
    try {
      variable.read();
    } catch (error) {
      throw new WeightsError(source, `the model's weight '${name}' is disposed; assign into a live model (nothing was assigned)`, { weight: name, cause: error });
    }
  }
  for (const [name, weight] of weights) {
    const value = tf.tensor(weight.data, weight.shape, 'float32');
    try {
      variables.get(name)!.write(value);
    } finally {
      value.dispose();
    }
  }
}
