/**
 * tfjs-layers' own layer classes, for the zoo's subclasses of them. tfjs-layers exports its layers
 * only as factories (`tf.layers.conv2d(...)`); the classes are in TF.js's serialisation registry,
 * under the names model.json uses. Taking them from there, rather than from a throwaway instance's
 * constructor, leaves tfjs-layers' automatic layer names (conv2d_Conv2D1, ...) as they would be
 * without cnn-zoo.
 */
import { tf } from '../tf.js';

/** The class TF.js registered for `className`, typed as `T`'s constructor. */
export function tfjsLayerClass<T extends tf.layers.Layer, Args>(className: string): new (args: Args) => T {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[className];
  if (!entry) throw new Error(`cnn-zoo: tfjs-layers has no registered layer class '${className}'`);
  return entry[0] as unknown as new (args: Args) => T;
}
