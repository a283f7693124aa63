// Drops nodes whose outputs nobody reads.
import type { Graph } from '../graph.js';
import { GraphIndex } from '../graph-index.js';

export function eliminateDeadNodes(g: Graph, keep: Set<string>): number {
  let removed = 0;
  const ix = new GraphIndex(g, keep);
  for (;;) {
    const dead = g.nodes.filter((n) => n.outputs.every((o) => !ix.uses(o)));
    if (!dead.length) break;
    for (const n of dead) {
      g.nodes.splice(g.nodes.indexOf(n), 1);
      n.outputs.forEach((o) => g.values.delete(o));
      removed++;
    }
    ix.invalidate();
  }
  // constants nobody reads any more (folded weights' originals) are dropped so they are not uploaded
  for (const [name, v] of g.values) if (v.data && !ix.uses(name) && !g.inputs.includes(name)) g.values.delete(name);
  return removed;
}
