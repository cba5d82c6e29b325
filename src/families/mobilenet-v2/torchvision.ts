import type { TorchvisionNames } from '../family.js';

/**
 * MobileNet V2: torchvision's `features.0` is the stem (`.0` conv, `.1` BN), `features.{b+1}` the
 * inverted residual block b, whose `conv` Sequential holds the expansion (`conv.0.0`/`conv.0.1`)
 * only when t != 1, then the depthwise conv and BN, then the projection conv and its BN as plain
 * entries (so the indices shift by one without an expansion), then the head conv at
 * `features.{blocks+1}`, and `classifier.1` (after a Dropout). The zoo's names are Keras's
 * (`Conv1`, `bn_Conv1`, `expanded_conv_depthwise`, `block_{b}_expand_BN`, `Conv_1`, `Conv_1_bn`,
 * `predictions`).
 */
export const mobilenetV2TorchvisionNames: TorchvisionNames = {
  modulePath(layer, layers) {
    if (layer === 'Conv1') return 'features.0.0';
    if (layer === 'bn_Conv1') return 'features.0.1';
    if (layer === 'predictions') return 'classifier.1';
    if (layer === 'Conv_1' || layer === 'Conv_1_bn') {
      const lastBlock = Math.max(0, ...layers.map((name) => Number(/^block_(\d+)_project$/.exec(name)?.[1] ?? 0)));
      return `features.${lastBlock + 2}.${layer === 'Conv_1' ? 0 : 1}`;
    }
    const match = /^(expanded_conv|block_(\d+))_(expand|depthwise|project)(_BN)?$/.exec(layer);
    if (!match) return undefined;
    const block = Number(match[2] ?? 0);
    const part = match[3];
    const bn = match[4] !== undefined;
    const expands = layers.includes(`${match[1]}_expand`);
    const prefix = `features.${block + 1}.conv`;
    if (part === 'expand') return `${prefix}.0.${bn ? 1 : 0}`;
    const depthwise = expands ? 1 : 0;
    if (part === 'depthwise') return `${prefix}.${depthwise}.${bn ? 1 : 0}`;
    return `${prefix}.${depthwise + (bn ? 2 : 1)}`;
  },
};
