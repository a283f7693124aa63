// The adapter's own ceilings, measured on it: peak multiply-add throughput (f32, f16, int8 dot4), storage-buffer
// bandwidth and per-dispatch overhead, each the best over several kernel shapes, so that they are upper bounds.
// Profiles and kernels-bench express every kernel as % of these.
import { type GpuContext, adapterName } from '../runtime/device.js';
import type { PipelineCache } from '../runtime/pipelines.js';
import { grid1d } from '../kernels/params.js';
import { COUNT_PARAMS, NOOP_PARAMS, PEAK_PARAMS } from '../kernels/uniforms.js';
import type { UniformBytes } from '../core/uniform-struct.js';
import type { ShaderSpec } from '../shaders/assemble.js';
import { median } from '../core/stats.js';
import { type TimingSource, prepareDispatch, storageBuffer, timeDispatches } from './microbench.js';

export interface Ceilings {
  adapter: string;
  /** File-name-safe adapter id: results/<slug>/. */
  slug: string;
  measuredAt: string;
  timing: TimingSource;
  /** Best sample of the register-only FMA kernel. */
  f32Gflops: number;
  f16Gflops: number | null;
  /** dot4I8Packed: 8 ops (4 multiply-adds) each. */
  dot4Gops: number | null;
  /** Shader vec4 copy, read + write bytes: the best over working-set sizes (small ones stay in CPU caches). */
  copyGBs: number;
  /** The same per working set (MiB → GB/s). */
  copyGBsBySize?: Record<string, number>;
  /** copyBufferToBuffer, read + write bytes. */
  copyBufferGBs: number;
  /** Marginal cost of one more small dispatch inside one pass. */
  dispatchUs: number;
  /** One submit of one tiny dispatch plus the wait for it. */
  roundTripUs: number;
}

export function adapterSlug(ctx: GpuContext): string {
  const s = adapterName(ctx)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s.slice(0, 60) || 'unknown-adapter';
}

/** % of the roofline at this arithmetic intensity, and which bound applies. */
export function rooflinePct(
  c: Ceilings,
  flops: number,
  bytes: number,
  ms: number,
  peak: 'f32' | 'f16' | 'dot4' = 'f32',
): { pct: number; bound: 'compute' | 'memory' } | null {
  if (!(ms > 0) || (!flops && !bytes)) return null;
  const p = (peak === 'f16' ? c.f16Gflops : peak === 'dot4' ? c.dot4Gops : c.f32Gflops) ?? c.f32Gflops;
  const compute = flops / ms / 1e6 / p;
  const memory = bytes / ms / 1e6 / c.copyGBs;
  return compute >= memory ? { pct: 100 * compute, bound: 'compute' } : { pct: 100 * memory, bound: 'memory' };
}

/** One shape of a ceiling kernel; the ceiling is the best over shapes, so it bounds every real kernel. */
export interface PeakShape {
  wg: number;
  invocations: number;
  /** peak_fma only: fma() rather than a * m + c. */
  fused?: boolean;
}

/** Multiply-add operands of peak_fma.wgsl: the chains converge to c / (1 - m) = 1, no overflow, no denormals. */
export const FMA_M = 0.999;
export const FMA_C = 0.001;
/** Ops per loop trip per invocation: 8 vec4 chains x 2 rounds x 2 ops x 4 lanes; 8 dot4s x 8 ops. */
export const OPS_PER_ITER = { fma: 8 * 2 * 2 * 4, dot4: 8 * 8 } as const;

export function peakSpec(kind: 'f32' | 'f16' | 'dot4', shape: PeakShape): ShaderSpec {
  return kind === 'dot4'
    ? { file: 'bench/peak_dot4.wgsl', overrides: { WG: shape.wg } }
    : { file: 'bench/peak_fma.wgsl', prelude: { elem_t: kind }, overrides: { WG: shape.wg, FUSED: !!shape.fused } };
}

export function peakParams(kind: 'f32' | 'f16' | 'dot4', invocations: number, iters: number): UniformBytes {
  const fma = kind !== 'dot4';
  return PEAK_PARAMS.pack({ invocations, iters, m: fma ? FMA_M : 0, c: fma ? FMA_C : 0 });
}

