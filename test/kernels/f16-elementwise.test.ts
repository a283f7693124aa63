import type { ActKind, BinaryKind } from '../../src/ir/graph.js';
// f16 storage variants of the elementwise kernels (math in f32): inputs rounded to f16, the CPU reference
// computed on exactly those values, tolerance 2e-3 relative L2 (f16 keeps 11 significant bits).
import { describe, expect, it } from 'vitest';
import { runOp } from './harness.js';
import { countNaN, halfRounded, halfValues, randomTensor, relL2, toHalf } from '../util.js';
import { binaryRef } from '../ref/elementwise.js';
import { UNARY_REF } from '../ref/unary.js';

const TOL = 2e-3;

describe('unary f16', () => {
  const acts: [ActKind, number, number][] = [
    ['none', -5, 5],
    ['relu', -5, 5],
    ['sigmoid', -8, 8],
    ['hardSwish', -5, 5],
    ['tanh', -4, 4],
    ['exp', -4, 4],
    ['gelu', -5, 5],
  ];
  for (const [act, lo, hi] of acts) {
    for (const n of [1, 1037, 70001]) {
      it(`${act} n=${n}`, async () => {
        const x = randomTensor([n], n, lo, hi);
        const [out] = await runOp('unary', { act, alpha: 0, beta: 0 }, [toHalf(x)]);
        expect(out.dtype).toBe('f16');
        const got = halfValues(out);
        const ref = Array.from(halfRounded(x).data as Float32Array, (v) => UNARY_REF[act](v, 0, 0));
        expect(countNaN(got)).toBe(0);
        expect(relL2(got, ref)).toBeLessThan(TOL);
      });
    }
  }
});

describe('binary f16 with broadcasting', () => {
  const shapes: [number[], number[]][] = [
    [[7], [7]],
    [[3, 5], [5]],
    [
      [1, 16, 33, 17],
      [1, 16, 1, 1],
    ],
    [
      [2, 1, 3, 1, 5],
      [1, 4, 1, 2, 5],
    ],
    [
      [300, 257],
      [300, 1],
    ],
    [[1, 100003], [1]],
    [
      [2, 3, 4, 8],
      [1, 3, 1, 1],
    ],
    [
      [1, 8, 6, 2, 6, 2],
      [1, 8, 6, 1, 6, 1],
    ],
    [
      [6, 1, 3, 1],
      [6, 2, 3, 4],
    ],
  ];
  const ops: [BinaryKind, (x: number, y: number) => number][] = [
    ['add', (x, y) => x + y],
    ['mul', (x, y) => x * y],
    ['div', (x, y) => x / y],
    ['max', Math.max],
  ];
  for (const [kind, f] of ops) {
    for (const [sa, sb] of shapes) {
      it(`${kind} ${sa.join('x')} , ${sb.join('x')}`, async () => {
        const a = randomTensor(sa, 1, -2, 2);
        const b = randomTensor(sb, 2, 0.5, 2);
        const [out] = await runOp('binary', { kind }, [toHalf(a), toHalf(b)]);
        expect(out.dtype).toBe('f16');
        const ref = binaryRef(halfRounded(a), halfRounded(b), f);
        const got = halfValues(out);
        expect(countNaN(got)).toBe(0);
        expect(relL2(got, ref.data)).toBeLessThan(TOL);
      });
    }
  }
  it('add with a fused relu epilogue, an f16 constant operand and an f16 residual', async () => {
    const a = randomTensor([2, 8, 5, 5], 3);
    const b = randomTensor([8, 1, 1], 4);
    const r = randomTensor([2, 8, 5, 5], 5);
    const [out] = await runOp('binary', { kind: 'add' }, [toHalf(a), toHalf(b)], {
      consts: [false, true],
      epilogue: { act: 'relu', alpha: 0, beta: 0 },
      residual: toHalf(r),
    });
    const sum = binaryRef(halfRounded(a), halfRounded(b), (x, y) => Math.max(x + y, 0));
    const ref = Array.from(sum.data).map((v, i) => v + (halfRounded(r).data as Float32Array)[i]);
    expect(relL2(halfValues(out), ref)).toBeLessThan(TOL);
  });
  it('per-channel multiply (vec4 broadcast kernel) with a relu epilogue and an f16 residual', async () => {
    const a = randomTensor([1, 6, 4, 8], 8);
    const b = randomTensor([1, 6, 1, 1], 9);
    const r = randomTensor([1, 6, 4, 8], 10);
    const [out] = await runOp('binary', { kind: 'mul' }, [toHalf(a), toHalf(b)], {
      epilogue: { act: 'relu', alpha: 0, beta: 0 },
      residual: toHalf(r),
    });
    const prod = binaryRef(halfRounded(a), halfRounded(b), (x, y) => x * y).data;
    const rr = halfRounded(r).data as Float32Array;
    expect(
      relL2(
        halfValues(out),
        prod.map((v, i) => Math.max(v, 0) + rr[i]),
      ),
    ).toBeLessThan(TOL);
  });
  it('compare on f16 operands', async () => {
    const a = randomTensor([1000], 6);
    const b = randomTensor([1000], 7);
    const [out] = await runOp('binary', { kind: 'less' }, [toHalf(a), toHalf(b)]);
    const ha = halfRounded(a).data as Float32Array,
      hb = halfRounded(b).data as Float32Array;
    expect(Array.from(out.data as Uint8Array)).toEqual(Array.from(ha, (v, i) => (v < hb[i] ? 1 : 0)));
  });
});
