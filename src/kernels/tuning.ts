// Kernel choice as data: a tunable kernel names a decision (a key for the node's exact shape, a coarser
// key for its shape class) and its candidates; a TuningLookup (a measured profile) picks one. Without a
// choice the decision's portable default runs: no trick that pays off on one driver only.
import type { KernelSelection } from './types.js';
import type { KnobOverrides } from './knobs.js';

/** Where a step's variant came from: a profile (shipped or passed in), measured at session creation, or the default. */
export type ChoiceSource = 'profile' | 'auto' | 'default';

export interface Choice {
  id: string;
  source: ChoiceSource;
}

/** What a selection records about the decision it made (shown by `kestrel profile` and `inspect`). */
export interface ChoiceRecord extends Choice {
  key: string;
  classKey: string;
  candidates: string[];
  defaultId: string;
}

export interface TuningLookup {
  /** The candidate to run for this decision, or undefined for the default. `ids` lists the valid candidates. */
  choose(key: string, classKey: string, ids: readonly string[]): Choice | undefined;
  /** Kernel knobs other than the frozen defaults (tests, ladders); see knobs.ts. */
  readonly knobs?: KnobOverrides;
}

export interface Candidate {
  id: string;
  /** The calls for this candidate, or null where it cannot run this node (e.g. a grid past the limits). */
  build(): KernelSelection | null;
}

export interface Decision {
  key: string;
  classKey: string;
  candidates: Candidate[];
  /** The portable default's id (one of `candidates`). */
  defaultId: string;
}

/** Runs the looked-up candidate, else the default, else the first candidate that builds. */
export function decide(d: Decision, tuning: TuningLookup | undefined): KernelSelection {
  const ids = d.candidates.map((c) => c.id);
  const picked = tuning?.choose(d.key, d.classKey, ids);
  const order: [string, Choice['source']][] = [];
  if (picked && ids.includes(picked.id)) order.push([picked.id, picked.source]);
  order.push([d.defaultId, 'default']);
  for (const id of ids) order.push([id, 'default']);
  for (const [id, source] of order) {
    const sel = d.candidates.find((c) => c.id === id)!.build();
    if (sel)
      return {
        ...sel,
        choice: { id, source, key: d.key, classKey: d.classKey, candidates: ids, defaultId: d.defaultId },
      };
  }
  throw new Error(`no candidate of decision '${d.key}' can run it`);
}

/** Powers of four: the size buckets of shape-class keys (1, 4, 16, 64, ...). */
export function bucket4(n: number): number {
  return n < 1 ? 0 : 4 ** Math.floor(Math.log(n) / Math.log(4) + 1e-9);
}

/** A lookup that always answers `id` where it is a candidate (tests, ladders, the tuner's rounds). */
export function forceChoice(id: string | ((ids: readonly string[], key: string) => string | undefined)): TuningLookup {
  return {
    choose(key, _classKey, ids) {
      const want = typeof id === 'string' ? id : id(ids, key);
      return want !== undefined && ids.includes(want) ? { id: want, source: 'profile' } : undefined;
    },
  };
}
