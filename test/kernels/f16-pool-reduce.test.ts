// f16 storage variants of pool, global pool, reduce and argReduce (math in f32): inputs rounded to f16, the
// CPU reference computed on exactly those values, tolerance 2e-3 relative L2 (argReduce: exact indices).
// Shapes are a representative subset of pool.test.ts and reduce.test.ts.
import { describe, expect, it } from 'vitest';
import type { PoolAttrs, ReduceKind } from '../../src/ir/graph.js';
import type { HostTensor } from '../../src/core/tensor.js';
import { runOp } from './harness.js';
import { countNaN, halfRounded, halfValues, randomTensor, relL2, toHalf } from '../util.js';
import { poolRef } from '../ref/pool.js';
import { argReduceRef, reduceRef } from '../ref/reduce.js';
import { poolKernel } from '../../src/kernels/pool.js';
import { argReduceKernel, reduceKernel } from '../../src/kernels/reduce.js';

const TOL = 2e-3;
const caps = { f16: true, subgroups: true, dot4: true, maxWorkgroupsPerDim: 65535 };

type Case = [string, number[], Partial<PoolAttrs> & { kernel: number[] }, [number, number]];
const base = (k: number[]): PoolAttrs => ({
  kind: 'max',
  kernel: k,
  strides: [1, 1],
  pads: [0, 0, 0, 0],
  dilations: [1, 1],
  countIncludePad: false,
  ceilMode: false,
});

