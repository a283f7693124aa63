import { describe, expect, it } from 'vitest';
import {
  type Case,
  type Ep,
  PREFER_SUBGROUPS,
  attrsOf,
  checkConv,
  label,
  selectionNode,
  withoutSubgroupsCases,
} from './conv-check.js';
import { withKernelKnobs, withTuning } from './harness.js';
import { DTYPES, RUNS_F16, type StorageDType } from './storage.js';
import { NO_TUNING } from '../../src/runtime/tuning/lookup.js';
import { forceChoice, type TuningLookup } from '../../src/kernels/tuning.js';
import { withKnobs } from '../../src/kernels/knobs.js';
import { conv2dRef } from '../ref/conv.js';
import { convKernel } from '../../src/kernels/conv.js';

const CASES: Case[] = [
  // 1x1 (GEMM-shaped)
  { x: [1, 3, 1, 1], oc: 5, k: [1, 1] },
  { x: [2, 17, 5, 7], oc: 3, k: [1, 1] },
  { x: [1, 64, 17, 13], oc: 96, k: [1, 1] },
  { x: [1, 5, 8, 8], oc: 17, k: [1, 1], weightIsInput: true },
  { x: [1, 8, 9, 9], oc: 8, k: [1, 1], s: [2, 2] },
  { x: [1, 6, 7, 7], oc: 4, k: [1, 1], p: [1, 0, 0, 2] },
  { x: [2, 7, 6, 6], oc: 21, k: [1, 1] },
  { x: [1, 24, 4, 3], oc: 40, k: [1, 1], g: 2 },
  // 3x3
  { x: [1, 3, 5, 7], oc: 8, k: [3, 3], p: [1, 1, 1, 1] },
  { x: [2, 17, 17, 13], oc: 5, k: [3, 3], p: [1, 1, 1, 1] },
  { x: [1, 32, 16, 16], oc: 64, k: [3, 3], p: [1, 1, 1, 1], weightIsInput: true },
  { x: [1, 96, 9, 9], oc: 96, k: [3, 3], p: [1, 1, 1, 1] },
  { x: [1, 3, 17, 13], oc: 16, k: [3, 3], s: [2, 2], p: [1, 1, 1, 1] },
  { x: [2, 8, 5, 7], oc: 17, k: [3, 3], s: [2, 2], p: [1, 1, 1, 1] },
  { x: [1, 5, 11, 10], oc: 9, k: [3, 3], p: [0, 1, 2, 0] },
  { x: [1, 4, 12, 9], oc: 8, k: [3, 3], s: [2, 2], p: [1, 2, 1, 0] },
  { x: [1, 4, 13, 11], oc: 7, k: [3, 3], p: [2, 2, 2, 2], d: [2, 2] },
  { x: [1, 3, 10, 12], oc: 4, k: [3, 3], p: [1, 3, 0, 1], d: [2, 1] },
  { x: [1, 3, 10, 12], oc: 4, k: [3, 3], s: [1, 2], p: [1, 1, 1, 1], d: [1, 2] },
  { x: [1, 1, 1, 1], oc: 3, k: [3, 3], p: [1, 1, 1, 1] },
  { x: [1, 2, 3, 3], oc: 3, k: [3, 3] },
  // 5x5, 7x7, non-square
  { x: [1, 6, 9, 11], oc: 10, k: [5, 5], p: [2, 2, 2, 2] },
  { x: [2, 5, 14, 15], oc: 8, k: [5, 5], s: [2, 2], p: [2, 1, 1, 2] },
  { x: [1, 3, 16, 17], oc: 5, k: [5, 5], s: [3, 3], p: [1, 1, 1, 1] },
  { x: [1, 2, 3, 3], oc: 4, k: [5, 5], p: [2, 2, 2, 2] },
  { x: [1, 3, 17, 13], oc: 8, k: [7, 7], s: [2, 2], p: [3, 3, 3, 3] },
  { x: [1, 2, 20, 21], oc: 3, k: [7, 7], s: [3, 3], p: [1, 2, 3, 4], d: [2, 2] },
  { x: [1, 4, 6, 9], oc: 6, k: [1, 3], p: [0, 1, 0, 1] },
  { x: [1, 4, 9, 6], oc: 6, k: [3, 1], p: [1, 0, 1, 0] },
  // groups
  { x: [1, 4, 7, 9], oc: 6, k: [3, 3], p: [1, 1, 1, 1], g: 2 },
  { x: [2, 8, 5, 5], oc: 8, k: [1, 1], g: 2 },
  { x: [1, 12, 8, 7], oc: 20, k: [5, 5], s: [2, 2], p: [2, 2, 2, 2], g: 4 },
  { x: [1, 6, 9, 9], oc: 6, k: [3, 3], s: [2, 2], p: [1, 1, 1, 1], d: [2, 2], g: 3, weightIsInput: true },
  { x: [1, 4, 6, 6], oc: 8, k: [3, 3], p: [1, 1, 1, 1], g: 4 },
  // depthwise
  { x: [2, 17, 13, 17], oc: 17, k: [3, 3], p: [1, 1, 1, 1], g: 17 },
  { x: [1, 32, 16, 16], oc: 32, k: [3, 3], s: [2, 2], p: [1, 1, 1, 1], g: 32 },
  { x: [1, 5, 9, 11], oc: 5, k: [5, 5], p: [2, 2, 2, 2], g: 5 },
  { x: [1, 8, 15, 14], oc: 8, k: [5, 5], s: [2, 2], p: [2, 2, 2, 2], g: 8, weightIsInput: true },
  { x: [1, 3, 17, 19], oc: 3, k: [7, 7], s: [3, 3], p: [3, 3, 3, 3], d: [2, 2], g: 3 },
  { x: [1, 6, 10, 9], oc: 6, k: [3, 3], s: [2, 1], p: [0, 2, 1, 0], g: 6 },
  { x: [1, 7, 5, 7], oc: 7, k: [1, 1], g: 7 },
  { x: [1, 1, 5, 7], oc: 1, k: [3, 3], p: [1, 1, 1, 1], g: 1 },
  { x: [1, 96, 20, 20], oc: 96, k: [3, 3], p: [1, 1, 1, 1], g: 96 },
  // depthwise with rows of whole vec4s (conv2d_depthwise_vec4): pads 0..3 (segment offsets), odd output rows, dilation
  { x: [2, 6, 7, 12], oc: 6, k: [3, 3], p: [1, 1, 1, 1], g: 6 },
  { x: [1, 5, 9, 20], oc: 5, k: [5, 5], p: [2, 2, 2, 2], g: 5 },
  { x: [1, 4, 11, 16], oc: 4, k: [5, 5], s: [2, 2], p: [2, 2, 2, 2], g: 4 },
  { x: [1, 3, 8, 12], oc: 3, k: [3, 3], p: [0, 0, 0, 0], g: 3 },
  { x: [1, 3, 8, 12], oc: 3, k: [7, 7], p: [3, 3, 3, 3], g: 3 },
  { x: [1, 3, 12, 16], oc: 3, k: [3, 3], p: [2, 2, 2, 2], d: [2, 2], g: 3 },
  { x: [1, 2, 9, 8], oc: 2, k: [3, 5], s: [2, 1], p: [1, 2, 1, 2], g: 2 },
  { x: [1, 16, 40, 40], oc: 16, k: [3, 3], s: [2, 2], p: [1, 1, 1, 1], g: 16 },
  // kernels too wide for the register window: the direct fallback
  { x: [1, 2, 5, 12], oc: 3, k: [2, 9], p: [1, 4, 0, 4] },
  { x: [1, 3, 6, 50], oc: 5, k: [3, 15], p: [1, 7, 1, 7], d: [1, 3] },
  { x: [1, 4, 6, 50], oc: 4, k: [3, 15], p: [1, 7, 1, 7], d: [1, 3], g: 4 },
  // realistic sizes
  { x: [1, 32, 40, 40], oc: 64, k: [3, 3], p: [1, 1, 1, 1] },
  { x: [1, 64, 20, 20], oc: 64, k: [1, 1] },
];

