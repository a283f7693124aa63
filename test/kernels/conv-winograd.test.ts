// Winograd F(2x2, 3x3) conv (conv2d_winograd*.wgsl) against the CPU conv reference: odd sizes (tiles past
// the edge), tiny images, pads 0/1/asymmetric, groups, channel counts off the 4/8 blocks, batch 2, fused
// epilogues, and f16 storage. forceChoice('winograd') selects it wherever it applies.
import { UnsupportedOpError } from '../../src/core/errors.js';
import { describe, expect, it } from 'vitest';
import { runOp, testGpu, withTuning } from './harness.js';
import { selectionNode } from './conv-check.js';
import { kernelCaps } from '../../src/runtime/executor.js';
import { countNaN, halfRounded, halfValues, randomTensor, relL2, toHalf } from '../util.js';
import { type ConvRefAttrs, type RefAct, conv2dRef, epilogueRef } from '../ref/conv.js';
import { convKernel } from '../../src/kernels/conv.js';
import { forceChoice } from '../../src/kernels/tuning.js';
import { type KnobOverrides, withKnobs } from '../../src/kernels/knobs.js';
import type { Epilogue } from '../../src/ir/graph.js';
import type { HostTensor } from '../../src/core/tensor.js';

interface Case {
  x: number[];
  oc: number;
  p?: number[];
  g?: number;
  weightIsInput?: boolean;
}
interface Ep {
  act: RefAct;
  bias?: boolean;
  residual?: boolean;
  before?: boolean;
}

const CASES: Case[] = [
  { x: [1, 3, 5, 7], oc: 8, p: [1, 1, 1, 1] },
  { x: [2, 17, 17, 13], oc: 5, p: [1, 1, 1, 1] },
  { x: [1, 96, 9, 9], oc: 24, p: [1, 1, 1, 1] },
  { x: [1, 5, 11, 10], oc: 9, p: [0, 1, 2, 0] },
  { x: [1, 6, 8, 9], oc: 7, p: [0, 0, 0, 0] },
  { x: [1, 4, 12, 13], oc: 12, p: [2, 0, 1, 3] },
  // (a 1x1 output goes to the direct kernel before Winograd is considered)
  { x: [1, 1, 1, 2], oc: 3, p: [1, 1, 1, 1] },
  { x: [1, 2, 2, 2], oc: 3, p: [1, 1, 1, 1] },
  { x: [1, 2, 3, 4], oc: 3 },
  { x: [1, 3, 1, 9], oc: 4, p: [1, 1, 1, 1] },
  { x: [1, 3, 9, 2], oc: 5, p: [1, 1, 1, 1] },
  { x: [2, 7, 3, 5], oc: 13, p: [1, 1, 1, 1], weightIsInput: true },
  { x: [1, 4, 7, 9], oc: 6, p: [1, 1, 1, 1], g: 2 },
  { x: [1, 12, 8, 7], oc: 20, p: [1, 1, 1, 1], g: 4 },
  { x: [2, 10, 11, 6], oc: 15, p: [1, 0, 1, 2], g: 5 },
  { x: [1, 32, 40, 40], oc: 64, p: [1, 1, 1, 1] },
];

const attrsOf = (c: Case): ConvRefAttrs => ({
  strides: [1, 1],
  pads: c.p ?? [0, 0, 0, 0],
  dilations: [1, 1],
  group: c.g ?? 1,
});
const label = (c: Case): string =>
  `x${c.x.join('x')} oc${c.oc} p${attrsOf(c).pads.join(',')} g${c.g ?? 1}${c.weightIsInput ? ' (weight as input)' : ''}`;

async function check(c: Case, seed: number, ep?: Ep, half = false, knobs: KnobOverrides = {}): Promise<void> {
  const a = attrsOf(c);
  const winograd = withKnobs(forceChoice('winograd'), knobs);
  const x = randomTensor(c.x, seed);
  const w = randomTensor([c.oc, c.x[1] / a.group, 3, 3], seed + 1);
  const round = (t: typeof x) => (half ? halfRounded(t) : t);
  const ref = conv2dRef(round(x), round(w), a);
  const bias = ep?.bias ? randomTensor([c.oc], seed + 2) : undefined;
  const residual = ep?.residual ? randomTensor(ref.shape, seed + 3) : undefined;
  const epilogue: Epilogue | undefined = ep
    ? { act: ep.act, alpha: 0, beta: 0, residualBeforeAct: ep.before }
    : undefined;
  const store = (t: typeof x | undefined) => (t && half ? toHalf(t) : t);
  // the kernel under test is the one the planner picks on this adapter (not a silent igemm fallback)
  const dtype = half ? ('f16' as const) : ('f32' as const);
  if (half && !(await testGpu()).features.shaderF16) {
    // no shader-f16 (SwiftShader): f16 storage is refused with a typed error, never skipped or computed wrongly
    const e = await runOp('conv', a, [store(x)!, store(w)!], { consts: [false, !c.weightIsInput] }).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(UnsupportedOpError);
    expect((e as Error).message).toContain('f16 tensors need the adapter feature shader-f16');
    return;
  }
  const knode = {
    name: 'c',
    op: 'conv' as const,
    attrs: a,
    epilogue: null,
    inputs: [
      { shape: c.x, dtype },
      { shape: w.shape, dtype },
    ],
    outputs: [{ shape: ref.shape, dtype }],
  };
  expect(convKernel.select(knode, kernelCaps(await testGpu()), winograd).calls.map((k) => k.variant)).toEqual([
    'conv2d.winograd2x2.3x3',
  ]);
  let out!: HostTensor;
  await withTuning(winograd, async () => {
    [out] = await runOp('conv', a, [store(x)!, store(w)!], {
      consts: [false, !c.weightIsInput],
      epilogue,
      bias: store(bias),
      residual: store(residual),
    });
  });
  if (ep) {
    epilogueRef(ref, {
      act: ep.act,
      residualBeforeAct: ep.before,
      bias: bias && (round(bias).data as Float32Array),
      residual: residual && (round(residual).data as Float32Array),
    });
  }
  expect(out.dtype).toBe(half ? 'f16' : 'f32');
  expect(out.shape).toEqual(ref.shape);
  const got = halfValues(out);
  expect(countNaN(got)).toBe(0);
  expect(relL2(got, ref.data)).toBeLessThan(half ? 2e-3 : 1e-4);
}

