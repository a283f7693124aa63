// The optimizer on f16 constants (fp16 models): passes compute in f32 from the f16 data and write folded
// constants back as f16, so an fp16 graph fuses like its f32 original; constant folding handles f16.
import { describe, expect, it } from 'vitest';
import { f16ToF32, f32ToF16 } from '../../src/core/dtype.js';
import type { HostTensor } from '../../src/core/tensor.js';
import { foldNode } from '../../src/ir/fold.js';
import { type Graph, type IrOp, type Node, type OpAttrs, type Value, makeNode } from '../../src/ir/graph.js';
import { deconvToConv } from '../../src/ir/passes/deconv-to-conv.js';
import { foldBatchNorm } from '../../src/ir/passes/fold-batchnorm.js';
import { fuseEpilogues } from '../../src/ir/passes/fuse-epilogue.js';
import { CONV_ATTRS as convAttrs, halfValues, irGraph as graph, randomTensor, toHalf } from '../util.js';

const act = (name: string, shape: number[]): Value => ({ name, shape, dtype: 'f16' });
const constant = (name: string, shape: number[], seed: number, lo = -1, hi = 1): Value => ({
  name,
  shape,
  dtype: 'f16',
  data: toHalf(randomTensor(shape, seed, lo, hi)),
});
const vals = (g: Graph, name: string): Float32Array => {
  const v = g.values.get(name)!;
  expect(v.dtype).toBe('f16');
  expect(v.data!.dtype).toBe('f16');
  return halfValues(v.data!);
};
/** Within the f16 rounding of the exact value (half an ulp, plus slack for the f32 intermediate). */
const expectHalfOf = (got: number, exact: number) =>
  expect(Math.abs(got - exact)).toBeLessThanOrEqual(Math.abs(exact) * 2 ** -10 + 1e-7);

describe('f16 passes', () => {
  it('foldBatchNorm folds f16 parameters into f16 conv weights and bias', () => {
    const C = 3,
      OC = 5;
    const w = constant('w', [OC, C, 3, 3], 1),
      b = constant('b', [OC], 2);
    const gamma = constant('g', [OC], 3),
      beta = constant('be', [OC], 4),
      mean = constant('m', [OC], 5),
      vari = constant('v', [OC], 6, 0.5, 2);
    const g = graph(
      [act('x', [1, C, 8, 8]), w, b, gamma, beta, mean, vari, act('y', [1, OC, 8, 8]), act('z', [1, OC, 8, 8])],
      [
        {
          name: 'conv',
          op: 'conv',
          attrs: convAttrs,
          inputs: ['x', 'w'],
          outputs: ['y'],
          epilogue: { act: 'none', alpha: 0, beta: 0, bias: 'b' },
        },
        { name: 'bn', op: 'batchNorm', attrs: { epsilon: 1e-5 }, inputs: ['y', 'g', 'be', 'm', 'v'], outputs: ['z'] },
      ],
      ['x'],
      ['z'],
    );
    expect(foldBatchNorm(g, new Set())).toBe(1);
    expect(g.nodes.map((n) => n.op)).toEqual(['conv']);
    const conv = g.nodes[0];
    const W = vals(g, conv.inputs[1]),
      B = vals(g, conv.epilogue!.bias!);
    const [w0, b0, ga, be, mu, va] = [w, b, gamma, beta, mean, vari].map((v) => halfValues(v.data!));
    for (let o = 0; o < OC; o++) {
      const s = ga[o] / Math.sqrt(va[o] + 1e-5);
      expectHalfOf(B[o], (b0[o] - mu[o]) * s + be[o]);
      for (let k = 0; k < C * 9; k++) expectHalfOf(W[o * C * 9 + k], w0[o * C * 9 + k] * s);
    }
  });

  it('fuseEpilogues fuses an f16 per-channel add, relu, f16 scalar multiply and an f16 residual', () => {
    const s = [1, 4, 6, 6];
    const shift = constant('shift', [4, 1, 1], 9);
    const scale: Value = {
      name: 'k',
      shape: [],
      dtype: 'f16',
      data: { dtype: 'f16', shape: [], data: Uint16Array.from([f32ToF16(0.5)]) },
    };
    const g = graph(
      [
        act('x', s),
        act('r', s),
        constant('w', [4, 4, 3, 3], 1),
        shift,
        scale,
        ...['y', 'a', 'h', 'p', 'out'].map((n) => act(n, s)),
      ],
      [
        { name: 'conv', op: 'conv', attrs: convAttrs, inputs: ['x', 'w'], outputs: ['y'] },
        { name: 'add', op: 'binary', attrs: { kind: 'add' }, inputs: ['y', 'shift'], outputs: ['a'] },
        { name: 'relu', op: 'unary', attrs: { act: 'relu', alpha: 0, beta: 0 }, inputs: ['a'], outputs: ['h'] },
        { name: 'half', op: 'binary', attrs: { kind: 'mul' }, inputs: ['k', 'h'], outputs: ['p'] },
        { name: 'res', op: 'binary', attrs: { kind: 'add' }, inputs: ['p', 'r'], outputs: ['out'] },
      ],
      ['x', 'r'],
      ['out'],
    );
    expect(fuseEpilogues(g, new Set())).toBe(4);
    expect(g.nodes).toHaveLength(1);
    const e = g.nodes[0].epilogue!;
    expect(e).toMatchObject({ act: 'relu', postScale: 0.5, residual: 'r', residualBeforeAct: false });
    expect(Array.from(vals(g, e.bias!))).toEqual(Array.from(halfValues(shift.data!)));
    expect(vals(g, g.nodes[0].inputs[1])).toEqual(halfValues(g.values.get('w')!.data!));
  });

  it('fuseEpilogues does not take an f32 residual into an f16 producer', () => {
    const s = [1, 2, 3, 3];
    const g = graph(
      [act('x', s), { name: 'r', shape: s, dtype: 'f32' }, constant('w', [2, 2, 3, 3], 1), act('y', s), act('z', s)],
      [
        { name: 'conv', op: 'conv', attrs: convAttrs, inputs: ['x', 'w'], outputs: ['y'] },
        { name: 'res', op: 'binary', attrs: { kind: 'add' }, inputs: ['y', 'r'], outputs: ['z'] },
      ],
      ['x', 'r'],
      ['z'],
    );
    expect(fuseEpilogues(g, new Set())).toBe(0);
  });

  it('deconvToConv rewrites an f16 conv-transpose into an f16 1x1 conv and shuffle', () => {
    const C = 3,
      OC = 2;
    const w = constant('w', [C, OC, 2, 2], 1),
      b = constant('b', [OC], 2);
    const g = graph(
      [act('x', [1, C, 4, 5]), w, b, act('y', [1, OC, 8, 10])],
      [
        {
          name: 'up',
          op: 'convTranspose',
          attrs: { strides: [2, 2], pads: [0, 0, 0, 0], dilations: [1, 1], group: 1, outputPadding: [0, 0] },
          inputs: ['x', 'w'],
          outputs: ['y'],
          epilogue: { act: 'none', alpha: 0, beta: 0, bias: 'b' },
        },
      ],
      ['x'],
      ['y'],
    );
    expect(deconvToConv(g, new Set())).toBe(1);
    expect(g.nodes.map((n) => n.op)).toEqual(['conv', 'reshape', 'transpose', 'reshape']);
    const conv = g.nodes[0];
    const W = vals(g, conv.inputs[1]),
      B = vals(g, conv.epilogue!.bias!);
    const w0 = halfValues(w.data!),
      b0 = halfValues(b.data!);
    for (let ci = 0; ci < C; ci++)
      for (let o = 0; o < OC; o++)
        for (let t = 0; t < 4; t++) expect(W[(o * 4 + t) * C + ci]).toBe(w0[(ci * OC + o) * 4 + t]);
    expect(Array.from(B)).toEqual(Array.from({ length: OC * 4 }, (_, i) => b0[Math.floor(i / 4)]));
    for (const n of g.nodes) for (const o of n.outputs) expect(g.values.get(o)!.dtype).toBe('f16');
  });
});