// f16 storage (math in f32): a representative subset covering every variant and path
const F16_CASES: Case[] = [
  // 1x1: gemm1x1_sg where H*W % 4 == 0, else igemm_sg
  { x: [1, 3, 1, 1], oc: 5, k: [1, 1] },
  { x: [2, 17, 5, 7], oc: 3, k: [1, 1] },
  { x: [1, 64, 17, 13], oc: 96, k: [1, 1] },
  { x: [1, 5, 8, 8], oc: 17, k: [1, 1], weightIsInput: true },
  { x: [1, 8, 9, 9], oc: 8, k: [1, 1], s: [2, 2] },
  { x: [1, 24, 4, 3], oc: 40, k: [1, 1], g: 2 },
  // 3x3 and wider, strides, pads, dilations
  { x: [1, 3, 5, 7], oc: 8, k: [3, 3], p: [1, 1, 1, 1] },
  { x: [2, 17, 17, 13], oc: 5, k: [3, 3], p: [1, 1, 1, 1] },
  { x: [1, 96, 9, 9], oc: 96, k: [3, 3], p: [1, 1, 1, 1] },
  { x: [2, 8, 5, 7], oc: 17, k: [3, 3], s: [2, 2], p: [1, 1, 1, 1], weightIsInput: true },
  { x: [1, 4, 13, 11], oc: 7, k: [3, 3], p: [2, 2, 2, 2], d: [2, 2] },
  { x: [1, 3, 10, 12], oc: 4, k: [3, 3], s: [1, 2], p: [1, 1, 1, 1], d: [1, 2] },
  { x: [1, 1, 1, 1], oc: 3, k: [3, 3], p: [1, 1, 1, 1] },
  { x: [2, 5, 14, 15], oc: 8, k: [5, 5], s: [2, 2], p: [2, 1, 1, 2] },
  { x: [1, 2, 20, 21], oc: 3, k: [7, 7], s: [3, 3], p: [1, 2, 3, 4], d: [2, 2] },
  { x: [1, 4, 9, 6], oc: 6, k: [3, 1], p: [1, 0, 1, 0] },
  // groups
  { x: [1, 12, 8, 7], oc: 20, k: [5, 5], s: [2, 2], p: [2, 2, 2, 2], g: 4 },
  { x: [1, 6, 9, 9], oc: 6, k: [3, 3], s: [2, 2], p: [1, 1, 1, 1], d: [2, 2], g: 3, weightIsInput: true },
  // the direct fallback (kernels wider than 7)
  { x: [1, 2, 5, 12], oc: 3, k: [2, 9], p: [1, 4, 0, 4] },
  { x: [1, 4, 6, 50], oc: 4, k: [3, 15], p: [1, 7, 1, 7], d: [1, 3], g: 4 },
  // realistic size
  { x: [1, 32, 40, 40], oc: 64, k: [3, 3], p: [1, 1, 1, 1] },
];

