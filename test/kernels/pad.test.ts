import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../../src/core/tensor.js';
import { runOp } from './harness.js';
import { countNaN, randomTensor, rng } from '../util.js';
import { padRef } from '../ref/data-movement.js';
import type { PadAttrs } from '../../src/ir/graph.js';
import { f32ToF16 } from '../../src/core/dtype.js';
import { RUNS_F16, expectBits, half } from './storage.js';

function intTensor(shape: number[], seed: number): HostTensor {
  const r = rng(seed);
  const data = new Int32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(-500 + 1000 * r());
  return { dtype: 'i32', shape, data };
}

const MODES = ['constant', 'reflect', 'edge', 'wrap'] as const;
// [shape, pads]: pads are [begins..., ends...]; reflect needs pads below each (cropped) dim
const CASES: [number[], number[]][] = [
  [[5], [2, 3]],
  [[5], [0, 0]],
  [[6], [-2, 3]],
  [[7], [3, -2]],
  [
    [3, 4],
    [1, 2, 2, 1],
  ],
  [
    [4, 5],
    [-1, 2, 2, -2],
  ],
  [
    [2, 3, 4],
    [0, 1, 2, 1, 0, 3],
  ],
  [
    [1, 3, 5, 6],
    [0, 0, 1, 2, 0, 0, 2, 1],
  ],
  [
    [1, 3, 5, 6],
    [0, 0, -1, 2, 0, 0, 2, -3],
  ],
  [
    [2, 2, 3, 3, 4],
    [1, 0, 2, 1, 0, 0, 1, 1, 2, 3],
  ],
  [
    [2, 3, 2, 3, 2, 4],
    [0, 1, 1, 0, 1, 2, 1, 0, 1, 2, 0, 3],
  ],
  [
    [1, 16, 64, 64],
    [0, 0, 1, 1, 0, 0, 1, 1],
  ],
];

describe('pad', () => {
  for (const mode of MODES) {
    CASES.forEach(([shape, pads], i) => {
      it(`${mode} ${shape.join('x')} pads [${pads}]`, async () => {
        const ints = i % 4 === 2;
        const x = ints ? intTensor(shape, i) : randomTensor(shape, i);
        const value = ints ? -7 : 0.625;
        const [out] = await runOp('pad', { pads, mode, value }, [x]);
        const ref = padRef(x, pads, mode, value);
        expect(out.shape).toEqual(ref.shape);
        if (!ints) expect(countNaN(out.data as Float32Array)).toBe(0);
        expect(Array.from(out.data as Float32Array)).toEqual(ref.data);
      });
    });
  }
  it('constant pad of an empty tensor fills the whole output', async () => {
    const x: HostTensor = { dtype: 'f32', shape: [0, 3], data: new Float32Array(0) };
    const [out] = await runOp('pad', { pads: [1, 0, 1, 1], mode: 'constant', value: 2.5 }, [x]);
    expect(out.shape).toEqual([2, 4]);
    expect(Array.from(out.data as Float32Array)).toEqual(new Array<number>(8).fill(2.5));
  });
  it('bool values pad with true', async () => {
    const x: HostTensor = { dtype: 'bool', shape: [3], data: new Uint8Array([0, 1, 0]) };
    const [out] = await runOp('pad', { pads: [1, 2], mode: 'constant', value: 1 }, [x]);
    expect(Array.from(out.data as Uint8Array)).toEqual([1, 0, 1, 0, 1, 1]);
  });
  it('crop to an empty result', async () => {
    const x = randomTensor([3, 4], 5);
    const [out] = await runOp('pad', { pads: [0, -2, 0, -2], mode: 'edge', value: 0 }, [x]);
    expect(out.shape).toEqual([3, 0]);
  });
});

// f16 storage: the raw 16-bit patterns of every mode, the pad value rounded to f16
if (RUNS_F16)
  describe('pad f16', () => {
    const cases: [number[], number[], PadAttrs['mode']][] = [
      [[1, 3, 5, 5], [0, 0, 1, 1, 0, 0, 2, 1], 'constant'],
      [[3, 7], [1, 2, 2, 1], 'reflect'],
      [[2, 5, 3], [0, 1, 1, 0, 2, 1], 'edge'],
      [[3, 7], [2, 3, 1, 2], 'wrap'],
      [[4, 9], [-1, 2, 1, -3], 'constant'],
    ];
    cases.forEach(([shape, p, mode], i) => {
      it(`pad ${mode} ${shape.join('x')} [${p}]`, async () => {
        const x = half(shape, 40 + i);
        const value = -2.5;
        const [out] = await runOp('pad', { pads: p, mode, value }, [x]);
        expectBits(out, padRef(x, p, mode, f32ToF16(value)));
      });
    });
  });
