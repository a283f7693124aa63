// Integer matmul (qmatmul, dot4I8Packed) against the exact CPU integer reference: K not a multiple of 4,
// size-1 dims, leading batch dims, per-tensor and per-column weight scales, int8/uint8 activations.
import { describe, expect, it } from 'vitest';
import type { QLinearAttrs } from '../../src/ir/graph.js';
import { packWeights, requantParams, transposeKN } from '../../src/ir/passes/qlinear-pack.js';
import { runOp } from './harness.js';
import { rng } from '../util.js';
import { qmatmulRef, type QSpec } from '../ref/qlinear.js';

const fround = Math.fround;
const RANGE = { i8: [-128, 127], u8: [0, 255] } as const;

const CASES: { a: number[]; n: number; xdt: 'i8' | 'u8'; perChannel: boolean; bias: boolean; to: 'i8' | 'u8' }[] = [
  { a: [1, 1], n: 1, xdt: 'u8', perChannel: false, bias: false, to: 'u8' },
  { a: [5, 7], n: 3, xdt: 'u8', perChannel: true, bias: true, to: 'u8' },
  { a: [2, 3, 16], n: 8, xdt: 'i8', perChannel: false, bias: true, to: 'i8' },
  { a: [33, 65], n: 13, xdt: 'u8', perChannel: true, bias: false, to: 'i8' },
  { a: [70, 96], n: 64, xdt: 'i8', perChannel: true, bias: true, to: 'u8' },
];

describe('qmatmul (dot4I8Packed) vs exact integer reference', () => {
  for (const c of CASES) {
    it(`[${c.a}] x [${c.a.at(-1)},${c.n}] ${c.xdt}${c.perChannel ? ' per column' : ''}${c.bias ? ' + bias' : ''} -> ${c.to}`, async () => {
      const r = rng(5);
      const k = c.a.at(-1)!,
        m = c.a.reduce((p, d) => p * d, 1) / k;
      const [xlo, xhi] = RANGE[c.xdt];
      const aVals = Array.from({ length: m * k }, () => xlo + Math.floor(r() * (xhi - xlo + 1)));
      const b = Int32Array.from({ length: k * c.n }, () => -127 + Math.floor(r() * 255));
      const xZero = c.xdt === 'u8' ? 3 + Math.floor(r() * 250) : -5;
      const sx = 0.05,
        sw = Float32Array.from({ length: c.perChannel ? c.n : 1 }, (_, j) => 0.003 * (1 + (j % 4)));
      const sy = fround(sx * 0.006 * Math.sqrt(k) * 110);
      const bias = c.bias ? Float32Array.from({ length: c.n }, () => (r() - 0.5) * 3) : null;
      const xOffset = c.xdt === 'u8' ? 128 : 0;
      const { packed, sums } = packWeights(transposeKN(b, k, c.n), c.n, k, 1);
      const rq = requantParams(sx, sw, sy, bias, sums, xOffset, xZero);
      const [qmin, qmax] = RANGE[c.to];
      const yZero = c.to === 'u8' ? 128 : 0;
      const swAt = (j: number) => sw[c.perChannel ? j : 0];
      const spec: QSpec = {
        xZero,
        yZero,
        qmin,
        qmax,
        intBias: new Int32Array(c.n),
        mult: Float32Array.from({ length: c.n }, (_, j) => fround(fround(sx * swAt(j)) / sy)),
        shift: Float32Array.from({ length: c.n }, (_, j) => (bias ? fround(bias[j] / sy) : 0)),
      };
      const attrs: QLinearAttrs = { xZero, xOffset, yZero, yDiv: 1, qmin, qmax, to: c.to, wShape: [k, c.n] };
      const [y] = await runOp(
        'qmatmul',
        attrs,
        [
          { dtype: c.xdt, shape: c.a, data: c.xdt === 'u8' ? Uint8Array.from(aVals) : Int8Array.from(aVals) },
          { dtype: 'u32', shape: [c.n, packed.length / c.n], data: packed },
          { dtype: 'i32', shape: [c.n], data: rq.bias },
          { dtype: 'f32', shape: [2, c.n], data: rq.requant },
        ],
        { consts: [false, true, true, true] },
      );
      expect(y.shape).toEqual([...c.a.slice(0, -1), c.n]);
      const ref = qmatmulRef(aVals, m, k, b, c.n, spec);
      const got = Array.from(y.data as ArrayLike<number>);
      expect(got.filter((v, i) => v !== ref[i]).length).toBe(0);
      expect(new Set(ref).size).toBeGreaterThan(Math.min(8, ref.length - 1));
    });
  }
});
