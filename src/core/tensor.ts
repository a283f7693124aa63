import { type DType, type TypedArray, allocTyped, toInt64 } from './dtype.js';
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
    if (t instanceof BigInt64Array) data.forEach((v, i) => { t[i] = toInt64(v); });
    else data.forEach((v, i) => { (t as Float32Array)[i] = v; });
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
  const out = new Array<number>(t.data.length);
  for (let i = 0; i < out.length; i++) out[i] = elementAt(t, i);
  return out;
}