describe('conv2d winograd F(2x2, 3x3)', () => {
  CASES.forEach((c, i) => {
    it(label(c), () => check(c, 500 + 4 * i));
  });
  const dense: Case = { x: [2, 19, 9, 11], oc: 10, p: [1, 1, 1, 1] };
  it('bias + relu', () => check(dense, 600, { act: 'relu', bias: true }));
  it('bias + hardSwish, residual after', () =>
    check(dense, 610, { act: 'hardSwish', bias: true, residual: true, before: false }));
  it('bias + hardSwishClip', () => check(dense, 615, { act: 'hardSwishClip', bias: true }));
  it('residual before relu, grouped', () =>
    check({ ...dense, x: [1, 18, 9, 11], g: 3, oc: 9 }, 620, {
      act: 'relu',
      bias: true,
      residual: true,
      before: true,
    }));
  it('other tile shapes (TM 8/16, TT 1/3)', async () => {
    for (const [tm, tt] of [
      [8, 1],
      [16, 3],
    ]) {
      const knobs = { winograd: { tm, tt } };
      await check({ x: [1, 9, 13, 11], oc: 14, p: [1, 1, 1, 1] }, 630 + tm, { act: 'relu', bias: true }, false, knobs);
    }
  });
  // the kernel's own path for subgroups smaller than 8 (forced by raising the threshold)
  it('direct path for a too-small subgroup', () =>
    check(
      { x: [2, 10, 11, 6], oc: 15, p: [1, 0, 1, 2], g: 5 },
      640,
      { act: 'relu', bias: true, residual: true },
      false,
      { winograd: { minSubgroup: 1000 } },
    ));
});

describe('conv2d winograd f16 storage', () => {
  [CASES[1], CASES[2], CASES[5], CASES[11], CASES[14], CASES[15]].forEach((c, i) => {
    it(label(c), () => check(c, 700 + 4 * i, undefined, true));
  });
  it('bias + hardSwish + residual', () =>
    check({ x: [1, 19, 9, 11], oc: 10, p: [1, 1, 1, 1] }, 750, { act: 'hardSwish', bias: true, residual: true }, true));
});

describe('conv2d winograd selection', () => {
  const caps = { f16: true, subgroups: true, dot4: true, maxWorkgroupsPerDim: 65535 };
  const pick = (c: Case & { s?: number[]; d?: number[]; k?: number }): string => {
    const a = { ...attrsOf(c), strides: c.s ?? [1, 1], dilations: c.d ?? [1, 1] };
    const k = c.k ?? 3;
    const node = selectionNode(c.x, [c.oc, c.x[1] / a.group, k, k], a);
    return convKernel
      .select(node, caps, forceChoice('winograd'))
      .calls.map((k) => k.variant)
      .join('+');
  };
  it("offers Winograd for PP-OCRv4 det's 96->24 3x3 convs", () => {
    const wino = 'conv2d.winograd2x2.3x3';
    expect(pick({ x: [1, 96, 80, 80], oc: 24, p: [1, 1, 1, 1] })).toBe(wino);
    expect(pick({ x: [1, 96, 40, 40], oc: 24, p: [1, 1, 1, 1] })).toBe(wino);
    expect(pick({ x: [1, 96, 10, 10], oc: 24, p: [1, 1, 1, 1] })).toBe(wino);
  });
  it('does not offer it where F(2x2,3x3) does not apply (the default runs)', () => {
    expect(pick({ x: [1, 96, 80, 80], oc: 24, p: [1, 1, 1, 1], s: [2, 2] })).toBe('conv2d.igemm.3x3');
    expect(pick({ x: [1, 96, 80, 80], oc: 24, p: [2, 2, 2, 2], d: [2, 2] })).toBe('conv2d.igemm.3x3');
    expect(pick({ x: [1, 96, 80, 80], oc: 24, p: [2, 2, 2, 2], k: 5 })).toBe('conv2d.igemm.5x5');
    expect(pick({ x: [1, 16, 16, 16], oc: 16, p: [1, 1, 1, 1], g: 16 })).toMatch(/^conv2d\.depthwise/);
  });
});
