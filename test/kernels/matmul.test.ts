// matmul in f32 and f16 storage (one suite per family, run for each dtype): f16 rounds operands, bias and residual
// to f16 and computes the reference on exactly those values (matmul-check.ts); f32-only cases are marked.
import { describe, expect, it } from 'vitest';
import {
  type Case,
  type CheckOptions,
  checkMatmul,
  PREFER_SUBGROUP_MATMUL,
  REGS_MATMUL,
  withNarrowSubgroups,
  withoutSubgroups,
} from './matmul-check.js';
import { runOp, withTuning } from './harness.js';
import { DTYPES } from './storage.js';
import { NO_TUNING } from '../../src/runtime/tuning/lookup.js';
import { forceChoice } from '../../src/kernels/tuning.js';
import { halfRounded, randomTensor, relL2 } from '../util.js';
import type { HostTensor } from '../../src/core/tensor.js';
import { matmulKernel } from '../../src/kernels/matmul.js';
import { matmulRef } from '../ref/matmul.js';

// [m, n, k, also in f16]: the f16 suite runs a representative subset
const SIZES: [number, number, number, boolean][] = [
  [1, 1, 1, true],
  [1, 7, 3, true],
  [3, 1, 7, true],
  [1, 129, 64, true],
  [129, 1, 33, true],
  [3, 3, 3, true],
  [7, 16, 33, true],
  [16, 7, 1, false],
  [16, 16, 16, true],
  [33, 33, 33, true],
  [64, 3, 129, true],
  [3, 64, 7, false],
  [129, 129, 7, true],
  [7, 129, 129, false],
  [64, 64, 64, true],
  [33, 129, 16, true],
  [129, 33, 64, false],
  [16, 64, 129, true],
  [64, 7, 16, false],
  [7, 7, 64, false],
  [129, 64, 3, false],
  [33, 16, 1, false],
  [1, 33, 129, false],
  [3, 129, 16, false],
  [64, 129, 33, false],
  [40, 360, 120, true],
];

