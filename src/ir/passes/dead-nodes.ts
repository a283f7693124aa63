// Drops nodes whose outputs nobody reads.
import type { Graph } from '../graph.js';
import { useCounts } from './util.js';

export function eliminateDeadNodes(g: Graph, keep: Set<string>): number {
  let removed = 0;
  for (;;) {
    const uses = useCounts(g, keep);
    const dead = g.nodes.filter((n) => n.outputs.every((o) => !uses.get(o)));
    if (!dead.length) break;
    for (const n of dead) {
      g.nodes.splice(g.nodes.indexOf(n), 1);
      n.outputs.forEach((o) => g.values.delete(o));
      removed++;
    }
  }
  // constants nobody reads any more (folded weights' originals) are dropped so they are not uploaded
  const uses = useCounts(g, keep);
  for (const [name, v] of g.values) if (v.data && !uses.get(name) && !g.inputs.includes(name)) g.values.delete(name);
  return removed;
}