const check = (c: Case, seed: number, ep?: Ep, dt: StorageDType = 'f32') => checkConv(c, seed, ep, dt);

describe('conv2d CPU reference', () => {
  it('matches hand-computed sums', () => {
    const ones = (shape: number[]) => ({
      dtype: 'f32' as const,
      shape,
      data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(1),
    });
    const r = conv2dRef(ones([1, 1, 3, 3]), ones([1, 1, 3, 3]), {
      strides: [1, 1],
      pads: [1, 1, 1, 1],
      dilations: [1, 1],
      group: 1,
    });
    expect(Array.from(r.data)).toEqual([4, 6, 4, 6, 9, 6, 4, 6, 4]);
    const s2 = conv2dRef(ones([1, 2, 4, 4]), ones([2, 1, 2, 2]), {
      strides: [2, 2],
      pads: [0, 0, 1, 1],
      dilations: [1, 1],
      group: 2,
    });
    expect(s2.shape).toEqual([1, 2, 2, 2]);
    expect(Array.from(s2.data)).toEqual([4, 4, 4, 4, 4, 4, 4, 4]);
  });
});

// each case three ways: as shipped for this adapter (its tuning profile), the portable defaults, and the
// subgroup kernels wherever they are candidates
describe.each(DTYPES)('conv2d %s', (dt) => {
  (dt === 'f32' ? CASES : F16_CASES).forEach((c, i) => {
    it(label(c), () => check(c, 10 + 4 * i, undefined, dt));
  });
});

