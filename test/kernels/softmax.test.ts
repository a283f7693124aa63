import { describe, expect, it } from 'vitest';
import { runOp } from './harness.js';
import { countNaN, randomTensor, relL2 } from '../util.js';
import { softmaxRef } from '../ref/softmax.js';

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

describe('softmax', () => {
  for (const log of [false, true]) {
    for (const [shape, axis] of CASES) {
      it(`${log ? 'log' : ''}softmax ${shape.join('x')} axis ${axis}`, async () => {
        const x = randomTensor(shape, shape.length * 31 + shape[0], -4, 4);
        const [out] = await runOp('softmax', { axis, log }, [x]);
        expect(out.shape).toEqual(shape);
        expect(countNaN(out.data as Float32Array)).toBe(0);
        expect(relL2(out.data as Float32Array, softmaxRef(x, axis, log))).toBeLessThan(1e-4);
      });
    }
  }
  for (const log of [false, true]) {
    for (const shape of [
      [3, 7],
      [2, 6625],
      [1000, 5],
    ]) {
      it(`${log ? 'log' : ''}softmax stays finite for inputs of +-80: ${shape.join('x')}`, async () => {
        const x = randomTensor(shape, 77, -80, 80);
        const [out] = await runOp('softmax', { axis: -1, log }, [x]);
        expect(countNaN(out.data as Float32Array)).toBe(0);
        expect(relL2(out.data as Float32Array, softmaxRef(x, -1, log))).toBeLessThan(1e-4);
      });
    }
  }
  it('rows of a constant are uniform', async () => {
    const x = { dtype: 'f32' as const, shape: [2, 4], data: new Float32Array([88, 88, 88, 88, -88, -88, -88, -88]) };
    const [out] = await runOp('softmax', { axis: 1, log: false }, [x]);
    expect(Array.from(out.data as Float32Array)).toEqual(new Array(8).fill(0.25));
  });
});
