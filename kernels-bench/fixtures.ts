// A small generated CNN (conv + BN-free bias + relu, residual add, max pool, 1x1 conv, global pool, Gemm):
// a real ONNX model for tests of `kestrel profile` and the bench that needs no downloaded weights.
import { graph, io, node, rawTensor } from '../test/onnx-builder.js';
import { rng } from '../test/util.js';

function weights(name: string, dims: number[], seed: number, scale: number) {
  const r = rng(seed);
  const n = dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = (r() * 2 - 1) * scale;
  return rawTensor(name, dims, data);
}

/** Input x: 1x3xHxW (dynamic H, W); output y: 1x10. */
export function tinyCnnOnnx(): Uint8Array {
  const conv = (x: string, w: string, b: string, out: string, strides = [1, 1], pads = [1, 1, 1, 1]) =>
    node('Conv', [x, w, b], [out], { strides, pads, kernel_shape: [], dilations: [1, 1], group: 1 }, `conv_${out}`);
  const nodes = [
    conv('x', 'w1', 'b1', 'c1', [2, 2]),
    node('Relu', ['c1'], ['r1'], {}, 'relu1'),
    conv('r1', 'w2', 'b2', 'c2'),
    node('Relu', ['c2'], ['r2'], {}, 'relu2'),
    conv('r2', 'w3', 'b3', 'c3'),
    node('Add', ['c3', 'r1'], ['a3'], {}, 'add3'),
    node('MaxPool', ['a3'], ['p3'], { kernel_shape: [2, 2], strides: [2, 2] }, 'pool3'),
    conv('p3', 'w4', 'b4', 'c4', [1, 1], [0, 0, 0, 0]),
    node('Relu', ['c4'], ['r4'], {}, 'relu4'),
    node('GlobalAveragePool', ['r4'], ['g4'], {}, 'gap'),
    node('Flatten', ['g4'], ['f4'], { axis: 1 }, 'flatten'),
    node('Gemm', ['f4', 'wf', 'bf'], ['y'], { transB: 1 }, 'fc'),
  ];
  nodes.forEach((n) => {
    if (n.op === 'Conv') delete (n.attrs as Record<string, unknown>).kernel_shape;
  });
  const init = [
    weights('w1', [16, 3, 3, 3], 1, 0.3),
    weights('b1', [16], 2, 0.1),
    weights('w2', [16, 16, 3, 3], 3, 0.1),
    weights('b2', [16], 4, 0.1),
    weights('w3', [16, 16, 3, 3], 5, 0.1),
    weights('b3', [16], 6, 0.1),
    weights('w4', [32, 16, 1, 1], 7, 0.2),
    weights('b4', [32], 8, 0.1),
    weights('wf', [10, 32], 9, 0.2),
    weights('bf', [10], 10, 0.1),
  ];
  return graph(nodes, [io('x', [1, 3, 'h', 'w'])], [io('y', [1, 10])], init);
}
