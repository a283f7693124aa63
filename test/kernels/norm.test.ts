import { describe, expect, it } from 'vitest';
import { runOp } from './harness.js';
import { countNaN, randomTensor, relL2 } from '../util.js';
import { LN_CASES, batchNormRef, layerNormRef } from '../ref/norm.js';

describe('layerNorm', () => {
  for (const withBias of [true, false]) {
    for (const [shape, axis, pshape] of LN_CASES) {
      it(`${shape.join('x')} axis ${axis} scale ${pshape.join('x')}${withBias ? ' + bias' : ''}`, async () => {
        // an offset mean checks the variance is not computed as E[x^2] - E[x]^2 naively
        const x = randomTensor(shape, shape.length * 13 + shape[shape.length - 1], 95, 105);
        const scale = randomTensor(pshape, 3, 0.5, 1.5);
        const bias = withBias ? randomTensor(pshape, 4) : null;
        const [out] = await runOp('layerNorm', { axis, epsilon: 1e-5 }, [x, scale, bias], {
          consts: [false, true, true],
        });
        expect(out.shape).toEqual(shape);
        expect(countNaN(out.data as Float32Array)).toBe(0);
        expect(relL2(out.data as Float32Array, layerNormRef(x, scale, bias, axis, 1e-5))).toBeLessThan(1e-4);
      });
    }
  }
  it('constant rows normalize to the bias', async () => {
    const x = { dtype: 'f32' as const, shape: [2, 3], data: new Float32Array([5, 5, 5, -1, -1, -1]) };
    const [out] = await runOp('layerNorm', { axis: -1, epsilon: 1e-5 }, [
      x,
      randomTensor([3], 1),
      randomTensor([3], 2),
    ]);
    expect(countNaN(out.data as Float32Array)).toBe(0);
    expect(
      relL2(out.data as Float32Array, layerNormRef(x, randomTensor([3], 1), randomTensor([3], 2), -1, 1e-5)),
    ).toBeLessThan(1e-5);
  });
  it('with a fused residual epilogue', async () => {
    const x = randomTensor([6, 40], 5);
    const scale = randomTensor([40], 6);
    const residual = randomTensor([6, 40], 7);
    const [out] = await runOp('layerNorm', { axis: -1, epsilon: 1e-6 }, [x, scale, null], { residual });
    const ref = layerNormRef(x, scale, null, -1, 1e-6).map((v, i) => v + (residual.data as Float32Array)[i]);
    expect(relL2(out.data as Float32Array, ref)).toBeLessThan(1e-4);
  });
});

const BN_CASES: number[][] = [
  [1, 1],
  [4, 3],
  [2, 16],
  [1, 3, 5, 5],
  [2, 7, 9, 13],
  [1, 64, 40, 80],
  [3, 5, 7],
];

describe('batchNorm', () => {
  for (const shape of BN_CASES) {
    it(`${shape.join('x')}`, async () => {
      const c = shape[1];
      const x = randomTensor(shape, shape.length * 7 + c, -3, 3);
      const scale = randomTensor([c], 1, 0.5, 2);
      const bias = randomTensor([c], 2);
      const mean = randomTensor([c], 3);
      const variance = randomTensor([c], 4, 0.1, 3);
      const [out] = await runOp('batchNorm', { epsilon: 1e-3 }, [x, scale, bias, mean, variance], {
        consts: [false, true, true, true, true],
      });
      expect(out.shape).toEqual(shape);
      expect(countNaN(out.data as Float32Array)).toBe(0);
      expect(relL2(out.data as Float32Array, batchNormRef(x, scale, bias, mean, variance, 1e-3))).toBeLessThan(1e-5);
    });
  }
  it('with a fused relu', async () => {
    const shape = [2, 4, 3, 3];
    const x = randomTensor(shape, 9, -3, 3);
    const [scale, bias, mean] = [1, 2, 3].map((s) => randomTensor([4], s));
    const variance = randomTensor([4], 4, 0.1, 3);
    const [out] = await runOp('batchNorm', { epsilon: 1e-5 }, [x, scale, bias, mean, variance], {
      epilogue: { act: 'relu', alpha: 0, beta: 0 },
    });
    const ref = batchNormRef(x, scale, bias, mean, variance, 1e-5).map((v) => Math.max(v, 0));
    expect(relL2(out.data as Float32Array, ref)).toBeLessThan(1e-5);
  });
});
