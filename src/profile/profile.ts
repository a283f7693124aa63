// Per-step profile of a planned forward pass: GPU timestamps per step (median over runs), work per step,
// and the fraction of the adapter's roofline each step reaches. Like `trtexec --dumpProfile`, per layer.
import { shapeStr } from '../core/shape.js';
import type { HostTensor } from '../core/tensor.js';
import { nodeBytes, nodeFlops } from '../ir/cost.js';
import type { Executor } from '../runtime/executor.js';
import { type Ceilings, rooflinePct } from './ceilings.js';
import { median } from '../core/stats.js';

export interface ProfileRow {
  index: number;
  /** The IR node this step belongs to, and the ONNX nodes fused into it. */
  node: string;
  origin: string[];
  op: string;
  variant: string;
  /** Where the variant came from: a tuning profile, 'auto' measurement, or the portable default ('' if fixed). */
  choice: string;
  inputs: string[];
  output: string;
  workgroups: [number, number, number];
  flops: number;
  bytes: number;
  /** GPU µs over the profiled runs by the report's statistic (median by default; null without timestamps). */
  us: number | null;
  minUs: number | null;
  meanUs: number | null;
  /** Median start of the step's pass, µs after the first step's (the timeline). */
  startUs: number | null;
  pct: number | null;
  gflops: number | null;
  gbs: number | null;
  ceilingPct: number | null;
  bound: 'compute' | 'memory' | null;
}

export interface GroupRow {
  key: string;
  steps: number;
  us: number | null;
  pct: number | null;
  flops: number;
  bytes: number;
  gflops: number | null;
}

export interface ProfileTotals {
  timing: 'timestamp' | 'wall-clock';
  /** How per-step times and the GPU time summarize the runs. */
  statistic: Statistic;
  iterations: number;
  steps: number;
  dispatches: number;
  /** (last step end - first step begin) over profiled runs, by the statistic. */
  gpuMs: number | null;
  /** Sum of the per-step figures. */
  stepSumMs: number | null;
  /** Sum of the per-step means: equals the mean GPU time less the gaps between steps. */
  stepMeanSumMs: number | null;
  meanGpuMs: number | null;
  /** Noise-free estimates: the sum of per-step minimums and the fastest run. */
  stepMinSumMs: number | null;
  minGpuMs: number | null;
  /** Median over runs of (sum of that run's steps / that run's GPU time): the share of GPU time inside steps. */
  coverage: number | null;
  /** Median wall-clock of an unprofiled run (inputs written, one submit, outputs read back). */
  wallMs: number;
  /** Median CPU time from createCommandEncoder to submit in an unprofiled run. */
  encodeMs: number | null;
  flops: number;
  bytes: number;
}

export interface ProfileReport {
  title: string;
  adapter: string;
  inputs: Record<string, number[]>;
  ceilings: Ceilings | null;
  ceilingsSource: string;
  totals: ProfileTotals;
  rows: ProfileRow[];
  byOp: GroupRow[];
  byVariant: GroupRow[];
  /** Cold start, when the caller measured it. */
  coldStart?: Record<string, number>;
  notes: string[];
}

export interface ProfileOptions {
  iterations?: number;
  /** median (default): typical; mean: steps add up exactly to the GPU time; min: the noise-free estimate. */
  statistic?: Statistic;
  warmup?: number;
  ceilings?: Ceilings | null;
  ceilingsSource?: string;
  /** false forces the wall-clock fallback (as on an adapter without timestamp-query). */
  timestamps?: boolean;
  title?: string;
  adapter?: string;
}

export type Statistic = 'median' | 'mean' | 'min';
const STATISTICS: Record<Statistic, (v: number[]) => number> = {
  median,
  mean: (v) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN),
  min: (v) => (v.length ? Math.min(...v) : NaN),
};

/** Times createCommandEncoder → submit of the next run by wrapping the device's methods for one call. */
async function timeEncode<T>(
  device: GPUDevice,
  work: () => Promise<T>,
): Promise<{ result: T; encodeMs: number | null }> {
  const queue = device.queue;
  const create = device.createCommandEncoder.bind(device);
  const submit = queue.submit.bind(queue);
  let t0 = NaN;
  let t1 = NaN;
  device.createCommandEncoder = (d?: GPUCommandEncoderDescriptor) => {
    if (Number.isNaN(t0)) t0 = performance.now();
    return create(d);
  };
  queue.submit = (cmds: Iterable<GPUCommandBuffer>) => {
    t1 = performance.now();
    return submit(cmds);
  };
  try {
    const result = await work();
    return { result, encodeMs: Number.isFinite(t1 - t0) ? t1 - t0 : null };
  } finally {
    device.createCommandEncoder = create;
    queue.submit = submit;
  }
}

