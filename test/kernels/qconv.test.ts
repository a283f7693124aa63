// Integer conv (qconv, dot4I8Packed) against the exact CPU integer reference: odd sizes, size 1, K not a
// multiple of 4, groups and depthwise, strides/pads/dilations, per-tensor and per-channel weight scales,
// int8 and uint8 activations with zero points, integer and float biases, relu/clip ranges.
// The GPU does the same f32 operations as the reference (product rounded, then + shift: lavapipe does not
// contract a*b+c into fma; its f32 division is correctly rounded, WGSL would allow 2.5 ULP), so results
// must be bit-exact. An adapter with a looser division could flip a value sitting on a .5 boundary by 1.
import { describe, expect, it } from 'vitest';
import type { QLinearAttrs } from '../../src/ir/graph.js';
import { packWeights, requantParams } from '../../src/ir/passes/qlinear-pack.js';
import { runOp } from './harness.js';
import { QLINEAR_TEST } from '../../src/kernels/qlinear.js';
import { rng } from '../util.js';
import { qconvRef, type QSpec } from '../ref/qlinear.js';

interface Case {
  name: string;
  x: number[];
  oc: number;
  k: [number, number];
  strides?: number[];
  pads?: number[];
  dil?: number[];
  group?: number;
  xdt: 'i8' | 'u8';
  to?: 'i8' | 'u8';
  perChannel: boolean;
  bias: 'none' | 'int' | 'float';
  act?: 'relu' | 'clip';
  /** QDQ-chain requantization ((acc * sx*sw + b) / sy) instead of QLinearConv's (acc * (sx*sw/sy)). */
  floatRequant?: boolean;
}

const CASES: Case[] = [
  {
    name: '3x3 pad 1, uint8, per channel, float bias',
    x: [1, 3, 7, 9],
    oc: 5,
    k: [3, 3],
    pads: [1, 1, 1, 1],
    xdt: 'u8',
    perChannel: true,
    bias: 'float',
  },
  {
    name: 'QDQ requantization: 3x3 pad 1, uint8, per channel, float bias',
    x: [1, 3, 7, 9],
    oc: 5,
    k: [3, 3],
    pads: [1, 1, 1, 1],
    xdt: 'u8',
    perChannel: true,
    bias: 'float',
    floatRequant: true,
  },
  {
    name: 'QDQ requantization: depthwise stride 2, relu',
    x: [1, 16, 11, 11],
    oc: 16,
    k: [3, 3],
    strides: [2, 2],
    pads: [1, 1, 1, 1],
    group: 16,
    xdt: 'u8',
    perChannel: true,
    bias: 'int',
    act: 'relu',
    floatRequant: true,
  },
  {
    name: '3x3 stride 2 asymmetric pads, int8, per tensor, int bias, batch 2',
    x: [2, 8, 6, 5],
    oc: 8,
    k: [3, 3],
    strides: [2, 2],
    pads: [1, 0, 0, 1],
    xdt: 'i8',
    perChannel: false,
    bias: 'int',
    to: 'i8',
  },
  {
    name: 'depthwise 3x3 dilation 2',
    x: [1, 6, 9, 9],
    oc: 6,
    k: [3, 3],
    pads: [2, 2, 2, 2],
    dil: [2, 2],
    group: 6,
    xdt: 'u8',
    perChannel: true,
    bias: 'int',
  },
  {
    name: '1x1 groups 4 (3 channels per group)',
    x: [1, 12, 5, 7],
    oc: 8,
    k: [1, 1],
    group: 4,
    xdt: 'i8',
    perChannel: true,
    bias: 'float',
  },
  { name: 'size 1', x: [1, 1, 1, 1], oc: 1, k: [1, 1], xdt: 'u8', perChannel: false, bias: 'none' },
  {
    name: '3x3 dilation (1,2) stride (1,2), 10 -> 9 channels',
    x: [1, 10, 8, 15],
    oc: 9,
    k: [3, 3],
    strides: [1, 2],
    pads: [1, 2, 1, 2],
    dil: [1, 2],
    xdt: 'u8',
    perChannel: true,
    bias: 'float',
    floatRequant: true,
  },
  {
    name: '5x5 groups 2 (6 outputs per group)',
    x: [1, 16, 4, 4],
    oc: 12,
    k: [5, 5],
    pads: [2, 2, 2, 2],
    group: 2,
    xdt: 'u8',
    perChannel: true,
    bias: 'int',
  },
  {
    name: '2x3 kernel, stride (2,1), relu, 7 channels',
    x: [1, 5, 10, 3],
    oc: 7,
    k: [2, 3],
    strides: [2, 1],
    pads: [0, 1, 1, 0],
    xdt: 'u8',
    perChannel: true,
    bias: 'float',
    act: 'relu',
  },
  {
    name: '1x1, 37 channels (K % 4 = 1), clip, int8 out',
    x: [1, 37, 6, 6],
    oc: 19,
    k: [1, 1],
    xdt: 'i8',
    to: 'i8',
    perChannel: true,
    bias: 'int',
    act: 'clip',
  },
  {
    name: '3x3 stride 2, 24 -> 32 channels (det-like)',
    x: [1, 24, 17, 17],
    oc: 32,
    k: [3, 3],
    strides: [2, 2],
    pads: [1, 1, 1, 1],
    xdt: 'u8',
    perChannel: true,
    bias: 'float',
  },
  {
    name: 'QDQ requantization: 1x1 64 -> 40 channels, int8',
    x: [1, 64, 9, 10],
    oc: 40,
    k: [1, 1],
    xdt: 'i8',
    to: 'i8',
    perChannel: true,
    bias: 'float',
    floatRequant: true,
  },
];

