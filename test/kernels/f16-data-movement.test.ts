// f16 storage for the value-moving kernels: copies compare raw 16-bit patterns exactly (odd sizes so halves
// straddle 32-bit words; the poisoned arena reads 0xffff, which no input holds), interpolation is checked at
// 2e-3 relative L2 against the CPU reference on the f16-rounded input, casts against ONNX Cast semantics.
import { describe, expect, it } from 'vitest';
import type { DType } from '../../src/core/dtype.js';
import { f16ToF32, f32ToF16 } from '../../src/core/dtype.js';
import type { HostTensor } from '../../src/core/tensor.js';
import type { PadAttrs, ResizeAttrs } from '../../src/ir/graph.js';
import { runOp } from './harness.js';
import { countNaN, halfRounded, halfValues, randomTensor, relL2, rng, toHalf } from '../util.js';
import { type Ref, concatRef, expandRef, gatherRef, padRef, sliceRef, transposeRef } from '../ref/data-movement.js';
import { castRef, whereRef } from '../ref/elementwise.js';
import { resizeRef } from '../ref/resize.js';
import { dequantizeRef, quantizeRef } from '../ref/quant.js';

const half = (shape: number[], seed: number, lo = -4, hi = 4): HostTensor => toHalf(randomTensor(shape, seed, lo, hi));

/** Bit-exact comparison of an f16 output with a reference over raw half bits. */
function expectBits(out: HostTensor, ref: Ref): void {
  expect(out.dtype).toBe('f16');
  expect(out.shape).toEqual(ref.shape);
  const got = Array.from(out.data as Uint16Array);
  expect(got.length).toBe(ref.data.length);
  const bad = got.findIndex((v, i) => v !== ref.data[i]);
  expect(
    bad,
    bad >= 0 ? `first mismatch at ${bad}: 0x${got[bad].toString(16)} vs 0x${ref.data[bad].toString(16)}` : '',
  ).toBe(-1);
}

describe('f16 transpose, slice, concat, expand', () => {
  const transposes: [number[], number[]][] = [
    [
      [3, 5],
      [1, 0],
    ],
    [
      [1, 7, 9, 5],
      [0, 2, 3, 1],
    ],
    [
      [257, 129],
      [1, 0],
    ],
    [
      [2, 3, 1, 5, 3],
      [4, 0, 3, 1, 2],
    ],
  ];
  transposes.forEach(([shape, perm], i) => {
    it(`transpose ${shape.join('x')} [${perm}]`, async () => {
      const x = half(shape, i);
      const [out] = await runOp('transpose', { perm }, [x]);
      expectBits(out, transposeRef(x, perm));
    });
  });
  const slices: [number[], number[], number[], number[]][] = [
    [[11], [1], [10], [2]],
    [
      [7, 9],
      [1, 8],
      [6, -1],
      [2, -2],
    ],
    [
      [3, 5, 7],
      [2, 4, 6],
      [-1, -1, -1],
      [-1, -2, -3],
    ],
    [
      [2, 3, 5, 7],
      [1, 0, 1, 2],
      [2, 3, 5, 7],
      [1, 2, 1, 1],
    ],
  ];
  slices.forEach(([shape, starts, ends, steps], i) => {
    it(`slice ${shape.join('x')} [${starts}]:[${ends}]:[${steps}]`, async () => {
      const x = half(shape, 10 + i);
      const [out] = await runOp('slice', { starts, ends, steps }, [x]);
      expectBits(out, sliceRef(x, starts, ends, steps));
    });
  });
  const concats: [number[][], number][] = [
    [[[3], [5], [1]], 0],
    [
      [
        [2, 3],
        [2, 4],
        [2, 1],
      ],
      1,
    ],
    [
      [
        [1, 3, 5, 5],
        [1, 1, 5, 5],
        [1, 2, 5, 5],
      ],
      1,
    ],
    [
      [
        [3, 1, 3],
        [3, 1, 5],
      ],
      2,
    ],
  ];
  concats.forEach(([shapes, axis], i) => {
    it(`concat ${shapes.map((s) => s.join('x')).join(' + ')} axis ${axis}`, async () => {
      const xs = shapes.map((s, k) => half(s, 100 * i + k));
      const [out] = await runOp('concat', { axis }, xs);
      expectBits(out, concatRef(xs, axis));
    });
  });
  const expands: [number[], number[]][] = [
    [[1], [7]],
    [
      [3, 1],
      [3, 5],
    ],
    [
      [2, 1, 3],
      [3, 2, 5, 3],
    ],
    [
      [1, 5, 1, 1],
      [1, 5, 3, 3],
    ],
  ];
  expands.forEach(([shape, target], i) => {
    it(`expand ${shape.join('x')} -> ${target.join('x')}`, async () => {
      const x = half(shape, 20 + i);
      const [out] = await runOp('expand', { shape: target }, [x]);
      expectBits(out, expandRef(x, target));
    });
  });
});

