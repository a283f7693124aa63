import { type DType, type TypedArray, allocTyped, f16ToF32, f32ToF16, toInt64 } from './dtype.js';
import type { Shape } from './shape.js';
import { sizeOf } from './shape.js';

/** A tensor in host memory: what users pass in and get back. */
export interface HostTensor {
  dtype: DType;
  shape: number[];
  data: TypedArray;
}

export function hostTensor(dtype: DType, shape: Shape, data?: TypedArray | number[]): HostTensor {
  const n = sizeOf(shape);
  if (data === undefined) return { dtype, shape: [...shape], data: allocTyped(dtype, n) };
  if (Array.isArray(data)) {
    const t = allocTyped(dtype, n);
    if (t instanceof BigInt64Array)
      data.forEach((v, i) => {
        t[i] = toInt64(v);
      });
    else
      data.forEach((v, i) => {
        (t as Float32Array)[i] = v;
      });
    return { dtype, shape: [...shape], data: t };
  }
  return { dtype, shape: [...shape], data };
}

/** Reads element i as a JS number (i64 via Number, f16 stays raw bits: callers convert). */
export function elementAt(t: HostTensor, i: number): number {
  const v = t.data[i];
  return typeof v === 'bigint' ? Number(v) : v;
}

/** A tensor as a plain number array (i64 narrowed, f16 decoded). */
export function toNumbers(t: HostTensor): number[] {
  if (t.dtype === 'f16') return Array.from(t.data as Uint16Array, f16ToF32);
  const out = new Array<number>(t.data.length);
  for (let i = 0; i < out.length; i++) out[i] = elementAt(t, i);
  return out;
}

/** A float tensor's values as f32 (f16 widened): what the graph passes compute with; null for non-floats. */
export function floatValues(t: HostTensor): Float32Array | null {
  if (t.dtype === 'f32') return t.data as Float32Array;
  if (t.dtype === 'f16') return Float32Array.from(t.data as Uint16Array, f16ToF32);
  return null;
}

/** A float constant stored as `dtype`: f32, or f16 rounded from the f32 values (so an fp16 model stays fp16). */
export function floatTensor(dtype: DType, shape: Shape, values: Float32Array): HostTensor {
  if (dtype === 'f16') return hostTensor('f16', shape, Uint16Array.from(values, f32ToF16));
  return hostTensor('f32', shape, values);
}
