import type { BinaryKind } from '../../src/ir/graph.js';
import { describe, expect, it } from 'vitest';
import { runOp } from './harness.js';
import { countNaN, halfRounded, halfValues, randomTensor, relL2, toHalf } from '../util.js';
import { DTYPES, F16_TOL, storage } from './storage.js';
import { binaryRef } from '../ref/elementwise.js';
import { binaryKernel } from '../../src/kernels/binary.js';
import type { KNodeOf } from '../../src/kernels/types.js';
import type { TuningLookup } from '../../src/kernels/tuning.js';
import { withKnobs } from '../../src/kernels/knobs.js';

function variantFor(sa: number[], sb: number[], out: number[], tuning?: TuningLookup): string {
  const node = {
    name: 'b',
    op: 'binary',
    attrs: { kind: 'add' },
    inputs: [
      { shape: sa, dtype: 'f32' },
      { shape: sb, dtype: 'f32' },
    ],
    outputs: [{ shape: out, dtype: 'f32' }],
    epilogue: null,
  } as unknown as KNodeOf<'binary'>;
  return binaryKernel.select(node, { maxWorkgroupsPerDim: 65535 } as never, tuning).calls[0].variant;
}

const SHAPES: [number[], number[]][] = [
  [[1], [1]],
  [[7], [7]],
  [[3, 5], [5]],
  [
    [2, 3, 4],
    [1, 3, 1],
  ],
  [
    [1, 16, 33, 17],
    [1, 16, 1, 1],
  ],
  [
    [4, 1, 6],
    [5, 1],
  ],
  [
    [2, 1, 3, 1, 5],
    [1, 4, 1, 2, 5],
  ],
  [[1, 1000003], [1]],
  [
    [300, 257],
    [300, 1],
  ],
  // binary_bcast4: per-channel rows, nearest-upsample views (pow2 factors), the low operand first
  [
    [2, 3, 4, 8],
    [1, 3, 1, 1],
  ],
  [
    [1, 8, 6, 2, 6, 2],
    [1, 8, 6, 1, 6, 1],
  ],
  [
    [1, 5, 4, 2, 3, 4],
    [1, 5, 4, 1, 3, 1],
  ],
  [
    [6, 1, 3, 1],
    [6, 2, 3, 4],
  ],
  [[3, 8], [8]],
  [
    [70000, 4],
    [70000, 1],
  ],
];
const OPS: [BinaryKind, (x: number, y: number) => number][] = [
  ['add', (x, y) => x + y],
  ['sub', (x, y) => x - y],
  ['mul', (x, y) => x * y],
  ['div', (x, y) => x / y],
  ['max', Math.max],
  ['min', Math.min],
  ['prelu', (x, y) => (x >= 0 ? x : x * y)],
];

