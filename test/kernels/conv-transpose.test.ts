// convTranspose2d (phase-split gather) against the CPU reference in f32 and f16 storage (math in f32; f16 rounds
// every operand first and runs a representative subset), int8 weights, fused epilogues, the portable kernel.
import { withKernelKnobs, withTuning } from './harness.js';
import { PREFER_SUBGROUPS } from './conv-check.js';
import { describe, expect, it } from 'vitest';
import { runOp } from './harness.js';
import { countNaN, int8Weights, randomTensor, relL2 } from '../util.js';
import { convTransposeKernel } from '../../src/kernels/conv-transpose.js';
import { DTYPES, type StorageDType, storage } from './storage.js';
import { type ConvTransposeRefAttrs, type RefAct, convTranspose2dRef, epilogueRef } from '../ref/conv.js';
import type { Epilogue } from '../../src/ir/graph.js';

/** The portable gather, and the subgroup gather's own path for subgroups under 8 (threshold raised). */
const PORTABLE = { convTranspose: { noSubgroups: true } };
const SMALL_SUBGROUP = { convTranspose: { minSubgroup: 1000 } };

interface Case {
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

const CASES: Case[] = [
  { x: [1, 8, 5, 7], ocg: 4, k: [2, 2], s: [2, 2] },
  { x: [2, 3, 4, 3], ocg: 5, k: [2, 2], s: [2, 2], weightIsInput: true },
  { x: [1, 6, 5, 5], ocg: 3, k: [4, 4], s: [2, 2], p: [1, 1, 1, 1] },
  { x: [1, 4, 6, 7], ocg: 5, k: [3, 3], s: [2, 2], p: [1, 1, 1, 1], op: [1, 1] },
  { x: [1, 5, 7, 6], ocg: 4, k: [3, 3], s: [2, 2], p: [0, 1, 2, 1], op: [1, 0] },
  { x: [1, 4, 5, 5], ocg: 3, k: [3, 3], s: [2, 2], p: [1, 1, 1, 1], g: 2 },
  { x: [2, 6, 4, 5], ocg: 2, k: [4, 4], s: [2, 2], p: [1, 1, 1, 1], g: 3, weightIsInput: true },
  { x: [1, 3, 6, 6], ocg: 4, k: [3, 3], p: [1, 1, 1, 1], d: [2, 2] },
  { x: [1, 3, 5, 4], ocg: 3, k: [3, 3], s: [2, 2], p: [1, 2, 1, 0], d: [2, 2], op: [1, 1] },
  { x: [1, 2, 4, 5], ocg: 3, k: [3, 3], s: [3, 3], p: [1, 1, 0, 0], op: [2, 1] },
  { x: [1, 3, 5, 6], ocg: 2, k: [3, 2], s: [1, 3], p: [1, 0, 1, 1], d: [1, 2], op: [0, 2] },
  { x: [1, 5, 6, 6], ocg: 7, k: [3, 3], p: [1, 1, 1, 1] },
  { x: [1, 4, 1, 1], ocg: 3, k: [3, 3], s: [2, 2] },
  { x: [1, 17, 3, 5], ocg: 9, k: [1, 1] },
  { x: [1, 8, 6, 5], ocg: 1, k: [4, 4], s: [2, 2], p: [1, 1, 1, 1], g: 8 },
  { x: [1, 5, 5, 5], ocg: 2, k: [5, 5], s: [4, 4], p: [3, 3, 3, 3] },
  { x: [1, 64, 20, 20], ocg: 16, k: [2, 2], s: [2, 2] },
  { x: [1, 16, 40, 40], ocg: 1, k: [2, 2], s: [2, 2] },
];

/** f16's subset of CASES (every variant and path). */
const F16_CASES = new Set([0, 1, 3, 6, 8, 10, 12, 15, 16].map((i) => CASES[i]));

function attrsOf(c: Case): ConvTransposeRefAttrs {
  return {
    strides: c.s ?? [1, 1],
    pads: c.p ?? [0, 0, 0, 0],
    dilations: c.d ?? [1, 1],
    group: c.g ?? 1,
    outputPadding: c.op ?? [0, 0],
  };
}

function label(c: Case): string {
  const a = attrsOf(c);
  return `x${c.x.join('x')} oc/g${c.ocg} k${c.k.join('x')} s${a.strides.join(',')} p${a.pads.join(',')} d${a.dilations.join(',')} g${a.group} op${a.outputPadding.join(',')}${c.weightIsInput ? ' (weight as input)' : ''}`;
}

async function check(
  c: Case,
  seed: number,
  ep?: { act: RefAct; bias?: boolean; residual?: boolean; before?: boolean },
  int8 = false,
  dt: StorageDType = 'f32',
): Promise<void> {
  const s = storage(dt);
  const a = attrsOf(c);
  const x = randomTensor(c.x, seed);
  let w = randomTensor([c.x[1], c.ocg, c.k[0], c.k[1]], seed + 1);
  // int8 weights (group 1): packed int8 values in the kernel, the per-output-channel scale (weight axis 1) in the epilogue
  const taps = c.k[0] * c.k[1];
  const q8 = int8 ? int8Weights(w, c.ocg, (i) => Math.floor(i / taps) % c.ocg, seed + 7) : null;
  if (q8) w = q8.dequantized;
  const ref = convTranspose2dRef(s.exact(x), s.exact(w), a);
  const bias = ep?.bias ? randomTensor([ref.shape[1]], seed + 2) : undefined;
  const residual = ep?.residual ? randomTensor(ref.shape, seed + 3) : undefined;
  const epilogue: Epilogue | undefined =
    ep || q8 ? { act: ep?.act ?? 'none', alpha: 0, beta: 0, residualBeforeAct: ep?.before } : undefined;
  const [out] = await runOp('convTranspose', a, [s.gpu(x), q8 ? q8.q : s.gpu(w)], {
    consts: [false, !c.weightIsInput],
    epilogue,
    scale: q8?.scale,
    bias: bias && s.gpu(bias),
    residual: residual && s.gpu(residual),
  });
  if (ep)
    epilogueRef(ref, {
      act: ep.act,
      bias: bias && (s.exact(bias).data as Float32Array),
      residual: residual && (s.exact(residual).data as Float32Array),
      residualBeforeAct: ep.before,
    });
  expect(out.dtype).toBe(dt);
  expect(out.shape).toEqual(ref.shape);
  const got = s.read(out);
  expect(countNaN(got)).toBe(0);
  expect(relL2(got, ref.data)).toBeLessThan(s.tol(1e-4));
}

describe('convTranspose2d CPU reference', () => {
  it('matches hand-computed sums', () => {
    const x = { dtype: 'f32' as const, shape: [1, 1, 1, 2], data: new Float32Array([1, 2]) };
    const w = { dtype: 'f32' as const, shape: [1, 1, 2, 2], data: new Float32Array([1, 2, 3, 4]) };
    const r = convTranspose2dRef(x, w, {
      strides: [2, 2],
      pads: [0, 0, 0, 0],
      dilations: [1, 1],
      group: 1,
      outputPadding: [0, 0],
    });
    expect(r.shape).toEqual([1, 1, 2, 4]);
    expect(Array.from(r.data)).toEqual([1, 2, 2, 4, 3, 4, 6, 8]);
    // stride 1 overlaps: the kernel's footprints add up
    const o = convTranspose2dRef(x, w, {
      strides: [1, 1],
      pads: [0, 0, 0, 0],
      dilations: [1, 1],
      group: 1,
      outputPadding: [0, 0],
    });
    expect(Array.from(o.data)).toEqual([1, 4, 4, 3, 10, 8]);
  });
});

describe.each(DTYPES)('convTranspose2d %s', (dt) => {
  const f32 = dt === 'f32';
  (f32 ? CASES : CASES.filter((c) => F16_CASES.has(c))).forEach((c, i) => {
    it(label(c), () => check(c, 500 + 4 * i, undefined, false, dt));
  });
  const up: Case = { x: [1, 12, 5, 6], ocg: 6, k: [2, 2], s: [2, 2] };
  if (f32) {
    CASES.filter((c) => !c.weightIsInput && (c.g ?? 1) === 1).forEach((c, i) => {
      it(`int8 weights: ${label(c)}`, () => check(c, 800 + 4 * i, undefined, true));
    });
    it('int8 weights: bias + relu epilogue', () => check(up, 880, { act: 'relu', bias: true }, true));
  }
  it('bias + relu epilogue', () => check(up, 600, { act: 'relu', bias: true }, false, dt));
  if (f32)
    it('bias + sigmoid with a residual after the activation', () =>
      check(up, 610, { act: 'sigmoid', bias: true, residual: true, before: false }));
  // f16 adds a bias to this one
  it('residual before hardSwish', () =>
    check(
      { ...up, k: [4, 4], p: [1, 1, 1, 1] },
      620,
      { act: 'hardSwish', bias: !f32, residual: true, before: true },
      false,
      dt,
    ));
});

describe.each(DTYPES)('convTranspose2d %s without subgroups', (dt) => {
  const f32 = dt === 'f32';
  const cases: Case[] = [
    { x: [1, 6, 5, 5], ocg: 3, k: [4, 4], s: [2, 2], p: [1, 1, 1, 1] },
    { x: [2, 6, 4, 5], ocg: 5, k: [3, 3], s: [2, 2], p: [0, 1, 2, 1], d: [2, 1], g: 2, op: [1, 0] },
  ];
  // f16: the grouped, dilated case
  (f32 ? cases : cases.slice(1)).forEach((c, i) => {
    it(`portable ${label(c)}`, () => withKernelKnobs(PORTABLE, () => check(c, 700 + 4 * i, undefined, false, dt)));
    // the subgroup kernel's own path for subgroups smaller than 8 (forced by raising the threshold)
    it(`too-small subgroup ${label(c)}`, () =>
      withTuning(PREFER_SUBGROUPS, () =>
        withKernelKnobs(SMALL_SUBGROUP, () => check(c, 720 + 4 * i, undefined, false, dt)),
      ));
  });
  it('portable, with a fused epilogue', () =>
    withKernelKnobs(PORTABLE, () =>
      check(
        { x: [1, 12, 5, 6], ocg: 6, k: [2, 2], s: [2, 2] },
        740,
        { act: 'relu', bias: true, residual: true, before: true },
        false,
        dt,
      ),
    ));
  if (!f32) {
    const c = cases[1];
    it('variants and 2-byte element sizes', () => {
      const outShape = convTranspose2dRef(randomTensor(c.x, 1), randomTensor([6, 5, 3, 3], 2), attrsOf(c)).shape;
      const node = {
        name: 't',
        op: 'convTranspose' as const,
        attrs: attrsOf(c),
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
  }
});