/** Several workgroup sizes and grid sizes (enough workgroups for every core), both multiply-add forms. */
export function peakShapes(ctx: GpuContext, kind: 'f32' | 'f16' | 'dot4', quick: boolean): PeakShape[] {
  const wgs = [64, Math.min(256, ctx.limits.maxComputeInvocationsPerWorkgroup)];
  const grids = quick ? [1 << 15] : [1 << 15, 1 << 17];
  const forms = kind === 'dot4' ? [undefined] : [false, true];
  return wgs.flatMap((wg) => grids.flatMap((invocations) => forms.map((fused) => ({ wg, invocations, fused }))));
}

async function peakOps(
  ctx: GpuContext,
  cache: PipelineCache,
  kind: 'f32' | 'f16' | 'dot4',
  shape: PeakShape,
  targetMs: number,
  samples: number,
): Promise<{ gops: number; source: TimingSource }> {
  const opsPerIter = kind === 'dot4' ? OPS_PER_ITER.dot4 : OPS_PER_ITER.fma;
  const out = storageBuffer(ctx, shape.invocations * 16);
  const wg = grid1d(shape.invocations / shape.wg, ctx.limits.maxComputeWorkgroupsPerDimension);
  try {
    let iters = 16;
    // Grow the loop until one sample takes about targetMs, then keep the best sample.
    for (let round = 0; ; round++) {
      const d = await prepareDispatch(
        ctx,
        cache,
        peakSpec(kind, shape),
        peakParams(kind, shape.invocations, iters),
        [out],
        wg,
      );
      const ms = (await timeDispatches(ctx, [d], 1)).ms[0];
      if (ms < targetMs / 3 && round < 5) {
        iters = Math.min(1 << 22, Math.ceil(iters * Math.max(2, targetMs / Math.max(ms, 0.01))));
        continue;
      }
      const runs = await timeDispatches(ctx, [d], samples);
      const gops = Math.max(...runs.ms.map((t) => (shape.invocations * iters * opsPerIter) / t / 1e6));
      return { gops, source: runs.source };
    }
  } finally {
    out.destroy();
  }
}

async function bestPeak(
  ctx: GpuContext,
  cache: PipelineCache,
  kind: 'f32' | 'f16' | 'dot4',
  quick: boolean,
  targetMs: number,
  samples: number,
): Promise<{ gops: number; source: TimingSource }> {
  let best = { gops: 0, source: 'wall-clock' as TimingSource };
  for (const shape of peakShapes(ctx, kind, quick)) {
    const r = await peakOps(ctx, cache, kind, shape, targetMs, samples);
    if (r.gops > best.gops) best = r;
  }
  return best;
}

async function bandwidth(
  ctx: GpuContext,
  cache: PipelineCache,
  bytes: number,
  samples: number,
): Promise<{ shader: number; copy: number }> {
  const vec4s = bytes / 16;
  const src = storageBuffer(ctx, bytes);
  const dst = storageBuffer(ctx, bytes);
  try {
    let shader = 0;
    const wgs = [64, Math.min(256, ctx.limits.maxComputeInvocationsPerWorkgroup)];
    for (const wg of wgs) {
      for (const perLane of [1, 4]) {
        const d = await prepareDispatch(
          ctx,
          cache,
          { file: 'bench/copy_vec4.wgsl', overrides: { WG: wg, PER_LANE: perLane } },
          COUNT_PARAMS.pack({ count: vec4s }),
          [src, dst],
          grid1d(Math.ceil(vec4s / wg / perLane), ctx.limits.maxComputeWorkgroupsPerDimension),
        );
        await timeDispatches(ctx, [d], 1);
        const r = await timeDispatches(ctx, [d], samples);
        shader = Math.max(shader, ...r.ms.map((t) => (2 * bytes) / t / 1e6));
      }
    }
    const copies: number[] = [];
    for (let s = 0; s < samples; s++) {
      const enc = ctx.device.createCommandEncoder();
      enc.copyBufferToBuffer(src, 0, dst, 0, bytes);
      const t0 = performance.now();
      ctx.device.queue.submit([enc.finish()]);
      await ctx.device.queue.onSubmittedWorkDone();
      copies.push((2 * bytes) / (performance.now() - t0) / 1e6);
    }
    return { shader, copy: Math.max(...copies) };
  } finally {
    src.destroy();
    dst.destroy();
  }
}