const CASES: Case[] = [
  ['3x3 s2 p1', [1, 8, 17, 17], { kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, [9, 9]],
  [
    '3x3 s2 ceil, window past padding',
    [1, 2, 7, 7],
    { kernel: [3, 3], strides: [2, 2], pads: [1, 1, 0, 0], ceilMode: true },
    [4, 4],
  ],
  [
    'dilation 2x3, stride 2 ceil',
    [2, 2, 12, 15],
    { kernel: [2, 3], strides: [2, 2], dilations: [2, 3], pads: [1, 0, 0, 2], ceilMode: true },
    [6, 6],
  ],
  ['asymmetric pads', [1, 5, 9, 8], { kernel: [3, 2], strides: [1, 2], pads: [0, 1, 2, 0] }, [9, 4]],
  ['8x9 window (loop bounds from params)', [1, 2, 10, 11], { kernel: [8, 9], pads: [1, 1, 1, 1] }, [5, 5]],
  ['PP-OCR-style 3x3 s2 p1', [1, 64, 80, 80], { kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, [40, 40]],
];

function checkOut(out: HostTensor, ref: ArrayLike<number>): void {
  expect(out.dtype).toBe('f16');
  const got = halfValues(out);
  expect(countNaN(got)).toBe(0);
  expect(relL2(got, ref)).toBeLessThan(TOL);
}

describe('pool f16', () => {
  for (const [name, shape, attrs, hw] of CASES) {
    for (const [kind, cip] of [
      ['max', false],
      ['avg', false],
      ['avg', true],
    ] as const) {
      it(`${kind}${kind === 'avg' ? (cip ? ' include-pad' : ' exclude-pad') : ''} ${name} ${shape.join('x')}`, async () => {
        const a: PoolAttrs = { ...base(attrs.kernel), ...attrs, kind, countIncludePad: cip };
        const x = randomTensor(shape, shape.length + shape[2], -3, 3);
        const [out] = await runOp('pool', a, [toHalf(x)]);
        expect(out.shape).toEqual([shape[0], shape[1], ...hw]);
        checkOut(out, poolRef({ shape: x.shape, data: halfRounded(x).data as Float32Array }, hw, a));
      });
    }
  }
});

describe('global pool f16', () => {
  // plane sizes that are multiples of 4 take the vec4 variant
  const GLOBAL: number[][] = [
    [1, 480, 80, 80],
    [2, 5, 4, 3],
    [2, 3, 7, 5],
    [1, 16, 1, 1],
    [1, 8, 33, 1],
  ];
  for (const shape of GLOBAL) {
    for (const kind of ['avg', 'max'] as const) {
      it(`${kind} ${shape.join('x')}`, async () => {
        const a: PoolAttrs = { ...base([shape[2], shape[3]]), kind };
        const x = randomTensor(shape, shape[1], -2, 3);
        const [out] = await runOp('pool', a, [toHalf(x)]);
        expect(out.shape).toEqual([shape[0], shape[1], 1, 1]);
        checkOut(out, poolRef({ shape: x.shape, data: halfRounded(x).data as Float32Array }, [1, 1], a));
      });
    }
  }
  it('variants and 2-byte element sizes', () => {
    const node = (shape: number[], k: number[], out: number[]) => ({
      name: 'p',
      op: 'pool' as const,
      attrs: { ...base(k), kind: 'avg' as const },
      epilogue: null,
      inputs: [{ shape, dtype: 'f16' as const }],
      outputs: [{ shape: out, dtype: 'f16' as const }],
    });
    const v4 = poolKernel.select(node([1, 8, 4, 4], [4, 4], [1, 8, 1, 1]), caps).calls[0];
    expect(v4.variant).toBe('pool.global.avg.vec4');
    expect(v4.bytes).toBe(8 * 17 * 2);
    expect(poolKernel.select(node([1, 8, 3, 3], [3, 3], [1, 8, 1, 1]), caps).calls[0].variant).toBe('pool.global.avg');
    const windowed = poolKernel.select(node([1, 8, 4, 4], [2, 2], [1, 8, 3, 3]), caps).calls[0];
    expect(windowed.variant).toBe('pool.avg');
    expect(windowed.bytes).toBe(72 * 5 * 2);
  });
});

const KINDS: ReduceKind[] = ['sum', 'mean', 'max', 'min', 'prod', 'sumSquare', 'l1', 'l2', 'logSum', 'logSumExp'];
const AXES: [number[], number[]][] = [
  [[3, 5, 7], [2]],
  [[3, 5, 7], [0]],
  [
    [3, 5, 7],
    [0, 2],
  ],
  [
    [2, 3, 4, 5],
    [1, 3],
  ],
  [
    [2, 64, 9, 9],
    [2, 3],
  ],
  [[1000, 3], [0]],
  [[7], [0]],
  [[4, 2048], [1]],
  [
    [16, 150],
    [0, 1],
  ],
];

function input(kind: ReduceKind, shape: number[], seed: number): HostTensor {
  if (kind === 'prod') return randomTensor(shape, seed, 0.97, 1.03);
  if (kind === 'logSum') return randomTensor(shape, seed, 0.1, 2);
  return randomTensor(shape, seed, -3, 3);
}

describe('reduce f16', () => {
  for (const kind of KINDS) {
    AXES.forEach(([shape, axes], i) => {
      const keepDims = i % 2 === 0;
      it(`${kind} ${shape.join('x')} axes [${axes}] keepDims ${keepDims}`, async () => {
        const x = input(kind, shape, i + 1);
        const [out] = await runOp('reduce', { kind, axes, keepDims }, [toHalf(x)]);
        const ref = reduceRef(halfRounded(x), kind, axes, keepDims);
        expect(out.shape).toEqual(ref.shape);
        checkOut(out, ref.data);
      });
    });
  }
  it('variants and 2-byte element sizes', () => {
    const node = (shape: number[], out: number[]) => ({
      name: 'r',
      op: 'reduce' as const,
      attrs: { kind: 'sum' as const, axes: [1], keepDims: false },
      epilogue: null,
      inputs: [{ shape, dtype: 'f16' as const }],
      outputs: [{ shape: out, dtype: 'f16' as const }],
    });
    const lane = reduceKernel.select(node([300, 7], [300]), caps).calls[0];
    expect(lane.variant).toBe('reduce.sum.lane');
    expect(lane.bytes).toBe(2 * (2100 + 300));
    expect(reduceKernel.select(node([4, 2048], [4]), caps).calls[0].variant).toBe('reduce.sum.wg');
  });
});

describe('argReduce f16', () => {
  const CASES2: [number[], number][] = [
    [[5], 0],
    [[3, 7], 1],
    [[3, 7], 0],
    [[2, 1000], 1],
    [[4, 6625], 1],
    [[2, 5, 3], 1],
    [[300, 9], 1],
  ];
  for (const kind of ['max', 'min'] as const) {
    for (const [shape, axis] of CASES2) {
      it(`arg${kind} ${shape.join('x')} axis ${axis}`, async () => {
        // f16 rounding makes ties; the reference sees the same rounded values
        const x = randomTensor(shape, shape.length * 11 + shape[0]);
        const [out] = await runOp('argReduce', { kind, axis, keepDims: false, selectLastIndex: false }, [toHalf(x)]);
        expect(out.dtype).toBe('i64');
        expect(Array.from(out.data as BigInt64Array, Number)).toEqual(argReduceRef(halfRounded(x), kind, axis, false));
      });
    }
  }
  for (const selectLastIndex of [false, true]) {
    it(`argmax with ties selectLastIndex ${selectLastIndex}`, async () => {
      const r = randomTensor([2, 3000], 99, 0, 3);
      const x = { ...r, data: (r.data as Float32Array).map(Math.floor) };
      const [out] = await runOp('argReduce', { kind: 'max', axis: 1, keepDims: false, selectLastIndex }, [toHalf(x)]);
      expect(Array.from(out.data as BigInt64Array, Number)).toEqual(argReduceRef(x, 'max', 1, selectLastIndex));
    });
  }
  it('variants and 2-byte input elements', () => {
    const call = argReduceKernel.select(
      {
        name: 'a',
        op: 'argReduce',
        attrs: { kind: 'max', axis: 1, keepDims: false, selectLastIndex: false },
        epilogue: null,
        inputs: [{ shape: [300, 9], dtype: 'f16' }],
        outputs: [{ shape: [300], dtype: 'i64' }],
      },
      caps,
    ).calls[0];
    expect(call.variant).toBe('argReduce.max.lane');
    expect(call.bytes).toBe(2 * 2700 + 4 * 300);
  });
});
