/** A classifier's output to the top classes of each image, with names (Keras's `decode_predictions`). */
import { tf } from '../tf.js';

/**
 * One class of an image's top classes, as {@link decodePredictions} returns it.
 *
 * @category Images
 */
export interface Prediction {
  /** The output unit: the class's index. */
  index: number;
  /** `classNames[index]`. */
  className: string;
  /** The model's output for the class (float32 values widened to numbers). */
  probability: number;
}

/** The values as rows of K, and K. */
function rows(probabilities: tf.Tensor | Float32Array | readonly number[]): { values: ArrayLike<number>; count: number; classes: number } {
  if (probabilities instanceof tf.Tensor) {
    if (probabilities.rank !== 1 && probabilities.rank !== 2) {
      throw new RangeError(`decodePredictions: probabilities must be a [N, K] or [K] tensor, received shape [${probabilities.shape.join(', ')}]`);
    }
    const classes = probabilities.shape[probabilities.rank - 1];
    return { values: probabilities.dataSync(), count: probabilities.rank === 2 ? probabilities.shape[0] : 1, classes };
  }
  return { values: probabilities, count: 1, classes: probabilities.length };
}

/**
 * The `topK` most probable classes of each image, most probable first (equal probabilities in
 * index order; NaN last), with their names: Keras's `decode_predictions` for any class list.
 * `probabilities` is a model's output, `[N, K]` (one row per image) or `[K]`, or one image's values
 * as a Float32Array or array; the result has one list per image (one list for `[K]`). A `topK`
 * larger than K gives all K classes. The tensor is read, not disposed.
 *
 * Throws a RangeError when K differs from the number of class names (naming both), when the tensor
 * is not `[N, K]` or `[K]`, or when `topK` is not a positive integer.
 *
 * @param classNames - The name of each output unit, index by index (a manifest's `classNames`).
 * @param topK - Classes kept per image; default 5.
 *
 * @example
 * ```ts
 * const [top] = decodePredictions([0.1, 0.6, 0.3], ['cat', 'dog', 'fox'], 2);
 * console.log(top); // [{ index: 1, className: 'dog', probability: 0.6 }, { index: 2, className: 'fox', probability: 0.3 }]
 *
 * const logits = tf.tensor2d([[2, 0, 1], [0, 3, 3]]);
 * const probabilities = tf.softmax(logits);
 * const perImage = decodePredictions(probabilities, ['cat', 'dog', 'fox'], 1); // [[cat], [dog]]: a tie goes to the lower index
 * tf.dispose([logits, probabilities]);
 * ```
 *
 * @category Images
 */
export function decodePredictions(probabilities: tf.Tensor | Float32Array | readonly number[], classNames: readonly string[], topK = 5): Prediction[][] {
  if (!Number.isInteger(topK) || topK < 1) throw new RangeError(`decodePredictions: topK must be a positive integer, received ${topK}`);
  const { values, count, classes } = rows(probabilities);
  if (classes !== classNames.length) {
    throw new RangeError(`decodePredictions: the probabilities have ${classes} classes but classNames has ${classNames.length} names`);
  }
  const keep = Math.min(topK, classes);
  const byRank = (offset: number) => (a: number, b: number) => {
    const pa = values[offset + a];
    const pb = values[offset + b];
    if (Number.isNaN(pa) !== Number.isNaN(pb)) return Number.isNaN(pa) ? 1 : -1;
    return pb - pa || a - b;
  };
  const result: Prediction[][] = [];
  for (let image = 0; image < count; image++) {
    const offset = image * classes;
    const indices = Array.from({ length: classes }, (_, index) => index).sort(byRank(offset));
    result.push(indices.slice(0, keep).map((index) => ({ index, className: classNames[index], probability: values[offset + index] })));
  }
  return result;
}