async function dispatchCost(
  ctx: GpuContext,
  cache: PipelineCache,
  samples: number,
): Promise<{ dispatchUs: number; roundTripUs: number }> {
  const out = storageBuffer(ctx, 16);
  try {
    const d = await prepareDispatch(
      ctx,
      cache,
      { file: 'bench/noop.wgsl' },
      NOOP_PARAMS.pack({ value: 1 }),
      [out],
      [1, 1, 1],
    );
    await timeDispatches(ctx, [d], 2);
    const N = 200;
    const one = median((await timeDispatches(ctx, [d], samples, 1)).ms);
    const many = median((await timeDispatches(ctx, [d], samples, N)).ms);
    const trips = (await timeDispatches(ctx, [d], samples, 1, false)).ms;
    return { dispatchUs: (1000 * Math.max(0, many - one)) / (N - 1), roundTripUs: 1000 * median(trips) };
  } finally {
    out.destroy();
  }
}

export async function measureCeilings(
  ctx: GpuContext,
  cache: PipelineCache,
  opts: { quick?: boolean } = {},
): Promise<Ceilings> {
  const samples = opts.quick ? 3 : 7;
  const targetMs = opts.quick ? 30 : 80;
  const quick = !!opts.quick;
  const f32 = await bestPeak(ctx, cache, 'f32', quick, targetMs, samples);
  const f16 = ctx.features.shaderF16 ? (await bestPeak(ctx, cache, 'f16', quick, targetMs, samples)).gops : null;
  const dot4 = ctx.features.dot4 ? (await bestPeak(ctx, cache, 'dot4', quick, targetMs, samples)).gops : null;
  const sizes = opts.quick ? [1, 4, 16] : [1, 4, 16, 64];
  const bySize: Record<string, number> = {};
  let bw = { shader: 0, copy: 0 };
  for (const mib of sizes) {
    const r = await bandwidth(ctx, cache, mib << 20, samples);
    bySize[String(mib)] = r.shader;
    bw = { shader: Math.max(bw.shader, r.shader), copy: Math.max(bw.copy, r.copy) };
  }
  const dc = await dispatchCost(ctx, cache, samples);
  return {
    adapter: adapterName(ctx),
    slug: adapterSlug(ctx),
    measuredAt: new Date().toISOString(),
    timing: f32.source,
    f32Gflops: f32.gops,
    f16Gflops: f16,
    dot4Gops: dot4,
    copyGBs: bw.shader,
    copyGBsBySize: bySize,
    copyBufferGBs: bw.copy,
    ...dc,
  };
}

/** Ceilings are peaks, so on a shared machine the best of two measurements is the better estimate. */
export function mergeCeilings(a: Ceilings, b: Ceilings): Ceilings {
  const hi = (x: number | null, y: number | null) => (x === null ? y : y === null ? x : Math.max(x, y));
  const lo = (x: number, y: number) => (x > 0 && y > 0 ? Math.min(x, y) : Math.max(x, y));
  const sizes: Record<string, number> = { ...(a.copyGBsBySize ?? {}) };
  for (const [k, v] of Object.entries(b.copyGBsBySize ?? {})) sizes[k] = Math.max(sizes[k] ?? 0, v);
  return {
    ...b,
    f32Gflops: Math.max(a.f32Gflops, b.f32Gflops),
    f16Gflops: hi(a.f16Gflops, b.f16Gflops),
    dot4Gops: hi(a.dot4Gops, b.dot4Gops),
    copyGBs: Math.max(a.copyGBs, b.copyGBs),
    copyGBsBySize: sizes,
    copyBufferGBs: Math.max(a.copyBufferGBs, b.copyBufferGBs),
    dispatchUs: lo(a.dispatchUs, b.dispatchUs),
    roundTripUs: lo(a.roundTripUs, b.roundTripUs),
  };
}
