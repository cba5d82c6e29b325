/**
 * Which torchvision module each zoo layer is, family by family. A rule names modules only
 * (`conv2_block1_1_conv` → `layer1.0.conv1`); the parameter names (`weight`, `running_var`) and the
 * layouts are the same for every family and live in the generic mapper (`map.ts`).
 *
 * Each rule is small and self-contained so that it can move into its family's own definition.
 * Module paths are read off torchvision 0.14's model sources (`torchvision/models/*.py`).
 */

/**
 * The torchvision families the zoo builds: `alexnet`; `vgg` (vgg11/13/16/19 and their `_bn`
 * versions); `resnet` (resnet18/34/50/101/152, and timm's ResNets, which use the same names);
 * `googlenet` (with or without its auxiliary heads); `mobilenet_v2`.
 *
 * @example
 * ```ts
 * torchvisionFamilies.includes('resnet'); // true
 * ```
 *
 * @category Import
 */
export const torchvisionFamilies = ['alexnet', 'vgg', 'resnet', 'googlenet', 'mobilenet_v2'] as const;
/**
 * One of {@link torchvisionFamilies}.
 *
 * @example
 * ```ts
 * const family: TorchvisionFamily = torchvisionSources.vgg16_bn.family; // 'vgg'
 * ```
 *
 * @category Import
 */
export type TorchvisionFamily = (typeof torchvisionFamilies)[number];

/**
 * A family's naming rule.
 *
 * @example
 * ```ts
 * resnetRule.modulePath('conv2_block1_0_bn', []); // 'layer1.0.downsample.1'
 * ```
 *
 * @category Import
 */
export interface TorchvisionRule {
  /** The family it names. */
  readonly family: TorchvisionFamily;
  /**
   * torchvision's module path of the zoo layer `layer`, or `undefined` where torchvision has no
   * such module. `layers` is every layer name of the model, in order: VGG and MobileNet V2 number
   * their modules by position (`features.17`), which depends on the layers around.
   */
  modulePath(layer: string, layers: readonly string[]): string | undefined;
  /**
   * Why a torchvision tensor that this model has no place for is skipped rather than refused, or
   * `undefined` (it is refused). `num_batches_tracked` of a mapped BatchNorm is skipped by the
   * mapper itself, for every family.
   */
  skip?(key: string, layers: readonly string[]): string | undefined;
}

/**
 * AlexNet, torchvision's `features` / `classifier` Sequentials: conv1..conv5 at features.0, 3, 6,
 * 8, 10 (ReLUs and max pools between), fc6 and fc7 at classifier.1 and 4 (each after a Dropout),
 * the 1000-way layer at classifier.6.
 *
 * @example
 * ```ts
 * alexnetRule.modulePath('fc6', []); // 'classifier.1'
 * ```
 *
 * @category Import
 */
export const alexnetRule: TorchvisionRule = {
  family: 'alexnet',
  modulePath: (layer) => alexnetModules[layer],
};
const alexnetModules: Record<string, string | undefined> = {
  conv1: 'features.0',
  conv2: 'features.3',
  conv3: 'features.6',
  conv4: 'features.8',
  conv5: 'features.10',
  fc6: 'classifier.1',
  fc7: 'classifier.4',
  predictions: 'classifier.6',
};

/**
 * VGG: `features` holds, stage after stage, every conv (then its BatchNorm in the `_bn` versions)
 * and its ReLU, and one max pool per stage, so `blockS_convC` is at 2 (or 3) modules per earlier conv
 * plus one per earlier pool; `classifier` is Linear, ReLU, Dropout, Linear, ReLU, Dropout, Linear,
 * so `fc1`, `fc2`, `predictions` are classifier.0, 3, 6.
 *
 * @example
 * ```ts
 * vggRule.modulePath('block2_conv1', ['block1_conv1', 'block1_conv2', 'block1_pool', 'block2_conv1']); // 'features.5'
 * ```
 *
 * @category Import
 */
export const vggRule: TorchvisionRule = {
  family: 'vgg',
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

/**
 * ResNet (torchvision's, and timm's, which names alike): `conv1`, `bn1`, `layer{stage-1}.{block-1}`
 * with `conv{i}`/`bn{i}` and the projection shortcut `downsample.0` (conv) / `downsample.1` (BN),
 * and `fc`. The zoo's names are Keras's: `conv{stage}_block{block}_{i}_conv`, `_0_` for the
 * shortcut.
 *
 * @example
 * ```ts
 * resnetRule.modulePath('conv3_block1_0_conv', []); // 'layer2.0.downsample.0'
 * ```
 *
 * @category Import
 */
export const resnetRule: TorchvisionRule = {
  family: 'resnet',
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

/**
 * GoogLeNet: the zoo's names are torchvision's module paths with `_` for `.` (`inception3a_branch2_0_conv`
 * is `inception3a.branch2.0.conv`, `aux1_fc1` is `aux1.fc1`), and the main classifier is `fc`.
 * torchvision's checkpoint carries the auxiliary heads' `aux1.*` / `aux2.*` even for inference; a
 * model built without them (`googlenet()`, `auxLogits: false`) skips those tensors.
 *
 * @example
 * ```ts
 * googlenetRule.modulePath('aux2_conv_bn', []); // 'aux2.conv.bn'
 * ```
 *
 * @category Import
 */
export const googlenetRule: TorchvisionRule = {
  family: 'googlenet',
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

/**
 * MobileNet V2: torchvision's `features.0` is the stem (`.0` conv, `.1` BN), `features.{b+1}` the
 * inverted residual block b, whose `conv` Sequential holds the expansion (`conv.0.0`/`conv.0.1`)
 * only when t != 1, then the depthwise conv and BN, then the projection conv and its BN as plain
 * entries (so the indices shift by one without an expansion), then the head conv at
 * `features.{blocks+1}`, and `classifier.1` (after a Dropout). The zoo's names are Keras's
 * (`Conv1`, `bn_Conv1`, `expanded_conv_depthwise`, `block_{b}_expand_BN`, `Conv_1`, `Conv_1_bn`,
 * `predictions`).
 *
 * @example
 * ```ts
 * mobilenetV2Rule.modulePath('block_1_depthwise_BN', ['block_1_expand']); // 'features.2.conv.1.1'
 * ```
 *
 * @category Import
 */
export const mobilenetV2Rule: TorchvisionRule = {
  family: 'mobilenet_v2',
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

/**
 * Every family's rule, by family.
 *
 * @example
 * ```ts
 * torchvisionRules.googlenet.modulePath('inception3a_branch2_1_bn', []); // 'inception3a.branch2.1.bn'
 * ```
 *
 * @category Import
 */
export const torchvisionRules: Readonly<Record<TorchvisionFamily, TorchvisionRule>> = {
  alexnet: alexnetRule,
  vgg: vggRule,
  resnet: resnetRule,
  googlenet: googlenetRule,
  mobilenet_v2: mobilenetV2Rule,
};
