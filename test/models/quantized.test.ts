// Quantized students written by `kestrel quantize` run on Kestrel and on onnxruntime-node; the engines
// must agree on the same quantized file (engine parity, separate from quantization error), and the
// int8 weights must stay int8 in GPU memory. Full int8 (`--activations int8`, power-of-two scales): with
// range/255 scales a single 1-LSB flip at one quantizer cascades through the network, so these check that
// every quantized value is computed bit for bit alike, and that the tensors left float are the ones no two
// engines compute alike.
import { describe, expect, it } from 'vitest';
import { type QuantizeOptions, quantizeModel } from '../../src/quant/quantize.js';
import type { WeightMode } from '../../src/quant/weights.js';
import { runOnnxruntime } from '../../src/parity/ort.js';
import { diff } from '../../src/parity/metrics.js';
import { Session } from '../../src/runtime/session.js';
import { testGpu } from '../kernels/harness.js';
import { modelBytes } from './models.js';
import { textLikeImage } from './inputs.js';

type Student = 'det' | 'rec' | 'cls';

/** Quantizes `name`, runs the file on both engines, checks their agreement; returns Kestrel's run and the GPU weight ratio. */
async function quantizedRun(
  name: Student,
  shape: number[],
  opts: QuantizeOptions,
  tolerance: number,
  check: (
    q: Awaited<ReturnType<typeof quantizeModel>>,
    r: Awaited<ReturnType<Session['runDetailed']>>,
    weightRatio: number,
  ) => void,
): Promise<void> {
  const ctx = await testGpu();
  const float = modelBytes(name);
  const q = await quantizeModel(float, { ...opts, context: ctx });
  const x = textLikeImage(shape, 21);
  const ref = await runOnnxruntime(q.bytes, { x });
  const s = await Session.create(q.bytes, { shapes: { x: shape }, context: ctx });
  const fs = await Session.create(float, { shapes: { x: shape }, context: ctx });
  try {
    const r = await s.runDetailed({ x });
    for (const [k, t] of Object.entries(ref)) {
      const d = diff(r.outputs.get(k)!, t);
      expect(d.nanInf).toBe(0);
      expect(d.relL2).toBeLessThan(tolerance);
    }
    const f = await fs.runDetailed({ x });
    check(q, r, r.plan.executor.memory.weightBytes / f.plan.executor.memory.weightBytes);
  } finally {
    s.release();
    fs.release();
  }
}

const CASES: [Student, number[], WeightMode][] = [
  ['cls', [1, 3, 48, 192], 'int8'],
  ['cls', [1, 3, 48, 192], 'fp16'],
  ['rec', [1, 3, 48, 320], 'int4'],
  ['det', [1, 3, 160, 160], 'int8'],
  ['det', [1, 3, 160, 160], 'fp16'],
];

describe('quantized students: Kestrel vs onnxruntime on the same file', () => {
  for (const [name, shape, weights] of CASES) {
    it(
      `${name} --weights ${weights}`,
      () =>
        quantizedRun(name, shape, { weights }, 1e-3, (_q, r, ratio) => {
          if (weights === 'int8') expect(ratio).toBeLessThan(0.3);
          // halves, plus per-tensor alignment and the batch-norm parameters that stay f32
          if (weights === 'fp16') expect(ratio).toBeLessThan(0.6);
          // batch norms fuse as in f32: into the weights, the dequantize scale, or (f16 weights) the epilogue scale
          if (name === 'cls')
            expect(r.plan.graph.nodes.filter((n) => n.op === 'batchNorm').map((n) => n.name)).toEqual([]);
          // det's DBNet head: the conv-transposes become int8 / f16 1x1 convs + pixel shuffles, their batch norms fold
          if (name === 'det')
            expect(
              r.plan.graph.nodes.filter((n) => n.op === 'batchNorm' || n.op === 'convTranspose').map((n) => n.name),
            ).toEqual([]);
          // the convs read int8 or f16 weights themselves: no dequantize or cast step per weight
          if (name === 'det')
            expect(r.plan.graph.nodes.filter((n) => n.op === 'dequantize' || n.op === 'cast').length).toBe(0);
        }),
      300_000,
    );
  }
});

describe('fp16 weights on an adapter without shader-f16', () => {
  it('cls --weights fp16: the convs decode the halves themselves, no f16 storage needed', async () => {
    const features = (await testGpu()).features as { shaderF16: boolean };
    const had = features.shaderF16;
    features.shaderF16 = false;
    try {
      await quantizedRun('cls', [1, 3, 48, 192], { weights: 'fp16' }, 1e-3, (_q, r) => {
        expect(r.plan.graph.nodes.filter((n) => n.op === 'cast').length).toBe(0);
      });
    } finally {
      features.shaderF16 = had;
    }
  }, 300_000);
});

const FULL: [Student, number[]][] = [
  ['cls', [1, 3, 48, 192]],
  ['det', [1, 3, 160, 160]],
  ['rec', [1, 3, 48, 320]],
];

describe('full int8 students: Kestrel vs onnxruntime on the same file', () => {
  for (const [name, shape] of FULL) {
    const calibration = [3, 5].map((seed) => ({ x: textLikeImage(shape, seed) }));
    it(
      `${name} --weights int8 --activations int8`,
      () =>
        quantizedRun(name, shape, { weights: 'int8', activations: 'int8', calibration }, 1e-4, (q, r, ratio) => {
          expect(q.ranges.length).toBeGreaterThan(30);
          expect(q.ranges.every((g) => Number.isInteger(Math.log2(g.scale)))).toBe(true);
          // det and cls quantize every conv and pool input; rec keeps its attention/LayerNorm/swish neck float
          if (name === 'rec') expect(q.kept.some((k) => k.reason.includes('Softmax'))).toBe(true);
          else expect(q.kept).toEqual([]);
          // QDQ pairs on kernel outputs run as the kernels' last epilogue step; conv weights are read as int8
          const nodes = r.plan.graph.nodes;
          expect(nodes.filter((n) => n.epilogue?.fakeQuant).length).toBeGreaterThan(name === 'rec' ? 10 : 30);
          expect(
            nodes.filter((n) => n.op === 'conv' && r.plan.graph.values.get(n.inputs[1])?.dtype === 'i8').length,
          ).toBeGreaterThan(30);
          expect(ratio).toBeLessThan(0.3);
        }),
      300_000,
    );
  }
});
