// Quantize / dequantize kernels against the CPU reference: per tensor, per axis, blocked; int8, uint8,
// int4 and uint4 constants read packed from GPU memory, and runtime integer inputs.
import { describe, expect, it } from 'vitest';
import type { DType } from '../../src/core/dtype.js';
import type { HostTensor } from '../../src/core/tensor.js';
import { runOp } from './harness.js';
import { countNaN, halfValues, randomTensor, relL2, rng, toHalf } from '../util.js';
import { RUNS_F16 } from './storage.js';
import { dequantizeRef, quantizeRef } from '../ref/quant.js';

const RANGE: Record<string, [number, number]> = { i8: [-128, 127], u8: [0, 255], i4: [-8, 7], u4: [0, 15] };

function ints(dtype: DType, shape: number[], seed: number): { t: HostTensor; values: number[] } {
  const n = shape.reduce((a, b) => a * b, 1);
  const r = rng(seed);
  const [lo, hi] = RANGE[dtype];
  const values = Array.from({ length: n }, () => lo + Math.floor(r() * (hi - lo + 1)));
  if (dtype === 'i4' || dtype === 'u4') {
    const packed = new Uint8Array(Math.ceil(n / 2));
    values.forEach((v, i) => {
      packed[i >> 1] |= (v & 0xf) << ((i & 1) * 4);
    });
    return { t: { dtype, shape, data: packed }, values };
  }
  return { t: { dtype, shape, data: dtype === 'i8' ? Int8Array.from(values) : Uint8Array.from(values) }, values };
}

const CASES: { name: string; dtype: DType; shape: number[]; axis: number; block: number }[] = [
  { name: 'int8 per tensor', dtype: 'i8', shape: [7, 5], axis: -1, block: 0 },
  { name: 'uint8 per tensor, odd size', dtype: 'u8', shape: [3, 3, 3], axis: -1, block: 0 },
  { name: 'int8 per output channel (conv weight)', dtype: 'i8', shape: [16, 3, 3, 3], axis: 0, block: 0 },
  { name: 'uint8 per axis 1', dtype: 'u8', shape: [2, 6, 5], axis: 1, block: 0 },
  { name: 'int4 per axis', dtype: 'i4', shape: [9, 7], axis: 0, block: 0 },
  { name: 'uint4 blocked (32) along K', dtype: 'u4', shape: [24, 96], axis: 1, block: 32 },
  { name: 'int4 blocked (16), K not a multiple', dtype: 'i4', shape: [5, 40], axis: 1, block: 16 },
  { name: 'int8 blocked along axis 0', dtype: 'i8', shape: [70, 3], axis: 0, block: 32 },
  { name: 'int8 per column, last axis (matmul weight [K, N])', dtype: 'i8', shape: [120, 361], axis: 1, block: 0 },
  { name: 'uint4 per last axis, odd sizes', dtype: 'u4', shape: [3, 5, 7], axis: 2, block: 0 },
];

describe('dequantize (packed constants)', () => {
  for (const c of CASES) {
    for (const withZp of [false, true]) {
      it(`${c.name}${withZp ? ' with zero point' : ''}`, async () => {
        const { t: q, values } = ints(c.dtype, c.shape, 3);
        const nScale =
          c.axis < 0
            ? 1
            : c.block
              ? (c.shape.reduce((a, b) => a * b, 1) / c.shape[c.axis]) * Math.ceil(c.shape[c.axis] / c.block)
              : c.shape[c.axis];
        const scaleShape =
          c.axis < 0 ? [] : c.block ? c.shape.map((d, i) => (i === c.axis ? Math.ceil(d / c.block) : d)) : [nScale];
        const scale = randomTensor(scaleShape, 5, 0.01, 0.2);
        const zp = withZp ? ints(c.dtype, scaleShape, 9) : null;
        const [out] = await runOp('dequantize', { axis: c.axis, blockSize: c.block }, [q, scale, zp?.t ?? null], {
          consts: [true, true, true],
        });
        const ref = dequantizeRef(values, c.shape, scale.data as Float32Array, zp?.values ?? null, c.axis, c.block);
        expect(countNaN(out.data as Float32Array)).toBe(0);
        expect(relL2(out.data as Float32Array, ref)).toBeLessThan(1e-6);
      });
    }
  }
  it('runtime int32 input (a computed integer tensor) per tensor', async () => {
    const q: HostTensor = { dtype: 'i32', shape: [10], data: Int32Array.from([-5, -1, 0, 1, 2, 3, 100, -100, 7, 8]) };
    const scale: HostTensor = { dtype: 'f32', shape: [], data: new Float32Array([0.5]) };
    const [out] = await runOp('dequantize', { axis: -1, blockSize: 0 }, [q, scale, null], {
      consts: [false, true, false],
    });
    expect(Array.from(out.data as Float32Array)).toEqual([-2.5, -0.5, 0, 0.5, 1, 1.5, 50, -50, 3.5, 4]);
  });
});

describe('quantize', () => {
  for (const [to, axis, shape] of [
    ['u8', -1, [2, 4, 33]],
    ['i8', -1, [3, 7, 5]],
    ['i8', 1, [2, 4, 33]],
    ['u8', 1, [2, 4, 33]],
  ] as [DType, number, number[]][]) {
    it(`f32 -> ${to} ${axis < 0 ? 'per tensor' : 'per axis'} with saturation and ties to even (${shape.join('x')})`, async () => {
      const x = randomTensor(shape, 11, -3, 3);
      (x.data as Float32Array)[0] = 0.25; // exactly half a step at scale 0.5: ties go to even
      (x.data as Float32Array)[1] = 0.75;
      (x.data as Float32Array)[2] = 500; // saturates high
      (x.data as Float32Array)[3] = -500; // saturates low
      const n = axis < 0 ? 1 : shape[axis];
      const scale: HostTensor = { dtype: 'f32', shape: axis < 0 ? [] : [n], data: new Float32Array(n).fill(0.5) };
      const zpVals = Array.from({ length: n }, (_, i) => (to === 'u8' ? 128 + i : i - 2));
      const zp: HostTensor = {
        dtype: to,
        shape: axis < 0 ? [] : [n],
        data: to === 'u8' ? Uint8Array.from(zpVals) : Int8Array.from(zpVals),
      };
      const [out] = await runOp('quantize', { axis, blockSize: 0, to, saturate: true }, [x, scale, zp], {
        consts: [false, true, true],
      });
      const [lo, hi] = RANGE[to];
      const q = quantizeRef(x.data as Float32Array, shape, scale.data as Float32Array, zpVals, axis, lo, hi);
      expect(Array.from(out.data as Uint8Array)).toEqual(q);
      // fused quantize-dequantize (a QDQ pair in one step): the float (q - zero) * scale, bit for bit
      const [fake] = await runOp('quantize', { axis, blockSize: 0, to, saturate: true, fake: true }, [x, scale, zp], {
        consts: [false, true, true],
      });
      expect(fake.dtype).toBe('f32');
      expect(Array.from(fake.data as Float32Array)).toEqual(
        Array.from(dequantizeRef(q, shape, scale.data as Float32Array, zpVals, axis, 0)),
      );
    });
  }
});

if (RUNS_F16)
  describe('(de)quantize f16 (f16 scale models)', () => {
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
