// Fewer distinct pipelines for a cold start: where a decision's fastest candidate needs a pipeline no other
// step uses, and another candidate within `slack` of it runs on pipelines the plan builds anyway, take that one.
// Drivers that compile at the first dispatch (lavapipe: ~0.3 s of LLVM per large kernel with its shader cache off)
// pay for every distinct pipeline at the first run; a few percent of one node's warm time buys that back.

export interface ShareCandidates {
  /** Measured ms per candidate id. */
  ms: Record<string, number>;
  /** The pipeline keys each candidate's steps used when it ran (all of the decision's nodes). */
  keys: Record<string, readonly string[]>;
}

/**
 * The pick per decision: its fastest candidate, or one within `slack` (0.05 = 5% slower) whose pipelines are all
 * needed anyway (by steps that are no decision, `fixed`, or by other decisions' picks), when the fastest one's are
 * not. Greedy over the decisions in order, repeated until nothing changes; a pick never moves to a slower candidate
 * unless that removes a pipeline.
 */
export function sharePipelines(
  decisions: ReadonlyMap<string, ShareCandidates>,
  fixed: ReadonlySet<string>,
  slack: number,
): Map<string, string> {
  const picks = new Map<string, string>();
  for (const [key, d] of decisions) {
    const ids = Object.keys(d.ms);
    if (ids.length)
      picks.set(
        key,
        ids.reduce((best, id) => (d.ms[id] < d.ms[best] ? id : best)),
      );
  }
  const uses = new Map<string, number>();
  const count = (keys: readonly string[], by: number) => {
    for (const k of new Set(keys)) uses.set(k, (uses.get(k) ?? 0) + by);
  };
  for (const [key, id] of picks) count(decisions.get(key)!.keys[id] ?? [], 1);
  const needed = (k: string) => fixed.has(k) || (uses.get(k) ?? 0) > 0;
  // a few passes settle it; the cap only guards against two decisions trading one pipeline back and forth
  for (let pass = 0, changed = true; changed && pass < 8; pass++) {
    changed = false;
    for (const [key, pick] of picks) {
      const d = decisions.get(key)!;
      const fastest = Math.min(...Object.values(d.ms));
      count(d.keys[pick] ?? [], -1);
      const own = (id: string) => (d.keys[id] ?? []).filter((k) => !needed(k)).length;
      // the candidate adding the fewest pipelines of its own, then the fastest, among those within the slack
      const best = Object.keys(d.ms)
        .filter((id) => d.ms[id] <= fastest * (1 + slack) && d.keys[id]?.length)
        .reduce((a, b) => (own(b) < own(a) || (own(b) === own(a) && d.ms[b] < d.ms[a]) ? b : a), pick);
      count(d.keys[best] ?? [], 1);
      if (best !== pick) {
        picks.set(key, best);
        changed = true;
      }
    }
  }
  return picks;
}
