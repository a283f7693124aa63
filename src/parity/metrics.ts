// Error metrics between our output and a reference, as `kestrel parity` reports them.
import type { HostTensor } from '../core/tensor.js';
import { f16ToF32 } from '../core/dtype.js';

export interface Diff {
  relL2: number;
  maxAbs: number;
  /** NaN/Inf in ours that the reference does not have. */
  nanInf: number;
  cosine: number;
  count: number;
}

function asNumbers(t: HostTensor): Float64Array {
  const out = new Float64Array(t.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = t.data[i];
    out[i] = t.dtype === 'f16' ? f16ToF32(v as number) : Number(v);
  }
  return out;
}

export function diff(ours: HostTensor, ref: HostTensor): Diff {
  const a = asNumbers(ours),
    b = asNumbers(ref);
  if (a.length !== b.length) return { relL2: Infinity, maxAbs: Infinity, nanInf: 0, cosine: 0, count: a.length };
  let num = 0,
    den = 0,
    maxAbs = 0,
    nanInf = 0,
    dot = 0,
    na = 0;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) {
      if (Number.isFinite(b[i]) || Number.isNaN(a[i]) !== Number.isNaN(b[i])) nanInf++;
      continue;
    }
    if (!Number.isFinite(b[i])) continue;
    const d = a[i] - b[i];
    num += d * d;
    den += b[i] * b[i];
    maxAbs = Math.max(maxAbs, Math.abs(d));
    dot += a[i] * b[i];
    na += a[i] * a[i];
  }
  const relL2 = den === 0 ? Math.sqrt(num) : Math.sqrt(num / den);
  const cosine = na === 0 || den === 0 ? (na === den ? 1 : 0) : dot / Math.sqrt(na * den);
  return { relL2: nanInf ? Infinity : relL2, maxAbs, nanInf, cosine, count: a.length };
}

export interface CloseCheck {
  /** numpy.allclose(ours, ref, rtol, atol) with equal_nan=False: every |a-b| <= atol + rtol*|b|. */
  ok: boolean;
  /** Elements over their bound. */
  violations: number;
  /** The element furthest over (or closest to) its bound. */
  worst: { index: number; ours: number; ref: number; absDiff: number; bound: number } | null;
}

/** Per-element closeness, numpy.allclose semantics: NaN never matches, infinities match only themselves. */
export function allclose(ours: HostTensor, ref: HostTensor, atol: number, rtol: number): CloseCheck {
  const a = asNumbers(ours),
    b = asNumbers(ref);
  if (a.length !== b.length) return { ok: false, violations: Math.max(a.length, b.length), worst: null };
  let violations = 0;
  let worst: CloseCheck['worst'] = null;
  let worstExcess = -Infinity;
  for (let i = 0; i < a.length; i++) {
    const bound = atol + rtol * Math.abs(b[i]);
    const same = a[i] === b[i]; // covers equal infinities
    const absDiff = Math.abs(a[i] - b[i]);
    // NaN fails the comparison; an infinity matches only the same infinity (isclose's rule)
    const over = !same && (!Number.isFinite(a[i]) || !Number.isFinite(b[i]) || !(absDiff <= bound));
    const excess = same ? -bound : over && !Number.isFinite(absDiff - bound) ? Infinity : absDiff - bound;
    if (over) violations++;
    if (excess > worstExcess || worst === null) {
      worstExcess = excess;
      worst = { index: i, ours: a[i], ref: b[i], absDiff: same ? 0 : absDiff, bound };
    }
  }
  return { ok: violations === 0, violations, worst };
}
