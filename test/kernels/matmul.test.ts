import { describe, expect, it } from 'vitest';
import { runOp } from './harness.js';
import {
  type Case,
  type CheckOptions,
  checkMatmul,
  PREFER_SUBGROUP_MATMUL,
  REGS_MATMUL,
  withNarrowSubgroups,
  withoutSubgroups,
} from './matmul-check.js';
import { withTuning } from './harness.js';
import { NO_TUNING } from '../../src/runtime/tuning/lookup.js';
import { forceChoice } from '../../src/kernels/tuning.js';
import { randomTensor, relL2 } from '../util.js';
import { matmulRef } from '../ref/matmul.js';

const SIZES: [number, number, number][] = [
  [1, 1, 1],
  [1, 7, 3],
  [3, 1, 7],
  [1, 129, 64],
  [129, 1, 33],
  [3, 3, 3],
  [7, 16, 33],
  [16, 7, 1],
  [16, 16, 16],
  [33, 33, 33],
  [64, 3, 129],
  [3, 64, 7],
  [129, 129, 7],
  [7, 129, 129],
  [64, 64, 64],
  [33, 129, 16],
  [129, 33, 64],
  [16, 64, 129],
  [64, 7, 16],
  [7, 7, 64],
  [129, 64, 3],
  [33, 16, 1],
  [1, 33, 129],
  [3, 129, 16],
  [64, 129, 33],
  [40, 360, 120],
];

const check = (c: Case, opts?: CheckOptions) => checkMatmul(c, opts);

// the sizes three ways: as shipped for this adapter, portable defaults, subgroup kernels where candidates
describe('matmul, portable defaults and subgroup kernels', () => {
  for (const [m, n, k] of SIZES) {
    it(`portable ${m}x${k} . ${k}x${n}`, () => withTuning(NO_TUNING, () => check({ a: [m, k], b: [k, n] })));
    it(`subgroups ${m}x${k} . ${k}x${n}`, () =>
      withTuning(PREFER_SUBGROUP_MATMUL, () => check({ a: [m, k], b: [k, n] })));
    it(`registers ${m}x${k} . ${k}x${n}`, () => withTuning(REGS_MATMUL, () => check({ a: [m, k], b: [k, n] })));
  }
  for (const [m, n, k] of [
    [33, 16, 1],
    [129, 129, 7],
    [40, 360, 120],
  ])
    it(`plain8x4 ${m}x${k} . ${k}x${n}`, () =>
      withTuning(forceChoice('plain8x4'), () => check({ a: [3, m, k], b: [k, n] })));
  it('registers transA and transB, alpha 0.5', () =>
    withTuning(REGS_MATMUL, () => check({ a: [64, 16], b: [3, 64], transA: true, transB: true, alpha: 0.5 })));
  it('registers batched broadcast A [2,1,M,K] x B [1,3,K,N]', () =>
    withTuning(REGS_MATMUL, () => check({ a: [2, 1, 5, 9], b: [1, 3, 9, 6] })));
  it('registers batched A [3,13,24] x B [24,37], int8 weights', () =>
    withTuning(REGS_MATMUL, () => checkMatmul({ a: [3, 13, 24], b: [24, 37] }, {}, 'int8 weights')));
  it('subgroups transB', () =>
    withTuning(PREFER_SUBGROUP_MATMUL, () => check({ a: [7, 33], b: [129, 33], transB: true })));
  it('subgroups transA', () =>
    withTuning(PREFER_SUBGROUP_MATMUL, () => check({ a: [33, 7], b: [33, 16], transA: true }))); // rec's classifier on a batch of lines: the batch folds into M (rows span batches), N % 4 != 0
  it('portable batched A [3,13,24] x B [24,37]', () =>
    withTuning(NO_TUNING, () => check({ a: [3, 13, 24], b: [24, 37] })));
  it('subgroups batched A [3,13,24] x B [24,37]', () =>
    withTuning(PREFER_SUBGROUP_MATMUL, () => check({ a: [3, 13, 24], b: [24, 37] })));
  it('subgroups batched A [2,5,40,16] x B [16,36] (vec4 path)', () =>
    withTuning(PREFER_SUBGROUP_MATMUL, () => check({ a: [2, 5, 40, 16], b: [16, 36] })));
});

describe('matmul', () => {
  for (const [m, n, k] of SIZES) {
    it(`${m}x${k} . ${k}x${n}`, () => check({ a: [m, k], b: [k, n] }));
  }
  it('transA', () => check({ a: [33, 7], b: [33, 16], transA: true }));
  it('transB', () => check({ a: [7, 33], b: [129, 33], transB: true }));
  it('transA and transB, alpha 0.5', () => check({ a: [64, 16], b: [3, 64], transA: true, transB: true, alpha: 0.5 }));
  it('transB gemv', () => check({ a: [1, 65], b: [10, 65], transB: true }));
  it('transB with N < 4 on the vec4 path', () => check({ a: [9, 8], b: [3, 8], transB: true }));
  it('transB with N % 4 != 0 on the vec4 path', () => check({ a: [20, 12], b: [37, 12], transB: true }));
  it('transA gemv with N == 1', () => check({ a: [65, 10], b: [65, 1], transA: true }));
  it('alpha -2', () => check({ a: [16, 33], b: [33, 7], alpha: -2 }));
});

