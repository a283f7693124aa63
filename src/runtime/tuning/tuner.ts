// Measures kernel candidates on the device. Round r runs the whole plan with every undecided decision on
// its r-th candidate, so one profiled run times a candidate of every node at once (GPU timestamps per
// step); the winner of each decision is the candidate with the least median time per node.
import { KestrelError } from '../../core/errors.js';
import { median } from '../../core/stats.js';
import type { HostTensor } from '../../core/tensor.js';
import type { Graph } from '../../ir/graph.js';
import type { TuningLookup } from '../../kernels/tuning.js';
import { buildSchedule } from '../../plan/schedule.js';
import type { GpuContext } from '../device.js';
import { Executor, type RunResult, kernelCaps } from '../executor.js';
import type { PipelineCache } from '../pipelines.js';
import { pipelineKey } from '../../shaders/assemble.js';
import { type TunedEntry, type TuningProfile, deriveClasses, emptyProfile, round3 } from './profile.js';
import { type ShareCandidates, sharePipelines } from './share.js';

export interface TuneOptions {
  /** Stop starting new rounds after this many ms (a round in progress finishes; the first always runs). No default. */
  budgetMs?: number;
  /** Profiled runs per candidate in all (median taken), spread over the passes. Default 3. */
  runs?: number;
  /** Passes over the rounds; each builds, warms up, times and releases every round in turn. Default min(3, runs). */
  passes?: number;
  /**
   * Per-candidate statistic over its runs. Default 'median'; 'min' where other processes share the device's
   * cores (a software adapter on a busy CPU): being descheduled only ever adds time, so the least is the estimate.
   */
  stat?: 'median' | 'min';
  /**
   * Take a candidate up to this fraction slower than the fastest where that saves the plan a pipeline (one the
   * fastest alone would need): fewer compiles at the first run. Default 0.05; 0 picks the fastest always.
   */
  shareSlack?: number;
  /** Called after each round is released (Node: a forced GC, so the driver frees the dropped pipelines now). */
  collect?: () => void;
  /** Decisions already decided by this lookup (an exact entry) are not measured again. */
  skip?: (key: string) => boolean;
  /** Names the model in each entry's `where`. */
  label?: string;
  log?: (line: string) => void;
}

interface Pending {
  classKey: string;
  defaultId: string;
  ids: string[];
  nodes: Set<string>;
  ms: Map<string, number[]>;
  /** Pipeline keys per candidate that ran (sharePipelines). */
  keys: Map<string, Set<string>>;
}

/** The decisions of a graph: key -> class, candidates to measure, and nodes. */
export function decisionsOf(ctx: GpuContext, graph: Graph): Map<string, Pending> {
  const found = new Map<string, Pending>();
  const recorder: TuningLookup = { choose: () => undefined };
  const schedule = buildSchedule(graph, kernelCaps(ctx), undefined, {
    align: ctx.limits.minStorageBufferOffsetAlignment,
    keep: new Set(graph.outputs),
    tuning: recorder,
  });
  for (const s of schedule.steps) {
    const c = s.choice;
    if (!c || c.candidates.length < 2) continue;
    const p = found.get(c.key) ?? {
      classKey: c.classKey,
      defaultId: c.defaultId,
      ids: c.candidates,
      nodes: new Set<string>(),
      ms: new Map<string, number[]>(),
      keys: new Map<string, Set<string>>(),
    };
    p.nodes.add(s.node.name);
    found.set(c.key, p);
  }
  return found;
}

/** Candidates that are never worth timing where another runs: the direct conv is the fallback of last resort. */
const NOT_MEASURED = new Set(['direct']);

