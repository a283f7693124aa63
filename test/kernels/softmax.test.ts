// softmax / log-softmax in f32 and f16 storage (math and row state in f32), against the CPU reference: the
// lane-per-row and workgroup-per-row paths, several axes, long rows.
import { describe, expect, it } from 'vitest';
import { runOp } from './harness.js';
import { countNaN, randomTensor, relL2 } from '../util.js';
import { softmaxRef } from '../ref/softmax.js';
import { softmaxKernel } from '../../src/kernels/softmax.js';
import { DTYPES, storage } from './storage.js';

const CASES: [number[], number][] = [
  [[5, 1], -1],
  [[3, 7], -1],
  [[2, 1000], 1],
  [[2, 6625], -1],
  [[1, 40, 6625], 2],
  [[7, 5], 0],
  [[1000, 3], 0],
  [[4, 7, 9], 1],
  [[2, 1000, 3], 1],
  [[6625, 2], 0],
  [[8, 40, 40], -1],
  [[300, 7], 1],
  [[3, 1, 4], 1],
  [[1], 0],
];

describe.each(DTYPES)('softmax %s', (dt) => {
  const s = storage(dt);
  for (const log of [false, true]) {
    for (const [shape, axis] of CASES) {
      it(`${log ? 'log' : ''}softmax ${shape.join('x')} axis ${axis}`, async () => {
        const x = randomTensor(shape, shape.length * 31 + shape[0], -4, 4);
        const [out] = await runOp('softmax', { axis, log }, [s.gpu(x)]);
        expect(out.dtype).toBe(dt);
        expect(out.shape).toEqual(shape);
        const got = s.read(out);
        expect(countNaN(got)).toBe(0);
        expect(relL2(got, softmaxRef(s.exact(x), axis, log))).toBeLessThan(s.tol(1e-4));
      });
    }
  }
  // f16 runs the long-row log-softmax only
  for (const log of s.f32 ? [false, true] : [true]) {
    const shapes = s.f32
      ? [
          [3, 7],
          [2, 6625],
          [1000, 5],
        ]
      : [[2, 6625]];
    for (const shape of shapes) {
      it(`${log ? 'log' : ''}softmax stays finite for inputs of +-80: ${shape.join('x')}`, async () => {
        const x = randomTensor(shape, 77, -80, 80);
        const [out] = await runOp('softmax', { axis: -1, log }, [s.gpu(x)]);
        const got = s.read(out);
        expect(countNaN(got)).toBe(0);
        expect(relL2(got, softmaxRef(s.exact(x), -1, log))).toBeLessThan(s.tol(1e-4));
      });
    }
  }
  if (s.f32)
    it('rows of a constant are uniform', async () => {
      const x = { dtype: 'f32' as const, shape: [2, 4], data: new Float32Array([88, 88, 88, 88, -88, -88, -88, -88]) };
      const [out] = await runOp('softmax', { axis: 1, log: false }, [x]);
      expect(Array.from(out.data as Float32Array)).toEqual(new Array<number>(8).fill(0.25));
    });
  if (!s.f32)
    it('picks lane and workgroup rows as for f32, with 2-byte element sizes', () => {
      const caps = { f16: true, subgroups: true, dot4: true, maxWorkgroupsPerDim: 65535 };
      const node = (shape: number[]) => ({
        name: 's',
        op: 'softmax' as const,
        attrs: { axis: -1, log: false },
        epilogue: null,
        inputs: [{ shape, dtype: 'f16' as const }],
        outputs: [{ shape, dtype: 'f16' as const }],
      });
      const lane = softmaxKernel.select(node([300, 7]), caps).calls[0];
      expect(lane.variant).toBe('softmax.lane');
      expect(lane.bytes).toBe(3 * 2 * 2100);
      expect(softmaxKernel.select(node([2, 6625]), caps).calls[0].variant).toBe('softmax.wg');
    });
});