describe('f16 gather and pad', () => {
  const idx = (shape: number[], vals: number[]): HostTensor => ({
    dtype: 'i64',
    shape,
    data: BigInt64Array.from(vals.map(BigInt)),
  });
  const gathers: [number[], HostTensor, number][] = [
    [[5, 3], idx([], [-1]), 0],
    [[2, 7, 3], idx([2, 3], [0, 6, -1, 3, -7, 2]), 1],
    [[3, 5], idx([3], [4, 0, 1]), 1],
    [[7], idx([3, 1], [6, -7, 0]), 0],
  ];
  gathers.forEach(([shape, indices, axis], i) => {
    it(`gather ${shape.join('x')} axis ${axis}`, async () => {
      const x = half(shape, 30 + i);
      const [out] = await runOp('gather', { axis }, [x, indices]);
      expectBits(out, gatherRef(x, indices, axis));
    });
  });
  const pads: [number[], number[], PadAttrs['mode']][] = [
    [[1, 3, 5, 5], [0, 0, 1, 1, 0, 0, 2, 1], 'constant'],
    [[3, 7], [1, 2, 2, 1], 'reflect'],
    [[2, 5, 3], [0, 1, 1, 0, 2, 1], 'edge'],
    [[3, 7], [2, 3, 1, 2], 'wrap'],
    [[4, 9], [-1, 2, 1, -3], 'constant'],
  ];
  pads.forEach(([shape, p, mode], i) => {
    it(`pad ${mode} ${shape.join('x')} [${p}]`, async () => {
      const x = half(shape, 40 + i);
      const value = -2.5;
      const [out] = await runOp('pad', { pads: p, mode, value }, [x]);
      expectBits(out, padRef(x, p, mode, f32ToF16(value)));
    });
  });
});

/** Attributes as the importer makes them from `scales`. */
function resizeAttrs(
  mode: ResizeAttrs['mode'],
  coordMode: ResizeAttrs['coordMode'],
  shape: number[],
  scales: number[],
  extra: Partial<ResizeAttrs> = {},
): ResizeAttrs {
  const r = shape.length;
  const roi =
    coordMode === 'tf_crop_and_resize' ? [...shape.map(() => 0), ...shape.map((_, d) => (d < r - 2 ? 1 : 1.3))] : [];
  return {
    mode,
    coordMode,
    nearestMode: 'round_prefer_floor',
    scales,
    outShape: shape.map((n, d) => Math.floor(n * scales[d] + 1e-9)),
    cubicCoeffA: -0.75,
    excludeOutside: false,
    extrapolationValue: 10,
    roi,
    ...extra,
  };
}

