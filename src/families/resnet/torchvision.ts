import type { TorchvisionNames } from '../family.js';

/**
 * ResNet (torchvision's, and timm's, which names alike): `conv1`, `bn1`, `layer{stage-1}.{block-1}`
 * with `conv{i}`/`bn{i}` and the projection shortcut `downsample.0` (conv) / `downsample.1` (BN),
 * and `fc`. The zoo's names are Keras's: `conv{stage}_block{block}_{i}_conv`, `_0_` for the
 * shortcut.
 */
export const resnetTorchvisionNames: TorchvisionNames = {
  modulePath(layer) {
    if (layer === 'conv1_conv') return 'conv1';
    if (layer === 'conv1_bn') return 'bn1';
    if (layer === 'predictions') return 'fc';
    const match = /^conv(\d+)_block(\d+)_(\d+)_(conv|bn)$/.exec(layer);
    if (!match || Number(match[1]) < 2) return undefined;
    const [stage, block, index, kind] = [Number(match[1]), Number(match[2]), Number(match[3]), match[4]];
    const prefix = `layer${stage - 1}.${block - 1}`;
    return index === 0 ? `${prefix}.downsample.${kind === 'conv' ? 0 : 1}` : `${prefix}.${kind}${index}`;
  },
};