// f32: the sizes also as portable defaults and with the subgroup kernels wherever they are candidates
describe('matmul, portable defaults and subgroup kernels', () => {
  const check = (c: Case) => checkMatmul(c);
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

describe.each(DTYPES)('matmul %s', (dt) => {
  const f32 = dt === 'f32';
  const check = (c: Case, opts?: CheckOptions) => checkMatmul(c, opts, dt);
  /** The values the GPU sees of a bias or residual (f16-rounded in f16). */
  const stored = (t: HostTensor) => (f32 ? t.data : halfRounded(t).data) as Float32Array;

  describe('shapes', () => {
    for (const [m, n, k] of SIZES.filter((s) => f32 || s[3])) {
      it(`${m}x${k} . ${k}x${n}`, () => check({ a: [m, k], b: [k, n] }));
    }
    it('transA', () => check({ a: [33, 7], b: [33, 16], transA: true }));
    it('transB', () => check({ a: [7, 33], b: [129, 33], transB: true }));
    it('transA and transB, alpha 0.5', () =>
      check({ a: [64, 16], b: [3, 64], transA: true, transB: true, alpha: 0.5 }));
    it('transB gemv', () => check({ a: [1, 65], b: [10, 65], transB: true }));
    if (f32) it('transB with N < 4 on the vec4 path', () => check({ a: [9, 8], b: [3, 8], transB: true }));
    it('transB with N % 4 != 0 on the vec4 path', () => check({ a: [20, 12], b: [37, 12], transB: true }));
    it('transA gemv with N == 1', () => check({ a: [65, 10], b: [65, 1], transA: true }));
    if (f32) it('alpha -2', () => check({ a: [16, 33], b: [33, 7], alpha: -2 }));
    it('512x256 . 256x520 (16x8 tiles)', () =>
      withTuning(forceChoice('sg16x8'), () => check({ a: [512, 256], b: [256, 520] })));
  });

  describe('batch broadcasting', () => {
    it('A [2,3,M,K] x B [K,N]', () => check({ a: [2, 3, 7, 16], b: [16, 33] }));
    if (f32) it('A [M,K] x B [2,K,N]', () => check({ a: [33, 16], b: [2, 16, 7] }));
    if (f32) it('A [2,1,M,K] x B [1,3,K,N]', () => check({ a: [2, 1, 5, 9], b: [1, 3, 9, 6] }));
    it('A [4,1,M,K] x B [3,K,N] transB', () => check({ a: [4, 1, 17, 8], b: [3, 12, 8], transB: true }));
    it('gemv batched [3,1,K] x [3,K,N]', () => check({ a: [3, 1, 40], b: [3, 40, 21] }));
    // K 15 in f32 (no vec4 along K), 16 in f16
    const k = f32 ? 15 : 16;
    it(`attention [1,8,40,${k}] x [1,8,${k},40]`, () => check({ a: [1, 8, 40, k], b: [1, 8, k, 40] }));
  });

  describe('epilogues', () => {
    const relu = { act: 'relu', alpha: 0, beta: 0 } as const;
    it('bias + relu (Gemm C of shape [N])', async () => {
      const bias = randomTensor([37], 5);
      await check(
        { a: [19, 24], b: [24, 37] },
        { epilogue: relu, bias, ref: { bias: stored(bias), act: (x) => Math.max(x, 0) } },
      );
    });
    if (!f32)
      it('bias + relu on the vec4 path', async () => {
        const bias = randomTensor([40], 6);
        await check(
          { a: [19, 24], b: [24, 40] },
          { epilogue: relu, bias, ref: { bias: stored(bias), act: (x) => Math.max(x, 0) } },
        );
      });
    it('bias + relu on the gemv path', async () => {
      const bias = randomTensor([37], 6);
      await check(
        { a: [1, 24], b: [24, 37] },
        { epilogue: relu, bias, ref: { bias: stored(bias), act: (x) => Math.max(x, 0) } },
      );
    });
    it('residual after the activation', async () => {
      const residual = randomTensor([2, 13, 21], 8);
      await check(
        { a: [2, 13, 10], b: [10, 21] },
        {
          epilogue: { act: 'sigmoid', alpha: 0, beta: 0 },
          residual,
          ref: { act: (x) => 1 / (1 + Math.exp(-x)), residual: stored(residual) },
        },
      );
    });
    if (f32)
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

  describe('without subgroups', () => {
    const sizes: [number, number, number][] = [
      [3, 3, 3],
      [33, 129, 16],
      [129, 7, 64],
    ];
    if (f32) sizes.push([40, 360, 120]);
    for (const [m, n, k] of sizes) {
      it(`${m}x${k} . ${k}x${n}`, () => withoutSubgroups(() => check({ a: [m, k], b: [k, n] })));
    }
    it('batched transB', () => withoutSubgroups(() => check({ a: [2, 3, 17, 8], b: [3, 12, 8], transB: true })));
  });

  describe('on 4-lane subgroups (emulated)', () => {
    it('vec4 kernel 33x16 . 16x40', () =>
      withNarrowSubgroups(() => withTuning(forceChoice('sg16x4'), () => check({ a: [33, 16], b: [16, 40] }))));
    it('strided kernel 21x7 . 7x9 transA', () =>
      withNarrowSubgroups(() =>
        withTuning(forceChoice('sgStrided16x4'), () => check({ a: [7, 21], b: [7, 9], transA: true })),
      ));
  });
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

describe('matmul batch dims that do not merge', () => {
  it('A [2,1,3,1,M,K] x B [1,4,1,5,K,N] (4 batch dims after merging)', () =>
    checkMatmul({ a: [2, 1, 3, 1, 5, 8], b: [1, 4, 1, 5, 8, 4] }));
  it('A [6,M,K] x B [2,1,N,K] with transB', () => checkMatmul({ a: [6, 7, 12], b: [2, 1, 9, 12], transB: true }));
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