describe('constant folding of f16', () => {
  const half = (shape: number[], values: number[]): HostTensor => ({
    dtype: 'f16',
    shape,
    data: Uint16Array.from(values, f32ToF16),
  });
  const node = <K extends IrOp>(op: K, attrs: OpAttrs[K]): Node =>
    makeNode(op, attrs, { name: op, inputs: [], outputs: [], origin: [] });
  it('casts f16 <-> f32 and f16 -> i64', () => {
    const [f] = foldNode(node('cast', { to: 'f32' }), [half([3], [1.5, -2, 0.1])], [{ shape: [3], dtype: 'f32' }])!;
    expect(Array.from(f.data as Float32Array)).toEqual([1.5, -2, f16ToF32(f32ToF16(0.1))]);
    const [h] = foldNode(
      node('cast', { to: 'f16' }),
      [{ dtype: 'f32', shape: [2], data: Float32Array.from([0.1, 70000]) }],
      [{ shape: [2], dtype: 'f16' }],
    )!;
    expect(Array.from(h.data as Uint16Array)).toEqual([f32ToF16(0.1), 0x7c00]);
    const [i] = foldNode(node('cast', { to: 'i64' }), [half([2], [2.75, -3.5])], [{ shape: [2], dtype: 'i64' }])!;
    expect(Array.from(i.data as BigInt64Array)).toEqual([2n, -3n]);
  });
  it('transposes, concatenates and gathers f16 bits unchanged', () => {
    const x = toHalf(randomTensor([2, 3], 4));
    const xb = x.data as Uint16Array;
    const [t] = foldNode(node('transpose', { perm: [1, 0] }), [x], [{ shape: [3, 2], dtype: 'f16' }])!;
    expect(Array.from(t.data as Uint16Array)).toEqual([xb[0], xb[3], xb[1], xb[4], xb[2], xb[5]]);
    const [c] = foldNode(node('concat', { axis: 1 }), [x, x], [{ shape: [2, 6], dtype: 'f16' }])!;
    expect(Array.from(c.data as Uint16Array)).toEqual([
      ...xb.slice(0, 3),
      ...xb.slice(0, 3),
      ...xb.slice(3),
      ...xb.slice(3),
    ]);
    const [gt] = foldNode(
      node('gather', { axis: 0 }),
      [x, { dtype: 'i64', shape: [1], data: BigInt64Array.from([-1n]) }],
      [{ shape: [1, 3], dtype: 'f16' }],
    )!;
    expect(Array.from(gt.data as Uint16Array)).toEqual(Array.from(xb.slice(3)));
  });
  it('computes f16 arithmetic in f32 and rounds to f16', () => {
    const [s] = foldNode(
      node('binary', { kind: 'mul' }),
      [half([2], [3, 0.1]), half([], [1.5])],
      [{ shape: [2], dtype: 'f16' }],
    )!;
    expect(Array.from(s.data as Uint16Array)).toEqual([f32ToF16(4.5), f32ToF16(f16ToF32(f32ToF16(0.1)) * 1.5)]);
    const [u] = foldNode(
      node('unary', { act: 'sqrt', alpha: 0, beta: 0 }),
      [half([1], [2])],
      [{ shape: [1], dtype: 'f16' }],
    )!;
    expect((u.data as Uint16Array)[0]).toBe(f32ToF16(Math.SQRT2));
  });
});