/** FLOPs and bytes per step: the kernel's own count, else the IR estimate on the node's last call. */
function stepWork(ex: Executor): { flops: number; bytes: number }[] {
  const steps = ex.steps;
  const lastOf = new Map<unknown, number>();
  steps.forEach((s, i) => lastOf.set(s.node, i));
  return steps.map((s, i) => {
    const siblings = steps.filter((o) => o.node === s.node);
    const last = lastOf.get(s.node) === i;
    const flops =
      s.call.flops ?? (last && !siblings.some((o) => o.call.flops !== undefined) ? nodeFlops(ex.graph, s.node) : 0);
    const bytes =
      s.call.bytes ?? (last && !siblings.some((o) => o.call.bytes !== undefined) ? nodeBytes(ex.graph, s.node) : 0);
    return { flops, bytes };
  });
}

function shapeOf(ex: Executor, name: string): string {
  const v = name ? ex.graph.values.get(name) : undefined;
  return v ? shapeStr(v.shape) : '';
}

export function groupRows(rows: ProfileRow[], key: (r: ProfileRow) => string): GroupRow[] {
  const timed = rows.some((r) => r.us !== null);
  const total = rows.reduce((a, r) => a + (r.us ?? 0), 0);
  const m = new Map<string, GroupRow>();
  for (const r of rows) {
    const k = key(r);
    const g = m.get(k) ?? { key: k, steps: 0, us: timed ? 0 : null, pct: null, flops: 0, bytes: 0, gflops: null };
    g.steps++;
    if (g.us !== null) g.us += r.us ?? 0;
    g.flops += r.flops;
    g.bytes += r.bytes;
    m.set(k, g);
  }
  const out = [...m.values()];
  for (const g of out) {
    g.pct = g.us !== null && total > 0 ? (100 * g.us) / total : null;
    g.gflops = g.us ? g.flops / g.us / 1e3 : null;
  }
  return out.sort((a, b) => (b.us ?? 0) - (a.us ?? 0) || b.steps - a.steps);
}

