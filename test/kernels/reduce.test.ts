// reduce and argReduce in f32 and f16 storage (math in f32) against the CPU reference; f16 runs a representative
// subset on f16-rounded inputs (reduce: the looser tolerance; argReduce: exact indices), integers run in i64.
import { describe, expect, it } from 'vitest';
import { runOp } from './harness.js';
import { countNaN, randomTensor, relL2 } from '../util.js';
import { argReduceRef, reduceRef } from '../ref/reduce.js';
import type { ReduceKind } from '../../src/ir/graph.js';
import type { HostTensor } from '../../src/core/tensor.js';
import { argReduceKernel, reduceKernel } from '../../src/kernels/reduce.js';
import { DTYPES, storage } from './storage.js';

const caps = { f16: true, subgroups: true, dot4: true, maxWorkgroupsPerDim: 65535 };

const KINDS: ReduceKind[] = ['sum', 'mean', 'max', 'min', 'prod', 'sumSquare', 'l1', 'l2', 'logSum', 'logSumExp'];
const AXES: [number[], number[]][] = [
  [[3, 5, 7], [2]],
  [[3, 5, 7], [0]],
  [[3, 5, 7], [1]],
  [
    [3, 5, 7],
    [0, 2],
  ],
  [
    [3, 5, 7],
    [0, 1, 2],
  ],
  [
    [2, 3, 4, 5],
    [1, 3],
  ],
  [[2, 1, 300], [2]],
  [
    [2, 64, 9, 9],
    [2, 3],
  ],
  [[1000, 3], [0]],
  [[7], [0]],
  // few long rows: a workgroup per output
  [[4, 2048], [1]],
  [
    [16, 150],
    [0, 1],
  ],
];

// f16's subset (keepDims alternates along this list, as along AXES)
const F16_AXES: [number[], number[]][] = [
  [[3, 5, 7], [2]],
  [[3, 5, 7], [0]],
  [
    [3, 5, 7],
    [0, 2],
  ],
  [
    [2, 3, 4, 5],
    [1, 3],
  ],
  [
    [2, 64, 9, 9],
    [2, 3],
  ],
  [[1000, 3], [0]],
  [[7], [0]],
  [[4, 2048], [1]],
  [
    [16, 150],
    [0, 1],
  ],
];

/** Inputs per kind: positive where a log or long product needs it, near 1 for prod. */
function input(kind: ReduceKind, shape: number[], seed: number): HostTensor {
  if (kind === 'prod') return randomTensor(shape, seed, 0.97, 1.03);
  if (kind === 'logSum') return randomTensor(shape, seed, 0.1, 2);
  return randomTensor(shape, seed, -3, 3);
}

describe.each(DTYPES)('reduce %s', (dt) => {
  const s = storage(dt);
  for (const kind of KINDS) {
    (s.f32 ? AXES : F16_AXES).forEach(([shape, axes], i) => {
      const keepDims = i % 2 === 0;
      it(`${kind} ${shape.join('x')} axes [${axes}] keepDims ${keepDims}`, async () => {
        const x = input(kind, shape, i + 1);
        const [out] = await runOp('reduce', { kind, axes, keepDims }, [s.gpu(x)]);
        const ref = reduceRef(s.exact(x), kind, axes, keepDims);
        expect(out.dtype).toBe(dt);
        expect(out.shape).toEqual(ref.shape);
        const got = s.read(out);
        expect(countNaN(got)).toBe(0);
        expect(relL2(got, ref.data)).toBeLessThan(s.tol(1e-4));
      });
    });
  }
  if (s.f32) {
    it('logSumExp stays finite for inputs of +-80', async () => {
      const x = randomTensor([4, 2000], 5, -80, 80);
      const [out] = await runOp('reduce', { kind: 'logSumExp', axes: [1], keepDims: false }, [x]);
      expect(relL2(out.data as Float32Array, reduceRef(x, 'logSumExp', [1], false).data)).toBeLessThan(1e-5);
    });
    it('max of -inf and finite values', async () => {
      const x = {
        dtype: 'f32' as const,
        shape: [2, 3],
        data: new Float32Array([-Infinity, -Infinity, -Infinity, -Infinity, 2, -1]),
      };
      const [out] = await runOp('reduce', { kind: 'max', axes: [1], keepDims: false }, [x]);
      expect(Array.from(out.data as Float32Array)).toEqual([-Infinity, 2]);
    });
  } else {
    it('variants and 2-byte element sizes', () => {
      const node = (shape: number[], out: number[]) => ({
        name: 'r',
        op: 'reduce' as const,
        attrs: { kind: 'sum' as const, axes: [1], keepDims: false },
        epilogue: null,
        inputs: [{ shape, dtype: 'f16' as const }],
        outputs: [{ shape: out, dtype: 'f16' as const }],
      });
      const lane = reduceKernel.select(node([300, 7], [300]), caps).calls[0];
      expect(lane.variant).toBe('reduce.sum.lane');
      expect(lane.bytes).toBe(2 * (2100 + 300));
      expect(reduceKernel.select(node([4, 2048], [4]), caps).calls[0].variant).toBe('reduce.sum.wg');
    });
  }
});