// dequantize folding: B as int8 constants (read packed by the strided and gemv kernels), per-column scale in the epilogue
describe('matmul with int8 weights', () => {
  for (const [m, n, k] of SIZES.filter((_, i) => i % 3 === 0)) {
    it(`${m}x${k} . ${k}x${n}`, () => checkMatmul({ a: [m, k], b: [k, n] }, {}, 'int8 weights'));
  }
  it('transB', () => checkMatmul({ a: [7, 33], b: [129, 33], transB: true }, {}, 'int8 weights'));
  it('batched A, alpha 0.5', () => checkMatmul({ a: [2, 3, 7, 16], b: [16, 33], alpha: 0.5 }, {}, 'int8 weights'));
  it('bias + relu', async () => {
    const bias = randomTensor([37], 5);
    await checkMatmul(
      { a: [19, 24], b: [24, 37] },
      {
        epilogue: { act: 'relu', alpha: 0, beta: 0 },
        bias,
        ref: { bias: bias.data as Float32Array, act: (x) => Math.max(x, 0) },
      },
      'int8 weights',
    );
  });
  it('without subgroups', () => withoutSubgroups(() => checkMatmul({ a: [33, 16], b: [16, 40] }, {}, 'int8 weights')));
});

describe('matmul batch broadcasting', () => {
  it('A [2,3,M,K] x B [K,N]', () => check({ a: [2, 3, 7, 16], b: [16, 33] }));
  it('A [M,K] x B [2,K,N]', () => check({ a: [33, 16], b: [2, 16, 7] }));
  it('A [2,1,M,K] x B [1,3,K,N]', () => check({ a: [2, 1, 5, 9], b: [1, 3, 9, 6] }));
  it('A [4,1,M,K] x B [3,K,N] transB', () => check({ a: [4, 1, 17, 8], b: [3, 12, 8], transB: true }));
  it('gemv batched [3,1,K] x [3,K,N]', () => check({ a: [3, 1, 40], b: [3, 40, 21] }));
  it('attention [1,8,40,15] x [1,8,15,40]', () => check({ a: [1, 8, 40, 15], b: [1, 8, 15, 40] }));
});

describe('matmul epilogues', () => {
  it('bias + relu (Gemm C of shape [N])', async () => {
    const bias = randomTensor([37], 5);
    await check(
      { a: [19, 24], b: [24, 37] },
      {
        epilogue: { act: 'relu', alpha: 0, beta: 0 },
        bias,
        ref: { bias: bias.data as Float32Array, act: (x) => Math.max(x, 0) },
      },
    );
  });
  it('bias + relu on the gemv path', async () => {
    const bias = randomTensor([37], 6);
    await check(
      { a: [1, 24], b: [24, 37] },
      {
        epilogue: { act: 'relu', alpha: 0, beta: 0 },
        bias,
        ref: { bias: bias.data as Float32Array, act: (x) => Math.max(x, 0) },
      },
    );
  });
  it('residual after the activation', async () => {
    const residual = randomTensor([2, 13, 21], 8);
    await check(
      { a: [2, 13, 10], b: [10, 21] },
      {
        epilogue: { act: 'sigmoid', alpha: 0, beta: 0 },
        residual,
        ref: { act: (x) => 1 / (1 + Math.exp(-x)), residual: residual.data as Float32Array },
      },
    );
  });
  it('residual before the activation, alpha 3', async () => {
    const residual = randomTensor([9, 20], 9);
    const a = randomTensor([9, 4], 10);
    const b = randomTensor([4, 20], 11);
    const [out] = await runOp('matmul', { transA: false, transB: false, alpha: 3 }, [a, b], {
      epilogue: { act: 'relu', alpha: 0, beta: 0, residualBeforeAct: true },
      residual,
    });
    const plain = matmulRef(a, b, { alpha: 3 });
    const res = residual.data as Float32Array;
    expect(
      relL2(
        out.data as Float32Array,
        plain.data.map((v, i) => Math.max(v + res[i], 0)),
      ),
    ).toBeLessThan(1e-4);
  });
});

describe('matmul without subgroups', () => {
  for (const [m, n, k] of [
    [3, 3, 3],
    [33, 129, 16],
    [129, 7, 64],
    [40, 360, 120],
  ] as const) {
    it(`${m}x${k} . ${k}x${n}`, () => withoutSubgroups(() => check({ a: [m, k], b: [k, n] })));
  }
  it('batched transB', () => withoutSubgroups(() => check({ a: [2, 3, 17, 8], b: [3, 12, 8], transB: true })));
});

describe('matmul batch dims that do not merge', () => {
  it('A [2,1,3,1,M,K] x B [1,4,1,5,K,N] (4 batch dims after merging)', () =>
    check({ a: [2, 1, 3, 1, 5, 8], b: [1, 4, 1, 5, 8, 4] }));
  it('A [6,M,K] x B [2,1,N,K] with transB', () => check({ a: [6, 7, 12], b: [2, 1, 9, 12], transB: true }));
});

describe('matmul on 4-lane subgroups (emulated)', () => {
  it('vec4 kernel 33x16 . 16x40', () =>
    withNarrowSubgroups(() => withTuning(forceChoice('sg16x4'), () => check({ a: [33, 16], b: [16, 40] }))));
  it('strided kernel 21x7 . 7x9 transA', () =>
    withNarrowSubgroups(() =>
      withTuning(forceChoice('sgStrided16x4'), () => check({ a: [7, 21], b: [7, 9], transA: true })),
    ));
});

describe('matmul large tile', () => {
  it('512x256 . 256x520 (16x8 tiles)', () =>
    withTuning(forceChoice('sg16x8'), () => check({ a: [512, 256], b: [256, 520] })));
});
