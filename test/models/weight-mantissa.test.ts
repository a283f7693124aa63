// Power-of-two weight scales with the mantissa multiplied back after the layer (quantizeInt8's `rescale`): the
// int8 codes keep the full max|w| / 127 grid, so the weight-only model must compute what the plain range / 127
// per-channel int8 model computes (onnxruntime runs both), and Kestrel must still agree with onnxruntime on the
// full-int8 file.
import { describe, expect, it } from 'vitest';
import { decodeModelProto } from '../../src/onnx/proto.js';
import { runOnnxruntime } from '../../src/parity/ort.js';
import { quantizeModel } from '../../src/quant/quantize.js';
import { quantizeInt8 } from '../../src/quant/weights.js';
import { Session } from '../../src/runtime/session.js';
import { testGpu } from '../kernels/harness.js';
import { graph, io, node, tensor } from '../onnx-builder.js';
import { randomTensor, relL2 } from '../util.js';

describe('quantizeInt8 with rescale', () => {
  it('codes on the max|w| / 127 grid, a power-of-two scale above it and the mantissa between (numbers by hand)', () => {
    const w = { dtype: 'f32' as const, shape: [2, 3], data: Float32Array.from([0.5, -1.2, 0.1, 3, 0.02, -0.7]) };
    const { q, scale, mantissa } = quantizeInt8(w, 0, true, true);
    // grid 1.2/127 = 0.009449 -> 2^-6; 3/127 = 0.023622 -> 2^-5; codes round(w / grid)
    expect(Array.from(q)).toEqual([53, -127, 11, 127, 1, -30]);
    expect(Array.from(scale)).toEqual([2 ** -6, 2 ** -5]);
    expect(mantissa![0]).toBeCloseTo(1.2 / 127 / 2 ** -6, 6);
    expect(mantissa![1]).toBeCloseTo(3 / 127 / 2 ** -5, 6);
    // without rescale the codes are on the coarser power-of-two grid
    expect(Array.from(quantizeInt8(w, 0, true).q)).toEqual([32, -77, 6, 96, 1, -22]);
  });
});

// conv (bias) -> relu -> conv -> flatten -> matmul: each kind of weighted layer, per-channel scales on both axes
function model(): Uint8Array {
  const b1 = randomTensor([8], 4).data as Float32Array;
  return graph(
    [
      node('Conv', ['x', 'w1', 'b1'], ['a'], { pads: [1, 1, 1, 1] }, 'conv1'),
      node('Relu', ['a'], ['ar'], undefined, 'relu1'),
      node('Conv', ['ar', 'w2'], ['b'], undefined, 'conv2'),
      node('Relu', ['b'], ['br'], undefined, 'relu2'),
      node('Flatten', ['br'], ['f'], undefined, 'flatten'),
      node('MatMul', ['f', 'w3'], ['y'], undefined, 'fc'),
    ],
    [io('x', [1, 4, 6, 6])],
    [io('y', [1, 5])],
    [
      tensor('w1', [8, 4, 3, 3], randomTensor([8, 4, 3, 3], 1).data as Float32Array),
      tensor('b1', [8], b1),
      tensor('w2', [6, 8, 1, 1], randomTensor([6, 8, 1, 1], 2).data as Float32Array),
      tensor('w3', [216, 5], randomTensor([216, 5], 3).data as Float32Array),
    ],
  );
}
const calibration = [1, 2, 3].map((s) => ({ x: randomTensor([1, 4, 6, 6], 10 + s, 0, 1) }));
const x = { x: randomTensor([1, 4, 6, 6], 20, 0, 1) };
const ALL = new Set(['conv1', 'conv2', 'fc']);

describe('pow2 weights with the mantissa multiplied back', () => {
  it('weight-only: computes what range / 127 int8 weights compute (onnxruntime), unlike plain pow2', async () => {
    const f = model();
    const plain = await quantizeModel(f, { weights: 'int8' });
    const base = { weights: 'int8' as const, activations: 'int8' as const, calibration, floatLayers: ALL };
    const mant = await quantizeModel(f, base);
    const pow2 = await quantizeModel(f, { ...base, weightMantissa: false });
    const ops = decodeModelProto(mant.bytes).graph!.node;
    expect(ops.filter((n) => n.opType === 'Mul').map((n) => n.name)).toEqual([
      'conv1_rescale',
      'conv2_rescale',
      'fc_rescale',
    ]);
    const [yf, yp, ym, y2] = await Promise.all(
      [f, plain.bytes, mant.bytes, pow2.bytes].map(async (b) => (await runOnnxruntime(b, x)).y.data as Float32Array),
    );
    expect(relL2(ym, yp)).toBeLessThan(1e-6);
    // the coarser power-of-two grid costs accuracy the mantissa gets back
    expect(relL2(y2, yf)).toBeGreaterThan(1.3 * relL2(ym, yf));
  });

  it('full int8: Kestrel agrees with onnxruntime on the same file', async () => {
    const ctx = await testGpu();
    const q = await quantizeModel(model(), { weights: 'int8', activations: 'int8', calibration, context: ctx });
    expect(q.ranges.map((r) => r.tensor).sort()).toEqual(['ar', 'f', 'x']);
    const ref = (await runOnnxruntime(q.bytes, x)).y.data as Float32Array;
    const s = await Session.create(q.bytes, { shapes: { x: [1, 4, 6, 6] }, context: ctx });
    try {
      const got = (await s.run(x)).y.data as Float32Array;
      expect(relL2(got, ref)).toBeLessThan(1e-6);
    } finally {
      s.release();
    }
  });
});
