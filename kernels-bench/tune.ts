// `--tune`: searches a kernel's knobs (tile and workgroup sizes) per case by coordinate descent from the
// default, keeps only configurations whose output matches the CPU reference, and writes the best per
// (adapter, shape class) to results/<adapter>/tuning.json. Generic: a Tunable names its knob space and
// turns a knob assignment into a kernel selection.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_KNOBS } from '../src/kernels/knobs.js';
import { matmulGeometry, tiledCall } from '../src/kernels/matmul.js';
import type { KernelCaps } from '../src/kernels/types.js';
import { median } from '../src/core/stats.js';
import type { SelectOverride } from '../src/plan/schedule.js';
import type { GpuContext } from '../src/runtime/device.js';
import type { PipelineCache } from '../src/runtime/pipelines.js';
import type { KernelCase } from './cases/types.js';
import { caseData, prepareRung } from './kernel-runner.js';
import { knobbed } from './ladders.js';
import { referenceFor } from './ref.js';
import { ERROR_TOLERANCE, type TuneResult } from './results.js';

export type Knobs = Record<string, number | boolean>;

export interface Tunable {
  /** Which cases it applies to. */
  applies(c: KernelCase): boolean;
  space: Record<string, (number | boolean)[]>;
  start: Knobs;
  select(knobs: Knobs): SelectOverride;
}

export const TUNABLES: Tunable[] = [
  {
    applies: (c) => c.family === 'matmul',
    space: { tm: [8, 16, 32], tnv: [1, 2], wg: [8, 16, 32, 64], sg: [true, false] },
    start: { tm: 16, tnv: 2, wg: 8, sg: true },
    // matmul has no knobs in src/kernels/knobs.ts (conv has), so this drives its tiled call directly.
    select: (k) => (node, caps: KernelCaps) => {
      if (node.op !== 'matmul') throw new Error(`the matmul tunable was applied to a ${node.op} node`);
      const knobs = { tm: Number(k.tm), tnv: Number(k.tnv), wg: Number(k.wg) };
      return { calls: [tiledCall(matmulGeometry(node), caps, k.sg && caps.subgroups ? 'sg' : 'plain', knobs)] };
    },
  },
  {
    applies: (c) => c.family === 'conv3x3' || c.family === 'conv1x1',
    space: { tm: [8, 16], tn: [4, 8, 16], wg: [32, 64, 128] },
    start: { tm: DEFAULT_KNOBS.conv.tm, tn: DEFAULT_KNOBS.conv.tn, wg: DEFAULT_KNOBS.conv.wg },
    select: (k) => knobbed({ conv: { tm: Number(k.tm), tn: Number(k.tn), wg: Number(k.wg) } }),
  },
];

const bucket = (n: number) => 2 ** Math.ceil(Math.log2(Math.max(1, n)));

/** Cases whose best knobs should agree share a class (sizes rounded up to powers of two). */
export function shapeClass(c: KernelCase): string {
  const [x, w] = c.inputs.map((i) => i.shape);
  if (c.op === 'matmul')
    return `matmul m${bucket(x[x.length - 2])} n${bucket(w[w.length - 1])} k${bucket(x[x.length - 1])}`;
  if (c.op === 'conv') {
    const a = c.attrs as { strides: number[] };
    return `conv${w[2]}x${w[3]}s${a.strides[0]} cin${bucket(x[1])} cout${bucket(w[0])} w${bucket(x[3])}`;
  }
  return c.id;
}

export async function tuneCase(
  ctx: GpuContext,
  cache: PipelineCache,
  c: KernelCase,
  t: Tunable,
  samples: number,
  log: (s: string) => void,
): Promise<TuneResult> {
  const data = caseData(c);
  const ref = referenceFor(c, data.inputs);
  const tried = new Map<string, TuneResult['tried'][number]>();
  const measure = async (k: Knobs) => {
    const key = JSON.stringify(k);
    const hit = tried.get(key);
    if (hit) return hit;
    let entry: TuneResult['tried'][number] = { knobs: k, ms: null, ok: null, variants: [] };
    try {
      const r = await prepareRung(ctx, cache, data, { name: key, select: t.select(k) });
      try {
        const err = await r.check(ref);
        const ok = err === null ? null : Number.isFinite(err) && err <= ERROR_TOLERANCE;
        const times: number[] = [];
        if (ok !== false) {
          await r.sample();
          for (let i = 0; i < samples; i++) times.push(await r.sample());
        }
        entry = { knobs: k, ms: times.length ? median(times) : null, ok, variants: r.variants };
      } finally {
        r.release();
      }
    } catch {
      /* a knob combination the kernel rejects */
    }
    tried.set(key, entry);
    log(
      `  tune ${c.id} ${key}: ${entry.ms === null ? (entry.ok === false ? 'WRONG' : 'rejected') : `${entry.ms.toFixed(3)} ms`}`,
    );
    return entry;
  };
  let best = t.start;
  let bestMs = (await measure(best)).ms ?? Infinity;
  const defaultMs = Number.isFinite(bestMs) ? bestMs : null;
  for (let pass = 0; pass < 2; pass++) {
    let improved = false;
    for (const [name, values] of Object.entries(t.space)) {
      for (const v of values) {
        if (best[name] === v) continue;
        const k = { ...best, [name]: v };
        const r = await measure(k);
        if (r.ms !== null && r.ok !== false && r.ms < bestMs * 0.97) {
          best = k;
          bestMs = r.ms;
          improved = true;
        }
      }
    }
    if (!improved) break;
  }
  return {
    id: c.id,
    family: c.family,
    shapeClass: shapeClass(c),
    tried: [...tried.values()],
    best: Number.isFinite(bestMs) ? best : null,
    bestMs: Number.isFinite(bestMs) ? bestMs : null,
    defaultMs,
  };
}

/** Merges results into <dir>/<slug>/tuning.json: best knobs per shape class. */
export function writeTuningCache(dir: string, slug: string, adapter: string, results: TuneResult[]): string {
  const path = join(dir, slug, 'tuning.json');
  const doc = (existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : { adapter, slug, entries: {} }) as {
    adapter: string;
    slug: string;
    entries: Record<string, { case: string; ms: number } & Record<string, unknown>>;
  };
  for (const r of results) {
    if (!r.best || r.bestMs === null) continue;
    const prev = doc.entries[r.shapeClass];
    if (!prev || prev.case === r.id || r.bestMs < prev.ms) {
      doc.entries[r.shapeClass] = {
        family: r.family,
        case: r.id,
        knobs: r.best,
        ms: r.bestMs,
        defaultMs: r.defaultMs,
        date: new Date().toISOString(),
      };
    }
  }
  mkdirSync(join(dir, slug), { recursive: true });
  writeFileSync(path, `${JSON.stringify(doc, null, 2)}\n`);
  return path;
}
