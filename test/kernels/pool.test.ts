// pool and global pool in f32 and f16 storage (math in f32) against the CPU reference; f16 runs a representative
// subset of the shapes on f16-rounded inputs with the looser tolerance.
import { describe, expect, it } from 'vitest';
import type { PoolAttrs } from '../../src/ir/graph.js';
import type { HostTensor } from '../../src/core/tensor.js';
import { runOp } from './harness.js';
import { countNaN, randomTensor, relL2 } from '../util.js';
import { poolRef } from '../ref/pool.js';
import { poolKernel } from '../../src/kernels/pool.js';
import { DTYPES, type Storage, storage } from './storage.js';

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

const F16_CASES = new Set([
  '3x3 s2 p1',
  '3x3 s2 ceil, window past padding',
  'dilation 2x3, stride 2 ceil',
  'asymmetric pads',
  '8x9 window (loop bounds from params, not constants)',
  'PP-OCR-style 3x3 s2 p1',
]);

function checkOut(s: Storage, out: HostTensor, ref: ArrayLike<number>, f32Tol: number): void {
  expect(out.dtype).toBe(s.f32 ? 'f32' : 'f16');
  const got = s.read(out);
  expect(countNaN(got)).toBe(0);
  expect(relL2(got, ref)).toBeLessThan(s.tol(f32Tol));
}

describe.each(DTYPES)('pool %s', (dt) => {
  const s = storage(dt);
  for (const [name, shape, attrs, hw] of CASES.filter(([name]) => s.f32 || F16_CASES.has(name))) {
    for (const [kind, cip] of [
      ['max', false],
      ['avg', false],
      ['avg', true],
    ] as const) {
      it(`${kind}${kind === 'avg' ? (cip ? ' include-pad' : ' exclude-pad') : ''} ${name} ${shape.join('x')}`, async () => {
        const a: PoolAttrs = { ...base(attrs.kernel), ...attrs, kind, countIncludePad: cip };
        const x = randomTensor(shape, shape.length + shape[2], -3, 3);
        const [out] = await runOp('pool', a, [s.gpu(x)]);
        expect(out.shape).toEqual([shape[0], shape[1], ...hw]);
        checkOut(s, out, poolRef({ shape: x.shape, data: s.exact(x).data as Float32Array }, hw, a), 1e-6);
      });
    }
  }
});

describe.each(DTYPES)('global pool %s', (dt) => {
  const s = storage(dt);
  // plane sizes that are multiples of 4 take the vec4 variant; f16 leaves out the 70000-channel grids
  const GLOBAL: number[][] = [
    [1, 480, 80, 80],
    [2, 5, 4, 3],
    [1, 70000, 2, 2],
    [2, 3, 7, 5],
    [1, 16, 1, 1],
    [1, 70000, 1, 3],
    [1, 8, 33, 1],
  ].filter((shape) => s.f32 || shape[1] !== 70000);
  for (const shape of GLOBAL) {
    for (const kind of ['avg', 'max'] as const) {
      it(`${kind} ${shape.join('x')}`, async () => {
        const a: PoolAttrs = { ...base([shape[2], shape[3]]), kind };
        const x = randomTensor(shape, shape[1], -2, 3);
        const [out] = await runOp('pool', a, [s.gpu(x)]);
        expect(out.shape).toEqual([shape[0], shape[1], 1, 1]);
        checkOut(s, out, poolRef({ shape: x.shape, data: s.exact(x).data as Float32Array }, [1, 1], a), 1e-6);
      });
    }
  }
  if (!s.f32)
    it('variants and 2-byte element sizes', () => {
      const caps = { f16: true, subgroups: true, dot4: true, maxWorkgroupsPerDim: 65535 };
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
      expect(poolKernel.select(node([1, 8, 3, 3], [3, 3], [1, 8, 1, 1]), caps).calls[0].variant).toBe(
        'pool.global.avg',
      );
      const windowed = poolKernel.select(node([1, 8, 4, 4], [2, 2], [1, 8, 3, 3]), caps).calls[0];
      expect(windowed.variant).toBe('pool.avg');
      expect(windowed.bytes).toBe(72 * 5 * 2);
    });
});