const RANGE = { i8: [-128, 127], u8: [0, 255] } as const;
const fround = Math.fround;

export function qcase(c: Case, seed: number) {
  const r = rng(seed);
  const group = c.group ?? 1;
  const cg = c.x[1] / group;
  const taps = c.k[0] * c.k[1];
  const K = cg * taps;
  const [xlo, xhi] = RANGE[c.xdt];
  const xVals = Array.from({ length: c.x.reduce((a, b) => a * b, 1) }, () => xlo + Math.floor(r() * (xhi - xlo + 1)));
  const xZero = c.xdt === 'u8' ? 1 + Math.floor(r() * 254) : -20 + Math.floor(r() * 40);
  const w = Int32Array.from({ length: c.oc * K }, () => -127 + Math.floor(r() * 255));
  const sx = 0.02;
  const sw = Float32Array.from({ length: c.perChannel ? c.oc : 1 }, (_, o) => 0.004 * (1 + (o % 3)));
  const swMean = sw.reduce((a, b) => a + b, 0) / sw.length;
  const sy = fround(sx * swMean * Math.sqrt(K) * 110);
  const to = c.to ?? 'u8';
  let [qmin, qmax]: number[] = [...RANGE[to]];
  const yZero = to === 'u8' ? 100 : -10;
  if (c.act === 'relu') qmin = yZero;
  if (c.act === 'clip') {
    qmin = -40;
    qmax = 60;
  }
  const swAt = (o: number) => sw[c.perChannel ? o : 0];
  const ib = Int32Array.from({ length: c.oc }, () => (c.bias === 'int' ? Math.floor((r() - 0.5) * 40000) : 0));
  const fb = Float32Array.from({ length: c.oc }, () => (c.bias === 'float' ? (r() - 0.5) * 2 : 0));
  const biasF =
    c.bias === 'none' ? null : c.bias === 'int' ? Float32Array.from(ib, (v, o) => v * fround(sx * swAt(o))) : fb;
  const spec: QSpec = c.floatRequant
    ? {
        xZero,
        yZero,
        qmin,
        qmax,
        intBias: new Int32Array(c.oc),
        yDiv: sy,
        mult: Float32Array.from({ length: c.oc }, (_, o) => fround(sx * swAt(o))),
        shift: Float32Array.from({ length: c.oc }, (_, o) => (biasF ? fround(biasF[o]) : 0)),
      }
    : {
        xZero,
        yZero,
        qmin,
        qmax,
        intBias: ib,
        mult: Float32Array.from({ length: c.oc }, (_, o) => fround(fround(sx * swAt(o)) / sy)),
        shift: Float32Array.from(fb, (b) => fround(b / sy)),
      };
  const xOffset = c.xdt === 'u8' ? 128 : 0;
  const { packed, sums } = packWeights(w, c.oc, cg, taps);
  const rq = requantParams(sx, sw, sy, biasF, sums, xOffset, xZero, !c.floatRequant);
  const x = { dtype: c.xdt, shape: c.x, data: c.xdt === 'u8' ? Uint8Array.from(xVals) : Int8Array.from(xVals) };
  const inputs = [
    x,
    { dtype: 'u32' as const, shape: [c.oc, packed.length / c.oc], data: packed },
    { dtype: 'i32' as const, shape: [c.oc], data: rq.bias },
    { dtype: 'f32' as const, shape: [2, c.oc], data: rq.requant },
  ];
  return { xVals, w, spec, inputs, xOffset, to, qmin, qmax, yZero, xZero, cg, rq };
}

