// f16 storage variants of softmax, layerNorm and batchNorm (math and row state in f32): inputs and parameters
// rounded to f16, the CPU reference computed on exactly those values, tolerance 2e-3 relative L2. Shapes are
// those of softmax.test.ts and norm.test.ts (lane-per-row and workgroup-per-row paths, several axes, long rows).
import { describe, expect, it } from 'vitest';
import { runOp } from './harness.js';
import { countNaN, halfRounded, halfValues, randomTensor, relL2, toHalf } from '../util.js';
import { softmaxRef } from '../ref/softmax.js';
import { LN_CASES, batchNormRef, layerNormRef } from '../ref/norm.js';
import { batchNormKernel, layerNormKernel } from '../../src/kernels/norm.js';
import { softmaxKernel } from '../../src/kernels/softmax.js';

const TOL = 2e-3;
const caps = { f16: true, subgroups: true, dot4: true, maxWorkgroupsPerDim: 65535 };

const SOFTMAX_CASES: [number[], number][] = [
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

describe('softmax f16', () => {
  for (const log of [false, true]) {
    for (const [shape, axis] of SOFTMAX_CASES) {
      it(`${log ? 'log' : ''}softmax ${shape.join('x')} axis ${axis}`, async () => {
        const x = randomTensor(shape, shape.length * 31 + shape[0], -4, 4);
        const [out] = await runOp('softmax', { axis, log }, [toHalf(x)]);
        expect(out.dtype).toBe('f16');
        expect(out.shape).toEqual(shape);
        const got = halfValues(out);
        expect(countNaN(got)).toBe(0);
        expect(relL2(got, softmaxRef(halfRounded(x), axis, log))).toBeLessThan(TOL);
      });
    }
  }
  it('stays finite for inputs of +-80 (long rows)', async () => {
    const x = randomTensor([2, 6625], 77, -80, 80);
    const [out] = await runOp('softmax', { axis: -1, log: true }, [toHalf(x)]);
    const got = halfValues(out);
    expect(countNaN(got)).toBe(0);
    expect(relL2(got, softmaxRef(halfRounded(x), -1, true))).toBeLessThan(TOL);
  });
  it('picks lane and workgroup rows as for f32, with 2-byte element sizes', () => {
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

describe('layerNorm f16', () => {
  for (const withBias of [true, false]) {
    for (const [shape, axis, pshape] of LN_CASES) {
      it(`${shape.join('x')} axis ${axis} scale ${pshape.join('x')}${withBias ? ' + bias' : ''}`, async () => {
        // an offset mean (f16 keeps about 0.06 of resolution at 100) checks the shifted variance
        const x = randomTensor(shape, shape.length * 13 + shape[shape.length - 1], 95, 105);
        const scale = randomTensor(pshape, 3, 0.5, 1.5);
        const bias = withBias ? randomTensor(pshape, 4) : null;
        const [out] = await runOp(
          'layerNorm',
          { axis, epsilon: 1e-5 },
          [toHalf(x), toHalf(scale), bias && toHalf(bias)],
          { consts: [false, true, true] },
        );
        expect(out.dtype).toBe('f16');
        expect(out.shape).toEqual(shape);
        const got = halfValues(out);
        expect(countNaN(got)).toBe(0);
        const ref = layerNormRef(halfRounded(x), halfRounded(scale), bias && halfRounded(bias), axis, 1e-5);
        expect(relL2(got, ref)).toBeLessThan(TOL);
      });
    }
  }
  it('with a fused residual epilogue', async () => {
    const x = randomTensor([6, 40], 5);
    const scale = randomTensor([40], 6);
    const residual = randomTensor([6, 40], 7);
    const [out] = await runOp('layerNorm', { axis: -1, epsilon: 1e-6 }, [toHalf(x), toHalf(scale), null], {
      residual: toHalf(residual),
    });
    const res = halfRounded(residual).data as Float32Array;
    const ref = layerNormRef(halfRounded(x), halfRounded(scale), null, -1, 1e-6).map((v, i) => v + res[i]);
    expect(relL2(halfValues(out), ref)).toBeLessThan(TOL);
  });
  it('picks lane and workgroup rows as for f32, with 2-byte element sizes', () => {
    const node = (shape: number[]) => ({
      name: 'ln',
      op: 'layerNorm' as const,
      attrs: { axis: -1, epsilon: 1e-5 },
      epilogue: null,
      inputs: [
        { shape, dtype: 'f16' as const },
        { shape: [shape[1]], dtype: 'f16' as const },
        { shape: [shape[1]], dtype: 'f16' as const },
      ],
      outputs: [{ shape, dtype: 'f16' as const }],
    });
    const lane = layerNormKernel.select(node([40, 120]), caps).calls[0];
    expect(lane.variant).toBe('layerNorm.lane');
    expect(lane.bytes).toBe(3 * 2 * 4800);
    expect(layerNormKernel.select(node([1, 3000]), caps).calls[0].variant).toBe('layerNorm.wg');
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

describe('batchNorm f16', () => {
  const params = (c: number) => [
    randomTensor([c], 1, 0.5, 2),
    randomTensor([c], 2),
    randomTensor([c], 3),
    randomTensor([c], 4, 0.1, 3),
  ];
  for (const shape of BN_CASES) {
    it(`${shape.join('x')}`, async () => {
      const x = randomTensor(shape, shape.length * 7 + shape[1], -3, 3);
      const p = params(shape[1]);
      const [out] = await runOp('batchNorm', { epsilon: 1e-3 }, [toHalf(x), ...p.map(toHalf)], {
        consts: [false, true, true, true, true],
      });
      expect(out.dtype).toBe('f16');
      expect(out.shape).toEqual(shape);
      const got = halfValues(out);
      expect(countNaN(got)).toBe(0);
      const [s, b, m, v] = p.map(halfRounded);
      expect(relL2(got, batchNormRef(halfRounded(x), s, b, m, v, 1e-3))).toBeLessThan(TOL);
    });
  }
  it('with a fused relu', async () => {
    const shape = [2, 4, 3, 3];
    const x = randomTensor(shape, 9, -3, 3);
    const p = params(4);
    const [out] = await runOp('batchNorm', { epsilon: 1e-5 }, [toHalf(x), ...p.map(toHalf)], {
      epilogue: { act: 'relu', alpha: 0, beta: 0 },
    });
    const [s, b, m, v] = p.map(halfRounded);
    const ref = batchNormRef(halfRounded(x), s, b, m, v, 1e-5).map((r) => Math.max(r, 0));
    expect(relL2(halfValues(out), ref)).toBeLessThan(TOL);
  });
  it('keeps f32 folded statistics and counts 2-byte elements', () => {
    const shape = [2, 8, 5, 5];
    const c = { shape: [8], dtype: 'f16' as const };
    const sel = batchNormKernel.select(
      {
        name: 'bn',
        op: 'batchNorm',
        attrs: { epsilon: 1e-5 },
        epilogue: null,
        inputs: [{ shape, dtype: 'f16' }, c, c, c, c],
        outputs: [{ shape, dtype: 'f16' }],
      },
      caps,
    );
    expect(sel.scratch).toEqual([8 * 8]);
    expect(sel.calls.map((k) => k.bytes)).toEqual([(4 * 2 + 8) * 8, 2 * 2 * 400]);
  });
});