// on the second adapter (SwiftShader, slow) every fourth case covers each variant family
const THIN = process.env.KESTREL_ADAPTER === 'swiftshader';
const thin = (list: Case[]) => list.filter((_, i) => !THIN || i % 4 === 0);

describe('conv2d, portable defaults (tuning off)', () => {
  thin(CASES).forEach((c, i) => {
    it(label(c), () => withTuning(NO_TUNING, () => check(c, 10 + 4 * i)));
  });
});

describe('conv2d, subgroup kernels', () => {
  thin(CASES.filter((c) => (c.g ?? 1) !== c.x[1] || c.oc !== c.x[1])).forEach((c, i) => {
    it(label(c), () => withTuning(PREFER_SUBGROUPS, () => check(c, 10 + 4 * i)));
  });
});

// the portable register-blocked 1x1 GEMM (conv2d_gemm1x1_regs.wgsl) on every case it can run, with epilogues
describe('conv2d, register 1x1 GEMM', () => {
  const REGS_1X1 = forceChoice('gemm1x1');
  const unit = (c: Case) => c.k[0] === 1 && c.k[1] === 1 && !c.s && !c.p && (c.x[2] * c.x[3]) % 4 === 0;
  CASES.filter(unit).forEach((c, i) => {
    it(label(c), () => withTuning(REGS_1X1, () => check(c, 10 + 4 * i)));
  });
  const pw: Case = { x: [2, 12, 6, 8], oc: 19, k: [1, 1] };
  it('bias + hardSwish', () => withTuning(REGS_1X1, () => check(pw, 210, { act: 'hardSwish', bias: true })));
  it('residual after relu', () =>
    withTuning(REGS_1X1, () => check(pw, 250, { act: 'relu', residual: true, before: false })));
  it('per-channel scale + bias (weights as input)', () =>
    withTuning(REGS_1X1, () =>
      check({ ...pw, weightIsInput: true }, 300, { act: 'hardSwish', scale: true, bias: true }),
    ));
  it('grouped, 2 groups of 20 output channels', () =>
    withTuning(REGS_1X1, () => check({ x: [1, 24, 4, 4], oc: 40, k: [1, 1], g: 2 }, 310)));
});

// the portable register implicit GEMM (conv2d_igemm_regs.wgsl) on every dense case, with epilogues
describe('conv2d, register implicit GEMM', () => {
  const REGS = forceChoice('igemm_regs');
  thin(CASES.filter((c) => (c.g ?? 1) !== c.x[1] || c.oc !== c.x[1])).forEach((c, i) => {
    it(label(c), () => withTuning(REGS, () => check(c, 10 + 4 * i)));
  });
  const dense: Case = { x: [1, 17, 9, 11], oc: 12, k: [3, 3], p: [1, 1, 1, 1] };
  it('bias + relu, residual before the activation', () =>
    withTuning(REGS, () => check(dense, 230, { act: 'relu', bias: true, residual: true, before: true })));
  it('per-channel scale + bias (weights as input)', () =>
    withTuning(REGS, () =>
      check({ ...dense, weightIsInput: true }, 300, { act: 'hardSwish', scale: true, bias: true }),
    ));
});

