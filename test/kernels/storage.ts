// The storage dtypes a kernel family's suite runs in (describe.each(DTYPES)): f16 feeds the GPU f16 copies and
// computes the CPU reference on exactly the f16-rounded values, with a looser tolerance. Without shader-f16
// (SwiftShader) only f32 runs here; adapter-f16.test.ts asserts the typed refusal there instead.
import type { HostTensor } from '../../src/core/tensor.js';
import { halfRounded, halfValues, toHalf } from '../util.js';
import { testGpu } from './harness.js';

export type StorageDType = 'f32' | 'f16';
/** Fails the importing suite (does not skip it) when there is no adapter. */
export const DTYPES: readonly StorageDType[] = (await testGpu()).features.shaderF16 ? ['f32', 'f16'] : ['f32'];

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
