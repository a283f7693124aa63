// The storage dtypes a kernel family's suite runs in (describe.each(DTYPES)): f16 feeds the GPU f16 copies and
// computes the CPU reference on exactly the f16-rounded values, with a looser tolerance. Only on SwiftShader,
// which lacks shader-f16, does f32 run alone (adapter-f16.test.ts asserts the typed refusal there); any other
// adapter without it runs the f16 cases and fails them, never a silent pass.
import type { HostTensor } from '../../src/core/tensor.js';
import { expect } from 'vitest';
import { halfRounded, halfValues, randomTensor, toHalf } from '../util.js';
import { testGpu } from './harness.js';

export type StorageDType = 'f32' | 'f16';
const expectsF16 = process.env.KESTREL_ADAPTER !== 'swiftshader';
/** Fails the importing suite (does not skip it) when there is no adapter. */
export const DTYPES: readonly StorageDType[] =
  (await testGpu()).features.shaderF16 || expectsF16 ? ['f32', 'f16'] : ['f32'];

/** Relative L2 bound for f16 storage (the math stays f32). */
export const F16_TOL = 2e-3;

export interface Storage {
  f32: boolean;
  /** What the GPU is given. */
  gpu: (t: HostTensor) => HostTensor;
  /** The values the GPU sees, as f32 (the reference's input). */
  exact: (t: HostTensor) => HostTensor;
  /** An output's values as numbers. */
  read: (t: HostTensor) => Float32Array;
  /** The f32 suite's bound, or F16_TOL. */
  tol: (f32Tol: number) => number;
}

export function storage(dt: StorageDType): Storage {
  const f32 = dt === 'f32';
  return {
    f32,
    gpu: (t) => (f32 ? t : toHalf(t)),
    exact: (t) => (f32 ? t : halfRounded(t)),
    read: (t) => (f32 ? (t.data as Float32Array) : halfValues(t)),
    tol: (f32Tol) => (f32 ? f32Tol : F16_TOL),
  };
}

/** Whether this run's suites register their f16 cases (see DTYPES). */
export const RUNS_F16 = DTYPES.includes('f16');

/** Random values rounded to f16, as f16 storage. */
export const half = (shape: number[], seed: number, lo = -4, hi = 4): HostTensor =>
  toHalf(randomTensor(shape, seed, lo, hi));

/** Bit-exact comparison of an f16 output with a reference over raw half bits (the poisoned arena reads 0xffff). */
export function expectBits(out: HostTensor, ref: { shape: number[]; data: ArrayLike<number> }): void {
  expect(out.dtype).toBe('f16');
  expect(out.shape).toEqual(ref.shape);
  const got = Array.from(out.data as Uint16Array);
  expect(got.length).toBe(ref.data.length);
  const bad = got.findIndex((v, i) => v !== ref.data[i]);
  expect(
    bad,
    bad >= 0 ? `first mismatch at ${bad}: 0x${got[bad].toString(16)} vs 0x${ref.data[bad].toString(16)}` : '',
  ).toBe(-1);
}
