// The quantizer's preparation steps on small hand-built models: conv-affine folding (checked against
// onnxruntime on the model before and after) and the choice of activations to quantize in
// reproducible (power-of-two) mode.
import { describe, expect, it } from 'vitest';
import { ModelProtoType, type OnnxModel } from '../../src/onnx/proto.js';
import { foldConvAffine } from '../../src/quant/fold-affine.js';
import { activationTargets } from '../../src/quant/activations.js';
import { pow2Ceil, quantizeInt8 } from '../../src/quant/weights.js';
import { runOnnxruntime } from '../../src/parity/ort.js';
import { float, graph, io, node, tensor } from '../onnx-builder.js';
import { randomTensor, relL2 } from '../util.js';

const vals = (shape: number[], seed: number, lo = -1, hi = 1) =>
  Array.from(randomTensor(shape, seed, lo, hi).data as Float32Array);
const decode = (b: Uint8Array) => ModelProtoType.decode(b) as unknown as OnnxModel;
const encode = (m: OnnxModel) => ModelProtoType.encode(m).finish();

describe('foldConvAffine', () => {
  it('folds BatchNormalization, a scalar Mul, a per-channel Add and a Div into the conv (same outputs as onnxruntime before)', async () => {
    const [c, oc] = [3, 5];
    const bytes = graph(
      [
        node('Conv', ['x', 'w', 'b'], ['c'], { pads: [1, 1, 1, 1] }),
        node('BatchNormalization', ['c', 'g', 'be', 'm', 'v'], ['n'], { epsilon: float(1e-3) }),
        node('Mul', ['n', 'k'], ['p']),
        node('Add', ['sh', 'p'], ['a']),
        node('Div', ['a', 'd'], ['q']),
        node('Relu', ['q'], ['y']),
      ],
      [io('x', [1, c, 7, 6])],
      [io('y', [1, oc, 7, 6])],
      [
        tensor('w', [oc, c, 3, 3], vals([oc, c, 3, 3], 1)),
        tensor('b', [oc], vals([oc], 2)),
        tensor('g', [oc], vals([oc], 3)),
        tensor('be', [oc], vals([oc], 4)),
        tensor('m', [oc], vals([oc], 5)),
        tensor('v', [oc], vals([oc], 6, 0.2, 3)),
        tensor('k', [], [0.75]),
        tensor('sh', [1, oc, 1, 1], vals([oc], 7)),
        tensor('d', [oc, 1, 1], vals([oc], 8, 0.5, 2)),
      ],
      13,
    );
    const model = decode(bytes);
    expect(foldConvAffine(model)).toBe(4);
    expect(model.graph!.node.map((n) => n.opType)).toEqual(['Conv', 'Relu']);
    const x = randomTensor([1, c, 7, 6], 9);
    const [before, after] = [await runOnnxruntime(bytes, { x }), await runOnnxruntime(encode(model), { x })];
    expect(relL2(after.y.data as Float32Array, before.y.data as Float32Array)).toBeLessThan(1e-6);
  });
  it('folds a batch norm after a ConvTranspose (output channels on weight axis 1); leaves a conv read twice alone', async () => {
    const [c, oc] = [4, 3];
    const bytes = graph(
      [
        node('ConvTranspose', ['x', 'w'], ['c'], { strides: [2, 2] }),
        node('BatchNormalization', ['c', 'g', 'be', 'm', 'v'], ['y']),
        node('Conv', ['y', 'w2'], ['t']),
        node('Mul', ['t', 'k'], ['u']),
        node('Add', ['t', 'u'], ['z']),
      ],
      [io('x', [1, c, 5, 4])],
      [io('z', [1, 2, 10, 8])],
      [
        tensor('w', [c, oc, 2, 2], vals([c, oc, 2, 2], 11)),
        tensor('w2', [2, oc, 1, 1], vals([2, oc, 1, 1], 12)),
        tensor('g', [oc], vals([oc], 13)),
        tensor('be', [oc], vals([oc], 14)),
        tensor('m', [oc], vals([oc], 15)),
        tensor('v', [oc], vals([oc], 16, 0.2, 3)),
        tensor('k', [], [0.5]),
      ],
      13,
    );
    const model = decode(bytes);
    expect(foldConvAffine(model)).toBe(1);
    expect(model.graph!.node.map((n) => n.opType)).toEqual(['ConvTranspose', 'Conv', 'Mul', 'Add']);
    const x = randomTensor([1, c, 5, 4], 17);
    const [before, after] = [await runOnnxruntime(bytes, { x }), await runOnnxruntime(encode(model), { x })];
    expect(relL2(after.z.data as Float32Array, before.z.data as Float32Array)).toBeLessThan(1e-6);
  });
});