describe('f16 resize', () => {
  const nearest: [string, number[], number[], Partial<ResizeAttrs>][] = [
    ['fractional scales', [1, 3, 5, 7], [1, 1, 1.5, 0.75], {}],
    [
      'x3 asymmetric floor (strided copy)',
      [1, 3, 5, 7],
      [1, 1, 3, 3],
      { coordMode: 'asymmetric', nearestMode: 'floor' },
    ],
    ['crop and resize with extrapolation', [1, 2, 5, 7], [1, 1, 1.6, 1.4], { coordMode: 'tf_crop_and_resize' }],
  ];
  for (const [name, shape, scales, extra] of nearest) {
    it(`nearest ${name} ${shape.join('x')}`, async () => {
      const x = half(shape, 50);
      const a = resizeAttrs('nearest', extra.coordMode ?? 'half_pixel', shape, scales, extra);
      const [out] = await runOp('resize', a, [x]);
      const ref = resizeRef({ shape, data: halfValues(x) }, a);
      expectBits(out, { shape: a.outShape, data: ref.map((v) => f32ToF16(v)) });
    });
  }
  const interp: [ResizeAttrs['mode'], ResizeAttrs['coordMode'], number[], number[]][] = [
    ['linear', 'half_pixel', [1, 3, 5, 7], [1, 1, 2, 2]],
    ['linear', 'align_corners', [2, 2, 9, 7], [1, 1, 0.5, 1.5]],
    ['linear', 'tf_crop_and_resize', [1, 2, 6, 7], [1, 1, 1.5, 10 / 7]],
    ['cubic', 'half_pixel', [1, 3, 5, 7], [1, 1, 2, 1.5]],
    ['cubic', 'asymmetric', [1, 1, 9, 5], [1, 1, 0.5, 3]],
  ];
  for (const [mode, coordMode, shape, scales] of interp) {
    it(`${mode} ${coordMode} ${shape.join('x')}`, async () => {
      const x = randomTensor(shape, 60);
      const a = resizeAttrs(mode, coordMode, shape, scales);
      const [out] = await runOp('resize', a, [toHalf(x)]);
      expect(out.dtype).toBe('f16');
      const got = halfValues(out);
      expect(countNaN(got)).toBe(0);
      expect(relL2(got, resizeRef(halfRounded(x) as { shape: number[]; data: Float32Array }, a))).toBeLessThan(2e-3);
    });
  }
});

describe('f16 where', () => {
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

describe('f16 cast', () => {
  const FLOATS = [0, -0, 0.4, -0.4, 1.5, -1.5, 2.99, -2.99, 7, -7, 255, 256, 300.5, -129.5, 1000.5, -65504, NaN];
  const FINITE = FLOATS.filter((v) => !Number.isNaN(v));
  const halfOf = (values: number[]): HostTensor => ({
    dtype: 'f16',
    shape: [values.length],
    data: Uint16Array.from(values, (v) => f32ToF16(v)),
  });
  const targets: [number[], DType][] = [
    [FINITE, 'i32'],
    [FINITE, 'i64'],
    [FLOATS, 'bool'],
    [FINITE.filter((v) => Math.abs(v) < 127), 'i8'],
    [FINITE.filter((v) => v >= 0 && v < 256), 'u8'],
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

describe('f16 (de)quantize (f16 scale models)', () => {
  it('dequantize int8 per axis with f16 scale, odd size', async () => {
    const shape = [5, 3, 3];
    const r = rng(7);
    const values = Array.from({ length: 45 }, () => Math.floor(r() * 256) - 128);
    const scale = toHalf(randomTensor([5], 8, 0.01, 0.2));
    const [out] = await runOp(
      'dequantize',
      { axis: 0, blockSize: 0 },
      [{ dtype: 'i8', shape, data: Int8Array.from(values) }, scale, null],
      { consts: [true, true, false] },
    );
    expect(out.dtype).toBe('f16');
    const got = halfValues(out);
    expect(countNaN(got)).toBe(0);
    expect(relL2(got, dequantizeRef(values, shape, halfValues(scale), null, 0))).toBeLessThan(2e-3);
  });
  it('quantize f16 -> u8 per tensor', async () => {
    const shape = [3, 37];
    const x = toHalf(randomTensor(shape, 12, -3, 3));
    const scale = toHalf({ dtype: 'f32', shape: [], data: new Float32Array([0.03]) });
    const zp: HostTensor = { dtype: 'u8', shape: [], data: Uint8Array.from([128]) };
    const [out] = await runOp('quantize', { axis: -1, blockSize: 0, to: 'u8', saturate: true }, [x, scale, zp], {
      consts: [false, true, true],
    });
    const ref = quantizeRef(halfValues(x), shape, halfValues(scale), [128], -1, 0, 255);
    // f32 division of the same f16 values: at most a rounding tie apart
    const got = Array.from(out.data as Uint8Array);
    expect(Math.max(...got.map((v, i) => Math.abs(v - ref[i])))).toBeLessThanOrEqual(1);
    expect(got.filter((v, i) => v !== ref[i]).length).toBeLessThan(3);
  });
});
