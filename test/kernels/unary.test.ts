import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../../src/core/tensor.js';
import { ACT_CODES, type ActKind } from '../../src/ir/graph.js';
import { runOp } from './harness.js';
import { countNaN, maxAbs, relL2, rng } from '../util.js';
import { UNARY_REF } from '../ref/unary.js';
import { DTYPES, storage } from './storage.js';

interface ActCase {
  act: ActKind;
  lo: number;
  hi: number;
  alpha?: number;
  beta?: number;
  special?: number[];
  absTol?: number;
}

const HALVES = [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, -0, 0, 1, -1, 2.0000002];
// Input range per function: inside its domain and where f32 keeps relL2 below 1e-5.
const CASES: ActCase[] = [
  { act: 'none', lo: -5, hi: 5 },
  { act: 'relu', lo: -5, hi: 5, special: [0, -0] },
  { act: 'clip', lo: -2, hi: 2, alpha: -0.5, beta: 0.7 },
  { act: 'sigmoid', lo: -12, hi: 12 },
  { act: 'hardSigmoid', lo: -6, hi: 6, alpha: 0.2, beta: 0.5 },
  { act: 'hardSwish', lo: -5, hi: 5 },
  { act: 'silu', lo: -10, hi: 10 },
  { act: 'gelu', lo: -6, hi: 6, absTol: 2e-6 },
  { act: 'leakyRelu', lo: -5, hi: 5, alpha: 0.1 },
  { act: 'tanh', lo: -20, hi: 20 },
  { act: 'erf', lo: -4, hi: 4, absTol: 1e-6 },
  { act: 'sqrt', lo: 0, hi: 100, special: [0] },
  { act: 'exp', lo: -10, hi: 10 },
  { act: 'log', lo: 1e-3, hi: 1e3 },
  { act: 'abs', lo: -5, hi: 5 },
  { act: 'neg', lo: -5, hi: 5 },
  { act: 'reciprocal', lo: 0.1, hi: 10 },
  { act: 'floor', lo: -10, hi: 10, special: HALVES },
  { act: 'ceil', lo: -10, hi: 10, special: HALVES },
  { act: 'round', lo: -10, hi: 10, special: HALVES },
  // WGSL bounds sin/cos by 2^-11 absolute in [-π, π]; SwiftShader's err by ~1e-4, lavapipe's by ~1e-6
  { act: 'sin', lo: -3, hi: 3, absTol: 2 ** -11 },
  { act: 'cos', lo: -3, hi: 3, absTol: 2 ** -11 },
  { act: 'softplus', lo: -15, hi: 30 },
  { act: 'elu', lo: -5, hi: 5, alpha: 1.3 },
  { act: 'selu', lo: -5, hi: 5, alpha: 1.6732632, beta: 1.050701 },
  { act: 'sign', lo: -5, hi: 5, special: [0] },
  { act: 'not', lo: 0, hi: 1 },
  { act: 'geluTanh', lo: -6, hi: 6 },
  { act: 'softsign', lo: -20, hi: 20 },
  { act: 'celu', lo: -5, hi: 5, alpha: 0.8 },
  { act: 'thresholdedRelu', lo: -2, hi: 2, alpha: 0.3 },
  { act: 'mish', lo: -10, hi: 10 },
  { act: 'isNaN', lo: -5, hi: 5, special: [Number.NaN, Infinity, -Infinity] },
  { act: 'isInf', lo: -5, hi: 5, alpha: 1, beta: 1, special: [Number.NaN, Infinity, -Infinity, 3.4e38] },
  // WGSL's tan inherits sin/cos's 2^-11: ~4.8e-3 at 1.2 (SwiftShader errs by ~2e-5 relative L2)
  { act: 'tan', lo: -1.2, hi: 1.2, absTol: 5e-3 }, // lavapipe's asin/acos builtins err by up to ~3.5e-4 (WGSL allows atan2's 4096 ULP); atan is ~1.5e-6
  { act: 'asin', lo: -0.99, hi: 0.99, absTol: 5e-4 },
  { act: 'acos', lo: -0.99, hi: 0.99, absTol: 5e-4 },
  { act: 'atan', lo: -20, hi: 20 },
  { act: 'sinh', lo: -5, hi: 5 },
  { act: 'cosh', lo: -5, hi: 5 },
  { act: 'asinh', lo: -20, hi: 20 },
  { act: 'acosh', lo: 1, hi: 20 },
  { act: 'atanh', lo: -0.95, hi: 0.95 },
  { act: 'hardSwishClip', lo: -5, hi: 5 },
  { act: 'hardSwishLinear', lo: -5, hi: 5, alpha: 0.2, beta: 0.5 },
];

