// f16 storage variants of conv2d and convTranspose2d (math in f32): inputs, weights, bias and residual rounded
// to f16, the CPU reference computed on exactly those values, tolerance 2e-3 relative L2. Shapes are a
// representative subset of conv.test.ts / conv-transpose.test.ts covering every variant and path.
import { withKernelKnobs, withTuning } from './harness.js';
import { PREFER_SUBGROUPS } from './conv-check.js';
import { describe, expect, it } from 'vitest';
import { runOp } from './harness.js';
import { type Case, type Ep, attrsOf, checkConv, label, withoutSubgroupsCases } from './conv-check.js';
import { countNaN, halfRounded, halfValues, randomTensor, relL2, toHalf } from '../util.js';
import { type ConvTransposeRefAttrs, conv2dRef, convTranspose2dRef, epilogueRef } from '../ref/conv.js';
import { convKernel } from '../../src/kernels/conv.js';
import { convTransposeKernel } from '../../src/kernels/conv-transpose.js';
import type { Epilogue } from '../../src/ir/graph.js';

/** The portable gather, and the subgroup gather's own path for subgroups under 8 (threshold raised). */
const PORTABLE = { convTranspose: { noSubgroups: true } };
const SMALL_SUBGROUP = { convTranspose: { minSubgroup: 1000 } };

const TOL = 2e-3;

