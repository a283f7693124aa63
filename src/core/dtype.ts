// Element types. GPU storage holds f32, f16, i32, u32 and packed i8/u8/i4; host tensors may also be
// i64/bool (converted at the boundary, since WGSL has no 64-bit integers).
export type DType = 'f32' | 'f16' | 'i32' | 'u32' | 'i8' | 'u8' | 'i4' | 'u4' | 'i64' | 'bool';

export type TypedArray = Float32Array | Uint16Array | Int32Array | Uint32Array | Int8Array | Uint8Array | BigInt64Array;

const BYTES: Record<DType, number> = {
  f32: 4,
  f16: 2,
  i32: 4,
  u32: 4,
  i8: 1,
  u8: 1,
  i4: 0.5,
  u4: 0.5,
  i64: 8,
  bool: 1,
};

export function bytesPerElement(dtype: DType): number {
  return BYTES[dtype];
}

/** The dtype an activation has in GPU memory: integers widen or narrow to i32, bools widen to u32.
 * (Quantized weights are the exception: quant kernels read them packed.) */
export function gpuDType(dtype: DType): DType {
  if (dtype === 'i64' || dtype === 'i8' || dtype === 'u8' || dtype === 'i4' || dtype === 'u4') return 'i32';
  if (dtype === 'bool' || dtype === 'u32') return 'u32';
  return dtype;
}

export function isFloat(dtype: DType): boolean {
  return dtype === 'f32' || dtype === 'f16';
}

export function allocTyped(dtype: DType, n: number): TypedArray {
  switch (dtype) {
    case 'f32':
      return new Float32Array(n);
    case 'f16':
      return new Uint16Array(n);
    case 'i32':
      return new Int32Array(n);
    case 'u32':
      return new Uint32Array(n);
    case 'i8':
      return new Int8Array(n);
    case 'u8':
    case 'bool':
      return new Uint8Array(n);
    case 'i4':
    case 'u4':
      return new Uint8Array(Math.ceil(n / 2));
    case 'i64':
      return new BigInt64Array(n);
  }
}

/** A JS number as int64, saturating like a float->int cast: NaN -> 0, +-Inf -> the extremes (BigInt() would throw). */
export function toInt64(v: number): bigint {
  if (Number.isFinite(v)) return BigInt(Math.trunc(v));
  return Number.isNaN(v) ? 0n : v > 0 ? 0x7fffffffffffffffn : -0x8000000000000000n;
}

/** ONNX TensorProto.DataType codes. */
export const ONNX_DTYPE: Record<number, DType | undefined> = {
  1: 'f32',
  2: 'u8',
  3: 'i8',
  6: 'i32',
  7: 'i64',
  9: 'bool',
  10: 'f16',
  12: 'u32',
  21: 'u4',
  22: 'i4',
};
export const ONNX_DTYPE_NAME: Record<number, string> = {
  0: 'UNDEFINED',
  1: 'FLOAT',
  2: 'UINT8',
  3: 'INT8',
  4: 'UINT16',
  5: 'INT16',
  6: 'INT32',
  7: 'INT64',
  8: 'STRING',
  9: 'BOOL',
  10: 'FLOAT16',
  11: 'DOUBLE',
  12: 'UINT32',
  13: 'UINT64',
  14: 'COMPLEX64',
  15: 'COMPLEX128',
  16: 'BFLOAT16',
  17: 'FLOAT8E4M3FN',
  18: 'FLOAT8E4M3FNUZ',
  19: 'FLOAT8E5M2',
  20: 'FLOAT8E5M2FNUZ',
  21: 'UINT4',
  22: 'INT4',
  23: 'FLOAT4E2M1',
};

// IEEE half <-> float conversion for host-side f16 data.
const f32buf = new Float32Array(1);
const u32buf = new Uint32Array(f32buf.buffer);
export function f32ToF16(v: number): number {
  f32buf[0] = v;
  const x = u32buf[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = ((x >>> 23) & 0xff) - 127 + 15;
  let mant = x & 0x7fffff;
  if (((x >>> 23) & 0xff) === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  if (exp >= 31) return sign | 0x7c00;
  if (exp <= 0) {
    if (exp < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - exp;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = sign | (exp << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return half;
}
export function f16ToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 31) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** Sub-word integer types: packed on the GPU when they are constants read by dequantize. */
export function isPackedInt(dtype: DType): boolean {
  return dtype === 'i8' || dtype === 'u8' || dtype === 'i4' || dtype === 'u4';
}
