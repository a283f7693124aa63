// Host <-> GPU representations: integers travel as i32, bools as u32, f16 as raw halves.
import { type DType, type TypedArray, allocTyped, gpuDType } from './dtype.js';
import { InputError } from './errors.js';
import type { HostTensor } from './tensor.js';

const I32_MIN = -2147483648;
const I32_MAX = 2147483647;

/** Bytes of `t` as stored on the GPU, padded to a multiple of 4. */
export function toGpuBytes(t: HostTensor, what: string): Uint8Array {
  const g = gpuDType(t.dtype);
  const n = t.data.length;
  if (g === 'f32' || g === 'f16') {
    const src = t.data as Float32Array | Uint16Array;
    const bytes = new Uint8Array(Math.ceil(src.byteLength / 4) * 4);
    bytes.set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength));
    return bytes;
  }
  const out = g === 'u32' ? new Uint32Array(n) : new Int32Array(n);
  const d = t.data;
  if (d instanceof BigInt64Array) {
    for (let i = 0; i < n; i++) {
      const v = d[i];
      // int64 is clamped into i32: shape-like sentinels (INT64_MAX as "to the end") survive as extremes
      out[i] = v > BigInt(I32_MAX) ? I32_MAX : v < BigInt(I32_MIN) ? I32_MIN : Number(v);
    }
  } else if (t.dtype === 'bool') {
    for (let i = 0; i < n; i++) out[i] = d[i] ? 1 : 0;
  } else {
    for (let i = 0; i < n; i++) out[i] = d[i];
  }
  if (t.dtype === 'i64' && what.startsWith('input')) {
    for (let i = 0; i < n; i++) {
      const v = (d as BigInt64Array)[i];
      if (v > BigInt(I32_MAX) || v < BigInt(I32_MIN))
        throw new InputError(`${what}: int64 value ${v} at index ${i} does not fit the GPU's 32-bit integers`);
    }
  }
  return new Uint8Array(out.buffer);
}

/** Decodes GPU bytes of a value with host dtype `dtype` and `count` elements. */
export function fromGpuBytes(bytes: Uint8Array, dtype: DType, count: number): TypedArray {
  const g = gpuDType(dtype);
  const copy = bytes.slice(0, Math.ceil(((g === 'f16' ? 2 : 4) * count) / 4) * 4);
  if (g === 'f32') return new Float32Array(copy.buffer, 0, count);
  if (g === 'f16') return new Uint16Array(copy.buffer, 0, count);
  const words = g === 'u32' ? new Uint32Array(copy.buffer, 0, count) : new Int32Array(copy.buffer, 0, count);
  if (dtype === 'i32' || dtype === 'u32') return words;
  const out = allocTyped(dtype, count);
  if (out instanceof BigInt64Array) for (let i = 0; i < count; i++) out[i] = BigInt(words[i]);
  else if (dtype === 'bool') for (let i = 0; i < count; i++) (out as Uint8Array)[i] = words[i] ? 1 : 0;
  else for (let i = 0; i < count; i++) (out as Int8Array)[i] = words[i];
  return out;
}
