import { describe, expect, it } from 'vitest';
import type { DType } from '../../src/core/dtype.js';
import type { HostTensor } from '../../src/core/tensor.js';
import { runOp } from './harness.js';
import { countNaN, halfValues, randomTensor, rng } from '../util.js';
import { f16ToF32, f32ToF16 } from '../../src/core/dtype.js';
import { RUNS_F16, expectBits, half } from './storage.js';
import { castRef, whereRef } from '../ref/elementwise.js';

const num = (t: HostTensor): number[] => Array.from(t.data as ArrayLike<number | bigint>, Number);

function tensor(dtype: DType, shape: number[], values: number[]): HostTensor {
  const n = values.length;
  if (dtype === 'i64') return { dtype, shape, data: BigInt64Array.from(values.map((v) => BigInt(v))) };
  const data = dtype === 'f32' ? new Float32Array(n) : dtype === 'bool' ? new Uint8Array(n) : new Int32Array(n);
  values.forEach((v, i) => {
    data[i] = v;
  });
  return { dtype, shape, data };
}

const FLOATS = [
  0,
  -0,
  0.4,
  -0.4,
  1.5,
  -1.5,
  2.99,
  -2.99,
  7,
  -7,
  1e6 + 0.5,
  -123456.75,
  255,
  256,
  300.9,
  -129.5,
  Number.NaN,
];
const INTS = [0, 1, -1, 2, -2, 127, 128, -128, -129, 255, 256, 300, -300, 16777217, -2147483648, 2147483647, 65535];
const FINITE = FLOATS.filter((v) => !Number.isNaN(v));
const BOOLS = [0, 1, 1, 0, 1, 0, 0, 1, 1];

describe('cast', () => {
  const cases: [DType, number[], DType][] = [
    ['f32', FINITE, 'i32'],
    ['f32', FINITE, 'i64'],
    ['f32', FLOATS, 'bool'],
    ['f32', FINITE.filter((v) => Math.abs(v) < 127), 'i8'],
    ['f32', FINITE.filter((v) => v >= 0 && v < 256), 'u8'],
    ['i32', INTS, 'f32'],
    ['i64', INTS, 'f32'],
    ['i32', INTS, 'bool'],
    ['i32', INTS, 'u8'],
    ['i64', INTS, 'i8'],
    ['i64', INTS, 'i32'],
    ['bool', BOOLS, 'f32'],
    ['bool', BOOLS, 'i32'],
    ['bool', BOOLS, 'i64'],
    ['i32', INTS, 'i32'],
    ['f32', FINITE, 'f32'],
  ];
  for (const [from, values, to] of cases) {
    it(`${from} -> ${to}`, async () => {
      const [out] = await runOp('cast', { to }, [tensor(from, [values.length], values)]);
      expect(out.dtype).toBe(to);
      const inputs = from === 'f32' ? Array.from(new Float32Array(values)) : values;
      const noNegZero = (v: number) => (v === 0 ? 0 : v);
      expect(num(out).map(noNegZero)).toEqual(castRef(inputs, to).map(noNegZero));
    });
  }
  it('large f32 -> i32 tensor over a 2-D grid', async () => {
    const x = randomTensor([3, 700001], 9, -1000, 1000);
    const [out] = await runOp('cast', { to: 'i32' }, [x]);
    const got = out.data as Int32Array;
    const xs = x.data as Float32Array;
    let bad = 0;
    for (let i = 0; i < xs.length; i++) if (got[i] !== Math.trunc(xs[i])) bad++;
    expect(bad).toBe(0);
  });
});

function randomBool(shape: number[], seed: number): HostTensor {
  const r = rng(seed);
  const data = new Uint8Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = r() < 0.5 ? 1 : 0;
  return { dtype: 'bool', shape, data };
}

describe('where', () => {
  const cases: [number[], number[], number[]][] = [
    [[1], [1], [1]],
    [[7], [7], [7]],
    [[7], [1], [7]],
    [
      [3, 1],
      [1, 4],
      [3, 4],
    ],
    [[2, 3, 4], [4], [1]],
    [
      [1, 1, 5],
      [2, 3, 1],
      [3, 5],
    ],
    [[2, 1, 3, 1, 2], [1, 4, 1, 5, 1], [2]],
    [[1, 2, 1, 2, 1, 3], [2, 1, 2, 1, 2, 1], [3]],
    [[1, 96, 40, 40], [1, 96, 40, 40], []],
    [[1000, 1001], [1], [1001]],
  ];
  cases.forEach(([cs, xs, ys], i) => {
    const ints = i % 3 === 2;
    it(`${cs.join('x')} ? ${xs.join('x') || 'scalar'} : ${ys.join('x') || 'scalar'}${ints ? ' i64' : ''}`, async () => {
      const c = randomBool(cs, i);
      const mk = (s: number[], seed: number): HostTensor => {
        const f = randomTensor(s, seed, -100, 100);
        return ints ? tensor('i64', s, Array.from(f.data as Float32Array, Math.round)) : f;
      };
      const x = mk(xs, 10 + i);
      const y = mk(ys, 20 + i);
      const [out] = await runOp('where', {}, [c, x, y]);
      const ref = whereRef(c, x, y);
      expect(out.shape).toEqual(ref.shape);
      if (!ints) expect(countNaN(out.data as Float32Array)).toBe(0);
      expect(num(out)).toEqual(ref.data);
    });
  });
  it('bool values', async () => {
    const c = tensor('bool', [4], [1, 0, 1, 0]);
    const [out] = await runOp('where', {}, [c, tensor('bool', [1], [1]), tensor('bool', [4], [0, 1, 0, 0])]);
    expect(num(out)).toEqual([1, 1, 1, 0]);
  });
});

