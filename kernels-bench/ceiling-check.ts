// Ceilings are upper bounds: a correct kernel measured above 100% of its adapter's ceiling means the ceiling
// kernel is wrong (or the machine was busier when it ran), and the bench fails. Winograd does fewer real
// multiply-adds than the direct convolution its FLOP/s are counted by, so its figure is "effective" and exempt.
import { type Ceilings, rooflinePct } from '../src/profile/ceilings.js';
import type { CaseResult, RungResult } from './results.js';

/** Kernels whose FLOP/s count the direct algorithm's FLOPs, not the ones they execute. */
export function countsEffectiveFlops(variants: readonly string[]): boolean {
  return variants.some((v) => v.includes('winograd'));
}

/** Recomputes every rung's % of ceiling (after the ceilings were measured again). */
export function applyCeilings(cases: CaseResult[], c: Ceilings): void {
  for (const k of cases) {
    for (const r of k.rungs) {
      if (r.ms === null) continue;
      const roof = rooflinePct(c, k.flops, k.bytes, r.ms);
      r.ceilingPct = roof?.pct ?? null;
      r.bound = roof?.bound ?? null;
    }
  }
}

export interface CeilingViolation {
  id: string;
  rung: RungResult;
}

/** Correct, non-exempt rungs above 100% of the ceiling. */
export function ceilingViolations(cases: CaseResult[]): CeilingViolation[] {
  return cases.flatMap((k) =>
    k.rungs
      .filter((r) => r.ok !== false && !r.effectiveFlops && r.ceilingPct !== null && r.ceilingPct > 100)
      .map((rung) => ({ id: k.id, rung })),
  );
}

/** The highest % of ceiling over correct, non-exempt rungs: how close the kernels come to the bound. */
export function highestCeilingPct(cases: CaseResult[]): { pct: number; where: string } | null {
  let best: { pct: number; where: string } | null = null;
  for (const k of cases) {
    for (const r of k.rungs) {
      if (r.ok === false || r.effectiveFlops || r.ceilingPct === null) continue;
      if (!best || r.ceilingPct > best.pct) best = { pct: r.ceilingPct, where: `${k.id} [${r.rung}]` };
    }
  }
  return best;
}

export function describeViolation(v: CeilingViolation): string {
  const r = v.rung;
  return `${v.id} [${r.rung}: ${r.variants.join('+')}] at ${r.ceilingPct!.toFixed(0)}% of the ${r.bound} ceiling`;
}
