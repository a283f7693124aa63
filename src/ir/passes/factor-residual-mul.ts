// x + x * s  ->  x * (s + 1) when s broadcasts (SE blocks: x * hardsigmoid(se) + x). The residual form
// reads x twice in one dispatch, which costs a full copy (writable bindings may not alias); the "+1"
// lands on the small s and usually folds into its producer's epilogue.
import { hostTensor } from '../../core/tensor.js';
import { sizeOf } from '../../core/shape.js';
import type { Graph, Node } from '../graph.js';
import type { GraphIndex } from '../graph-index.js';
import { type RewriteRule, rewriteGraph } from '../rewrite.js';
import { removeNode } from './util.js';

/** add(x, mul(x, s)) becomes mul(x, add(s, 1)) at the add. */
export const residualMulRule: RewriteRule = (add, ix) => {
  const g = ix.g;
  const m = matchAddOfScaled(ix, add);
  if (!m) return null;
  const { mul, x, s } = m;
  const one = `${mul.name}#one`;
  const s1 = `${s}#plus1:${mul.name}`;
  const sv = g.values.get(s)!;
  g.values.set(one, { name: one, shape: [], dtype: 'f32', data: hostTensor('f32', [], new Float32Array([1])) });
  g.values.set(s1, { name: s1, shape: sv.shape, dtype: sv.dtype });
  const plusOne: Node = {
    name: `${mul.name}#plus1`,
    op: 'binary',
    attrs: { kind: 'add' },
    inputs: [s, one],
    outputs: [s1],
    origin: [...add.origin],
  };
  g.values.delete(mul.outputs[0]);
  mul.inputs = [x, s1];
  mul.outputs = add.outputs;
  mul.origin.push(...add.origin);
  g.nodes.splice(g.nodes.indexOf(mul), 0, plusOne);
  removeNode(g, add);
  return [plusOne, mul];
};

export function factorResidualMul(g: Graph, keep: Set<string>): number {
  // x * (s + 1) rounds differently from x * s + x; where activations are quantized that can flip a value
  if (g.nodes.some((n) => n.op === 'quantize')) return 0;
  return rewriteGraph(g, keep, residualMulRule);
}

function matchAddOfScaled(ix: GraphIndex, add: Node): { mul: Node; x: string; s: string } | null {
  const g = ix.g;
  if (add.op !== 'binary' || add.attrs.kind !== 'add' || add.epilogue) return null;
  for (const k of [0, 1]) {
    const mul = ix.producer(add.inputs[k]);
    const x = add.inputs[1 - k];
    if (mul?.op !== 'binary' || mul.attrs.kind !== 'mul' || mul.epilogue || !mul.inputs.includes(x)) continue;
    if (ix.soleConsumer(mul.outputs[0]) !== add) continue;
    const s = mul.inputs[0] === x ? mul.inputs[1] : mul.inputs[0];
    const xv = g.values.get(x)!,
      sv = g.values.get(s)!,
      ov = g.values.get(add.outputs[0])!;
    if (s === x || sv.dtype !== 'f32' || xv.dtype !== 'f32' || sv.data) continue;
    // s must broadcast into x (so adding 1 to it is cheap) and x must already have the output's shape
    if (sizeOf(sv.shape) >= sizeOf(xv.shape) || sizeOf(xv.shape) !== sizeOf(ov.shape)) continue;
    return { mul, x, s };
  }
  return null;
}
