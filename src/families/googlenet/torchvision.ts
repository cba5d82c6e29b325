import type { TorchvisionNames } from '../family.js';

/**
 * GoogLeNet: the zoo's names are torchvision's module paths with `_` for `.` (`inception3a_branch2_0_conv`
 * is `inception3a.branch2.0.conv`, `aux1_fc1` is `aux1.fc1`), and the main classifier is `fc`.
 * torchvision's checkpoint carries the auxiliary heads' `aux1.*` / `aux2.*` even for inference; a
 * model built without them (`googlenet()`, `auxLogits: false`) skips those tensors.
 */
export const googlenetTorchvisionNames: TorchvisionNames = {
  modulePath(layer) {
    if (layer === 'fc' || /_(conv|bn)$/.test(layer) || /^aux\d+_fc\d+$/.test(layer)) return layer.replaceAll('_', '.');
    return undefined;
  },
  skip(key, layers) {
    const head = /^(aux\d+)\./.exec(key)?.[1];
    if (head && !layers.some((name) => name.startsWith(`${head}_`))) return `auxiliary head ${head}: the model is built without auxiliary heads (auxLogits: false)`;
    return undefined;
  },
};
