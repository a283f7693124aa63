// Each optimization pass on small hand-built graphs: the rewrite happens, and the folded numbers equal
// the formulas computed independently here.
import { describe, expect, it } from 'vitest';
import type { Value } from '../../src/ir/graph.js';
import { foldBatchNorm } from '../../src/ir/passes/fold-batchnorm.js';
import { fuseEpilogues } from '../../src/ir/passes/fuse-epilogue.js';
import { fuseHardSwish } from '../../src/ir/passes/hardswish.js';
import { factorResidualMul } from '../../src/ir/passes/factor-residual-mul.js';
import { foldDequantize } from '../../src/ir/passes/fold-dequantize.js';
import { fuseFakeQuant } from '../../src/ir/passes/fuse-fake-quant.js';
import { removeIdentity } from '../../src/ir/passes/remove-identity.js';
import { eliminateDeadNodes } from '../../src/ir/passes/dead-nodes.js';
import { addZeroBias } from '../../src/ir/passes/zero-bias.js';
import { CONV_ATTRS as convAttrs, irGraph as graph, randomTensor } from '../util.js';

const act = (name: string, shape: number[]): Value => ({ name, shape, dtype: 'f32' });
const constant = (name: string, shape: number[], seed: number, lo = -1, hi = 1): Value => ({
  name,
  shape,
  dtype: 'f32',
  data: randomTensor(shape, seed, lo, hi),
});

describe('foldBatchNorm', () => {
  it('folds scale, shift, mean and variance into the conv weights and bias', () => {
    const C = 3,
      OC = 4;
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
    expect(conv.outputs).toEqual(['z']);
    const W = g.values.get(conv.inputs[1])!.data!.data as Float32Array;
    const B = g.values.get(conv.epilogue!.bias!)!.data!.data as Float32Array;
    const [w0, b0, ga, be, mu, va] = [w, b, gamma, beta, mean, vari].map((v) => v.data!.data as Float32Array);
    for (let o = 0; o < OC; o++) {
      const s = ga[o] / Math.sqrt(va[o] + 1e-5);
      expect(B[o]).toBeCloseTo((b0[o] - mu[o]) * s + be[o], 5);
      for (let k = 0; k < C * 9; k++) expect(W[o * C * 9 + k]).toBeCloseTo(w0[o * C * 9 + k] * s, 5);
    }
  });
  it('leaves a batch norm whose input has another reader', () => {
    const g = graph(
      [
        act('x', [1, 2, 4, 4]),
        constant('w', [2, 2, 3, 3], 1),
        ...['g', 'be', 'm', 'v'].map((n, i) => constant(n, [2], i, 0.5, 1)),
        act('y', [1, 2, 4, 4]),
        act('z', [1, 2, 4, 4]),
      ],
      [
        { name: 'conv', op: 'conv', attrs: convAttrs, inputs: ['x', 'w'], outputs: ['y'] },
        { name: 'bn', op: 'batchNorm', attrs: { epsilon: 1e-5 }, inputs: ['y', 'g', 'be', 'm', 'v'], outputs: ['z'] },
      ],
      ['x'],
      ['z', 'y'],
    );
    expect(foldBatchNorm(g, new Set())).toBe(0);
  });
});

describe('fuseHardSwish', () => {
  it('recognizes x * clip(x + 3, 0, 6) / 6', () => {
    const s = [1, 4, 5, 5];
    const three: Value = {
      name: 'three',
      shape: [1],
      dtype: 'f32',
      data: { dtype: 'f32', shape: [1], data: new Float32Array([3]) },
    };
    const six: Value = {
      name: 'six',
      shape: [1],
      dtype: 'f32',
      data: { dtype: 'f32', shape: [1], data: new Float32Array([6]) },
    };
    const g = graph(
      [act('x', s), three, six, act('a', s), act('c', s), act('m', s), act('y', s)],
      [
        { name: 'add', op: 'binary', attrs: { kind: 'add' }, inputs: ['x', 'three'], outputs: ['a'] },
        { name: 'clip', op: 'unary', attrs: { act: 'clip', alpha: 0, beta: 6 }, inputs: ['a'], outputs: ['c'] },
        { name: 'mul', op: 'binary', attrs: { kind: 'mul' }, inputs: ['x', 'c'], outputs: ['m'] },
        { name: 'div', op: 'binary', attrs: { kind: 'div' }, inputs: ['m', 'six'], outputs: ['y'] },
      ],
      ['x'],
      ['y'],
    );
    expect(fuseHardSwish(g, new Set())).toBe(1);
    expect(g.nodes).toHaveLength(1);
    expect(g.nodes[0]).toMatchObject({ op: 'unary', attrs: { act: 'hardSwishClip' }, inputs: ['x'], outputs: ['y'] });
  });
});