describe.each(DTYPES)('argReduce %s', (dt) => {
  const s = storage(dt);
  // axes are normalized: the IR's shape inference for argReduce expects a non-negative axis
  const CASES: [number[], number][] = [
    [[5], 0],
    [[3, 7], 1],
    [[3, 7], 0],
    [[2, 1000], 1],
    [[4, 6625], 1],
    [[2, 5, 3], 1],
    [[300, 9], 1],
    [[1, 40, 6625], 2],
  ];
  for (const kind of ['max', 'min'] as const) {
    // f16: keepDims false only, without the longest rows
    for (const [shape, axis] of s.f32 ? CASES : CASES.slice(0, -1)) {
      for (const keepDims of s.f32 ? [true, false] : [false]) {
        it(`arg${kind} ${shape.join('x')} axis ${axis} keepDims ${keepDims}`, async () => {
          // f16 rounding makes ties; the reference sees the same rounded values
          const x = randomTensor(shape, shape.length * 11 + shape[0]);
          const [out] = await runOp('argReduce', { kind, axis, keepDims, selectLastIndex: false }, [s.gpu(x)]);
          const ax = axis < 0 ? axis + shape.length : axis;
          expect(out.dtype).toBe('i64');
          expect(out.shape).toEqual(
            keepDims ? shape.map((d, i) => (i === ax ? 1 : d)) : shape.filter((_, i) => i !== ax),
          );
          expect(Array.from(out.data as BigInt64Array, Number)).toEqual(argReduceRef(s.exact(x), kind, axis, false));
        });
      }
    }
  }
  const TIES: [number[], number][] = [
    [[3, 8], 1],
    [[2, 700], 1],
    [[9, 4], 0],
    [[2, 3000], 1],
  ];
  for (const selectLastIndex of [false, true]) {
    for (const kind of s.f32 ? (['max', 'min'] as const) : (['max'] as const)) {
      for (const [shape, axis] of s.f32 ? TIES : TIES.slice(-1)) {
        it(`arg${kind} with ties ${shape.join('x')} axis ${axis} selectLastIndex ${selectLastIndex}`, async () => {
          // values from a tiny set so every row holds ties for the extreme (exact in f16 too)
          const r = randomTensor(shape, 99, 0, 3);
          const x = { ...r, data: (r.data as Float32Array).map(Math.floor) };
          const [out] = await runOp('argReduce', { kind, axis, keepDims: false, selectLastIndex }, [s.gpu(x)]);
          expect(Array.from(out.data as BigInt64Array, Number)).toEqual(argReduceRef(x, kind, axis, selectLastIndex));
        });
      }
    }
  }
  if (!s.f32)
    it('variants and 2-byte input elements', () => {
      const call = argReduceKernel.select(
        {
          name: 'a',
          op: 'argReduce',
          attrs: { kind: 'max', axis: 1, keepDims: false, selectLastIndex: false },
          epilogue: null,
          inputs: [{ shape: [300, 9], dtype: 'f16' }],
          outputs: [{ shape: [300], dtype: 'i64' }],
        },
        caps,
      ).calls[0];
      expect(call.variant).toBe('argReduce.max.lane');
      expect(call.bytes).toBe(2 * 2700 + 4 * 300);
    });
});

describe('reduce on integers', () => {
  const x = {
    dtype: 'i64' as const,
    shape: [2, 3, 2],
    data: new BigInt64Array([1n, -5n, 7n, 100000n, 0n, -3n, 4n, 4n, -9n, 2n, 6n, 8n]),
  };
  const cases: [ReduceKind, number[], number[]][] = [
    ['sum', [1], [8, 99992, 1, 14]],
    ['max', [0, 2], [4, 100000, 8]],
    ['min', [2], [-5, 7, -3, 4, -9, 6]],
    ['prod', [0, 1, 2], [0]],
  ];
  for (const [kind, axes, expected] of cases) {
    it(`${kind} axes [${axes}]`, async () => {
      const [out] = await runOp('reduce', { kind, axes, keepDims: false }, [x]);
      expect(out.dtype).toBe('i64');
      expect(Array.from(out.data as BigInt64Array, Number)).toEqual(expected);
    });
  }
});
