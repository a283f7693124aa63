// Upload and readback of every host dtype through the GPU, including sizes that are not a multiple of
// 4 bytes: f16 (two per word), i8/u8 (widened to i32 words), i64 (narrowed), bool.
import { describe, expect, it } from 'vitest';
import { runOp } from './harness.js';

// IEEE 754 binary16 bit patterns, from the standard
const HALF: [number, number][] = [
  [1, 0x3c00],
  [0.5, 0x3800],
  [-2, 0xc000],
  [65504, 0x7bff],
  [0, 0x0000],
  [-0.25, 0xb400],
  [Infinity, 0x7c00],
];

describe('upload and readback', () => {
  it('f16 in (7 halves, an odd count) -> f32', async () => {
    const data = Uint16Array.from(HALF.map(([, h]) => h));
    const [out] = await runOp('cast', { to: 'f32' }, [{ dtype: 'f16', shape: [7], data }]);
    expect(Array.from(out.data as Float32Array)).toEqual(HALF.map(([v]) => v));
  });
  it('f32 -> f16 out (odd count)', async () => {
    const data = Float32Array.from(HALF.map(([v]) => v));
    const [out] = await runOp('cast', { to: 'f16' }, [{ dtype: 'f32', shape: [7], data }]);
    expect(out.dtype).toBe('f16');
    expect(Array.from(out.data as Uint16Array)).toEqual(HALF.map(([, h]) => h));
  });
  it('f32 -> f16 overflow, NaN and the largest finite values (IEEE, on every adapter)', async () => {
    // 65519.996 rounds to 65504; 65520 ties to even, which is Inf; 1e6 and -Inf overflow; 2^-14 is the least normal
    const values = [65519.996, 65520, 1e6, -Infinity, Number.NaN, -65504, 2 ** -14];
    const [out] = await runOp('cast', { to: 'f16' }, [{ dtype: 'f32', shape: [7], data: Float32Array.from(values) }]);
    expect(Array.from(out.data as Uint16Array)).toEqual([0x7bff, 0x7c00, 0x7c00, 0xfc00, 0x7e00, 0xfbff, 0x0400]);
  });
  it('i32 -> f16 overflows to Inf (the cast_half path)', async () => {
    const data = Int32Array.from([70000, -70000, 65504, 1, -3]);
    const [out] = await runOp('cast', { to: 'f16' }, [{ dtype: 'i32', shape: [5], data }]);
    expect(Array.from(out.data as Uint16Array)).toEqual([0x7c00, 0xfc00, 0x7bff, 0x3c00, 0xc200]);
  });
  for (const [dtype, Arr, values] of [
    ['i8', Int8Array, [-128, -1, 0, 1, 127]],
    ['u8', Uint8Array, [0, 1, 128, 254, 255]],
    ['i32', Int32Array, [-2147483648, -7, 0, 7, 2147483647]],
  ] as const) {
    it(`${dtype} round trip, 5 elements`, async () => {
      const [out] = await runOp('unary', { act: 'none', alpha: 0, beta: 0 }, [
        { dtype, shape: [5], data: (Arr as unknown as { from(v: readonly number[]): Int8Array }).from(values) },
      ]);
      expect(out.dtype).toBe(dtype);
      expect(Array.from(out.data as Int8Array)).toEqual([...values]);
    });
  }
  it('i64 narrows to the GPU and widens back; bool round trips', async () => {
    const [out] = await runOp('unary', { act: 'none', alpha: 0, beta: 0 }, [
      { dtype: 'i64', shape: [3], data: BigInt64Array.from([-5n, 0n, 2147483647n]) },
    ]);
    expect(Array.from(out.data as BigInt64Array)).toEqual([-5n, 0n, 2147483647n]);
    const [b] = await runOp('unary', { act: 'none', alpha: 0, beta: 0 }, [
      { dtype: 'bool', shape: [3], data: Uint8Array.from([1, 0, 1]) },
    ]);
    expect(Array.from(b.data as Uint8Array)).toEqual([1, 0, 1]);
  });
});
