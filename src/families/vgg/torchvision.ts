import type { TorchvisionNames } from '../family.js';

/**
 * VGG: `features` holds, stage after stage, every conv (then its BatchNorm in the `_bn` versions)
 * and its ReLU, and one max pool per stage, so `blockS_convC` is at 2 (or 3) modules per earlier conv
 * plus one per earlier pool; `classifier` is Linear, ReLU, Dropout, Linear, ReLU, Dropout, Linear,
 * so `fc1`, `fc2`, `predictions` are classifier.0, 3, 6.
 */
export const vggTorchvisionNames: TorchvisionNames = {
  modulePath(layer, layers) {
    const fc = /^fc(\d+)$/.exec(layer);
    if (fc) return `classifier.${3 * (Number(fc[1]) - 1)}`;
    if (layer === 'predictions') return `classifier.${3 * layers.filter((name) => /^fc\d+$/.test(name)).length}`;
    const conv = /^block(\d+)_conv(\d+)(_bn)?$/.exec(layer);
    if (!conv) return undefined;
    const [stage, index] = [Number(conv[1]), Number(conv[2])];
    const perConv = layers.some((name) => /^block\d+_conv\d+_bn$/.test(name)) ? 3 : 2; // conv (BN) ReLU
    const convsIn = (s: number) => layers.filter((name) => new RegExp(`^block${s}_conv\\d+$`).test(name)).length;
    let position = 0;
    for (let s = 1; s < stage; s++) position += convsIn(s) * perConv + 1; // + the stage's max pool
    position += (index - 1) * perConv + (conv[3] ? 1 : 0);
    return `features.${position}`;
  },
};
