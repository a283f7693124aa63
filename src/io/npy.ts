// NumPy .npy read/write (format versions 1-3, little-endian, C order).
import { type DType, f32ToF16 } from '../core/dtype.js';
import { InputError } from '../core/errors.js';
import type { HostTensor } from '../core/tensor.js';

const DESCR_TO_DTYPE: Record<string, DType> = {
  '<f4': 'f32',
  '<f2': 'f16',
  '<i8': 'i64',
  '<i4': 'i32',
  '|u1': 'u8',
  '|i1': 'i8',
  '|b1': 'bool',
  '<u4': 'u32',
};
const DTYPE_TO_DESCR: Partial<Record<DType, string>> = Object.fromEntries(
  Object.entries(DESCR_TO_DTYPE).map(([k, v]) => [v, k]),
);

export function parseNpy(bytes: Uint8Array, what = 'npy'): HostTensor {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.length < 10 || magic.some((m, i) => bytes[i] !== m)) throw new InputError(`${what}: not a .npy file`);
  const major = bytes[6];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  if (start + headerLen > bytes.length) throw new InputError(`${what}: truncated header`);
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new InputError(`${what}: malformed header ${header.trim()}`);
  if (fortran === 'True') throw new InputError(`${what}: Fortran-ordered arrays are not supported`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0))
    throw new InputError(`${what}: invalid shape (${shapeText})`);
  const n = shape.reduce((a, b) => a * b, 1);
  // a copy, so the data starts at byte 0 of its own buffer (a Node Buffer's slice() is a view into a shared pool)
  const body = Uint8Array.prototype.slice.call(bytes, start + headerLen);
  if (descr === '<f8') {
    if (body.length < n * 8) throw new InputError(`${what}: data is truncated`);
    const f64 = new Float64Array(body.buffer, 0, n);
    return { dtype: 'f32', shape, data: Float32Array.from(f64) };
  }
  const dtype = DESCR_TO_DTYPE[descr];
  if (!dtype) throw new InputError(`${what}: dtype ${descr} is not supported (f4, f2, f8, i8, i4, u1, i1, b1)`);
  const size = { f32: 4, f16: 2, i64: 8, i32: 4, u8: 1, i8: 1, bool: 1, u32: 4 }[dtype as 'f32'];
  if (body.length < n * size)
    throw new InputError(`${what}: data is truncated (${body.length} bytes for ${n} elements of ${descr})`);
  const buf = body.buffer.slice(0, n * size);
  const data = {
    f32: () => new Float32Array(buf),
    f16: () => new Uint16Array(buf),
    i64: () => new BigInt64Array(buf),
    i32: () => new Int32Array(buf),
    u8: () => new Uint8Array(buf),
    i8: () => new Int8Array(buf),
    bool: () => new Uint8Array(buf),
    u32: () => new Uint32Array(buf),
  }[dtype as 'f32']();
  return { dtype, shape, data };
}

export function toNpy(t: HostTensor): Uint8Array {
  const descr = DTYPE_TO_DESCR[t.dtype];
  if (!descr) throw new InputError(`cannot write dtype ${t.dtype} as .npy`);
  const shape = t.shape.length === 1 ? `(${t.shape[0]},)` : `(${t.shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const body = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const out = new Uint8Array(10 + header.length + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(body, 10 + header.length);
  return out;
}

/** Output file name for a tensor name: characters outside [A-Za-z0-9._-] become '_'. */
export function sanitizeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}

export { f32ToF16 };
