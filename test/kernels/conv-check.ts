// The conv2d kernel check shared by the f32 and f16 tests: random data through the real planner and
// executor against the CPU reference. f16 rounds every operand to f16 first and computes the reference on
// exactly those values (tolerance 2e-3); f32 requires 1e-4. Both count unwritten (NaN-poisoned) outputs.
// int8 weights (dequantize folded): the kernel reads packed int8 values and the epilogue applies the
// per-channel scale; the reference convolves with the dequantized weights q * s (tolerance 1e-4).
import { expect, it } from 'vitest';
import { forceChoice } from '../../src/kernels/tuning.js';
import { withKernelKnobs, withTuning } from './harness.js';
import type { HostTensor } from '../../src/core/tensor.js';
import type { Epilogue, FakeQuant } from '../../src/ir/graph.js';
import { type ConvRefAttrs, type RefAct, conv2dRef, epilogueRef } from '../ref/conv.js';
import { countNaN, halfRounded, halfValues, int8Weights, randomTensor, relL2, toHalf } from '../util.js';
import { runOp } from './harness.js';
import type { SelectOverride } from '../../src/plan/schedule.js';

export interface Case {
  x: number[];
  oc: number;
  k: [number, number];
  s?: number[];
  p?: number[];
  d?: number[];
  g?: number;
  weightIsInput?: boolean;
}
export interface Ep {
  act: RefAct;
  alpha?: number;
  beta?: number;
  scale?: boolean;
  bias?: boolean;
  residual?: boolean;
  before?: boolean;
  fakeQuant?: FakeQuant;
}

export function attrsOf(c: Case): ConvRefAttrs {
  return { strides: c.s ?? [1, 1], pads: c.p ?? [0, 0, 0, 0], dilations: c.d ?? [1, 1], group: c.g ?? 1 };
}

/**
 * A conv node for kernel selection alone (no GPU): x [N, C, H, W], weights [OC, C/group, KH, KW], the output
 * shape from the CPU reference.
 */
export function selectionNode(x: number[], w: number[], attrs: ConvRefAttrs, dtype: 'f32' | 'f16' = 'f32') {
  const ref = conv2dRef(randomTensor(x, 1), randomTensor(w, 2), attrs);
  return {
    name: 'c',
    op: 'conv' as const,
    attrs,
    epilogue: null,
    inputs: [
      { shape: x, dtype },
      { shape: w, dtype },
    ],
    outputs: [{ shape: ref.shape, dtype }],
  };
}

