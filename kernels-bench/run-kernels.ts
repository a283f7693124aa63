// Runs the kernel ladders: every rung of every case, checked against the CPU reference, timed, and the
// registry's choice paired with TF.js (interleaved A B A B) where TF.js has the op.
import { type Ceilings, rooflinePct } from '../src/profile/ceilings.js';
import { median } from '../src/core/stats.js';
import type { GpuContext } from '../src/runtime/device.js';
import type { PipelineCache } from '../src/runtime/pipelines.js';
import { kernelCaps } from '../src/runtime/executor.js';
import { buildSchedule } from '../src/plan/schedule.js';
import type { KernelCase } from './cases/types.js';
import { caseData, prepareRung, type PreparedRung } from './kernel-runner.js';
import { type Rung, rungsFor } from './ladders.js';
import type { TfPeer } from './peers/tfjs.js';
import { referenceFor } from './ref.js';
import { countsEffectiveFlops } from './ceiling-check.js';
import { type CaseResult, ERROR_TOLERANCE, type PeerResult, type RungResult } from './results.js';

export interface KernelRunOptions {
  samples: number;
  quick?: boolean;
  tfjs: TfPeer | null;
  log: (s: string) => void;
}

const short = (e: unknown) => ((e as Error)?.message ?? String(e)).split('\n')[0];

export async function runCase(
  ctx: GpuContext,
  cache: PipelineCache,
  c: KernelCase,
  ceilings: Ceilings,
  o: KernelRunOptions,
): Promise<CaseResult> {
  const data = caseData(c);
  const t0 = performance.now();
  const ref = referenceFor(c, data.inputs);
  const refMs = ref ? performance.now() - t0 : null;
  const shapes = `${c.inputs.map((i) => i.shape.join('x')).join(' · ')} → ${data.outShape.join('x')}`;
  const result: CaseResult = {
    id: c.id,
    family: c.family,
    source: c.source,
    op: c.op,
    shapes,
    flops: data.flops,
    bytes: data.bytes,
    intensity: data.bytes ? data.flops / data.bytes : 0,
    refMs,
    rungs: [],
    best: null,
  };
  let defaultRung: PreparedRung | null = null;
  // A knob the kernel ignores at this shape gives the registry's own kernel again: keep only 'default'.
  const keyOf = (select: Rung['select']) => {
    try {
      return buildSchedule(data.graph, kernelCaps(ctx), select)
        .steps.map((s) => `${s.call.variant}|${JSON.stringify(s.spec)}`)
        .join('+');
    } catch {
      return null;
    }
  };
  const all = rungsFor(c);
  const defaultKey = keyOf(undefined);
  const rungs = all
    .filter((r) => r.name === 'default' || keyOf(r.select) !== defaultKey || defaultKey === null)
    .filter((r) => !(o.quick && r.baseline && data.flops > 5e8));
  for (const rung of rungs) {
    let prepared: PreparedRung | null = null;
    try {
      prepared = await prepareRung(ctx, cache, data, rung);
      const maxError = await prepared.check(ref);
      const first = await prepared.sample();
      // Slow rungs (a naive kernel on a big problem) get fewer samples.
      const n = first > 250 ? Math.min(3, o.samples) : o.samples;
      const times: number[] = [];
      for (let i = 0; i < n; i++) times.push(await prepared.sample());
      const ms = median(times);
      const roof = rooflinePct(ceilings, data.flops, data.bytes, ms);
      const ok = maxError === null ? null : Number.isFinite(maxError) && maxError <= ERROR_TOLERANCE;
      result.rungs.push({
        rung: rung.name,
        variants: prepared.variants,
        ms,
        gflops: data.flops ? data.flops / ms / 1e6 : null,
        gbs: data.bytes / ms / 1e6,
        ceilingPct: roof?.pct ?? null,
        bound: roof?.bound ?? null,
        maxError,
        ok,
        ...(countsEffectiveFlops(prepared.variants) ? { effectiveFlops: true } : {}),
      });
      o.log(
        `  ${c.id} [${rung.name}: ${prepared.variants.join('+')}] ${ms.toFixed(3)} ms, ${(data.flops / ms / 1e6).toFixed(2)} GFLOP/s, err ${maxError === null ? '-' : maxError.toExponential(1)}${ok === false ? '  WRONG NUMBERS' : ''}`,
      );
      if (rung.name === 'default') {
        defaultRung = prepared;
        prepared = null;
      }
    } catch (e) {
      result.rungs.push({
        rung: rung.name,
        variants: [],
        ms: null,
        gflops: null,
        gbs: null,
        ceilingPct: null,
        bound: null,
        maxError: null,
        ok: null,
        error: short(e),
      });
      o.log(`  ${c.id} [${rung.name}] error: ${short(e)}`);
    } finally {
      prepared?.release();
    }
  }
  const good = result.rungs.filter((r) => r.ms !== null && r.ok !== false);
  result.best = good.length ? good.reduce((a, b) => (b.ms! < a.ms! ? b : a)).rung : null;
  if (c.tfjs && o.tfjs && defaultRung) result.peer = await pairWithTfjs(c, data.inputs, ref, defaultRung, o);
  defaultRung?.release();
  return result;
}

async function pairWithTfjs(
  c: KernelCase,
  inputs: Parameters<TfPeer['prepare']>[1],
  ref: ArrayLike<number> | null,
  kestrel: PreparedRung,
  o: KernelRunOptions,
): Promise<PeerResult> {
  const tf = o.tfjs!;
  const base = {
    peer: 'tfjs-webgpu' as const,
    version: tf.version,
    timing: tf.timing,
    pairs: 0,
    peerMaxError: null,
    kestrelMs: NaN,
    peerMs: NaN,
    ratio: NaN,
  };
  const op = tf.prepare(c, inputs);
  if (!op) return { ...base, error: 'TF.js has no matching op' };
  try {
    const peerMaxError = await op.check(ref);
    await op.sample();
    const a: number[] = [];
    const b: number[] = [];
    const first = await op.sample();
    const pairs = first > 250 ? Math.min(3, o.samples) : o.samples;
    for (let i = 0; i < pairs; i++) {
      a.push(await kestrel.sample());
      b.push(await op.sample());
    }
    const kestrelMs = median(a);
    const peerMs = median(b);
    o.log(
      `  ${c.id} vs TF.js: ${kestrelMs.toFixed(3)} ms vs ${peerMs.toFixed(3)} ms → ${(peerMs / kestrelMs).toFixed(2)}x`,
    );
    return { ...base, kestrelMs, peerMs, ratio: peerMs / kestrelMs, pairs: a.length, peerMaxError };
  } catch (e) {
    return { ...base, error: short(e) };
  } finally {
    op.release();
  }
}

export function familyBests(
  cases: CaseResult[],
): { family: CaseResult['family']; bestCeilingPct: number | null; bestCase: string | null; bound: string | null }[] {
  const fams = [...new Set(cases.map((c) => c.family))];
  return fams.map((family) => {
    let best: { pct: number; id: string; bound: string } | null = null;
    for (const c of cases.filter((k) => k.family === family)) {
      for (const r of c.rungs) {
        if (r.ceilingPct === null || r.ok === false || r.effectiveFlops) continue;
        if (!best || r.ceilingPct > best.pct)
          best = { pct: r.ceilingPct, id: `${c.id} [${r.rung}]`, bound: r.bound ?? '' };
      }
    }
    return { family, bestCeilingPct: best?.pct ?? null, bestCase: best?.id ?? null, bound: best?.bound ?? null };
  });
}

export type { RungResult };
