// kernels-bench's ceiling check: correct kernels above 100% of the ceiling fail the bench; Winograd (effective
// FLOP/s) and wrong rungs are exempt; new ceilings recompute every rung's % (1 GFLOP in 10 ms is 100 GFLOP/s).
import { describe, expect, it } from 'vitest';
import {
  applyCeilings,
  ceilingViolations,
  countsEffectiveFlops,
  highestCeilingPct,
} from '../../kernels-bench/ceiling-check.js';
import type { CaseResult, RungResult } from '../../kernels-bench/results.js';
import type { Ceilings } from '../../src/profile/ceilings.js';

const ceilings = (f32Gflops: number, copyGBs = 10): Ceilings => ({
  adapter: 'test',
  slug: 'test',
  measuredAt: '',
  timing: 'timestamp',
  f32Gflops,
  f16Gflops: null,
  dot4Gops: null,
  copyGBs,
  copyBufferGBs: copyGBs,
  dispatchUs: 10,
  roundTripUs: 100,
});
const rung = (name: string, variants: string[], ok: boolean | null = true): RungResult => ({
  rung: name,
  variants,
  ms: 10,
  gflops: 100,
  gbs: 1,
  ceilingPct: null,
  bound: null,
  maxError: 0,
  ok,
  ...(countsEffectiveFlops(variants) ? { effectiveFlops: true } : {}),
});
const kase = (rungs: RungResult[]): CaseResult => ({
  id: 'conv3x3',
  family: 'conv3x3',
  source: '',
  op: 'conv',
  shapes: '',
  flops: 1e9,
  bytes: 1e6,
  intensity: 1000,
  refMs: null,
  rungs,
  best: null,
});

describe('ceiling check', () => {
  it('flags a correct kernel above 100%, not Winograd or a wrong rung', () => {
    const cases = [
      kase([rung('default', ['conv2d.igemm_sg']), rung('wino', ['conv2d.winograd2x2.3x3']), rung('bad', ['x'], false)]),
    ];
    applyCeilings(cases, ceilings(80));
    expect(cases[0].rungs.map((r) => Math.round(r.ceilingPct!))).toEqual([125, 125, 125]);
    expect(cases[0].rungs[0].bound).toBe('compute');
    const v = ceilingViolations(cases);
    expect(v.map((x) => x.rung.rung)).toEqual(['default']);
    expect(highestCeilingPct(cases)).toEqual({ pct: 125, where: 'conv3x3 [default]' });
  });

  it('passes once the ceilings are measured higher', () => {
    const cases = [kase([rung('default', ['matmul.sg16x8'])])];
    applyCeilings(cases, ceilings(80));
    expect(ceilingViolations(cases)).toHaveLength(1);
    applyCeilings(cases, ceilings(200));
    expect(cases[0].rungs[0].ceilingPct).toBeCloseTo(50, 6);
    expect(ceilingViolations(cases)).toEqual([]);
  });
});
