import { describe, expect, it } from 'vitest';
import type { PoolAttrs } from '../../src/ir/graph.js';
import { runOp } from './harness.js';
import { countNaN, randomTensor, relL2 } from '../util.js';
import { poolRef } from '../ref/pool.js';

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

// [name, input shape, attrs, expected output H x W (checks the ceil-mode shape rule too)]
const CASES: Case[] = [
  ['3x3 s2 p1', [1, 8, 17, 17], { kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, [9, 9]],
  ['3x3 s1 p1', [2, 3, 10, 12], { kernel: [3, 3], pads: [1, 1, 1, 1] }, [10, 12]],
  ['2x2 s2 ceil odd input', [1, 3, 7, 7], { kernel: [2, 2], strides: [2, 2], ceilMode: true }, [4, 4]],
  ['3x3 s2 p1 ceil', [1, 4, 8, 9], { kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceilMode: true }, [5, 5]],
  [
    '3x3 s2 ceil, window past padding',
    [1, 2, 7, 7],
    { kernel: [3, 3], strides: [2, 2], pads: [1, 1, 0, 0], ceilMode: true },
    [4, 4],
  ],
  ['dilation 2', [1, 2, 11, 13], { kernel: [3, 3], dilations: [2, 2], pads: [2, 1, 2, 1] }, [11, 11]],
  [
    'dilation 2x3, stride 2 ceil',
    [2, 2, 12, 15],
    { kernel: [2, 3], strides: [2, 2], dilations: [2, 3], pads: [1, 0, 0, 2], ceilMode: true },
    [6, 6],
  ],
  ['asymmetric pads', [1, 5, 9, 8], { kernel: [3, 2], strides: [1, 2], pads: [0, 1, 2, 0] }, [9, 4]],
  ['1x1 s2', [1, 6, 9, 9], { kernel: [1, 1], strides: [2, 2] }, [5, 5]],
  ['2x3 s1x2', [3, 2, 5, 11], { kernel: [2, 3], strides: [1, 2] }, [4, 5]],
  ['window as large as padded input', [1, 3, 4, 5], { kernel: [6, 7], pads: [1, 1, 1, 1] }, [1, 1]],
  [
    '8x9 window (loop bounds from params, not constants)',
    [1, 2, 10, 11],
    { kernel: [8, 9], pads: [1, 1, 1, 1] },
    [5, 5],
  ],
  ['PP-OCR-style 3x3 s2 p1', [1, 64, 80, 80], { kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, [40, 40]],
];

describe('pool', () => {
  for (const [name, shape, attrs, hw] of CASES) {
    for (const [kind, cip] of [
      ['max', false],
      ['avg', false],
      ['avg', true],
    ] as const) {
      it(`${kind}${kind === 'avg' ? (cip ? ' include-pad' : ' exclude-pad') : ''} ${name} ${shape.join('x')}`, async () => {
        const a: PoolAttrs = { ...base(attrs.kernel), ...attrs, kind, countIncludePad: cip };
        const x = randomTensor(shape, shape.length + shape[2], -3, 3);
        const [out] = await runOp('pool', a, [x]);
        expect(out.shape).toEqual([shape[0], shape[1], ...hw]);
        expect(countNaN(out.data as Float32Array)).toBe(0);
        expect(
          relL2(out.data as Float32Array, poolRef({ shape: x.shape, data: x.data as Float32Array }, hw, a)),
        ).toBeLessThan(1e-6);
      });
    }
  }
});

describe('global pool', () => {
  // plane sizes that are multiples of 4 take the vec4 variant
  const GLOBAL: number[][] = [
    [1, 480, 80, 80],
    [2, 5, 4, 3],
    [1, 70000, 2, 2],
    [2, 3, 7, 5],
    [1, 16, 1, 1],
    [1, 70000, 1, 3],
    [1, 8, 33, 1],
  ];
  for (const shape of GLOBAL) {
    for (const kind of ['avg', 'max'] as const) {
      it(`${kind} ${shape.join('x')}`, async () => {
        const a: PoolAttrs = { ...base([shape[2], shape[3]]), kind };
        const x = randomTensor(shape, shape[1], -2, 3);
        const [out] = await runOp('pool', a, [x]);
        expect(out.shape).toEqual([shape[0], shape[1], 1, 1]);
        expect(countNaN(out.data as Float32Array)).toBe(0);
        expect(
          relL2(out.data as Float32Array, poolRef({ shape: x.shape, data: x.data as Float32Array }, [1, 1], a)),
        ).toBeLessThan(1e-6);
      });
    }
  }
});