export async function tuneGraph(
  ctx: GpuContext,
  cache: PipelineCache,
  graph: Graph,
  feeds: Map<string, HostTensor>,
  opts: TuneOptions = {},
): Promise<TuningProfile> {
  if (!ctx.features.timestampQuery)
    throw new KestrelError('USAGE', 'tuning needs the adapter feature timestamp-query (per-step GPU times)');
  const t0 = performance.now();
  const runs = opts.runs ?? 3;
  const passes = Math.max(1, Math.min(opts.passes ?? 3, runs));
  const perPass = Math.ceil(runs / passes);
  const log = opts.log ?? (() => {});
  const pending = new Map([...decisionsOf(ctx, graph)].filter(([k]) => !opts.skip?.(k)));
  for (const p of pending.values()) p.ids = p.ids.filter((id) => !NOT_MEASURED.has(id));
  const rounds = Math.max(0, ...[...pending.values()].map((p) => p.ids.length));
  log(`tune: ${pending.size} decisions, ${rounds} rounds, ${passes} passes of ${perPass} runs`);
  // One round's plan is alive at a time (its buffers and the pipelines only it uses are freed before the next
  // is built), so peak memory is one plan's; each pass times every round in turn, so drift in the machine's
  // speed (other processes, clocks) falls on every candidate alike.
  const before = new Set(cache.keys()); // pipelines of the caller's, never evicted
  const fixed = new Set<string>(); // pipelines of the steps no decision measured
  let built = 0;
  passes: for (let pass = 0; pass < passes; pass++) {
    for (let r = 0; r < rounds; r++) {
      if ((pass > 0 || r > 0) && opts.budgetMs !== undefined && performance.now() - t0 > opts.budgetMs) {
        log(`tune: budget of ${opts.budgetMs} ms spent at pass ${pass + 1}, round ${r + 1} of ${rounds}`);
        break passes;
      }
      const lookup: TuningLookup = {
        choose: (key) => {
          const id = pending.get(key)?.ids[r];
          return id === undefined ? undefined : { id, source: 'auto' };
        },
      };
      const ex = await Executor.create(ctx, cache, graph, { tuning: lookup });
      notePipelines(ex, pending, fixed);
      try {
        await ex.run(feeds); // the first dispatch compiles on some drivers
        for (let i = 0; i < perPass; i++) record(pending, ex, await ex.run(feeds, true));
      } finally {
        ex.release();
        cache.evict(roundOnly(ex, pending, before));
        opts.collect?.();
      }
      if (pass === 0) built++;
    }
  }
  log(`tune: ${built} rounds measured in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const profile = emptyProfile(ctx.info);
  profile.timing = 'timestamps';
  const measured = new Map<string, ShareCandidates>();
  for (const [key, p] of pending) {
    const ms = Object.fromEntries([...p.ms].map(([id, list]) => [id, round3(candidateStat(list, opts.stat))]));
    // with every round built, a decision only one candidate could run is decided too (so 'auto' never re-measures
    // it); after a budget cut it stays open for a later run
    if (Object.keys(ms).length < (built === rounds ? 1 : 2)) continue;
    measured.set(key, { ms, keys: Object.fromEntries([...p.keys].map(([id, k]) => [id, [...k]])) });
  }
  const picks = sharePipelines(measured, fixed, opts.shareSlack ?? 0.05);
  const moved = [...measured].filter(([key, { ms }]) => ms[picks.get(key)!] > Math.min(...Object.values(ms)));
  if (moved.length)
    log(
      `tune: ${moved.length} decisions take a candidate within ${(opts.shareSlack ?? 0.05) * 100}% of their ` +
        `fastest that runs on a pipeline the plan builds anyway: ${moved.map(([k]) => picks.get(k)).join(', ')}`,
    );
  for (const [key, { ms }] of measured) {
    const p = pending.get(key)!;
    const pick = picks.get(key)!;
    const where = `${opts.label ? `${opts.label}: ` : ''}${[...p.nodes].slice(0, 3).join(', ')}`;
    profile.entries[key] = { pick, ms, default: p.defaultId, classKey: p.classKey, where } satisfies TunedEntry;
  }
  profile.classes = deriveClasses(profile.entries);
  return profile;
}

/** Records which pipelines each decision's candidate of this round runs on, and those of the other steps. */
function notePipelines(ex: Executor, pending: Map<string, Pending>, fixed: Set<string>): void {
  for (const s of ex.steps) {
    const p = s.choice ? pending.get(s.choice.key) : undefined;
    if (!p) fixed.add(pipelineKey(s.spec));
    else p.keys.set(s.choice!.id, (p.keys.get(s.choice!.id) ?? new Set()).add(pipelineKey(s.spec)));
  }
}

/** The pipelines only this round's candidates use: those of other steps are the same in every round. */
function roundOnly(ex: Executor, pending: Map<string, Pending>, keep: Set<string>): string[] {
  const tuned = (s: Executor['steps'][number]) => s.choice !== undefined && pending.has(s.choice.key);
  const shared = new Set(ex.steps.filter((s) => !tuned(s)).map((s) => pipelineKey(s.spec)));
  const own = ex.steps.filter(tuned).map((s) => pipelineKey(s.spec));
  return [...new Set(own)].filter((k) => !shared.has(k) && !keep.has(k));
}

/** Adds one profiled run's per-node time to each decision's candidate that ran. */
function record(pending: Map<string, Pending>, ex: Executor, res: RunResult): void {
  const perKey = new Map<string, { id: string; ms: number }>();
  res.timings?.forEach((t) => {
    const c = ex.steps[t.index].choice;
    if (!c || !pending.has(c.key)) return;
    const e = perKey.get(c.key) ?? { id: c.id, ms: 0 };
    e.ms += t.gpuMs;
    perKey.set(c.key, e);
  });
  for (const [key, { id, ms }] of perKey) {
    const p = pending.get(key)!;
    // the round's candidate may not build for this node and the default ran instead: file it under what ran
    if (p.ids.includes(id)) p.ms.set(id, [...(p.ms.get(id) ?? []), ms / p.nodes.size]);
  }
}

/** A candidate's time from its runs: the median, or the least (see TuneOptions.stat). */
export function candidateStat(xs: number[], stat: TuneOptions['stat'] = 'median'): number {
  return stat === 'min' ? Math.min(...xs) : median(xs);
}
