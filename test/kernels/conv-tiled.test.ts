// conv2d.tiled (shaders/conv2d_tiled.wgsl) forced onto the node, at every knob set the tuner may pick,
// against the CPU reference: 1x1, 3x3 with pads/strides/dilations, groups, odd sizes, batch 2, the fused
// epilogue, f16 storage and int8 weights. Fails (never skips) without an adapter.
import { describe, expect, it } from 'vitest';
import { type ConvGeometry, convGeometry } from '../../src/kernels/conv.js';
import { TILED_CONV_KNOBS, type TiledConvKnobs, tiledConvCall } from '../../src/kernels/conv-tiled.js';
import type { KernelCaps } from '../../src/kernels/types.js';
import type { SelectOverride } from '../../src/plan/schedule.js';
import { type Case, type Ep, checkConv, label } from './conv-check.js';

/** Forces the tiled kernel; a geometry it refuses fails the test instead of falling back. */
function tiled(knobs: TiledConvKnobs): SelectOverride {
  return (node, caps) => {
    if (node.op !== 'conv') throw new Error(`the tiled conv override got a ${node.op} node`);
    const call = tiledConvCall(convGeometry(node), caps, knobs);
    if (!call) throw new Error(`tiledConvCall refused ${node.name} with ${JSON.stringify(knobs)}`);
    return { calls: [call] };
  };
}

const CASES: Case[] = [
  { x: [1, 9, 5, 7], oc: 13, k: [1, 1] },
  { x: [2, 17, 6, 6], oc: 20, k: [1, 1] },
  { x: [1, 8, 9, 9], oc: 8, k: [1, 1], s: [2, 2] },
  { x: [2, 17, 17, 13], oc: 5, k: [3, 3], p: [1, 1, 1, 1] },
  { x: [1, 8, 11, 10], oc: 17, k: [3, 3], s: [2, 2], p: [1, 0, 1, 1] },
  { x: [1, 4, 13, 11], oc: 7, k: [3, 3], p: [2, 2, 2, 2], d: [2, 2] },
  { x: [1, 12, 8, 7], oc: 20, k: [5, 5], s: [2, 2], p: [2, 1, 0, 2], g: 4 },
  { x: [1, 24, 4, 3], oc: 40, k: [1, 1], g: 2 },
  { x: [1, 3, 19, 21], oc: 16, k: [3, 3], s: [2, 2], p: [1, 1, 1, 1] },
];

const knobName = (k: TiledConvKnobs) => `tm${k.tm} tn${k.tn} wg${k.wg} c${k.cUnroll ?? 1}`;

describe('conv2d.tiled window bound', () => {
  const caps = { maxWorkgroupsPerDim: 65535 } as KernelCaps;
  const geo = (k: number, s: number, d = 1): ConvGeometry => {
    const o = Math.floor((80 + 2 - d * (k - 1) - 1) / s) + 1;
    return {
      ...{ n: 1, cin: 16, h: 80, w: 80, cout: 24, oh: o, ow: o, kh: k, kw: k, group: 1, elemBytes: 4 },
      ...{ strideH: s, strideW: s, dilH: d, dilW: d, padT: 1, padL: 1, padB: 1, padR: 1 },
    };
  };
  const tn = (g: ConvGeometry) => tiledConvCall(g, caps, TILED_CONV_KNOBS[0])?.shader.prelude?.TN ?? null;
  it('an 8-pixel window past 12 input columns runs 4 pixels per lane; past 12 even then, refused', () => {
    expect(tn(geo(3, 1))).toBe(8); // 7 + 2 + 1 = 10 columns
    expect(tn(geo(3, 1, 2))).toBe(8); // 7 + 4 + 1 = 12
    expect(tn(geo(3, 2))).toBe(4); // 8 wide: 14 + 2 + 1 = 17; 4 wide: 6 + 2 + 1 = 9
    expect(tn(geo(5, 2))).toBe(4); // 4 wide: 6 + 4 + 1 = 11
    expect(tn(geo(7, 2))).toBe(null); // 4 wide: 6 + 6 + 1 = 13
  });
});

describe('conv2d.tiled', () => {
  // every case at the first knob set; the others (each a set of pipelines to compile) on a spread of cases
  TILED_CONV_KNOBS.forEach((knobs, ki) => {
    CASES.filter((_, i) => ki === 0 || i % 3 === ki - 1).forEach((c) => {
      const i = CASES.indexOf(c);
      it(`${knobName(knobs)}: ${label(c)}`, () => checkConv(c, 900 + 4 * i, undefined, 'f32', tiled(knobs)));
    });
  });
});

const EPILOGUES: [string, Case, Ep][] = [
  [
    'bias + relu with a residual before (3x3 s2 dilated)',
    { x: [1, 6, 9, 10], oc: 9, k: [3, 3], s: [2, 2], p: [1, 1, 1, 1], d: [1, 2] },
    { act: 'relu', bias: true, residual: true, before: true },
  ],
  [
    'scale + bias + hardSwish with a residual after (1x1)',
    { x: [2, 10, 6, 5], oc: 12, k: [1, 1] },
    { act: 'hardSwish', scale: true, bias: true, residual: true, before: false },
  ],
  [
    'bias + clip(0, 6) (3x3 groups)',
    { x: [1, 8, 7, 9], oc: 8, k: [3, 3], p: [1, 1, 1, 1], g: 2 },
    { act: 'clip', alpha: 0, beta: 6, bias: true },
  ],
];

describe('conv2d.tiled epilogue, f16 storage, int8 weights', () => {
  const knobs = TILED_CONV_KNOBS[0];
  EPILOGUES.forEach(([name, c, ep], i) => {
    it(name, () => checkConv(c, 950 + 4 * i, ep, 'f32', tiled(knobs)));
  });
  for (const k of [TILED_CONV_KNOBS[0], TILED_CONV_KNOBS[1]]) {
    it(`f16 storage, ${knobName(k)}: 1x1, 3x3 padded, strided, batch 2, with bias + relu`, async () => {
      await checkConv({ x: [2, 17, 6, 6], oc: 20, k: [1, 1] }, 970, { act: 'relu', bias: true }, 'f16', tiled(k));
      await checkConv(
        { x: [1, 8, 11, 10], oc: 17, k: [3, 3], s: [2, 2], p: [1, 1, 1, 1] },
        974,
        undefined,
        'f16',
        tiled(k),
      );
    });
    it(`int8 weights, ${knobName(k)}: 1x1 and 3x3 (per-channel scale in the epilogue)`, async () => {
      await checkConv({ x: [1, 9, 5, 7], oc: 13, k: [1, 1] }, 980, undefined, 'int8 weights', tiled(k));
      await checkConv(
        { x: [2, 5, 9, 8], oc: 11, k: [3, 3], p: [1, 1, 1, 1] },
        984,
        { act: 'relu', bias: true },
        'int8 weights',
        tiled(k),
      );
    });
  }
  it('f16 weights under f32 activations (3x3)', () =>
    checkConv({ x: [1, 7, 8, 9], oc: 10, k: [3, 3], p: [1, 1, 1, 1] }, 990, undefined, 'f16 weights', tiled(knobs)));
});