// the register depthwise kernel (conv2d_depthwise_regs.wgsl) on every depthwise case, with an epilogue
describe('conv2d, register depthwise', () => {
  const REGS = forceChoice('dw_regs');
  CASES.filter((c) => (c.g ?? 1) === c.x[1] && c.oc === c.x[1]).forEach((c, i) => {
    it(label(c), () => withTuning(REGS, () => check(c, 10 + 4 * i)));
  });
  it('residual after hardSwish', () =>
    withTuning(REGS, () =>
      check({ x: [1, 13, 10, 9], oc: 13, k: [3, 3], s: [2, 2], p: [1, 1, 1, 1], g: 13 }, 240, {
        act: 'hardSwish',
        bias: true,
        residual: true,
        before: false,
      }),
    ));
});

describe.each(DTYPES)('conv2d %s fused epilogues', (dt) => {
  const dense: Case = { x: [1, 17, 9, 11], oc: 12, k: [3, 3], p: [1, 1, 1, 1] };
  const pointwise: Case = { x: [2, 12, 6, 8], oc: 19, k: [1, 1] };
  const dw: Case = { x: [1, 13, 10, 9], oc: 13, k: [3, 3], s: [2, 2], p: [1, 1, 1, 1], g: 13 };
  const wide: Case = { x: [1, 3, 6, 50], oc: 5, k: [3, 15], p: [1, 7, 1, 7], d: [1, 3] };
  it('bias + relu (dense 3x3)', () => check(dense, 200, { act: 'relu', bias: true }, dt));
  it('bias + hardSwish (pointwise)', () => check(pointwise, 210, { act: 'hardSwish', bias: true }, dt));
  it('residual before relu (dense 3x3)', () =>
    check(dense, 230, { act: 'relu', bias: true, residual: true, before: true }, dt));
  it('bias + sigmoid (direct fallback)', () =>
    check(wide, 260, { act: 'sigmoid', bias: true, residual: true, before: true }, dt));
  if (dt === 'f32') {
    it('clip(0, 6) (depthwise)', () => check(dw, 220, { act: 'clip', alpha: 0, beta: 6, bias: true }));
    it('residual after hardSwish (depthwise)', () =>
      check(dw, 240, { act: 'hardSwish', bias: true, residual: true, before: false }));
    it('bias, residual before relu (vec4 depthwise)', () =>
      check({ x: [1, 8, 9, 16], oc: 8, k: [5, 5], p: [2, 2, 2, 2], g: 8 }, 250, {
        act: 'relu',
        bias: true,
        residual: true,
        before: true,
      }));
    it('residual after relu, no bias (pointwise)', () =>
      check(pointwise, 250, { act: 'relu', residual: true, before: false }));
    // piecewise-linear activations come from the epilogue uniform in conv kernels; leakyRelu stays an override
    // hard-swish as paddle2onnx writes it (x * clip(x + 3, 0, 6) / 6) and as x * HardSigmoid(x), rounded as those ops round
    it('bias + hardSwishClip (dense 3x3)', () => check(dense, 260, { act: 'hardSwishClip', bias: true }));
    it('hardSwishLinear(0.2, 0.5) with a residual after (depthwise)', () =>
      check(dw, 265, { act: 'hardSwishLinear', alpha: 0.2, beta: 0.5, bias: true, residual: true, before: false }));
    it('hardSigmoid(0.2, 0.5) (pointwise)', () =>
      check(pointwise, 270, { act: 'hardSigmoid', alpha: 0.2, beta: 0.5, bias: true }));
    it('clip(-1, 2) with a residual (vec4 depthwise)', () =>
      check({ x: [1, 8, 9, 16], oc: 8, k: [3, 3], p: [1, 1, 1, 1], g: 8 }, 280, {
        act: 'clip',
        alpha: -1,
        beta: 2,
        residual: true,
        before: true,
      }));
    // a QDQ pair fused as the last epilogue step (data in conv kernels): uint8 grid of 1/4 from -3/4, with a residual
    it('fake quantization after relu and a residual (dense 3x3, pointwise, depthwise)', async () => {
      const fakeQuant = { scale: 0.25, zeroPoint: 3, qmin: 0, qmax: 255 };
      for (const [i, c] of [dense, pointwise, dw].entries())
        await check(c, 285 + i, { act: 'relu', bias: true, residual: true, before: false, fakeQuant });
    });
    it('leakyRelu(0.1) (dense 3x3)', () => check(dense, 290, { act: 'leakyRelu', alpha: 0.1, bias: true }));
    // a batch norm folded into the epilogue where the weights are computed at run time (fp16 weights behind a Cast)
    it('per-channel scale + bias + hardSwish (pointwise, weights as input)', () =>
      check({ ...pointwise, weightIsInput: true }, 300, { act: 'hardSwish', scale: true, bias: true }));
    it('per-channel scale + bias + relu + residual (dense 3x3 Winograd-sized)', () =>
      check({ x: [1, 16, 12, 12], oc: 24, k: [3, 3], p: [1, 1, 1, 1] }, 310, {
        act: 'relu',
        scale: true,
        bias: true,
        residual: true,
        before: true,
      }));
    it('per-channel scale (depthwise)', () => check(dw, 320, { act: 'none', scale: true, bias: true }));
  } else {
    it('bias + clip(0, 6) + residual after (pointwise)', () =>
      check(pointwise, 250, { act: 'clip', alpha: 0, beta: 6, bias: true, residual: true, before: false }, dt));
  }
});