describe('fuseEpilogues', () => {
  it('fuses per-channel add, activation, scalar affine and a residual into one conv', () => {
    const s = [1, 4, 6, 6];
    const shift = constant('shift', [4, 1, 1], 9);
    const scale: Value = {
      name: 'k',
      shape: [],
      dtype: 'f32',
      data: { dtype: 'f32', shape: [], data: new Float32Array([0.5]) },
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
    expect(Array.from(g.values.get(e.bias!)!.data!.data as Float32Array)).toEqual(
      Array.from(shift.data!.data as Float32Array),
    );
    expect(g.nodes[0].origin).toEqual(['conv', 'add', 'relu', 'half', 'res']);
  });
  it('does not fuse into a value that is kept (captured) or read twice', () => {
    const s = [1, 2, 3, 3];
    const g = graph(
      [act('x', s), constant('w', [2, 2, 3, 3], 1), act('y', s), act('z', s)],
      [
        { name: 'conv', op: 'conv', attrs: convAttrs, inputs: ['x', 'w'], outputs: ['y'] },
        { name: 'relu', op: 'unary', attrs: { act: 'relu', alpha: 0, beta: 0 }, inputs: ['y'], outputs: ['z'] },
      ],
      ['x'],
      ['z'],
    );
    expect(fuseEpilogues(g, new Set(['y']))).toBe(0);
    expect(fuseEpilogues(g, new Set())).toBe(1);
  });
});

describe('removeIdentity and dead nodes', () => {
  it('bypasses identities and drops unread nodes and constants', () => {
    const s = [2, 2];
    const g = graph(
      [act('x', s), act('i', s), act('y', s), act('dead', s), constant('c', s, 1)],
      [
        { name: 'id', op: 'identity', attrs: {}, inputs: ['x'], outputs: ['i'] },
        { name: 'relu', op: 'unary', attrs: { act: 'relu', alpha: 0, beta: 0 }, inputs: ['i'], outputs: ['y'] },
        { name: 'unused', op: 'binary', attrs: { kind: 'add' }, inputs: ['x', 'c'], outputs: ['dead'] },
      ],
      ['x'],
      ['y'],
    );
    expect(removeIdentity(g, new Set())).toBe(1);
    expect(g.nodes.find((n) => n.name === 'relu')!.inputs).toEqual(['x']);
    expect(eliminateDeadNodes(g, new Set())).toBe(1);
    expect(g.nodes.map((n) => n.name)).toEqual(['relu']);
    expect(g.values.has('c')).toBe(false);
  });
});

describe('addZeroBias', () => {
  it('gives a bias-less conv a zero bias and leaves a biased one alone', () => {
    const g = graph(
      [
        act('x', [1, 2, 4, 4]),
        constant('w', [3, 2, 3, 3], 1),
        constant('b', [3], 2),
        act('y', [1, 3, 4, 4]),
        act('z', [1, 3, 4, 4]),
      ],
      [
        {
          name: 'c0',
          op: 'conv',
          attrs: convAttrs,
          inputs: ['x', 'w'],
          outputs: ['y'],
          epilogue: { act: 'relu', alpha: 0, beta: 0 },
        },
        {
          name: 'c1',
          op: 'conv',
          attrs: convAttrs,
          inputs: ['x', 'w'],
          outputs: ['z'],
          epilogue: { act: 'none', alpha: 0, beta: 0, bias: 'b' },
        },
      ],
      ['x'],
      ['y', 'z'],
    );
    expect(addZeroBias(g)).toBe(1);
    const bias = g.values.get(g.nodes[0].epilogue!.bias!)!;
    expect(Array.from(bias.data!.data as Float32Array)).toEqual([0, 0, 0]);
    expect(g.nodes[0].epilogue!.act).toBe('relu');
    expect(g.nodes[1].epilogue!.bias).toBe('b');
  });
});

describe('passes keep the rounding of a quantized graph', () => {
  const s = [1, 4, 6, 6];
  const scalar = (name: string, v: number): Value => ({
    name,
    shape: [],
    dtype: 'f32',
    data: { dtype: 'f32', shape: [], data: new Float32Array([v]) },
  });
  it('x * HardSigmoid(x; alpha, beta) keeps its alpha and beta (hardSwishLinear)', () => {
    const g = graph(
      [act('x', s), act('h', s), act('y', s)],
      [
        {
          name: 'hs',
          op: 'unary',
          attrs: { act: 'hardSigmoid', alpha: 0.2, beta: 0.4 },
          inputs: ['x'],
          outputs: ['h'],
        },
        { name: 'mul', op: 'binary', attrs: { kind: 'mul' }, inputs: ['h', 'x'], outputs: ['y'] },
      ],
      ['x'],
      ['y'],
    );
    expect(fuseHardSwish(g, new Set())).toBe(1);
    expect(g.nodes[0]).toMatchObject({ op: 'unary', attrs: { act: 'hardSwishLinear', alpha: 0.2, beta: 0.4 } });
  });
  it('the epilogue takes one multiply then one add, not an add then a multiply', () => {
    const g = graph(
      [
        act('x', s),
        constant('w', [4, 4, 3, 3], 1),
        scalar('a', 0.3),
        scalar('b', 0.7),
        scalar('c', 1.1),
        ...['y', 'h', 'p', 'q', 'out'].map((n) => act(n, s)),
      ],
      [
        { name: 'conv', op: 'conv', attrs: convAttrs, inputs: ['x', 'w'], outputs: ['y'] },
        { name: 'relu', op: 'unary', attrs: { act: 'relu', alpha: 0, beta: 0 }, inputs: ['y'], outputs: ['h'] },
        { name: 'mul', op: 'binary', attrs: { kind: 'mul' }, inputs: ['h', 'a'], outputs: ['p'] },
        { name: 'add', op: 'binary', attrs: { kind: 'add' }, inputs: ['p', 'b'], outputs: ['q'] },
        { name: 'mul2', op: 'binary', attrs: { kind: 'mul' }, inputs: ['q', 'c'], outputs: ['out'] },
      ],
      ['x'],
      ['out'],
    );
    expect(fuseEpilogues(g, new Set())).toBe(3);
    expect(g.nodes.map((n) => n.name)).toEqual(['conv', 'mul2']);
    expect(g.nodes[0].epilogue).toMatchObject({
      act: 'relu',
      postScale: Math.fround(0.3),
      postShift: Math.fround(0.7),
    });
  });
  it('divides fold only by a power of two', () => {
    for (const [d, fused] of [
      [4, 2],
      [6, 1],
    ] as const) {
      const g = graph(
        [act('x', s), constant('w', [4, 4, 3, 3], 1), scalar('d', d), ...['y', 'h', 'out'].map((n) => act(n, s))],
        [
          { name: 'conv', op: 'conv', attrs: convAttrs, inputs: ['x', 'w'], outputs: ['y'] },
          { name: 'relu', op: 'unary', attrs: { act: 'relu', alpha: 0, beta: 0 }, inputs: ['y'], outputs: ['h'] },
          { name: 'div', op: 'binary', attrs: { kind: 'div' }, inputs: ['h', 'd'], outputs: ['out'] },
        ],
        ['x'],
        ['out'],
      );
      expect(fuseEpilogues(g, new Set())).toBe(fused);
    }
  });
  it('x * s + x is not refactored where activations are quantized', () => {
    const small = [1, 4, 1, 1];
    const build = (quantized: boolean) =>
      graph(
        [
          act('x', s),
          act('s', small),
          act('m', s),
          act('y', s),
          act('yq', s),
          scalar('sc', 0.5),
          { name: 'z', shape: [], dtype: 'u8', data: { dtype: 'u8', shape: [], data: new Uint8Array([128]) } },
        ],
        [
          { name: 'mul', op: 'binary', attrs: { kind: 'mul' }, inputs: ['x', 's'], outputs: ['m'] },
          { name: 'add', op: 'binary', attrs: { kind: 'add' }, inputs: ['m', 'x'], outputs: ['y'] },
          ...(quantized
            ? [
                {
                  name: 'q',
                  op: 'quantize' as const,
                  attrs: { to: 'u8' as const, axis: 1, blockSize: 0 },
                  inputs: ['y', 'sc', 'z'],
                  outputs: ['yq'],
                },
              ]
            : []),
        ],
        ['x', 's'],
        [quantized ? 'yq' : 'y'],
      );
    expect(factorResidualMul(build(false), new Set())).toBe(1);
    expect(factorResidualMul(build(true), new Set())).toBe(0);
  });
});

describe('foldDequantize', () => {
  const s = [1, 3, 6, 6];
  const i8 = (name: string, shape: number[], v: number[]): Value => ({
    name,
    shape,
    dtype: 'i8',
    data: { dtype: 'i8', shape, data: Int8Array.from(v) },
  });
  const f32 = (name: string, shape: number[], v: number[]): Value => ({
    name,
    shape,
    dtype: 'f32',
    data: { dtype: 'f32', shape, data: Float32Array.from(v) },
  });
  const build = (zero: number, epScale?: number[]) =>
    graph(
      [
        act('x', s),
        i8('q', [2, 3, 1, 1], [1, -2, 3, 4, 5, -6]),
        f32('sc', [2], [0.5, 0.25]),
        i8('z', [2], [zero, 0]),
        act('w', [2, 3, 1, 1]),
        act('y', [1, 2, 6, 6]),
        ...(epScale ? [f32('bn', [2], epScale)] : []),
      ],
      [
        { name: 'dq', op: 'dequantize', attrs: { axis: 0, blockSize: 0 }, inputs: ['q', 'sc', 'z'], outputs: ['w'] },
        {
          name: 'conv',
          op: 'conv',
          attrs: { ...convAttrs, pads: [0, 0, 0, 0] },
          inputs: ['x', 'w'],
          outputs: ['y'],
          epilogue: epScale ? { act: 'none', alpha: 0, beta: 0, scale: 'bn' } : undefined,
        },
      ],
      ['x'],
      ['y'],
    );
  it('the conv reads the int8 constant and its epilogue scales each channel (times a batch-norm scale already there)', () => {
    const g = build(0, [2, 3]);
    expect(foldDequantize(g, new Set())).toBe(1);
    const conv = g.nodes.find((n) => n.name === 'conv')!;
    expect(conv.inputs[1]).toBe('q');
    expect(Array.from(g.values.get(conv.epilogue!.scale!)!.data!.data as Float32Array)).toEqual([1, 0.75]);
    expect(eliminateDeadNodes(g, new Set())).toBe(1);
  });
  it('leaves asymmetric weights (a nonzero zero point) to the dequantize step', () => {
    expect(foldDequantize(build(3), new Set())).toBe(0);
  });
  it('a conv reads f16 weights behind a Cast to f32 directly', () => {
    const h: Value = {
      name: 'h',
      shape: [2, 3, 1, 1],
      dtype: 'f16',
      data: { dtype: 'f16', shape: [2, 3, 1, 1], data: new Uint16Array(6) },
    };
    const g = graph(
      [act('x', s), h, act('w', [2, 3, 1, 1]), act('y', [1, 2, 6, 6])],
      [
        { name: 'cast', op: 'cast', attrs: { to: 'f32' }, inputs: ['h'], outputs: ['w'] },
        { name: 'conv', op: 'conv', attrs: { ...convAttrs, pads: [0, 0, 0, 0] }, inputs: ['x', 'w'], outputs: ['y'] },
      ],
      ['x'],
      ['y'],
    );
    expect(foldDequantize(g, new Set())).toBe(1);
    expect(g.nodes.find((n) => n.name === 'conv')!.inputs[1]).toBe('h');
  });
  it('a matmul B [K, N] with per-column scales (axis 1) folds; per-row scales (axis 0) do not', () => {
    for (const [axis, folds] of [
      [1, 1],
      [0, 0],
    ]) {
      const g = graph(
        [
          act('a', [5, 2]),
          i8('q', [2, 3], [1, 2, 3, 4, 5, 6]),
          f32('sc', [axis ? 3 : 2], axis ? [1, 2, 4] : [1, 2]),
          act('b', [2, 3]),
          act('y', [5, 3]),
        ],
        [
          { name: 'dq', op: 'dequantize', attrs: { axis, blockSize: 0 }, inputs: ['q', 'sc', ''], outputs: ['b'] },
          {
            name: 'mm',
            op: 'matmul',
            attrs: { transA: false, transB: false, alpha: 1 },
            inputs: ['a', 'b'],
            outputs: ['y'],
          },
        ],
        ['a'],
        ['y'],
      );
      expect(foldDequantize(g, new Set())).toBe(folds);
    }
  });
});

describe('fuseFakeQuant', () => {
  const s = [1, 2, 4, 4];
  const q8 = (name: string, dtype: 'u8' | 'i8', v: number): Value => ({
    name,
    shape: [],
    dtype,
    data: { dtype, shape: [], data: dtype === 'u8' ? Uint8Array.of(v) : Int8Array.of(v) },
  });
  const sc = (name: string, v: number): Value => ({
    name,
    shape: [],
    dtype: 'f32',
    data: { dtype: 'f32', shape: [], data: Float32Array.of(v) },
  });
  const build = (dqScale: number, extraReader: boolean) =>
    graph(
      [
        act('x', s),
        constant('w', [2, 2, 3, 3], 1),
        act('y', s),
        { name: 'yq', shape: s, dtype: 'u8' },
        act('yd', s),
        act('r', s),
        sc('s', 0.125),
        sc('s2', dqScale),
        q8('z', 'u8', 3),
      ],
      [
        {
          name: 'conv',
          op: 'conv',
          attrs: convAttrs,
          inputs: ['x', 'w'],
          outputs: ['y'],
          epilogue: { act: 'relu', alpha: 0, beta: 0 },
        },
        {
          name: 'q',
          op: 'quantize',
          attrs: { to: 'u8', axis: 1, blockSize: 0 },
          inputs: ['y', 's', 'z'],
          outputs: ['yq'],
        },
        { name: 'dq', op: 'dequantize', attrs: { axis: 1, blockSize: 0 }, inputs: ['yq', 's2', 'z'], outputs: ['yd'] },
        ...(extraReader
          ? [
              {
                name: 'other',
                op: 'unary' as const,
                attrs: { act: 'relu' as const, alpha: 0, beta: 0 },
                inputs: ['y'],
                outputs: ['r'],
              },
            ]
          : []),
      ],
      ['x'],
      extraReader ? ['yd', 'r'] : ['yd'],
    );
  it('a QDQ pair on a conv output becomes the last step of its epilogue', () => {
    const g = build(0.125, false);
    expect(fuseFakeQuant(g, new Set())).toBe(1);
    expect(g.nodes.map((n) => n.op)).toEqual(['conv']);
    expect(g.nodes[0].outputs).toEqual(['yd']);
    expect(g.nodes[0].epilogue).toMatchObject({
      act: 'relu',
      fakeQuant: { scale: 0.125, zeroPoint: 3, qmin: 0, qmax: 255 },
    });
  });
  it('a pair whose float input has another reader becomes one quantize step writing floats', () => {
    const g = build(0.125, true);
    expect(fuseFakeQuant(g, new Set())).toBe(1);
    expect(g.nodes.map((n) => n.op)).toEqual(['conv', 'quantize', 'unary']);
    expect(g.nodes[1]).toMatchObject({ attrs: { fake: true, to: 'u8' }, inputs: ['y', 's', 'z'], outputs: ['yd'] });
    expect(g.nodes[0].epilogue?.fakeQuant).toBeUndefined();
  });
  it('not when the pair rescales (dequantize scale differs)', () => {
    expect(fuseFakeQuant(build(0.25, false), new Set())).toBe(0);
  });
});
