// f16 storage variants of matmul (math in f32): operands, bias and residual rounded to f16, the CPU reference
// computed on exactly those values, tolerance 2e-3 relative L2. Shapes are a representative subset of
// matmul.test.ts covering the vec4 subgroup kernel, the strided one, the portable one and gemv.
import { describe, expect, it } from 'vitest';
import {
  type Case,
  type CheckOptions,
  checkMatmul,
  PREFER_SUBGROUP_MATMUL,
  withNarrowSubgroups,
  withoutSubgroups,
} from './matmul-check.js';
import { withTuning } from './harness.js';
import { NO_TUNING } from '../../src/runtime/tuning/lookup.js';
import { forceChoice } from '../../src/kernels/tuning.js';
import { halfRounded, randomTensor } from '../util.js';
import type { HostTensor } from '../../src/core/tensor.js';
import { matmulKernel } from '../../src/kernels/matmul.js';

const SIZES: [number, number, number][] = [
  [1, 1, 1],
  [1, 7, 3],
  [3, 1, 7],
  [1, 129, 64],
  [129, 1, 33],
  [3, 3, 3],
  [7, 16, 33],
  [16, 16, 16],
  [33, 33, 33],
  [64, 3, 129],
  [129, 129, 7],
  [64, 64, 64],
  [33, 129, 16],
  [16, 64, 129],
  [40, 360, 120],
];

const check = (c: Case, opts?: CheckOptions) => checkMatmul(c, opts, 'f16');

const half = (t: HostTensor) => halfRounded(t).data as Float32Array;

describe('matmul f16', () => {
  for (const [m, n, k] of SIZES) {
    it(`${m}x${k} . ${k}x${n}`, () => check({ a: [m, k], b: [k, n] }));
  }
  it('transA', () => check({ a: [33, 7], b: [33, 16], transA: true }));
  it('transB', () => check({ a: [7, 33], b: [129, 33], transB: true }));
  it('transA and transB, alpha 0.5', () => check({ a: [64, 16], b: [3, 64], transA: true, transB: true, alpha: 0.5 }));
  it('transB gemv', () => check({ a: [1, 65], b: [10, 65], transB: true }));
  it('transB with N % 4 != 0 on the vec4 path', () => check({ a: [20, 12], b: [37, 12], transB: true }));
  it('transA gemv with N == 1', () => check({ a: [65, 10], b: [65, 1], transA: true }));
  it('A [2,3,M,K] x B [K,N]', () => check({ a: [2, 3, 7, 16], b: [16, 33] }));
  it('A [4,1,M,K] x B [3,K,N] transB', () => check({ a: [4, 1, 17, 8], b: [3, 12, 8], transB: true }));
  it('gemv batched [3,1,K] x [3,K,N]', () => check({ a: [3, 1, 40], b: [3, 40, 21] }));
  it('attention [1,8,40,16] x [1,8,16,40]', () => check({ a: [1, 8, 40, 16], b: [1, 8, 16, 40] }));
  it('512x256 . 256x520 (16x8 tiles)', () =>
    withTuning(forceChoice('sg16x8'), () => check({ a: [512, 256], b: [256, 520] })));
});

describe('matmul f16 epilogues', () => {
  it('bias + relu', async () => {
    const bias = randomTensor([37], 5);
    await check(
      { a: [19, 24], b: [24, 37] },
      { epilogue: { act: 'relu', alpha: 0, beta: 0 }, bias, ref: { bias: half(bias), act: (x) => Math.max(x, 0) } },
    );
  });
  it('bias + relu on the vec4 path', async () => {
    const bias = randomTensor([40], 6);
    await check(
      { a: [19, 24], b: [24, 40] },
      { epilogue: { act: 'relu', alpha: 0, beta: 0 }, bias, ref: { bias: half(bias), act: (x) => Math.max(x, 0) } },
    );
  });
  it('bias + relu on the gemv path', async () => {
    const bias = randomTensor([37], 6);
    await check(
      { a: [1, 24], b: [24, 37] },
      { epilogue: { act: 'relu', alpha: 0, beta: 0 }, bias, ref: { bias: half(bias), act: (x) => Math.max(x, 0) } },
    );
  });
  it('residual after the activation', async () => {
    const residual = randomTensor([2, 13, 21], 8);
    await check(
      { a: [2, 13, 10], b: [10, 21] },
      {
        epilogue: { act: 'sigmoid', alpha: 0, beta: 0 },
        residual,
        ref: { act: (x) => 1 / (1 + Math.exp(-x)), residual: half(residual) },
      },
    );
  });
});

describe('matmul f16 without subgroups', () => {
  for (const [m, n, k] of [
    [3, 3, 3],
    [33, 129, 16],
    [129, 7, 64],
  ] as const) {
    it(`${m}x${k} . ${k}x${n}`, () => withoutSubgroups(() => check({ a: [m, k], b: [k, n] })));
  }
  it('batched transB', () => withoutSubgroups(() => check({ a: [2, 3, 17, 8], b: [3, 12, 8], transB: true })));
});

describe('matmul f16 on 4-lane subgroups (emulated)', () => {
  it('vec4 kernel 33x16 . 16x40', () =>
    withNarrowSubgroups(() => withTuning(forceChoice('sg16x4'), () => check({ a: [33, 16], b: [16, 40] }))));
  it('strided kernel 21x7 . 7x9 transA', () =>
    withNarrowSubgroups(() =>
      withTuning(forceChoice('sgStrided16x4'), () => check({ a: [7, 21], b: [7, 9], transA: true })),
    ));
});

describe('matmul f16 variant selection', () => {
  const caps = { f16: true, subgroups: true, dot4: true, maxWorkgroupsPerDim: 65535 };
  const pick = (
    a: number[],
    b: number[],
    out: number[],
    transB = false,
    subgroups = true,
    tuning = PREFER_SUBGROUP_MATMUL,
  ) => {
    const node = {
      name: 'mm',
      op: 'matmul' as const,
      attrs: { transA: false, transB, alpha: 1 },
      epilogue: null,
      inputs: [
        { shape: a, dtype: 'f16' as const },
        { shape: b, dtype: 'f16' as const },
      ],
      outputs: [{ shape: out, dtype: 'f16' as const }],
    };
    const [call] = matmulKernel.select(node, { ...caps, subgroups }, tuning).calls;
    const size = (s: number[]) => s.reduce((p, q) => p * q, 1);
    expect(call.bytes).toBe(2 * (size(a) + size(b) + size(out)));
    return call.variant;
  };
  it('picks by shape among the subgroup candidates as for f32, with 2-byte element sizes', () => {
    expect(pick([1, 24], [24, 37], [1, 37])).toBe('matmul.gemv');
    expect(pick([24, 8], [8, 1], [24, 1])).toBe('matmul.gemv.n1');
    expect(pick([16, 16], [16, 16], [16, 16])).toBe('matmul.sg16x8');
    expect(pick([20, 12], [37, 12], [20, 37], true)).toBe('matmul.sg16x8.bt');
    expect(pick([33, 33], [33, 33], [33, 33])).toBe('matmul.sgStrided16x4');
    expect(pick([33, 33], [33, 33], [33, 33], false, false)).toBe('matmul.regs16x4');
    expect(pick([512, 256], [256, 520], [512, 520])).toBe('matmul.sg16x8');
    expect(pick([512, 256], [256, 520], [512, 520], false, true, forceChoice('sg16x4'))).toBe('matmul.sg16x4');
    // without a profile: the portable kernel
    expect(pick([512, 256], [256, 520], [512, 520], false, true, NO_TUNING)).toBe('matmul.regs16x4');
  });
});