export function label(c: Case): string {
  const a = attrsOf(c);
  return `x${c.x.join('x')} oc${c.oc} k${c.k.join('x')} s${a.strides.join(',')} p${a.pads.join(',')} d${a.dilations.join(',')} g${a.group}${c.weightIsInput ? ' (weight as input)' : ''}`;
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export async function checkConv(
  c: Case,
  seed: number,
  ep?: Ep,
  precision: 'f32' | 'f16' | 'int8 weights' | 'f16 weights' = 'f32',
  select?: SelectOverride,
): Promise<void> {
  const half = precision === 'f16';
  const int8 = precision === 'int8 weights';
  // f16 weights under f32 activations (fp16 weights behind a Cast, folded): the kernel reads halves
  const halfWeights = precision === 'f16 weights';
  // what the GPU gets, and the values the reference computes with
  const gpu = (t: HostTensor | undefined) => (t && half ? toHalf(t) : t);
  const exact = (t: HostTensor | undefined) => (t && half ? halfRounded(t) : t);
  const a = attrsOf(c);
  const x = randomTensor(c.x, seed);
  const wShape = [c.oc, c.x[1] / a.group, c.k[0], c.k[1]];
  const per = wShape[1] * wShape[2] * wShape[3];
  const q8 = int8 ? int8Weights(randomTensor(wShape, seed + 1), c.oc, (i) => Math.floor(i / per), seed + 8) : null;
  const w = q8
    ? q8.dequantized
    : halfWeights
      ? halfRounded(randomTensor(wShape, seed + 1))
      : randomTensor(wShape, seed + 1);
  const ref = conv2dRef(exact(x)!, exact(w)!, a);
  const bias = ep?.bias ? randomTensor([c.oc], seed + 2) : undefined;
  const residual = ep?.residual ? randomTensor(ref.shape, seed + 3) : undefined;
  const scale = ep?.scale ? randomTensor([c.oc], seed + 4, 0.5, 2) : undefined;
  const epilogue: Epilogue | undefined =
    ep || q8
      ? {
          act: ep?.act ?? 'none',
          alpha: ep?.alpha ?? 0,
          beta: ep?.beta ?? 0,
          residualBeforeAct: ep?.before,
          fakeQuant: ep?.fakeQuant,
        }
      : undefined;
  // int8: the weight scale (times any epilogue scale) multiplies each channel's sum
  const gpuScale = q8
    ? {
        dtype: 'f32' as const,
        shape: [c.oc],
        data: (q8.scale.data as Float32Array).map((s, i) => s * ((scale?.data as Float32Array | undefined)?.[i] ?? 1)),
      }
    : gpu(scale);
  const [out] = await runOp('conv', a, [gpu(x)!, q8 ? q8.q : halfWeights ? toHalf(w) : gpu(w)!], {
    consts: [false, !c.weightIsInput],
    epilogue,
    scale: gpuScale,
    bias: gpu(bias),
    residual: gpu(residual),
    select,
  });
  if (ep) {
    const data = (t: HostTensor | undefined) => exact(t)?.data as Float32Array | undefined;
    epilogueRef(ref, {
      act: ep.act,
      alpha: ep.alpha,
      beta: ep.beta,
      residualBeforeAct: ep.before,
      scale: data(scale),
      bias: data(bias),
      residual: data(residual),
    });
    // QuantizeLinear then DequantizeLinear, as the ONNX ops define them (round half to even)
    const f = ep.fakeQuant;
    if (f)
      ref.data.forEach((v, i) => {
        ref.data[i] =
          (Math.max(f.qmin, Math.min(f.qmax, roundHalfEven(v / f.scale) + f.zeroPoint)) - f.zeroPoint) * f.scale;
      });
  }
  expect(out.dtype).toBe(half ? 'f16' : 'f32');
  expect(out.shape).toEqual(ref.shape);
  const got = halfValues(out);
  expect(countNaN(got)).toBe(0);
  expect(relL2(got, ref.data)).toBeLessThan(half ? 2e-3 : 1e-4);
}

/**
 * The conv paths without subgroups (the portable implicit GEMM) and the subgroup kernels' own loop for
 * subgroups under 8 (forced by raising the threshold), registered for one precision inside a describe.
 */
export function withoutSubgroupsCases(precision: 'f32' | 'f16'): void {
  const portable = { conv: { noSubgroups: true } };
  const smallSubgroup = { conv: { minSubgroup: 1000 } };
  const cases: Case[] = [
    { x: [2, 17, 17, 13], oc: 5, k: [3, 3], p: [1, 1, 1, 1] },
    { x: [1, 12, 8, 7], oc: 20, k: [5, 5], s: [2, 2], p: [2, 1, 0, 2], g: 4 },
    { x: [1, 9, 5, 7], oc: 13, k: [1, 1] },
  ];
  cases.forEach((c, i) => {
    it(label(c), () => withKernelKnobs(portable, () => checkConv(c, 300 + 4 * i, undefined, precision)));
  });
  it('bias + relu with a residual', () =>
    withKernelKnobs(portable, () =>
      checkConv(
        { x: [1, 6, 9, 10], oc: 9, k: [3, 3], s: [2, 2], p: [1, 1, 1, 1], d: [1, 2] },
        320,
        { act: 'relu', bias: true, residual: true, before: false },
        precision,
      ),
    ));
  it('subgroup implicit GEMM with a too-small subgroup', () =>
    withTuning(forceChoice('igemm_sg'), () =>
      withKernelKnobs(smallSubgroup, () =>
        checkConv(
          { x: [1, 6, 7, 9], oc: 10, k: [3, 3], s: [1, 2], p: [1, 0, 2, 1], g: 2 },
          330,
          { act: 'relu', bias: true },
          precision,
        ),
      ),
    ));
  it('subgroup 1x1 GEMM with a too-small subgroup', () =>
    withTuning(forceChoice('gemm1x1_sg'), () =>
      withKernelKnobs(smallSubgroup, () =>
        checkConv({ x: [2, 6, 6, 6], oc: 10, k: [1, 1], g: 2 }, 340, { act: 'hardSwish', residual: true }, precision),
      ),
    ));
}

/** The subgroup variants wherever they are candidates (the 1x1 GEMM first), else the default. */
export const PREFER_SUBGROUPS = forceChoice((ids) =>
  ['gemm1x1_sg', 'igemm_sg', 'gather_sg'].find((id) => ids.includes(id)),
);