async function check(c: Case): Promise<void> {
  const t = qcase(c, 11);
  const strides = c.strides ?? [1, 1],
    pads = c.pads ?? [0, 0, 0, 0],
    dil = c.dil ?? [1, 1],
    group = c.group ?? 1;
  const attrs: QLinearAttrs = {
    xZero: t.xZero,
    xOffset: t.xOffset,
    yZero: t.yZero,
    yDiv: t.rq.yDiv,
    qmin: t.qmin,
    qmax: t.qmax,
    to: t.to,
    wShape: [c.oc, t.cg, c.k[0], c.k[1]],
    conv: { strides, pads, dilations: dil, group },
  };
  if (c.bias === 'int' && !c.floatRequant) expect(t.rq.intBiasChannels).toBe(c.oc);
  const ref = qconvRef(t.xVals, c.x, t.w, attrs.wShape, strides, pads, dil, group, t.spec);
  const [y] = await runOp('qconv', attrs, t.inputs, { consts: [false, true, true, true] });
  expect(y.shape).toEqual(ref.shape);
  expect(y.dtype).toBe(t.to);
  const got = Array.from(y.data as ArrayLike<number>);
  expect(got.filter((v, i) => v !== ref.y[i]).length).toBe(0);
  // the grid must exercise the range, not just saturate
  expect(new Set(ref.y).size).toBeGreaterThan(Math.min(8, ref.y.length - 1));
}

describe('qconv (dot4I8Packed) vs exact integer reference', () => {
  for (const c of CASES) it(c.name, () => check(c));
});

describe('qconv: the other kernels on this adapter', () => {
  const ungrouped = CASES.filter((c) => (c.group ?? 1) === 1);
  for (const [knob, label] of [
    ['simpleOnly', 'without subgroups'],
    ['noBroadcast', 'subgroup kernel, subgroups narrower than 8'],
    ['packedDot', 'subgroup kernel, dot4I8Packed form'],
  ] as const) {
    const depthwise = knob === 'simpleOnly' ? CASES.filter((c) => c.group === c.x[1]) : [];
    for (const c of [...ungrouped.slice(0, 5), ...depthwise]) {
      it(`${label}: ${c.name}`, async () => {
        QLINEAR_TEST[knob] = true;
        try {
          await check(c);
        } finally {
          QLINEAR_TEST[knob] = false;
        }
      });
    }
  }
});
