// QDQ patterns and QLinear ops on the integer kernels vs onnxruntime-node on the same file. onnxruntime
// runs QDQ as written (float conv between DequantizeLinear and QuantizeLinear), so a value within float
// rounding of a .5 boundary may land 1 LSB apart; QLinearConv / QLinearMatMul are integer on both sides
// and must match exactly.
import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../../src/core/tensor.js';
import { runOnnxruntime } from '../../src/parity/ort.js';
import { Session } from '../../src/runtime/session.js';
import { explainQuantized } from '../../src/ir/passes/fuse-qdq.js';
import { testGpu } from '../kernels/harness.js';
import { graph, io, node, rawTensor, tensor } from '../onnx-builder.js';
import { relL2, rng } from '../util.js';

const r = rng(42);
const ints = (n: number, lo: number, hi: number) =>
  Array.from({ length: n }, () => lo + Math.floor(r() * (hi - lo + 1)));
const floats = (n: number, lo: number, hi: number) => Float32Array.from({ length: n }, () => lo + r() * (hi - lo));
const u8 = (name: string, v: number) => rawTensor(name, [], Uint8Array.of(v), 'u8');
const i8 = (name: string, dims: number[], v: number[]) => rawTensor(name, dims, Int8Array.from(v), 'i8');

interface Case {
  name: string;
  model: Uint8Array;
  x: HostTensor;
  op: 'qconv' | 'qmatmul';
  exact: boolean;
  ys: number;
  yz: number;
}

function convQdq(act: 'none' | 'relu', yz: number): Case {
  const [oc, c, k] = [6, 5, 3];
  const nodes = [
    node('QuantizeLinear', ['x', 'sx', 'zx'], ['xq']),
    node('DequantizeLinear', ['xq', 'sx', 'zx'], ['xd']),
    node('DequantizeLinear', ['wq', 'sw'], ['wd'], { axis: 0 }),
    node('Conv', ['xd', 'wd', 'b'], [act === 'relu' ? 'c' : 'y'], { pads: [1, 1, 1, 1], strides: [1, 2] }),
    ...(act === 'relu' ? [node('Relu', ['c'], ['y'])] : []),
    node('QuantizeLinear', ['y', 'sy', 'zy'], ['out']),
  ];
  const init = [
    tensor('sx', [], [0.02]),
    u8('zx', 120),
    i8('wq', [oc, c, k, k], ints(oc * c * k * k, -127, 127)),
    tensor('sw', [oc], Array.from(floats(oc, 0.002, 0.01))),
    tensor('b', [oc], Array.from(floats(oc, -0.5, 0.5))),
    tensor('sy', [], [0.03]),
    u8('zy', yz),
  ];
  const model = graph(nodes, [io('x', [1, c, 13, 10])], [io('out', [1, oc, 13, 5], 'u8')], init, 13);
  return {
    name: `Conv QDQ${act === 'relu' ? ` + Relu (zero point ${yz})` : ''}`,
    model,
    x: { dtype: 'f32', shape: [1, c, 13, 10], data: floats(c * 130, -2.4, 2.6) },
    op: 'qconv',
    exact: false,
    ys: 0.03,
    yz,
  };
}

function matmulQdq(): Case {
  const [k, n] = [12, 7];
  const nodes = [
    node('QuantizeLinear', ['x', 'sx', 'zx'], ['xq']),
    node('DequantizeLinear', ['xq', 'sx', 'zx'], ['xd']),
    node('DequantizeLinear', ['wq', 'sw'], ['wd'], { axis: 1 }),
    node('MatMul', ['xd', 'wd'], ['y']),
    node('QuantizeLinear', ['y', 'sy', 'zy'], ['out']),
  ];
  const init = [
    tensor('sx', [], [0.015]),
    u8('zx', 131),
    i8('wq', [k, n], ints(k * n, -127, 127)),
    tensor('sw', [n], Array.from(floats(n, 0.003, 0.01))),
    tensor('sy', [], [0.02]),
    u8('zy', 125),
  ];
  const model = graph(nodes, [io('x', [2, 5, k])], [io('out', [2, 5, n], 'u8')], init, 13);
  return {
    name: 'MatMul QDQ',
    model,
    x: { dtype: 'f32', shape: [2, 5, k], data: floats(2 * 5 * k, -1.9, 1.8) },
    op: 'qmatmul',
    exact: false,
    ys: 0.02,
    yz: 125,
  };
}

