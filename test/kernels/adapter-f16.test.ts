// f16 storage on whatever adapter this run uses (KESTREL_ADAPTER): with shader-f16 it computes (checked against
// the CPU on f16-rounded operands); without it (SwiftShader) every f16 family is refused with the typed error.
// Because of this refusal the kernel suites register their f16 cases everywhere but on SwiftShader (storage.ts).
import { describe, expect, it } from 'vitest';
import { UnsupportedOpError } from '../../src/core/errors.js';
import type { HostTensor } from '../../src/core/tensor.js';
import { matmulRef } from '../ref/matmul.js';
import { UNARY_REF } from '../ref/unary.js';
import { countNaN, halfRounded, halfValues, randomTensor, relL2, toHalf } from '../util.js';
import { runOp, testGpu } from './harness.js';

const CASES: { what: string; run: () => Promise<HostTensor[]>; ref: () => ArrayLike<number> }[] = [
  (() => {
    const a = randomTensor([9, 20], 1);
    const b = randomTensor([20, 12], 2);
    return {
      what: 'matmul 9x20 . 20x12',
      run: () => runOp('matmul', { transA: false, transB: false, alpha: 1 }, [toHalf(a), toHalf(b)]),
      ref: () => matmulRef(halfRounded(a), halfRounded(b)).data,
    };
  })(),
  (() => {
    const x = randomTensor([1037], 3, -4, 4);
    return {
      what: 'unary tanh n=1037',
      run: () => runOp('unary', { act: 'tanh', alpha: 0, beta: 0 }, [toHalf(x)]),
      ref: () => Array.from(halfRounded(x).data as Float32Array, (v) => UNARY_REF.tanh(v, 0, 0)),
    };
  })(),
];

describe('f16 storage on this adapter', () => {
  for (const c of CASES) {
    it(`${c.what}: computed with shader-f16, refused with UnsupportedOpError without it`, async () => {
      const ctx = await testGpu();
      if (!ctx.features.shaderF16) {
        const e = await c.run().catch((x: unknown) => x);
        expect(e).toBeInstanceOf(UnsupportedOpError);
        expect((e as Error).message).toContain('f16 tensors need the adapter feature shader-f16');
        return;
      }
      const [out] = await c.run();
      expect(out.dtype).toBe('f16');
      const got = halfValues(out);
      expect(countNaN(got)).toBe(0);
      expect(relL2(got, c.ref())).toBeLessThan(2e-3);
    });
  }
});