// f16 storage (math in f32): the broadcast paths for four ops
const F16_SHAPES: [number[], number[]][] = [
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
const F16_OPS = OPS.filter(([kind]) => ['add', 'mul', 'div', 'max'].includes(kind));

describe.each(DTYPES)('binary %s with broadcasting', (dt) => {
  const s = storage(dt);
  for (const [kind, f] of s.f32 ? OPS : F16_OPS) {
    for (const [sa, sb] of s.f32 ? SHAPES : F16_SHAPES) {
      it(`${kind} ${sa.join('x')} , ${sb.join('x')}`, async () => {
        const a = randomTensor(sa, 1, -2, 2);
        const b = randomTensor(sb, 2, 0.5, 2);
        const [out] = await runOp('binary', { kind }, [s.gpu(a), s.gpu(b)]);
        expect(out.dtype).toBe(dt);
        const ref = binaryRef(s.exact(a), s.exact(b), f);
        expect(out.shape).toEqual(ref.shape);
        const got = s.read(out);
        expect(countNaN(got)).toBe(0);
        expect(relL2(got, ref.data)).toBeLessThan(s.tol(1e-5));
      });
    }
  }
  if (!s.f32) f16OnlyCases();
  if (s.f32) f32OnlyCases();
});

function f32OnlyCases(): void {
  it('picks the vec4 broadcast kernel for per-channel and pow2-upsample broadcasts only', () => {
    expect(variantFor([2, 3, 4, 8], [1, 3, 1, 1], [2, 3, 4, 8])).toBe('binary.bcast4');
    expect(variantFor([1, 8, 6, 1, 6, 1], [1, 8, 6, 2, 6, 2], [1, 8, 6, 2, 6, 2])).toBe('binary.bcast4');
    expect(variantFor([1, 16, 33, 17], [1, 16, 1, 1], [1, 16, 33, 17])).toBe('binary.rows');
    expect(variantFor([1, 8, 6, 3, 6, 1], [1, 8, 6, 1, 6, 1], [1, 8, 6, 3, 6, 1])).not.toContain('bcast4');
    // the ladder's scalar rung: the knob comes in the lookup, and the next call without it is back to the default
    const scalar = withKnobs(undefined, { binary: { bcast4: false } });
    expect(variantFor([2, 3, 4, 8], [1, 3, 1, 1], [2, 3, 4, 8], scalar)).toBe('binary.rank4');
    expect(variantFor([2, 3, 4, 8], [1, 3, 1, 1], [2, 3, 4, 8])).toBe('binary.bcast4');
  });
  it('per-channel multiply (vec4 broadcast kernel) with a residual after the activation', async () => {
    const a = randomTensor([1, 6, 4, 8], 5);
    const b = randomTensor([1, 6, 1, 1], 6);
    const r = randomTensor([1, 6, 4, 8], 7);
    const [out] = await runOp('binary', { kind: 'mul' }, [a, b], {
      epilogue: { act: 'relu', alpha: 0, beta: 0, residualBeforeAct: false },
      residual: r,
    });
    const prod = binaryRef(a, b, (x, y) => Math.max(x * y, 0)).data;
    const rr = r.data as Float32Array;
    expect(
      relL2(
        out.data as Float32Array,
        prod.map((v, i) => v + rr[i]),
      ),
    ).toBeLessThan(1e-6);
  });
  it('pow with negative base and integral exponent', async () => {
    const a = { dtype: 'f32' as const, shape: [4], data: new Float32Array([-2, -2, 3, 0.5]) };
    const b = { dtype: 'f32' as const, shape: [4], data: new Float32Array([3, 2, 0.5, -1]) };
    const [out] = await runOp('binary', { kind: 'pow' }, [a, b]);
    expect(relL2(out.data as Float32Array, [-8, 4, Math.sqrt(3), 2])).toBeLessThan(1e-6);
  });
  it('add with a fused relu epilogue and a constant operand', async () => {
    const a = randomTensor([2, 8, 5, 5], 3);
    const b = randomTensor([8, 1, 1], 4);
    const [out] = await runOp('binary', { kind: 'add' }, [a, b], {
      consts: [false, true],
      epilogue: { act: 'relu', alpha: 0, beta: 0 },
    });
    const ref = binaryRef(a, b, (x, y) => Math.max(x + y, 0));
    expect(relL2(out.data as Float32Array, ref.data)).toBeLessThan(1e-6);
  });
  it('integer add and comparisons', async () => {
    const a = { dtype: 'i64' as const, shape: [2, 3], data: new BigInt64Array([1n, -5n, 7n, 100000n, 0n, -3n]) };
    const b = { dtype: 'i64' as const, shape: [3], data: new BigInt64Array([2n, -5n, 9n]) };
    const [sum] = await runOp('binary', { kind: 'add' }, [a, b]);
    expect(Array.from(sum.data as BigInt64Array, Number)).toEqual([3, -10, 16, 100002, -5, 6]);
    const [eq] = await runOp('binary', { kind: 'equal' }, [a, b]);
    expect(eq.dtype).toBe('bool');
    expect(Array.from(eq.data as Uint8Array)).toEqual([0, 1, 0, 0, 0, 0]);
    const [lt] = await runOp('binary', { kind: 'less' }, [a, b]);
    expect(Array.from(lt.data as Uint8Array)).toEqual([1, 0, 1, 0, 0, 1]);
  });
}

function f16OnlyCases(): void {
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
    expect(relL2(halfValues(out), ref)).toBeLessThan(F16_TOL);
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
    ).toBeLessThan(F16_TOL);
  });
  it('compare on f16 operands', async () => {
    const a = randomTensor([1000], 6);
    const b = randomTensor([1000], 7);
    const [out] = await runOp('binary', { kind: 'less' }, [toHalf(a), toHalf(b)]);
    const ha = halfRounded(a).data as Float32Array,
      hb = halfRounded(b).data as Float32Array;
    expect(Array.from(out.data as Uint8Array)).toEqual(Array.from(ha, (v, i) => (v < hb[i] ? 1 : 0)));
  });
}
