// Quantized students written by `kestrel quantize` run on Kestrel and on onnxruntime-node; the engines
// must agree on the same quantized file (engine parity, separate from quantization error), and the
// int8 weights must stay int8 in GPU memory.
import { describe, expect, it } from 'vitest';
import { quantizeModel } from '../../src/quant/quantize.js';
import type { WeightMode } from '../../src/quant/weights.js';
import { runOnnxruntime } from '../../src/parity/ort.js';
import { diff } from '../../src/parity/metrics.js';
import { Session } from '../../src/runtime/session.js';
import { testGpu } from '../kernels/harness.js';
import { modelBytes } from './models.js';
import { textLikeImage } from './inputs.js';

const CASES: ['det' | 'rec' | 'cls', number[], WeightMode][] = [
  ['cls', [1, 3, 48, 192], 'int8'],
  ['cls', [1, 3, 48, 192], 'fp16'],
  ['rec', [1, 3, 48, 320], 'int4'],
  ['det', [1, 3, 160, 160], 'int8'],
];

describe('quantized students: Kestrel vs onnxruntime on the same file', () => {
  for (const [name, shape, weights] of CASES) {
    it(`${name} --weights ${weights}`, async () => {
      const ctx = await testGpu();
      const float = modelBytes(name);
      const q = await quantizeModel(float, { weights, context: ctx });
      const x = textLikeImage(shape, 21);
      const ref = await runOnnxruntime(q.bytes, { x });
      const s = await Session.create(q.bytes, { shapes: { x: shape }, context: ctx });
      const fs = await Session.create(float, { shapes: { x: shape }, context: ctx });
      try {
        const r = await s.runDetailed({ x });
        for (const [k, t] of Object.entries(ref)) {
          const d = diff(r.outputs.get(k)!, t);
          expect(d.nanInf).toBe(0);
          expect(d.relL2).toBeLessThan(1e-3);
        }
        const f = await fs.runDetailed({ x });
        const ratio = r.plan.executor.memory.weightBytes / f.plan.executor.memory.weightBytes;
        if (weights === 'int8') expect(ratio).toBeLessThan(0.3);
        // halves, plus per-tensor alignment and the batch-norm parameters that stay f32
        if (weights === 'fp16') expect(ratio).toBeLessThan(0.6);
        // batch norms fuse as in f32: into the weights, the dequantize scale, or (f16 weights) the epilogue scale
        if (name === 'cls') expect(r.plan.graph.nodes.filter((n) => n.op === 'batchNorm').map((n) => n.name)).toEqual([]);
        // det's int8 DBNet head: the conv-transposes become int8 1x1 convs + pixel shuffles, their batch norms fold
        if (name === 'det') expect(r.plan.graph.nodes.filter((n) => n.op === 'batchNorm' || n.op === 'convTranspose').map((n) => n.name)).toEqual([]);
      } finally {
        s.release();
        fs.release();
      }
    }, 300_000);
  }
});