function gemmQdq(): Case {
  const [m, k, n] = [4, 13, 7];
  const nodes = [
    node('QuantizeLinear', ['x', 'sx', 'zx'], ['xq']),
    node('DequantizeLinear', ['xq', 'sx', 'zx'], ['xd']),
    node('DequantizeLinear', ['wq', 'sw'], ['wd'], { axis: 0 }),
    node('Gemm', ['xd', 'wd', 'c'], ['g'], { transB: 1 }),
    node('Relu', ['g'], ['y']),
    node('QuantizeLinear', ['y', 'sy', 'zy'], ['out']),
  ];
  const init = [
    tensor('sx', [], [0.02]),
    u8('zx', 110),
    i8('wq', [n, k], ints(n * k, -127, 127)),
    tensor('sw', [n], Array.from(floats(n, 0.004, 0.01))),
    tensor('c', [n], Array.from(floats(n, -0.3, 0.3))),
    tensor('sy', [], [0.01]),
    u8('zy', 10),
  ];
  const model = graph(nodes, [io('x', [m, k])], [io('out', [m, n], 'u8')], init, 13);
  return {
    name: 'Gemm QDQ (transB, bias) + Relu (zero point 10)',
    model,
    x: { dtype: 'f32', shape: [m, k], data: floats(m * k, -2, 2) },
    op: 'qmatmul',
    exact: false,
    ys: 0.01,
    yz: 10,
  };
}

function qlinearConv(): Case {
  const [oc, c, k] = [8, 4, 3];
  const nodes = [
    node('QLinearConv', ['x', 'sx', 'zx', 'w', 'sw', 'zw', 'sy', 'zy', 'b'], ['out'], { pads: [1, 1, 1, 1], group: 2 }),
  ];
  const init = [
    tensor('sx', [], [0.02]),
    u8('zx', 100),
    i8('w', [oc, c / 2, k, k], ints(oc * (c / 2) * k * k, -127, 127)),
    tensor('sw', [oc], Array.from(floats(oc, 0.002, 0.01))),
    i8('zw', [oc], new Array<number>(oc).fill(0)),
    tensor('sy', [], [0.025]),
    u8('zy', 90),
    tensor('b', [oc], ints(oc, -3000, 3000), 'i32'),
  ];
  const model = graph(nodes, [io('x', [1, c, 9, 7], 'u8')], [io('out', [1, oc, 9, 7], 'u8')], init, 13);
  return {
    name: 'QLinearConv (grouped, int32 bias)',
    model,
    x: { dtype: 'u8', shape: [1, c, 9, 7], data: Uint8Array.from(ints(c * 63, 0, 255)) },
    op: 'qconv',
    exact: true,
    ys: 0.025,
    yz: 90,
  };
}

function qlinearMatmul(): Case {
  const [m, k, n] = [3, 10, 6];
  const nodes = [node('QLinearMatMul', ['a', 'sa', 'za', 'b', 'sb', 'zb', 'sy', 'zy'], ['out'])];
  const init = [
    tensor('sa', [], [0.03]),
    u8('za', 140),
    i8('b', [k, n], ints(k * n, -127, 127)),
    tensor('sb', [], [0.008]),
    rawTensor('zb', [], Int8Array.of(0), 'i8'),
    tensor('sy', [], [0.05]),
    u8('zy', 120),
  ];
  const model = graph(nodes, [io('a', [m, k], 'u8')], [io('out', [m, n], 'u8')], init, 13);
  return {
    name: 'QLinearMatMul',
    model,
    x: { dtype: 'u8', shape: [m, k], data: Uint8Array.from(ints(m * k, 0, 255)) },
    op: 'qmatmul',
    exact: true,
    ys: 0.05,
    yz: 120,
  };
}