const CASES: Case[] = [
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

const check = (c: Case, seed: number, ep?: Ep) => checkConv(c, seed, ep, 'f16');

describe('conv2d f16', () => {
  CASES.forEach((c, i) => {
    it(label(c), () => check(c, 10 + 4 * i));
  });
});

describe('conv2d f16 fused epilogues', () => {
  const dense: Case = { x: [1, 17, 9, 11], oc: 12, k: [3, 3], p: [1, 1, 1, 1] };
  const pointwise: Case = { x: [2, 12, 6, 8], oc: 19, k: [1, 1] };
  const wide: Case = { x: [1, 3, 6, 50], oc: 5, k: [3, 15], p: [1, 7, 1, 7], d: [1, 3] };
  it('bias + relu (dense 3x3)', () => check(dense, 200, { act: 'relu', bias: true }));
  it('bias + hardSwish (pointwise)', () => check(pointwise, 210, { act: 'hardSwish', bias: true }));
  it('residual before relu (dense 3x3)', () =>
    check(dense, 230, { act: 'relu', bias: true, residual: true, before: true }));
  it('bias + clip(0, 6) + residual after (pointwise)', () =>
    check(pointwise, 250, { act: 'clip', alpha: 0, beta: 6, bias: true, residual: true, before: false }));
  it('bias + sigmoid + residual (direct fallback)', () =>
    check(wide, 260, { act: 'sigmoid', bias: true, residual: true, before: true }));
});

describe('conv2d f16 without subgroups', () => withoutSubgroupsCases('f16'));

describe('conv2d f16 variant selection', () => {
  const caps = { f16: true, subgroups: true, dot4: true, maxWorkgroupsPerDim: 65535 };
  const call = (c: Case, subgroups = true) => {
    const a = attrsOf(c);
    const ref = conv2dRef(randomTensor(c.x, 1), randomTensor([c.oc, c.x[1] / a.group, c.k[0], c.k[1]], 2), a);
    const node = {
      name: 'c',
      op: 'conv' as const,
      attrs: a,
      epilogue: null,
      inputs: [
        { shape: c.x, dtype: 'f16' as const },
        { shape: [c.oc, c.x[1] / a.group, ...c.k], dtype: 'f16' as const },
      ],
      outputs: [{ shape: ref.shape, dtype: 'f16' as const }],
    };
    const [k] = convKernel.select(node, { ...caps, subgroups }, PREFER_SUBGROUPS).calls;
    // 2-byte elements: x + w + y
    const x = c.x.reduce((p, q) => p * q, 1),
      w = c.oc * (c.x[1] / a.group) * c.k[0] * c.k[1],
      y = ref.data.length;
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

interface TCase {
  x: number[];
  ocg: number;
  k: [number, number];
  s?: number[];
  p?: number[];
  d?: number[];
  g?: number;
  op?: number[];
  weightIsInput?: boolean;
}

const T_CASES: TCase[] = [
  { x: [1, 8, 5, 7], ocg: 4, k: [2, 2], s: [2, 2] },
  { x: [2, 3, 4, 3], ocg: 5, k: [2, 2], s: [2, 2], weightIsInput: true },
  { x: [1, 4, 6, 7], ocg: 5, k: [3, 3], s: [2, 2], p: [1, 1, 1, 1], op: [1, 1] },
  { x: [2, 6, 4, 5], ocg: 2, k: [4, 4], s: [2, 2], p: [1, 1, 1, 1], g: 3, weightIsInput: true },
  { x: [1, 3, 5, 4], ocg: 3, k: [3, 3], s: [2, 2], p: [1, 2, 1, 0], d: [2, 2], op: [1, 1] },
  { x: [1, 3, 5, 6], ocg: 2, k: [3, 2], s: [1, 3], p: [1, 0, 1, 1], d: [1, 2], op: [0, 2] },
  { x: [1, 4, 1, 1], ocg: 3, k: [3, 3], s: [2, 2] },
  { x: [1, 5, 5, 5], ocg: 2, k: [5, 5], s: [4, 4], p: [3, 3, 3, 3] },
  { x: [1, 64, 20, 20], ocg: 16, k: [2, 2], s: [2, 2] },
];

function tAttrs(c: TCase): ConvTransposeRefAttrs {
  return {
    strides: c.s ?? [1, 1],
    pads: c.p ?? [0, 0, 0, 0],
    dilations: c.d ?? [1, 1],
    group: c.g ?? 1,
    outputPadding: c.op ?? [0, 0],
  };
}

function tLabel(c: TCase): string {
  const a = tAttrs(c);
  return `x${c.x.join('x')} oc/g${c.ocg} k${c.k.join('x')} s${a.strides.join(',')} p${a.pads.join(',')} d${a.dilations.join(',')} g${a.group} op${a.outputPadding.join(',')}`;
}

async function checkT(c: TCase, seed: number, ep?: Ep): Promise<void> {
  const a = tAttrs(c);
  const x = randomTensor(c.x, seed);
  const w = randomTensor([c.x[1], c.ocg, c.k[0], c.k[1]], seed + 1);
  const ref = convTranspose2dRef(halfRounded(x), halfRounded(w), a);
  const bias = ep?.bias ? randomTensor([ref.shape[1]], seed + 2) : undefined;
  const residual = ep?.residual ? randomTensor(ref.shape, seed + 3) : undefined;
  const epilogue: Epilogue | undefined = ep
    ? { act: ep.act, alpha: 0, beta: 0, residualBeforeAct: ep.before }
    : undefined;
  const [out] = await runOp('convTranspose', a, [toHalf(x), toHalf(w)], {
    consts: [false, !c.weightIsInput],
    epilogue,
    bias: bias && toHalf(bias),
    residual: residual && toHalf(residual),
  });
  if (ep) {
    epilogueRef(ref, {
      act: ep.act,
      residualBeforeAct: ep.before,
      bias: bias && (halfRounded(bias).data as Float32Array),
      residual: residual && (halfRounded(residual).data as Float32Array),
    });
  }
  expect(out.dtype).toBe('f16');
  expect(out.shape).toEqual(ref.shape);
  const got = halfValues(out);
  expect(countNaN(got)).toBe(0);
  expect(relL2(got, ref.data)).toBeLessThan(TOL);
}

describe('convTranspose2d f16', () => {
  T_CASES.forEach((c, i) => {
    it(tLabel(c), () => checkT(c, 500 + 4 * i));
  });
  const up: TCase = { x: [1, 12, 5, 6], ocg: 6, k: [2, 2], s: [2, 2] };
  it('bias + relu epilogue', () => checkT(up, 600, { act: 'relu', bias: true }));
  it('residual before hardSwish', () =>
    checkT({ ...up, k: [4, 4], p: [1, 1, 1, 1] }, 620, { act: 'hardSwish', bias: true, residual: true, before: true }));
});

describe('convTranspose2d f16 without subgroups', () => {
  const c: TCase = { x: [2, 6, 4, 5], ocg: 5, k: [3, 3], s: [2, 2], p: [0, 1, 2, 1], d: [2, 1], g: 2, op: [1, 0] };
  it(`portable ${tLabel(c)}`, () => withKernelKnobs(PORTABLE, () => checkT(c, 700)));
  it(`too-small subgroup ${tLabel(c)}`, () =>
    withTuning(PREFER_SUBGROUPS, () => withKernelKnobs(SMALL_SUBGROUP, () => checkT(c, 720))));
  it('portable, with a fused epilogue', () =>
    withKernelKnobs(PORTABLE, () =>
      checkT({ x: [1, 12, 5, 6], ocg: 6, k: [2, 2], s: [2, 2] }, 740, {
        act: 'relu',
        bias: true,
        residual: true,
        before: true,
      }),
    ));
  it('variants and 2-byte element sizes', () => {
    const outShape = convTranspose2dRef(randomTensor(c.x, 1), randomTensor([6, 5, 3, 3], 2), tAttrs(c)).shape;
    const node = {
      name: 't',
      op: 'convTranspose' as const,
      attrs: tAttrs(c),
      epilogue: null,
      inputs: [
        { shape: c.x, dtype: 'f16' as const },
        { shape: [6, 5, 3, 3], dtype: 'f16' as const },
      ],
      outputs: [{ shape: outShape, dtype: 'f16' as const }],
    };
    const caps = { f16: true, subgroups: true, dot4: true, maxWorkgroupsPerDim: 65535 };
    const sg = convTransposeKernel.select(node, caps, PREFER_SUBGROUPS).calls[0];
    expect(sg.variant).toBe('convTranspose2d.gather_sg.3x3s2');
    expect(sg.bytes).toBe(2 * (2 * 6 * 4 * 5 + 6 * 5 * 9 + outShape.reduce((p, q) => p * q, 1)));
    expect(convTransposeKernel.select(node, { ...caps, subgroups: false }, PREFER_SUBGROUPS).calls[0].variant).toBe(
      'convTranspose2d.gather.3x3s2',
    );
  });
});
