// The matmul kernel check shared by the f32 and f16 tests (as conv-check.ts): random operands through the real
// planner and executor against the CPU reference; f16 rounds operands, bias and residual to f16 first and
// computes the reference on exactly those values (tolerance 2e-3, f32 1e-4).
import { expect } from 'vitest';
import type { HostTensor } from '../../src/core/tensor.js';
import type { Epilogue } from '../../src/ir/graph.js';
import { matmulRef, type MatmulRefOptions } from '../ref/matmul.js';
import { countNaN, halfRounded, halfValues, randomTensor, relL2, toHalf } from '../util.js';
import { runOp, testGpu } from './harness.js';

export interface Case { a: number[]; b: number[]; transA?: boolean; transB?: boolean; alpha?: number }
export interface CheckOptions { epilogue?: Epilogue; bias?: HostTensor; residual?: HostTensor; ref?: MatmulRefOptions }

export async function checkMatmul(c: Case, opts: CheckOptions = {}, precision: 'f32' | 'f16' = 'f32'): Promise<void> {
  const half = precision === 'f16';
  const gpu = (t: HostTensor | undefined) => (t && half ? toHalf(t) : t);
  const exact = (t: HostTensor) => (half ? halfRounded(t) : t);
  const a = randomTensor(c.a, c.a.length * 1000 + c.a[c.a.length - 1]);
  const b = randomTensor(c.b, c.b.length * 1000 + c.b[c.b.length - 1] + 7);
  const attrs = { transA: !!c.transA, transB: !!c.transB, alpha: c.alpha ?? 1 };
  const [out] = await runOp('matmul', attrs, [gpu(a)!, gpu(b)!], { epilogue: opts.epilogue, bias: gpu(opts.bias), residual: gpu(opts.residual) });
  const ref = matmulRef(exact(a), exact(b), { transA: c.transA, transB: c.transB, alpha: c.alpha, ...opts.ref });
  expect(out.dtype).toBe(precision);
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
  try { await body(); } finally { features.subgroups = had; }
}