// dequantize folding: every variant reads packed int8 weights (lib/weights.wgsl), the scale lands in the epilogue
describe('conv2d with int8 weights', () => {
  CASES.filter((c) => !c.weightIsInput).forEach((c, i) => {
    it(label(c), () => checkConv(c, 700 + 4 * i, undefined, 'int8 weights'));
  });
  it('bias + hardSwishClip + residual, with a batch norm scale (pointwise)', () =>
    checkConv(
      { x: [2, 12, 6, 8], oc: 19, k: [1, 1] },
      900,
      { act: 'hardSwishClip', scale: true, bias: true, residual: true, before: false },
      'int8 weights',
    ));
  it('f16 weights under f32 activations (1x1, 3x3, depthwise, strided)', async () => {
    const cases: Case[] = [
      { x: [1, 64, 17, 13], oc: 96, k: [1, 1] },
      { x: [2, 17, 17, 13], oc: 5, k: [3, 3], p: [1, 1, 1, 1] },
      { x: [2, 17, 13, 17], oc: 17, k: [3, 3], p: [1, 1, 1, 1], g: 17 },
      { x: [1, 3, 17, 13], oc: 16, k: [3, 3], s: [2, 2], p: [1, 1, 1, 1] },
    ];
    for (const [i, c] of cases.entries()) await checkConv(c, 930 + 4 * i, { act: 'relu', bias: true }, 'f16 weights');
  });
  it('Winograd (forced)', () =>
    withTuning(forceChoice('winograd'), () =>
      checkConv(
        { x: [2, 19, 9, 11], oc: 10, k: [3, 3], p: [1, 1, 1, 1] },
        910,
        { act: 'relu', bias: true },
        'int8 weights',
      ),
    ));
  it('without subgroups (portable implicit GEMM)', () =>
    withKernelKnobs({ conv: { noSubgroups: true } }, () =>
      checkConv(
        { x: [1, 12, 8, 7], oc: 20, k: [5, 5], s: [2, 2], p: [2, 1, 0, 2], g: 4 },
        920,
        undefined,
        'int8 weights',
      ),
    ));
});

describe('vec4 depthwise with kernels wider than 3 (depthwiseVec4MaxK raised)', () => {
  const cases: Case[] = [
    { x: [1, 5, 9, 20], oc: 5, k: [5, 5], p: [2, 2, 2, 2], g: 5 },
    { x: [1, 4, 11, 16], oc: 4, k: [5, 5], s: [2, 2], p: [2, 2, 2, 2], g: 4 },
    { x: [1, 3, 8, 12], oc: 3, k: [7, 7], p: [3, 3, 3, 3], g: 3 },
  ];
  cases.forEach((c, i) => {
    it(label(c), () =>
      withKernelKnobs({ conv: { depthwiseVec4MaxK: 7 } }, () =>
        check(c, 400 + 4 * i, { act: 'relu', bias: true, residual: true, before: false }),
      ),
    );
  });
});

