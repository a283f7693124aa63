// .npy reading: files written here by hand per the NPY format spec (independent of toNpy), Node Buffers
// (whose slice() is a view into a shared pool), and typed errors for malformed input.
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { parseNpy, toNpy } from '../../src/io/npy.js';

function npyBytes(descr: string, shape: number[], body: Uint8Array): Uint8Array {
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const pad = 64 - ((10 + dict.length + 1) % 64);
  const header = dict + ' '.repeat(pad % 64) + '\n';
  const out = new Uint8Array(10 + header.length + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  out.set(new TextEncoder().encode(header), 10);
  out.set(body, 10 + header.length);
  return out;
}

describe('npy', () => {
  it('reads a hand-written <f4 file', () => {
    const vals = new Float32Array([1.5, -2, 3.25, 0, 7, -0.125]);
    const t = parseNpy(npyBytes('<f4', [2, 3], new Uint8Array(vals.buffer)));
    expect(t.dtype).toBe('f32');
    expect(t.shape).toEqual([2, 3]);
    expect(Array.from(t.data as Float32Array)).toEqual(Array.from(vals));
  });
  it('reads from a Node Buffer whose bytes sit at an odd offset of a shared pool', () => {
    const vals = new Float32Array([0.5, 1.5, -4, 9]);
    const file = npyBytes('<f4', [4], new Uint8Array(vals.buffer));
    const pooled = Buffer.alloc(file.length + 3);
    pooled.set(file, 3);
    const t = parseNpy(pooled.subarray(3));
    expect(Array.from(t.data as Float32Array)).toEqual(Array.from(vals));
  });
  it('reads <i8 and <f8 (narrowed to f32)', () => {
    const i = parseNpy(npyBytes('<i8', [3], new Uint8Array(new BigInt64Array([1n, -2n, 3n]).buffer)));
    expect(Array.from(i.data as BigInt64Array)).toEqual([1n, -2n, 3n]);
    const f = parseNpy(npyBytes('<f8', [2], new Uint8Array(new Float64Array([0.25, -8]).buffer)));
    expect(Array.from(f.data as Float32Array)).toEqual([0.25, -8]);
  });
  it('round-trips through toNpy', () => {
    const t = { dtype: 'f32' as const, shape: [1, 2, 2], data: new Float32Array([1, 2, 3, 4]) };
    const back = parseNpy(toNpy(t));
    expect(back.shape).toEqual([1, 2, 2]);
    expect(Array.from(back.data as Float32Array)).toEqual([1, 2, 3, 4]);
  });
  it('rejects malformed and truncated files with InputError', () => {
    expect(() => parseNpy(new Uint8Array([1, 2, 3]))).toThrow(InputError);
    const good = npyBytes('<f4', [4], new Uint8Array(16));
    expect(() => parseNpy(good.subarray(0, good.length - 4))).toThrow(/truncated/);
    expect(() => parseNpy(npyBytes('<c8', [1], new Uint8Array(8)))).toThrow(/not supported/);
  });
});
