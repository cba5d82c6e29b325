/**
 * The nesting the summary folds by. tfjs-layers models are flat lists of layers, so the blocks
 * come from two places: models used as layers (real nesting), and layer names. Keras and the zoo
 * name layers by one pattern, `<stage>_<block>_<layer>`, with a number in each level
 * (`conv2_block1_1_conv`, `block_3_expand_BN`, `block4_conv2`, `inception3a_branch2_conv`), so a
 * name prefix that ends in a numbered part names a block: `conv2` > `conv2_block1` >
 * `conv2_block1_1`.
 */

/**
 * How the summary finds blocks: `'names'` (the default: models used as layers, then numbered name
 * prefixes, see {@link blocksFromName}), `'models'`, or a function of your own.
 *
 * @category Analysis
 */
export type BlockRule =
  /** Models used as layers, then numbered name prefixes (the default). */
  | 'names'
  /** Only models used as layers. */
  | 'models'
  /** A function from a layer's name to its enclosing blocks, outermost first. */
  | ((layerName: string) => string[]);

/**
 * The blocks a layer name implies: each prefix, at a `_` boundary, whose last part contains a
 * digit, the name itself excepted.
 *
 * @category Analysis
 */
export function blocksFromName(name: string): string[] {
  const parts = name.split('_');
  const blocks: string[] = [];
  for (let i = 0; i < parts.length - 1; i++) {
    if (/\d/.test(parts[i])) blocks.push(parts.slice(0, i + 1).join('_'));
  }
  return blocks;
}

/** A node of the block tree: a block with children, or an item (a layer call). */
export type BlockTree<T> = { kind: 'item'; item: T } | { kind: 'block'; name: string; children: BlockTree<T>[] };

/**
 * Groups items, in order, into nested blocks by their paths (outermost block first). A block is
 * a run of consecutive items sharing the prefix; a block with a single child is replaced by the
 * child (a lone `fc1` is no block).
 */
export function buildBlockTree<T>(items: readonly T[], pathOf: (item: T) => readonly string[]): BlockTree<T>[] {
  const root: BlockTree<T>[] = [];
  const open: { name: string; children: BlockTree<T>[] }[] = [];
  for (const item of items) {
    const path = pathOf(item);
    let common = 0;
    while (common < open.length && common < path.length && open[common].name === path[common]) common++;
    open.length = common;
    for (let level = common; level < path.length; level++) {
      const block = { kind: 'block' as const, name: path[level], children: [] as BlockTree<T>[] };
      (level === 0 ? root : open[level - 1].children).push(block);
      open.push(block);
    }
    (open.length === 0 ? root : open[open.length - 1].children).push({ kind: 'item', item });
  }
  return root.map(simplify);
}

function simplify<T>(node: BlockTree<T>): BlockTree<T> {
  if (node.kind === 'item') return node;
  const children = node.children.map(simplify);
  return children.length === 1 ? children[0] : { ...node, children };
}
