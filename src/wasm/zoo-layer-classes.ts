/**
 * Loading a model.json with the zoo's own Conv2D and BatchNormalization in place of tfjs-layers'
 * classes of the same names, so that a model loaded through cnn-zoo trains as fast on wasm as one
 * it builds. TF.js looks a layer's class up by name in its serialisation registry; for the length
 * of one load the zoo's classes stand under those names, and tfjs-layers' own are put back
 * afterwards, so nothing else in the program sees a change.
 */
import { tf } from '../tf.js';
import { BatchNormalization } from './batch-normalization.js';
import { Conv2D } from './conv2d.js';

type RegistryEntry = ReturnType<typeof tf.serialization.SerializationMap.getMap>['classNameMap'][string];

const ZOO_LAYER_CLASSES = [Conv2D, BatchNormalization] as const;

/** Runs `load` (a TF.js model deserialisation) with the zoo's layer classes registered. */
export async function withZooLayerClasses<T>(load: () => Promise<T>): Promise<T> {
  const registry = tf.serialization.SerializationMap.getMap().classNameMap;
  const previous = new Map<string, RegistryEntry>(ZOO_LAYER_CLASSES.map((cls) => [cls.className, registry[cls.className]]));
  // TF.js calls an entry's fromConfig with the entry's class: tfjs-layers' own builds the zoo's.
  for (const cls of ZOO_LAYER_CLASSES) registry[cls.className] = [cls as unknown as RegistryEntry[0], previous.get(cls.className)![1]];
  try {
    return await load();
  } finally {
    for (const [className, entry] of previous) registry[className] = entry;
  }
}
