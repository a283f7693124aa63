// The deconvToConv pass (conv-transpose with kernel == stride and few output channels -> 1x1 conv + pixel
// shuffle), through the whole importer/optimizer/executor, against the scatter-formulation CPU reference.
import { describe, expect, it } from 'vitest';
import { Session } from '../../src/runtime/session.js';
import { graph, io, node, rawTensor, tensor } from '../onnx-builder.js';
import { runOnnxruntime } from '../../src/parity/ort.js';
import { testGpu } from '../kernels/harness.js';
import { convTranspose2dRef } from '../ref/conv.js';
import { countNaN, randomTensor, relL2 } from '../util.js';

describe('conv-transpose as 1x1 conv + pixel shuffle', () => {
  // width 8 makes output rows of whole vec4s: the shuffle runs as pixel_shuffle.wgsl, else as a strided copy
  for (const [oc, k, wd] of [
    [1, 2, 7],
    [3, 2, 7],
    [2, 4, 7],
    [24, 2, 8],
    [1, 2, 8],
  ]) {
    it(`${oc} output channels, kernel = stride = ${k}, width ${wd}, with bias and sigmoid`, async () => {
      const c = 6,
        h = 9;
      const x = randomTensor([1, c, h, wd], 1);
      const w = randomTensor([c, oc, k, k], 2);
      const b = randomTensor([oc], 3);
      const bytes = graph(
        [
          node('ConvTranspose', ['x', 'w', 'b'], ['t'], { strides: [k, k], kernel_shape: [k, k] }),
          node('Sigmoid', ['t'], ['y']),
        ],
        [io('x', [1, c, h, wd])],
        [io('y', [1, oc, h * k, wd * k])],
        [tensor('w', w.shape, w.data as Float32Array), tensor('b', [oc], b.data as Float32Array)],
      );
      const s = await Session.create(bytes, { context: await testGpu() });
      try {
        const r = await s.runDetailed({ x });
        expect(r.plan.passReport.deconvToConv).toBe(1);
        const ref = convTranspose2dRef(x, w, {
          strides: [k, k],
          dilations: [1, 1],
          pads: [0, 0, 0, 0],
          group: 1,
          outputPadding: [0, 0],
        });
        const bias = b.data as Float32Array;
        const plane = h * k * wd * k;
        const expected = Array.from(ref.data, (v, i) => 1 / (1 + Math.exp(-(v + bias[Math.floor(i / plane)]))));
        const y = r.outputs.get('y')!.data as Float32Array;
        expect(countNaN(y)).toBe(0);
        expect(relL2(y, expected)).toBeLessThan(1e-5);
      } finally {
        s.release();
      }
    });
  }
});

describe('int8-weight conv-transpose as 1x1 conv + pixel shuffle', () => {
  // the int8 values are permuted and stay int8; per-output-channel scales (axis 1) repeat per phase; the batch
  // norm after it folds into the dequantize scales first
  for (const perChannel of [false, true]) {
    it(`${perChannel ? 'per-channel (axis 1)' : 'per-tensor'} int8 weights, then a batch norm`, async () => {
      const c = 6,
        oc = 4,
        k = 2,
        h = 5,
        wd = 8;
      const x = randomTensor([1, c, h, wd], 11);
      const q = Int8Array.from({ length: c * oc * k * k }, (_, i) => ((i * 37) % 255) - 127);
      const scales = perChannel ? [0.011, 0.02, 0.007, 0.015] : [0.013];
      const bn = (seed: number, lo: number, hi: number) =>
        Array.from(randomTensor([oc], seed, lo, hi).data as Float32Array);
      const bytes = graph(
        [
          node('DequantizeLinear', ['wq', 'ws'], ['w'], perChannel ? { axis: 1 } : {}),
          node('ConvTranspose', ['x', 'w'], ['t'], { strides: [k, k], kernel_shape: [k, k] }),
          node('BatchNormalization', ['t', 'g', 'b', 'm', 'v'], ['y']),
        ],
        [io('x', [1, c, h, wd])],
        [io('y', [1, oc, h * k, wd * k])],
        [
          rawTensor('wq', [c, oc, k, k], q, 'i8'),
          tensor('ws', perChannel ? [oc] : [], scales),
          tensor('g', [oc], bn(12, 0.5, 1.5)),
          tensor('b', [oc], bn(13, -0.5, 0.5)),
          tensor('m', [oc], bn(14, -0.2, 0.2)),
          tensor('v', [oc], bn(15, 0.5, 2)),
        ],
      );
      const s = await Session.create(bytes, { context: await testGpu() });
      try {
        const r = await s.runDetailed({ x });
        expect(r.plan.passReport.deconvToConv).toBe(1);
        expect(r.plan.graph.nodes.filter((n) => n.op === 'convTranspose' || n.op === 'batchNorm')).toEqual([]);
        const ref = (await runOnnxruntime(bytes, { x })).y;
        const y = r.outputs.get('y')!.data as Float32Array;
        expect(countNaN(y)).toBe(0);
        expect(relL2(y, ref.data as Float32Array)).toBeLessThan(1e-5);
      } finally {
        s.release();
      }
    });
  }
});
