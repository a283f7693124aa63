// Removes Identity / Dropout: readers read the source directly.
import type { Graph } from '../graph.js';
import { removeNode, replaceUses } from './util.js';

export function removeIdentity(g: Graph, keep: Set<string>): number {
  let removed = 0;
  for (const n of [...g.nodes]) {
    if (n.op !== 'identity') continue;
    const [src] = n.inputs;
    const [dst] = n.outputs;
    if (g.outputs.includes(dst) || keep.has(dst)) continue; // the executor keeps it as a zero-copy view
    replaceUses(g, dst, src);
    removeNode(g, n);
    g.values.delete(dst);
    removed++;
  }
  return removed;
}