describe.each(DTYPES)('conv2d %s without subgroups (portable implicit GEMM)', (dt) => withoutSubgroupsCases(dt));

describe('conv2d variant selection', () => {
  const caps = { f16: true, subgroups: true, dot4: true, maxWorkgroupsPerDim: 65535 };
  const pick = (c: Case, subgroups = true, tuning?: TuningLookup): string => {
    const a = attrsOf(c);
    const node = selectionNode(c.x, [c.oc, c.x[1] / a.group, ...c.k], a);
    return convKernel
      .select(node, { ...caps, subgroups }, tuning)
      .calls.map((k) => k.variant)
      .join('+');
  };
  const pw: Case = { x: [1, 16, 8, 8], oc: 32, k: [1, 1] };
  const k3: Case = { x: [1, 16, 12, 12], oc: 32, k: [3, 3], p: [1, 1, 1, 1] };
  it('without a profile: portable kernels (no subgroups, no Winograd), depthwise by row shape', () => {
    expect(pick({ x: [1, 16, 8, 8], oc: 16, k: [3, 3], p: [1, 1, 1, 1], g: 16 })).toBe('conv2d.depthwise_vec4.3x3');
    expect(pick({ x: [1, 16, 10, 10], oc: 16, k: [5, 5], p: [2, 2, 2, 2], g: 16 })).toBe('conv2d.depthwise5x5');
    expect(pick({ x: [1, 16, 20, 20], oc: 16, k: [5, 5], s: [2, 2], p: [2, 2, 2, 2], g: 16 })).toBe(
      'conv2d.depthwise5x5s2',
    );
    expect(pick(pw)).toBe('conv2d.gemm1x1');
    expect(pick({ x: [1, 16, 5, 7], oc: 32, k: [1, 1] })).toBe('conv2d.igemm.1x1');
    expect(pick(k3)).toBe('conv2d.igemm.3x3');
    expect(pick({ x: [1, 16, 8, 8], oc: 32, k: [3, 3], p: [1, 1, 1, 1], g: 4 }, false)).toBe('conv2d.igemm.3x3');
    expect(pick({ x: [1, 3, 6, 50], oc: 5, k: [3, 15], p: [1, 7, 1, 7], d: [1, 3] })).toBe('conv2d.direct');
    expect(pick({ x: [1, 16, 1, 1], oc: 8, k: [1, 1] })).toBe('conv2d.direct');
  });
  it('a profile picks among the candidates; a pick that is not a candidate falls back to the default', () => {
    expect(pick(pw, true, forceChoice('gemm1x1_sg'))).toBe('conv2d.gemm1x1_sg');
    expect(pick({ x: [1, 16, 5, 7], oc: 32, k: [1, 1] }, true, forceChoice('igemm_sg'))).toBe('conv2d.igemm_sg.1x1');
    expect(pick(k3, true, forceChoice('winograd'))).toBe('conv2d.winograd2x2.3x3');
    expect(pick(k3, true, forceChoice('igemm_sg'))).toBe('conv2d.igemm_sg.3x3');
    // no subgroups on the adapter: the subgroup candidates are not offered
    expect(pick(pw, false, forceChoice('gemm1x1_sg'))).toBe('conv2d.gemm1x1');
    expect(pick(pw, false, forceChoice('gemm1x1'))).toBe('conv2d.gemm1x1');
    expect(pick(k3, false, forceChoice('igemm_regs'))).toBe('conv2d.igemm_regs.3x3');
    expect(pick({ x: [1, 16, 5, 7], oc: 32, k: [1, 1] }, false, forceChoice('gemm1x1'))).toBe('conv2d.igemm.1x1');
    expect(pick(k3, false, forceChoice('winograd'))).toBe('conv2d.igemm.3x3');
  });
  it('knobs reach the kernel through the lookup, over its choices', () => {
    const noSg = withKnobs(forceChoice('igemm_sg'), { conv: { noSubgroups: true } });
    expect(pick(k3, true, noSg)).toBe('conv2d.igemm.3x3');
    expect(pick(k3, true, withKnobs(forceChoice('winograd'), { winograd: { disabled: true } }))).toBe(
      'conv2d.igemm.3x3',
    );
    const dw5: Case = { x: [1, 16, 8, 8], oc: 16, k: [5, 5], p: [2, 2, 2, 2], g: 16 };
    expect(pick(dw5, true, withKnobs(undefined, { conv: { depthwiseVec4MaxK: 5 } }))).toBe('conv2d.depthwise_vec4.5x5');
    // the same nodes without overrides: the defaults, untouched by the calls above
    expect(pick(k3, true, forceChoice('igemm_sg'))).toBe('conv2d.igemm_sg.3x3');
    expect(pick(dw5)).toBe('conv2d.depthwise5x5');
  });
});

