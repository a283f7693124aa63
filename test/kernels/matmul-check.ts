// The matmul kernel check shared by the f32 and f16 tests (as conv-check.ts): random operands through the real
// planner and executor against the CPU reference; f16 rounds operands, bias and residual to f16 first and
// computes the reference on exactly those values (tolerance 2e-3, f32 1e-4). int8 weights: a constant 2-D B of
// int8 values read packed, its per-column scale in the epilogue; the reference uses the dequantized B.
import { expect } from 'vitest';
import type { HostTensor } from '../../src/core/tensor.js';
import type { Epilogue } from '../../src/ir/graph.js';
import { matmulRef, type MatmulRefOptions } from '../ref/matmul.js';
import { countNaN, halfRounded, halfValues, int8Weights, randomTensor, relL2, toHalf } from '../util.js';
import { runOp, testGpu } from './harness.js';
import { matmulKernel } from '../../src/kernels/matmul.js';
import { forceChoice } from '../../src/kernels/tuning.js';

export interface Case {
  a: number[];
  b: number[];
  transA?: boolean;
  transB?: boolean;
  alpha?: number;
}
export interface CheckOptions {
  epilogue?: Epilogue;
  bias?: HostTensor;
  residual?: HostTensor;
  ref?: MatmulRefOptions;
}

export async function checkMatmul(
  c: Case,
  opts: CheckOptions = {},
  precision: 'f32' | 'f16' | 'int8 weights' = 'f32',
): Promise<void> {
  const half = precision === 'f16';
  const gpu = (t: HostTensor | undefined) => (t && half ? toHalf(t) : t);
  const exact = (t: HostTensor) => (half ? halfRounded(t) : t);
  const a = randomTensor(c.a, c.a.length * 1000 + c.a[c.a.length - 1]);
  let b = randomTensor(c.b, c.b.length * 1000 + c.b[c.b.length - 1] + 7);
  const attrs = { transA: !!c.transA, transB: !!c.transB, alpha: c.alpha ?? 1 };
  let bIn = gpu(b)!;
  let scale: HostTensor | undefined;
  let epilogue = opts.epilogue;
  if (precision === 'int8 weights') {
    const n = c.transB ? c.b[0] : c.b[1];
    const q8 = int8Weights(b, n, (i) => (c.transB ? Math.floor(i / c.b[1]) : i % n), 77);
    [b, bIn, scale] = [q8.dequantized, q8.q, q8.scale];
    epilogue ??= { act: 'none', alpha: 0, beta: 0 };
  }
  const [out] = await runOp('matmul', attrs, [gpu(a)!, bIn], {
    consts: [false, precision === 'int8 weights'],
    epilogue,
    scale,
    bias: gpu(opts.bias),
    residual: gpu(opts.residual),
  });
  const ref = matmulRef(exact(a), exact(b), { transA: c.transA, transB: c.transB, alpha: c.alpha, ...opts.ref });
  expect(out.dtype).toBe(half ? 'f16' : 'f32');
  expect(out.shape).toEqual(ref.shape);
  const got = halfValues(out);
  expect(countNaN(got)).toBe(0);
  expect(relL2(got, ref.data)).toBeLessThan(half ? 2e-3 : 1e-4);
}

/** Runs `body` with the device's subgroup feature hidden from kernel selection. */
export async function withoutSubgroups(body: () => Promise<void>): Promise<void> {
  const features = (await testGpu()).features as { subgroups: boolean };
  const had = features.subgroups;
  features.subgroups = false;
  try {
    await body();
  } finally {
    features.subgroups = had;
  }
}

/**
 * Runs `body` with the subgroup matmul kernels on their 4-lane path (WebGPU allows 4-lane subgroups; the
 * path stays correct on wider ones, so it is forced).
 */
export async function withNarrowSubgroups(body: () => Promise<void>): Promise<void> {
  const select = matmulKernel.select;
  matmulKernel.select = (node, caps, tuning) => {
    const sel = select(node, caps, tuning);
    for (const call of sel.calls) {
      if (call.shader.file.startsWith('matmul_sg'))
        call.shader.overrides = { ...call.shader.overrides, EMULATE_NARROW: true };
    }
    return sel;
  };
  try {
    await body();
  } finally {
    matmulKernel.select = select;
  }
}

/** The subgroup matmuls wherever they are candidates (16x8 tiles first), else the default. */
export const PREFER_SUBGROUP_MATMUL = forceChoice((ids) =>
  ['sg16x8', 'sg16x4', 'sgStrided16x4'].find((id) => ids.includes(id)),
);

/** The register-blocked portable kernel (matmul_regs.wgsl) on every decision that has it. */
export const REGS_MATMUL = forceChoice((ids) => (ids.includes('regs16x4') ? 'regs16x4' : undefined));
