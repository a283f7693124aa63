// Full int8 (`kestrel quantize --weights int8 --activations int8`, power-of-two scales) on the three
// students: Kestrel and onnxruntime-node agree on the same file (engine parity; with float scales
// a single 1-LSB flip at one quantizer cascades through the network), the int8 weights stay int8 on the
// GPU, and the tensors left float are the ones no two engines compute alike.
import { describe, expect, it } from 'vitest';
import { quantizeModel } from '../../src/quant/quantize.js';
import { runOnnxruntime } from '../../src/parity/ort.js';
import { diff } from '../../src/parity/metrics.js';
import { Session } from '../../src/runtime/session.js';
import { testGpu } from '../kernels/harness.js';
import { modelBytes } from './models.js';
import { textLikeImage } from './inputs.js';

const CASES: ['det' | 'rec' | 'cls', number[]][] = [['cls', [1, 3, 48, 192]], ['det', [1, 3, 160, 160]], ['rec', [1, 3, 48, 320]]];

describe('full int8 students: Kestrel vs onnxruntime on the same file', () => {
  for (const [name, shape] of CASES) {
    it(`${name} --weights int8 --activations int8`, async () => {
      const ctx = await testGpu();
      const float = modelBytes(name);
      const calibration = [3, 5].map((seed) => ({ x: textLikeImage(shape, seed) }));
      const q = await quantizeModel(float, { weights: 'int8', activations: 'int8', calibration, context: ctx });
      expect(q.ranges.length).toBeGreaterThan(30);
      expect(q.ranges.every((r) => Number.isInteger(Math.log2(r.scale)))).toBe(true);
      // det and cls quantize every conv and pool input; rec keeps its attention/LayerNorm/swish neck float
      if (name === 'rec') expect(q.kept.some((k) => k.reason.includes('Softmax'))).toBe(true);
      else expect(q.kept).toEqual([]);
      const x = textLikeImage(shape, 21);
      const ref = await runOnnxruntime(q.bytes, { x });
      const s = await Session.create(q.bytes, { shapes: { x: shape }, context: ctx });
      const fs = await Session.create(float, { shapes: { x: shape }, context: ctx });
      try {
        const r = await s.runDetailed({ x });
        for (const [k, t] of Object.entries(ref)) {
          const d = diff(r.outputs.get(k)!, t);
          expect(d.nanInf).toBe(0);
          expect(d.relL2).toBeLessThan(1e-4);
        }
        // QDQ pairs on kernel outputs run as the kernels' last epilogue step; conv weights are read as int8
        const nodes = r.plan.graph.nodes;
        expect(nodes.filter((n) => n.epilogue?.fakeQuant).length).toBeGreaterThan(name === 'rec' ? 10 : 30);
        expect(nodes.filter((n) => n.op === 'conv' && r.plan.graph.values.get(n.inputs[1])?.dtype === 'i8').length).toBeGreaterThan(30);
        const f = await fs.runDetailed({ x });
        expect(r.plan.executor.memory.weightBytes / f.plan.executor.memory.weightBytes).toBeLessThan(0.3);
      } finally {
        s.release();
        fs.release();
      }
    }, 300_000);
  }
});