describe('QDQ on integer kernels vs onnxruntime', () => {
  for (const c of [
    convQdq('none', 128),
    convQdq('relu', 0),
    convQdq('relu', 40),
    matmulQdq(),
    gemmQdq(),
    qlinearConv(),
    qlinearMatmul(),
  ]) {
    it(
      c.name,
      async () => {
        const ctx = await testGpu();
        const input = c.op === 'qmatmul' && c.exact ? 'a' : 'x';
        const ref = (await runOnnxruntime(c.model, { [input]: c.x })).out;
        const s = await Session.create(c.model, { context: ctx, passes: { fuseQdq: true } });
        try {
          const got = await s.runDetailed({ [input]: c.x });
          expect(got.plan.graph.nodes.map((n) => n.op)).toContain(c.op);
          const ours = got.outputs.get('out')!;
          expect(ours.dtype).toBe('u8');
          const a = Array.from(ours.data as Uint8Array),
            b = Array.from(ref.data as Uint8Array);
          const flips = a.filter((v, i) => v !== b[i]).length;
          const deq = (v: number[]) => v.map((q) => (q - c.yz) * c.ys);
          if (c.exact) expect(flips).toBe(0);
          expect(a.every((v, i) => Math.abs(v - b[i]) <= 1)).toBe(true);
          expect(relL2(deq(a), deq(b))).toBeLessThanOrEqual(1e-3);
          expect(new Set(b).size).toBeGreaterThan(10);
        } finally {
          s.release();
        }
      },
      60_000,
    );
  }
});

describe('QDQ chains that stay on the float path', () => {
  it('a HardSigmoid between conv and QuantizeLinear, and the pass switched off, keep dequantize + float conv', async () => {
    const ctx = await testGpu();
    const c = convQdq('none', 128);
    const hs = convQdq('none', 128);
    const obj = graph(
      [
        node('QuantizeLinear', ['x', 'sx', 'zx'], ['xq']),
        node('DequantizeLinear', ['xq', 'sx', 'zx'], ['xd']),
        node('DequantizeLinear', ['wq', 'sw'], ['wd'], { axis: 0 }),
        node('Conv', ['xd', 'wd', 'b'], ['c'], { pads: [1, 1, 1, 1], strides: [1, 2] }),
        node('HardSigmoid', ['c'], ['y']),
        node('QuantizeLinear', ['y', 'sy', 'zy'], ['out']),
      ],
      [io('x', [1, 5, 13, 10])],
      [io('out', [1, 6, 13, 5], 'u8')],
      [
        tensor('sx', [], [0.02]),
        u8('zx', 120),
        i8('wq', [6, 5, 3, 3], ints(270, -127, 127)),
        tensor('sw', [6], Array.from(floats(6, 0.002, 0.01))),
        tensor('b', [6], Array.from(floats(6, -0.5, 0.5))),
        tensor('sy', [], [0.004]),
        u8('zy', 0),
      ],
      13,
    );
    for (const [model, passes, why] of [
      [
        obj,
        { fuseQdq: true, foldDequantize: false, fuseFakeQuant: false },
        'activation hardSigmoid has no integer epilogue',
      ],
      [c.model, { fuseQdq: false, foldDequantize: false, fuseFakeQuant: false }, 'fuseQdq pass is opt-in'],
      [c.model, {}, 'int8 weights (dequantize folded'],
    ] as const) {
      const s = await Session.create(model, { context: ctx, passes });
      try {
        const got = await s.runDetailed({ x: hs.x });
        const g = got.plan.graph;
        expect(g.nodes.some((n) => n.op === 'qconv')).toBe(false);
        const paths = explainQuantized(g);
        expect(paths).toHaveLength(1);
        expect(paths[0].path).toContain(why);
        const ref = (await runOnnxruntime(model, { x: hs.x })).out;
        const a = Array.from(got.outputs.get('out')!.data as Uint8Array),
          b = Array.from(ref.data as Uint8Array);
        expect(a.every((v, i) => Math.abs(v - b[i]) <= 1)).toBe(true);
      } finally {
        s.release();
      }
    }
  }, 60_000);
});