// f16 storage picks as f32 does; a pure function, so it runs on every adapter
describe('conv2d f16 variant selection', () => {
  const caps = { f16: true, subgroups: true, dot4: true, maxWorkgroupsPerDim: 65535 };
  const call = (c: Case, subgroups = true) => {
    const a = attrsOf(c);
    const node = selectionNode(c.x, [c.oc, c.x[1] / a.group, ...c.k], a, 'f16');
    const [k] = convKernel.select(node, { ...caps, subgroups }, PREFER_SUBGROUPS).calls;
    // 2-byte elements: x + w + y
    const x = c.x.reduce((p, q) => p * q, 1),
      w = c.oc * (c.x[1] / a.group) * c.k[0] * c.k[1],
      y = node.outputs[0].shape.reduce((p, q) => p * q, 1);
    expect(k.bytes).toBe(2 * (x + w + y));
    return k.variant;
  };
  it('picks by shape as for f32 (subgroup kernels preferred), with 2-byte element sizes', () => {
    expect(call({ x: [1, 16, 8, 8], oc: 32, k: [1, 1] })).toBe('conv2d.gemm1x1_sg');
    expect(call({ x: [1, 16, 5, 7], oc: 32, k: [1, 1] })).toBe('conv2d.igemm_sg.1x1');
    expect(call({ x: [1, 16, 8, 8], oc: 32, k: [1, 1] }, false)).toBe('conv2d.gemm1x1');
    expect(call({ x: [1, 16, 8, 8], oc: 32, k: [3, 3], p: [1, 1, 1, 1] })).toBe('conv2d.igemm_sg.3x3');
    expect(call({ x: [1, 16, 8, 8], oc: 32, k: [3, 3], p: [1, 1, 1, 1], g: 4 }, false)).toBe('conv2d.igemm.3x3');
    expect(call({ x: [1, 3, 6, 50], oc: 5, k: [3, 15], p: [1, 7, 1, 7], d: [1, 3] })).toBe('conv2d.direct');
    expect(call({ x: [1, 3, 1, 1], oc: 5, k: [1, 1] })).toBe('conv2d.direct');
  });
});

// f16 storage for both depthwise kernels (scalar rows and vec4 rows) under a full epilogue
if (RUNS_F16)
  describe('depthwise conv2d f16', () => {
    const cases: { x: number[]; k: number; s: number; p: number }[] = [
      { x: [1, 6, 9, 16], k: 3, s: 1, p: 1 }, // vec4 rows
      { x: [2, 5, 12, 20], k: 5, s: 2, p: 2 }, // vec4 rows, stride 2
      { x: [1, 7, 10, 10], k: 5, s: 1, p: 2 }, // scalar rows
      { x: [1, 4, 13, 11], k: 3, s: 2, p: 1 }, // scalar rows, stride 2
    ];
    cases.forEach(({ x, k, s, p }, i) => {
      it(`x${x.join('x')} k${k} s${s} with bias, hardSwish and a residual`, () =>
        check(
          { x, oc: x[1], k: [k, k], s: [s, s], p: [p, p, p, p], g: x[1] },
          50 + 4 * i,
          { act: 'hardSwish', bias: true, residual: true, before: false },
          'f16',
        ));
    });
  });
