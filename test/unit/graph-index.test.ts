// The shared graph index (producers, consumers, use counts, positions) and the rewrite driver on a small graph,
// against counts written out by hand.
import { describe, expect, it } from 'vitest';
import type { Value } from '../../src/ir/graph.js';
import { GraphIndex } from '../../src/ir/graph-index.js';
import { rewriteGraph } from '../../src/ir/rewrite.js';
import { irGraph } from '../util.js';

const v = (name: string): Value => ({ name, shape: [1, 4], dtype: 'f32' });
const relu = { act: 'relu' as const, alpha: 0, beta: 0 };

// x -> a=relu(x) -> b=relu(a) -> c=add(a, b) (residual in c's epilogue reads x) ; outputs c
function sample() {
  return irGraph(
    ['x', 'a', 'b', 'c'].map(v),
    [
      { name: 'n1', op: 'unary', attrs: relu, inputs: ['x'], outputs: ['a'] },
      { name: 'n2', op: 'unary', attrs: relu, inputs: ['a'], outputs: ['b'] },
      {
        name: 'n3',
        op: 'binary',
        attrs: { kind: 'add' },
        inputs: ['a', 'b'],
        outputs: ['c'],
        epilogue: { act: 'none', alpha: 0, beta: 0, residual: 'x' },
      },
    ],
    ['x'],
    ['c'],
  );
}

describe('GraphIndex', () => {
  it('producers, consumers in graph order, uses (epilogue operands, outputs and kept values count)', () => {
    const g = sample();
    const [n1, n2, n3] = g.nodes;
    const ix = new GraphIndex(g, new Set(['b']));
    expect(ix.producer('a')).toBe(n1);
    expect(ix.producer('x')).toBeUndefined();
    expect(ix.consumers('a')).toEqual([n2, n3]);
    expect(ix.consumers('x')).toEqual([n1, n3]);
    expect([ix.uses('x'), ix.uses('a'), ix.uses('b'), ix.uses('c')]).toEqual([2, 2, 2, 1]);
    expect([ix.position(n1), ix.position(n3)]).toEqual([0, 2]);
    // b is kept, c is a graph output, a has two readers: none has a sole consumer
    expect([ix.soleConsumer('a'), ix.soleConsumer('b'), ix.soleConsumer('c')]).toEqual([null, null, null]);
    expect(new GraphIndex(g).soleConsumer('b')).toBe(n3);
  });
  it('answers from the graph as it was until invalidated', () => {
    const g = sample();
    const ix = new GraphIndex(g);
    const n2 = g.nodes[1];
    expect(ix.uses('a')).toBe(2);
    g.nodes.splice(1, 1);
    g.nodes[1].inputs = ['a', 'a'];
    expect(ix.position(n2)).toBe(1);
    ix.invalidate();
    expect(ix.position(n2)).toBe(-1);
    expect(ix.consumers('a')).toEqual([g.nodes[1]]);
    expect(ix.uses('a')).toBe(2);
  });
});

describe('rewriteGraph', () => {
  it('runs a rule to a fixed point and revisits the nodes before a rewrite', () => {
    const g = sample();
    // fold relu(relu(y)) into relu(y): the second relu's input becomes the first's input
    const visits: string[] = [];
    const n = rewriteGraph(g, new Set(), (node, ix) => {
      visits.push(node.name);
      if (node.op !== 'unary') return null;
      const p = ix.producer(node.inputs[0]);
      if (p?.op !== 'unary' || ix.soleConsumer(p.outputs[0]) !== node) return null;
      node.inputs = [...p.inputs];
      return [node];
    });
    // a has two readers, so n2 is not rewritten
    expect(n).toBe(0);
    expect(visits).toEqual(['n1', 'n2', 'n3']);
    const chain = irGraph(
      ['x', 'a', 'b', 'd'].map(v),
      [
        { name: 'm1', op: 'unary', attrs: relu, inputs: ['x'], outputs: ['a'] },
        { name: 'm2', op: 'unary', attrs: relu, inputs: ['a'], outputs: ['b'] },
        { name: 'm3', op: 'unary', attrs: relu, inputs: ['b'], outputs: ['d'] },
      ],
      ['x'],
      ['d'],
    );
    const dropped = rewriteGraph(chain, new Set(), (node, ix) => {
      const p = ix.producer(node.inputs[0]);
      if (p?.op !== 'unary' || ix.soleConsumer(p.outputs[0]) !== node) return null;
      chain.nodes.splice(chain.nodes.indexOf(p), 1);
      node.inputs = [...p.inputs];
      return [node];
    });
    expect(dropped).toBe(2);
    expect(chain.nodes.map((m) => [m.name, m.inputs])).toEqual([['m3', ['x']]]);
  });
});
