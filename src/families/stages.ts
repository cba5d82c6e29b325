/** The stage rule most families share: a stage ends where the network next halves its resolution. */
import type { Stage } from './family.js';

/**
 * The stages of a sequence of blocks, each with the stride it applies: a stage ends with the last
 * block before a block that strides, and the last block ends the last stage. `start` is the total
 * stride before the first block (a stem's).
 */
export function stagesByStride(blocks: readonly { block: string; stride: number }[], start: number): Stage[] {
  const stages: Stage[] = [];
  let reduction = start;
  blocks.forEach(({ block, stride }, i) => {
    reduction *= stride;
    const next = blocks[i + 1];
    if (!next || next.stride > 1) stages.push({ name: block, block, reduction });
  });
  return stages;
}
