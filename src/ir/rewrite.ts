// The rewrite driver (tinygrad's graph_rewrite): a rule is tried on each node in graph order through the shared
// index; when it rewrites, the scan resumes at the earliest node near the rewrite, not at the top of the graph.
// Nodes before that point did not match and nothing their patterns read has changed, so the result is the one a
// restart after every rewrite gives, without rescanning the graph.
import { type Graph, type Node, epilogueValues } from './graph.js';
import { GraphIndex } from './graph-index.js';

/** Rewrites the graph around `node` and returns the nodes the rewrite left or made, or null where it does not apply. */
export type RewriteRule = (node: Node, ix: GraphIndex) => Node[] | null;

/** How many producer/consumer steps from a rewrite another node's pattern may read (hard-swish's spans three). */
const PATTERN_REACH = 3;

/** Applies `rule` until no node matches; returns the number of rewrites. */
export function rewriteGraph(g: Graph, keep: ReadonlySet<string>, rule: RewriteRule): number {
  const ix = new GraphIndex(g, keep);
  let rewrites = 0;
  for (let i = 0; i < g.nodes.length;) {
    const touched = rule(g.nodes[i], ix);
    if (!touched) {
      i++;
      continue;
    }
    rewrites++;
    ix.invalidate();
    i = Math.min(i, earliestNear(ix, touched));
  }
  return rewrites;
}

/** The first graph position within PATTERN_REACH steps of `nodes` (Infinity when none is left in the graph). */
function earliestNear(ix: GraphIndex, nodes: Node[]): number {
  let frontier = nodes.filter((n) => ix.position(n) >= 0);
  const seen = new Set(frontier);
  for (let step = 0; step < PATTERN_REACH; step++) {
    const next: Node[] = [];
    for (const n of frontier) {
      const upstream = [...n.inputs, ...epilogueValues(n.epilogue)].map((v) => ix.producer(v));
      const downstream = n.outputs.flatMap((v) => ix.consumers(v));
      for (const m of [...upstream, ...downstream])
        if (m && !seen.has(m)) {
          seen.add(m);
          next.push(m);
        }
    }
    frontier = next;
  }
  return Math.min(...[...seen].map((n) => ix.position(n)));
}