describe('foldConvAffine leaves what it cannot fold', () => {
  it('a conv whose bias is a graph input keeps its batch norm', () => {
    const model = decode(
      graph(
        [node('Conv', ['x', 'w', 'b'], ['c']), node('BatchNormalization', ['c', 'g', 'be', 'm', 'v'], ['y'])],
        [io('x', [1, 2, 3, 3]), io('b', [2])],
        [io('y', [1, 2, 3, 3])],
        [
          tensor('w', [2, 2, 1, 1], vals([2, 2, 1, 1], 30)),
          ...['g', 'be', 'm'].map((n, i) => tensor(n, [2], vals([2], 31 + i))),
          tensor('v', [2], [1, 2]),
        ],
        13,
      ),
    );
    expect(foldConvAffine(model)).toBe(0);
    expect(model.graph!.node.map((n) => n.opType)).toEqual(['Conv', 'BatchNormalization']);
  });
});

describe('power-of-two scales', () => {
  it('int8 weight scales are the smallest power of two covering max|w| / 127', () => {
    const w = { dtype: 'f32' as const, shape: [2, 3], data: Float32Array.from([0.5, -1.2, 0.1, 3, 0.02, -0.7]) };
    const { q, scale } = quantizeInt8(w, 0, true);
    expect(Array.from(scale)).toEqual([pow2Ceil(1.2 / 127), pow2Ceil(3 / 127)]);
    expect(Array.from(scale).every((s) => Number.isInteger(Math.log2(s)))).toBe(true);
    expect(Array.from(q)).toEqual(
      [0.5, -1.2, 0.1, 3, 0.02, -0.7].map((v, i) => Math.round(Math.fround(v) / scale[i < 3 ? 0 : 1])),
    );
  });
});

describe('activationTargets', () => {
  // x -> Conv -> Sigmoid -> Conv -> GlobalAveragePool -> Conv(float weights) -> Conv
  const model = () =>
    decode(
      graph(
        [
          node('Conv', ['x', 'w1'], ['a'], {}, 'c1'),
          node('Sigmoid', ['a'], ['s'], {}, 'sig'),
          node('Conv', ['s', 'w2'], ['b'], {}, 'c2'),
          node('Relu', ['a'], ['r'], {}, 'relu'),
          node('Conv', ['r', 'w3'], ['e'], {}, 'c3'),
          node('Conv', ['e', 'w4'], ['f'], {}, 'c4'),
          node('GlobalAveragePool', ['f'], ['gp'], {}, 'gap'),
          node('Add', ['gp', 'b'], ['y'], {}, 'add'),
        ],
        [io('x', [1, 2, 4, 4])],
        [io('y', [1, 2, 4, 4])],
        ['w1', 'w2', 'w3', 'w4'].map((n, i) => tensor(n, [2, 2, 1, 1], vals([2, 2, 1, 1], 20 + i))),
      ),
    );
  it('float scales: every data input of a conv or pool', () => {
    const t = activationTargets(model(), new Set());
    expect(t.tensors.sort()).toEqual(['e', 'f', 'r', 's', 'x']);
    expect(t.kept).toEqual([]);
  });
  it('reproducible: not the outputs of sigmoid, nor of a conv whose weights stay float', () => {
    const t = activationTargets(model(), new Set(), true, (n) => n.name !== 'c3');
    expect(t.tensors.sort()).toEqual(['r', 'x']);
    expect(t.kept).toEqual([
      { tensor: 's', reason: "computed by Sigmoid 'sig' (engines round it differently)" },
      { tensor: 'e', reason: "Conv 'c3' has float weights" },
      { tensor: 'f', reason: "Conv 'c4' sums float (unquantized) inputs" },
    ]);
  });
  it('an excluded conv is a float producer', () => {
    const t = activationTargets(model(), new Set(['c1']), true, () => true);
    expect(t.tensors).toEqual([]);
    expect(t.kept.map((k) => k.tensor)).toEqual(['s', 'r', 'e', 'f']);
    expect(t.kept[1].reason).toBe("Conv 'c1' is excluded, so it computes in float");
  });
});