// f16 storage (math in f32): a few functions over ranges where 11 significant bits keep relL2 below 2e-3
const F16_CASES: ActCase[] = [
  { act: 'none', lo: -5, hi: 5 },
  { act: 'relu', lo: -5, hi: 5 },
  { act: 'sigmoid', lo: -8, hi: 8 },
  { act: 'hardSwish', lo: -5, hi: 5 },
  { act: 'tanh', lo: -4, hi: 4 },
  { act: 'exp', lo: -4, hi: 4 },
  { act: 'gelu', lo: -5, hi: 5 },
];

function input(c: ActCase, n: number, seed: number): HostTensor {
  const r = rng(seed);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = c.lo + (c.hi - c.lo) * r();
  (c.special ?? []).forEach((v, i) => {
    data[i] = v;
  });
  return { dtype: 'f32', shape: [n], data };
}

describe.each(DTYPES)('unary %s', (dt) => {
  const s = storage(dt);
  if (s.f32)
    it('the cases cover every code', () => {
      expect(CASES.map((c) => c.act).sort()).toEqual(Object.keys(ACT_CODES).sort());
    });
  for (const c of s.f32 ? CASES : F16_CASES) {
    const boolOut = c.act === 'isNaN' || c.act === 'isInf' || c.act === 'not';
    for (const n of [1, 1037, 70001]) {
      it(`${c.act} n=${n}`, async () => {
        let x = input(c, n, n);
        // Not takes bool values (0/1), as ONNX does
        if (c.act === 'not')
          x = { dtype: 'bool', shape: [n], data: Uint8Array.from(x.data as Float32Array, (v) => (v < 0.5 ? 0 : 1)) };
        const alpha = c.alpha ?? 0;
        const beta = c.beta ?? 0;
        const [out] = await runOp('unary', { act: c.act, alpha, beta }, [boolOut ? x : s.gpu(x)]);
        const exact = boolOut ? x : s.exact(x);
        const ref = Array.from(exact.data as ArrayLike<number>, (v) => UNARY_REF[c.act](v, alpha, beta));
        if (boolOut) {
          expect(out.dtype).toBe('bool');
          expect(Array.from(out.data as Uint8Array)).toEqual(ref);
          return;
        }
        expect(out.dtype).toBe(dt);
        const got = s.read(out);
        expect(countNaN(got)).toBe(0);
        if (c.absTol !== undefined) expect(maxAbs(got, ref)).toBeLessThan(c.absTol);
        else expect(relL2(got, ref)).toBeLessThan(s.tol(1e-5));
        // special values (ties, zeros) exactly; the sign of a zero result is not checked
        const z = (v: number) => (v === 0 ? 0 : v);
        if (c.special)
          expect(Array.from(got.subarray(0, c.special.length), z)).toEqual(
            ref.slice(0, c.special.length).map((v) => z(Math.fround(v))),
          );
      });
    }
  }
  if (s.f32)
    it('isInf detects only the requested signs', async () => {
      const x: HostTensor = {
        dtype: 'f32',
        shape: [5],
        data: new Float32Array([Infinity, -Infinity, Number.NaN, 1, -3.4e38]),
      };
      const [pos] = await runOp('unary', { act: 'isInf', alpha: 1, beta: 0 }, [x]);
      expect(Array.from(pos.data as Uint8Array)).toEqual([1, 0, 0, 0, 0]);
      const [neg] = await runOp('unary', { act: 'isInf', alpha: 0, beta: 1 }, [x]);
      expect(Array.from(neg.data as Uint8Array)).toEqual([0, 1, 0, 0, 0]);
    });
});