/** Profiles `iterations` runs after `warmup` (the first run on lavapipe pays every LLVM compile). */
export async function profileExecutor(
  ex: Executor,
  feeds: Map<string, HostTensor>,
  opts: ProfileOptions = {},
): Promise<ProfileReport> {
  const iterations = Math.max(1, opts.iterations ?? 10);
  const warmup = Math.max(0, opts.warmup ?? 2);
  const useTs = (opts.timestamps ?? true) && ex.ctx.features.timestampQuery;
  const statistic = opts.statistic ?? 'median';
  const summarize = STATISTICS[statistic];
  const device = ex.ctx.device;
  for (let i = 0; i < warmup; i++) await ex.run(feeds, useTs);

  const perStep: number[][] = ex.steps.map(() => []);
  const starts: number[][] = ex.steps.map(() => []);
  const spans: number[] = [];
  const coverage: number[] = [];
  const walls: number[] = [];
  const encodes: number[] = [];
  // Unprofiled and profiled runs alternate so drift on a shared machine hits both alike.
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    const { encodeMs } = await timeEncode(device, () => ex.run(feeds, false));
    walls.push(performance.now() - t0);
    if (encodeMs !== null) encodes.push(encodeMs);
    if (useTs) {
      const r = await ex.run(feeds, true);
      r.timings?.forEach((t, k) => {
        perStep[k].push(t.gpuMs);
        if (t.startMs !== undefined) starts[k].push(t.startMs);
      });
      if (r.gpuMs !== undefined && r.timings) {
        spans.push(r.gpuMs);
        if (r.gpuMs > 0) coverage.push(r.timings.reduce((a, t) => a + t.gpuMs, 0) / r.gpuMs);
      }
    }
  }

  const work = stepWork(ex);
  const rows: ProfileRow[] = ex.steps.map((s, i) => {
    const ms = useTs ? summarize(perStep[i]) : NaN;
    const has = Number.isFinite(ms);
    const roof = has && opts.ceilings ? rooflinePct(opts.ceilings, work[i].flops, work[i].bytes, ms) : null;
    return {
      index: i,
      node: s.node.name,
      origin: s.node.origin?.length ? [...s.node.origin] : [s.node.name],
      op: s.node.op,
      variant: s.call.variant,
      choice: s.choice?.source ?? '',
      inputs: s.node.inputs.filter(Boolean).map((n) => shapeOf(ex, n)),
      output: shapeOf(ex, s.node.outputs[0]),
      workgroups: s.call.workgroups,
      flops: work[i].flops,
      bytes: work[i].bytes,
      us: has ? ms * 1000 : null,
      minUs: has ? Math.min(...perStep[i]) * 1000 : null,
      meanUs: has ? (1000 * perStep[i].reduce((a, b) => a + b, 0)) / perStep[i].length : null,
      startUs: starts[i].length ? median(starts[i]) * 1000 : null,
      pct: null,
      gflops: has && ms > 0 && work[i].flops ? work[i].flops / ms / 1e6 : null,
      gbs: has && ms > 0 && work[i].bytes ? work[i].bytes / ms / 1e6 : null,
      ceilingPct: roof?.pct ?? null,
      bound: roof?.bound ?? null,
    };
  });
  const stepSum = useTs ? rows.reduce((a, r) => a + (r.us ?? 0), 0) / 1000 : null;
  for (const r of rows) r.pct = r.us !== null && stepSum ? (100 * r.us) / 1000 / stepSum : null;
  const totals: ProfileTotals = {
    timing: useTs ? 'timestamp' : 'wall-clock',
    statistic,
    iterations,
    steps: rows.length,
    dispatches: ex.steps.filter((s) => s.call.workgroups[0] * s.call.workgroups[1] * s.call.workgroups[2] > 0).length,
    gpuMs: useTs ? summarize(spans) : null,
    stepSumMs: stepSum,
    stepMeanSumMs: useTs ? rows.reduce((a, r) => a + (r.meanUs ?? 0), 0) / 1000 : null,
    meanGpuMs: useTs && spans.length ? spans.reduce((a, b) => a + b, 0) / spans.length : null,
    stepMinSumMs: useTs ? rows.reduce((a, r) => a + (r.minUs ?? 0), 0) / 1000 : null,
    minGpuMs: useTs && spans.length ? Math.min(...spans) : null,
    coverage: coverage.length ? median(coverage) : null,
    wallMs: median(walls),
    encodeMs: encodes.length ? median(encodes) : null,
    flops: work.reduce((a, w) => a + w.flops, 0),
    bytes: work.reduce((a, w) => a + w.bytes, 0),
  };
  const notes: string[] = [];
  if (!useTs) {
    notes.push(
      ex.ctx.features.timestampQuery
        ? 'GPU timestamps switched off: only the wall-clock time of whole runs is measured; per-step times are absent.'
        : 'The adapter lacks timestamp-query: only the wall-clock time of whole runs is measured; per-step times are ' +
            'absent.',
    );
  } else {
    notes.push(
      'Profiled runs give each step its own compute pass (for its timestamps); the wall time is from unprofiled runs ' +
        '(one pass).',
    );
    const { stepSumMs: sum, gpuMs: gpu, stepMeanSumMs: meanSum, meanGpuMs: meanGpu } = totals;
    if (sum !== null && gpu && Math.abs(sum / gpu - 1) > 0.1) {
      const meanPct = meanSum && meanGpu ? ((100 * meanSum) / meanGpu).toFixed(0) : '?';
      const minPct =
        totals.stepMinSumMs && totals.minGpuMs ? ((100 * totals.stepMinSumMs) / totals.minGpuMs).toFixed(0) : '?';
      notes.push(
        `The per-step ${statistic === 'min' ? 'minimums' : `${statistic}s`} sum to ` +
          `${((100 * sum) / gpu).toFixed(0)}% of the median GPU time: the runs were noisy (on a shared CPU, ` +
          `preemption lands on random steps; the per-step means sum to ${meanPct}% of the mean GPU time, ` +
          `the per-step minimums to ${minPct}% of the fastest run). Raise --iterations, use --stat mean, ` +
          'or profile on a quieter machine.',
      );
    }
  }
  return {
    title: opts.title ?? 'Kestrel profile',
    adapter: opts.adapter ?? '',
    inputs: Object.fromEntries([...feeds].map(([k, t]) => [k, [...t.shape]])),
    ceilings: opts.ceilings ?? null,
    ceilingsSource: opts.ceilingsSource ?? (opts.ceilings ? 'given' : 'none'),
    totals,
    rows,
    byOp: groupRows(rows, (r) => r.op),
    byVariant: groupRows(rows, (r) => r.variant),
    notes,
  };
}
