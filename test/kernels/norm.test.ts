// layerNorm and batchNorm in f32 and f16 storage (math in f32), against the CPU references.
import { describe, expect, it } from 'vitest';
import { runOp } from './harness.js';
import { countNaN, randomTensor, relL2 } from '../util.js';
import { LN_CASES, batchNormRef, layerNormRef } from '../ref/norm.js';
import { batchNormKernel, layerNormKernel } from '../../src/kernels/norm.js';
import { DTYPES, storage } from './storage.js';

const caps = { f16: true, subgroups: true, dot4: true, maxWorkgroupsPerDim: 65535 };

describe.each(DTYPES)('layerNorm %s', (dt) => {
  const s = storage(dt);
  for (const withBias of [true, false]) {
    for (const [shape, axis, pshape] of LN_CASES) {
      it(`${shape.join('x')} axis ${axis} scale ${pshape.join('x')}${withBias ? ' + bias' : ''}`, async () => {
        // an offset mean checks the variance is not computed as E[x^2] - E[x]^2 naively (f16 keeps ~0.06 at 100)
        const x = randomTensor(shape, shape.length * 13 + shape[shape.length - 1], 95, 105);
        const scale = randomTensor(pshape, 3, 0.5, 1.5);
        const bias = withBias ? randomTensor(pshape, 4) : null;
        const [out] = await runOp('layerNorm', { axis, epsilon: 1e-5 }, [s.gpu(x), s.gpu(scale), bias && s.gpu(bias)], {
          consts: [false, true, true],
        });
        expect(out.dtype).toBe(dt);
        expect(out.shape).toEqual(shape);
        const got = s.read(out);
        expect(countNaN(got)).toBe(0);
        const ref = layerNormRef(s.exact(x), s.exact(scale), bias && s.exact(bias), axis, 1e-5);
        expect(relL2(got, ref)).toBeLessThan(s.tol(1e-4));
      });
    }
  }
  if (s.f32)
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
    const [out] = await runOp('layerNorm', { axis: -1, epsilon: 1e-6 }, [s.gpu(x), s.gpu(scale), null], {
      residual: s.gpu(residual),
    });
    const res = s.exact(residual).data as Float32Array;
    const ref = layerNormRef(s.exact(x), s.exact(scale), null, -1, 1e-6).map((v, i) => v + res[i]);
    expect(relL2(s.read(out), ref)).toBeLessThan(s.tol(1e-4));
  });
  if (!s.f32)
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

describe.each(DTYPES)('batchNorm %s', (dt) => {
  const s = storage(dt);
  // scale, bias, mean, variance
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
      const [out] = await runOp('batchNorm', { epsilon: 1e-3 }, [s.gpu(x), ...p.map(s.gpu)], {
        consts: [false, true, true, true, true],
      });
      expect(out.dtype).toBe(dt);
      expect(out.shape).toEqual(shape);
      const got = s.read(out);
      expect(countNaN(got)).toBe(0);
      const [sc, b, m, v] = p.map(s.exact);
      expect(relL2(got, batchNormRef(s.exact(x), sc, b, m, v, 1e-3))).toBeLessThan(s.tol(1e-5));
    });
  }
  it('with a fused relu', async () => {
    const shape = [2, 4, 3, 3];
    const x = randomTensor(shape, 9, -3, 3);
    const p = params(4);
    const [out] = await runOp('batchNorm', { epsilon: 1e-5 }, [s.gpu(x), ...p.map(s.gpu)], {
      epilogue: { act: 'relu', alpha: 0, beta: 0 },
    });
    const [sc, b, m, v] = p.map(s.exact);
    const ref = batchNormRef(s.exact(x), sc, b, m, v, 1e-5).map((r) => Math.max(r, 0));
    expect(relL2(s.read(out), ref)).toBeLessThan(s.tol(1e-5));
  });
  if (!s.f32)
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
