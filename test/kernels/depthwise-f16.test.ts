// f16 storage for both depthwise kernels (scalar rows and vec4 rows; math in f32): inputs, weights, bias
// and residual rounded to f16, the CPU reference computed on exactly those values, relative L2 <= 2e-3.
import { describe, expect, it } from 'vitest';
import { runOp } from './harness.js';
import { countNaN, halfRounded, halfValues, randomTensor, relL2, toHalf } from '../util.js';
import { type ConvRefAttrs, conv2dRef, epilogueRef } from '../ref/conv.js';

const CASES: { x: number[]; k: number; s: number; p: number }[] = [
  { x: [1, 6, 9, 16], k: 3, s: 1, p: 1 }, // vec4 rows
  { x: [2, 5, 12, 20], k: 5, s: 2, p: 2 }, // vec4 rows, stride 2
  { x: [1, 7, 10, 10], k: 5, s: 1, p: 2 }, // scalar rows
  { x: [1, 4, 13, 11], k: 3, s: 2, p: 1 }, // scalar rows, stride 2
];

describe('depthwise conv2d f16', () => {
  CASES.forEach((c, i) => {
    it(`x${c.x.join('x')} k${c.k} s${c.s} with bias, hardSwish and a residual`, async () => {
      const C = c.x[1];
      const a: ConvRefAttrs = { strides: [c.s, c.s], pads: [c.p, c.p, c.p, c.p], dilations: [1, 1], group: C };
      const x = halfRounded(randomTensor(c.x, 50 + i));
      const w = halfRounded(randomTensor([C, 1, c.k, c.k], 60 + i));
      const bias = halfRounded(randomTensor([C], 70 + i));
      const ref = conv2dRef(x, w, a);
      const residual = halfRounded(randomTensor(ref.shape, 80 + i));
      const [out] = await runOp('conv', a, [toHalf(x), toHalf(w)], {
        consts: [false, true],
        epilogue: { act: 'hardSwish', alpha: 0, beta: 0, residualBeforeAct: false },
        bias: toHalf(bias),
        residual: toHalf(residual),
      });
      epilogueRef(ref, {
        act: 'hardSwish',
        bias: bias.data as Float32Array,
        residual: residual.data as Float32Array,
        residualBeforeAct: false,
      });
      expect(out.dtype).toBe('f16');
      expect(out.shape).toEqual(ref.shape);
      const got = halfValues(out);
      expect(countNaN(got)).toBe(0);
      expect(relL2(got, ref.data)).toBeLessThan(2e-3);
    });
  });
});
