// The `tuning` session option -> the lookup a plan is built with.
import { allocTyped } from '../../core/dtype.js';
import { sizeOf } from '../../core/shape.js';
import type { HostTensor } from '../../core/tensor.js';
import type { Graph } from '../../ir/graph.js';
import type { ChoiceSource, TuningLookup } from '../../kernels/tuning.js';
import type { GpuContext } from '../device.js';
import type { PipelineCache } from '../pipelines.js';
import { NO_TUNING, layeredLookup, profileLookup, shippedFor } from './lookup.js';
import { type TuningProfile, mergeProfiles, parseProfile, profileApplies } from './profile.js';
import { type TuningStore, defaultStore, storeKey } from './store.js';
import { tuneGraph } from './tuner.js';

/**
 * 'off': portable defaults. A profile (or several): those measured on this adapter, over the shipped ones.
 * 'auto': the shipped profile and the store's, and decisions neither names exactly are measured now,
 * within `budgetMs`, and saved to the store. Unset: the shipped profile for this adapter, if any.
 */
export type TuningOption = 'off' | 'auto' | TuningProfile | TuningProfile[];

export interface AutoTuneOptions {
  store?: TuningStore;
  /** Time 'auto' may spend measuring at session creation (default 5000 ms). */
  budgetMs?: number;
}

export const AUTO_TUNE_BUDGET_MS = 5000;

const warned = new Set<string>();

export async function resolveTuning(
  ctx: GpuContext,
  cache: PipelineCache,
  graph: Graph,
  option: TuningOption | undefined,
  auto: AutoTuneOptions = {},
): Promise<TuningLookup> {
  if (option === 'off') return NO_TUNING;
  const shipped = shippedFor(ctx);
  if (option === undefined) return shipped.length ? profileLookup(shipped) : NO_TUNING;
  if (option !== 'auto') {
    const given = (Array.isArray(option) ? option : [option]).map((p, i) => parseProfile(p, `tuning profile ${i}`));
    const mine = given.filter((p) => profileApplies(p, ctx.info));
    for (const p of given.filter((q) => !mine.includes(q))) {
      const why = `tuning profile for '${p.adapter.description}' (Kestrel ${p.kestrel}) does not apply here`;
      if (!warned.has(why))
        console.warn(`kestrel: ${why}; using ${shipped.length ? 'the shipped' : 'portable'} choices`);
      warned.add(why);
    }
    return profileLookup([...shipped, ...mine]);
  }
  const store = auto.store ?? (await defaultStore());
  const key = storeKey(ctx.info);
  const stored = await store.load(key);
  const known = [...shipped, ...(stored ? [stored] : [])];
  const exact = new Set(known.flatMap((p) => Object.keys(p.entries)));
  const measured = await tuneGraph(ctx, cache, graph, randomFeeds(graph), {
    budgetMs: auto.budgetMs ?? AUTO_TUNE_BUDGET_MS,
    skip: (k) => exact.has(k),
    label: 'auto',
  });
  let mineNow = stored;
  if (Object.keys(measured.entries).length) {
    mineNow = stored ? mergeProfiles(stored, measured) : measured;
    await store.save(key, mineNow);
  }
  const layers: { profile: TuningProfile; source: ChoiceSource }[] = shipped.map((profile) => ({
    profile,
    source: 'profile',
  }));
  if (mineNow) layers.push({ profile: mineNow, source: 'auto' });
  return layeredLookup(layers);
}

/** Uniform [-1, 1) floats (small integers for integer inputs): kernels' time does not depend on values. */
export function randomFeeds(graph: Graph): Map<string, HostTensor> {
  const feeds = new Map<string, HostTensor>();
  let s = 12345;
  for (const name of graph.inputs) {
    const v = graph.values.get(name)!;
    const data = allocTyped(v.dtype, sizeOf(v.shape));
    for (let i = 0; i < data.length; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      const r = s / 4294967296;
      if (data instanceof Float32Array) data[i] = r * 2 - 1;
      else if (data instanceof BigInt64Array) data[i] = BigInt(Math.floor(r * 4));
      else (data as Int32Array)[i] = Math.floor(r * 4);
    }
    feeds.set(name, { dtype: v.dtype, shape: v.shape, data });
  }
  return feeds;
}
