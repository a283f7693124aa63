// Concat written in place: producers write their slab of the output directly (no concat step), checked
// against plain-JS arithmetic; and the copy path still runs when a slab is read elsewhere.
import { describe, expect, it } from 'vitest';
import { type InternalSessionOptions, Session } from '../../src/runtime/session.js';
import { graph, io, node } from '../onnx-builder.js';
import { testGpu } from '../kernels/harness.js';
import { halfRounded, halfValues, randomTensor, toHalf } from '../util.js';

describe('in-place concat', () => {
  it('relu(x) ++ sigmoid(y) ++ abs(x) along channels, with no concat step', async () => {
    // slabs of 256 and 512 bytes: aligned for any adapter's storage offset alignment
    const x = randomTensor([1, 2, 4, 8], 1, -2, 2);
    const y = randomTensor([1, 4, 4, 8], 2, -2, 2);
    const bytes = graph(
      [
        node('Relu', ['x'], ['a']),
        node('Sigmoid', ['y'], ['b']),
        node('Abs', ['x'], ['c']),
        node('Concat', ['a', 'b', 'c'], ['z'], { axis: 1 }),
        node('Neg', ['z'], ['out']),
      ],
      [io('x', [1, 2, 4, 8]), io('y', [1, 4, 4, 8])],
      [io('out', [1, 8, 4, 8])],
    );
    const s = await Session.create(bytes, { context: await testGpu(), poison: true } as InternalSessionOptions);
    try {
      const r = await s.runDetailed({ x, y });
      expect(r.plan.executor.steps.some((st) => st.node.op === 'concat')).toBe(false);
      const xs = x.data as Float32Array,
        ys = y.data as Float32Array;
      const expected = [
        ...Array.from(xs, (v) => -Math.max(v, 0)),
        ...Array.from(ys, (v) => -1 / (1 + Math.exp(-v))),
        ...Array.from(xs, (v) => -Math.abs(v)),
      ];
      const got = Array.from(r.outputs.get('out')!.data as Float32Array);
      got.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
    } finally {
      s.release();
    }
  });
  it('keeps the copy when a part is also read elsewhere', async () => {
    const x = randomTensor([1, 2, 3, 4], 3);
    const bytes = graph(
      [node('Relu', ['x'], ['a']), node('Concat', ['a', 'x'], ['z'], { axis: 1 }), node('Add', ['a', 'a'], ['w'])],
      [io('x', [1, 2, 3, 4])],
      [io('z', [1, 4, 3, 4]), io('w', [1, 2, 3, 4])],
    );
    const s = await Session.create(bytes, { context: await testGpu(), poison: true } as InternalSessionOptions);
    try {
      const r = await s.runDetailed({ x });
      expect(r.plan.executor.steps.some((st) => st.node.op === 'concat')).toBe(true);
      const xs = Array.from(x.data as Float32Array);
      expect(Array.from(r.outputs.get('z')!.data as Float32Array)).toEqual([...xs.map((v) => Math.max(v, 0)), ...xs]);
      expect(Array.from(r.outputs.get('w')!.data as Float32Array)).toEqual(xs.map((v) => 2 * Math.max(v, 0)));
    } finally {
      s.release();
    }
  });
  // f16 slabs: offsets are in bytes (2 per element); a 36-byte slab is off any adapter's alignment
  for (const [h, w, inPlace] of [
    [4, 16, true],
    [3, 3, false],
  ] as const) {
    it(`f16 relu(x) ++ sigmoid(y) ++ abs(x) with ${2 * h * w * 2}-byte slabs: ${inPlace ? 'in place' : 'copied'}`, async () => {
      const x = randomTensor([1, 2, h, w], 1, -2, 2);
      const y = randomTensor([1, 4, h, w], 2, -2, 2);
      const bytes = graph(
        [
          node('Relu', ['x'], ['a']),
          node('Sigmoid', ['y'], ['b']),
          node('Abs', ['x'], ['c']),
          node('Concat', ['a', 'b', 'c'], ['z'], { axis: 1 }),
          node('Neg', ['z'], ['out']),
        ],
        [io('x', [1, 2, h, w], 'f16'), io('y', [1, 4, h, w], 'f16')],
        [io('out', [1, 8, h, w], 'f16')],
      );
      const s = await Session.create(bytes, { context: await testGpu(), poison: true } as InternalSessionOptions);
      try {
        const r = await s.runDetailed({ x: toHalf(x), y: toHalf(y) });
        expect(r.plan.executor.steps.some((st) => st.node.op === 'concat')).toBe(!inPlace);
        const xs = halfRounded(x).data as Float32Array,
          ys = halfRounded(y).data as Float32Array;
        const expected = [
          ...Array.from(xs, (v) => -Math.max(v, 0)),
          ...Array.from(ys, (v) => -1 / (1 + Math.exp(-v))),
          ...Array.from(xs, (v) => -Math.abs(v)),
        ];
        const got = halfValues(r.outputs.get('out')!);
        got.forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThan(1e-3));
      } finally {
        s.release();
      }
    });
  }
});