// f16 storage: raw 16-bit patterns moved exactly, casts from and to f16 by ONNX Cast semantics
if (RUNS_F16)
  describe('where f16', () => {
    const cases: [number[], number[], number[]][] = [
      [[7], [7], [7]],
      [
        [3, 1],
        [1, 5],
        [3, 5],
      ],
      [[2, 1, 3, 1, 3], [1, 3, 1, 5, 1], [3]],
      [[1, 5, 9], [1, 5, 9], []],
    ];
    cases.forEach(([cs, xs, ys], i) => {
      it(`${cs.join('x')} ? ${xs.join('x')} : ${ys.join('x') || 'scalar'}`, async () => {
        const r = rng(70 + i);
        const c: HostTensor = {
          dtype: 'bool',
          shape: cs,
          data: Uint8Array.from({ length: cs.reduce((a, b) => a * b, 1) }, () => (r() < 0.5 ? 1 : 0)),
        };
        const x = half(xs, 80 + i);
        const y = half(ys, 90 + i);
        const [out] = await runOp('where', {}, [c, x, y]);
        expectBits(out, whereRef(c, x, y));
      });
    });
  });

if (RUNS_F16)
  describe('cast f16', () => {
    const F16_FLOATS = [0, -0, 0.4, -0.4, 1.5, -1.5, 2.99, -2.99, 7, -7, 255, 256, 300.5, -129.5, 1000.5, -65504, NaN];
    const F16_FINITE = F16_FLOATS.filter((v) => !Number.isNaN(v));
    const halfOf = (values: number[]): HostTensor => ({
      dtype: 'f16',
      shape: [values.length],
      data: Uint16Array.from(values, (v) => f32ToF16(v)),
    });
    const targets: [number[], DType][] = [
      [F16_FINITE, 'i32'],
      [F16_FINITE, 'i64'],
      [F16_FLOATS, 'bool'],
      [F16_FINITE.filter((v) => Math.abs(v) < 127), 'i8'],
      [F16_FINITE.filter((v) => v >= 0 && v < 256), 'u8'],
    ];
    for (const [values, to] of targets) {
      it(`f16 -> ${to}`, async () => {
        const x = halfOf(values);
        const [out] = await runOp('cast', { to }, [x]);
        expect(out.dtype).toBe(to);
        const noNegZero = (v: number) => (v === 0 ? 0 : v);
        expect(Array.from(out.data as ArrayLike<number | bigint>, (v) => noNegZero(Number(v)))).toEqual(
          castRef(Array.from(halfValues(x)), to).map(noNegZero),
        );
      });
    }
    const sources: [DType, number[]][] = [
      ['i32', [0, 1, -1, 7, -300, 2047, 2049, -65504, 1000]],
      ['i64', [3, -5, 65504, 12345]],
      ['bool', [1, 0, 0, 1, 1]],
    ];
    for (const [from, values] of sources) {
      it(`${from} -> f16 (odd count)`, async () => {
        const data =
          from === 'i64'
            ? BigInt64Array.from(values.map(BigInt))
            : from === 'bool'
              ? Uint8Array.from(values)
              : Int32Array.from(values);
        const [out] = await runOp('cast', { to: 'f16' }, [{ dtype: from, shape: [values.length], data }]);
        expect(Array.from(out.data as Uint16Array)).toEqual(values.map((v) => f32ToF16(v)));
      });
    }
    it('f16 -> f16 keeps the bits, 70001 values', async () => {
      const x = half([70001], 99, -60000, 60000);
      const [out] = await runOp('cast', { to: 'f16' }, [x]);
      expectBits(out, { shape: x.shape, data: Array.from(x.data as Uint16Array) });
      expect(f16ToF32((out.data as Uint16Array)[70000])).toBe(f16ToF32((x.data as Uint16Array)[70000]));
    });
  });
