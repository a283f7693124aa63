// Recognizes hard-swish written out as elementwise ops and replaces it with one unary node that rounds
// as those ops do (in a QDQ model a one-ulp difference can flip a quantized value):
//   x * HardSigmoid(x; alpha, beta) -> hardSwishLinear     x * Clip(x + 3, 0, 6) / 6 (paddle2onnx) -> hardSwishClip
import type { Graph, Node, UnaryAttrs } from '../graph.js';
import type { GraphIndex } from '../graph-index.js';
import { type RewriteRule, rewriteGraph } from '../rewrite.js';
import { removeNode, scalarConst } from './util.js';

/** A mul that ends either form becomes one unary node in its place. */
export const hardSwishRule: RewriteRule = (mul, ix) => {
  const g = ix.g;
  if (mul.op !== 'binary' || mul.attrs.kind !== 'mul') return null;
  const match = matchHardSigmoid(ix, mul) ?? matchClipForm(ix, mul);
  if (!match) return null;
  const { x, remove, out, attrs } = match;
  const node: Node = {
    name: mul.name,
    op: 'unary',
    attrs,
    inputs: [x],
    outputs: [out],
    origin: [...remove.flatMap((r) => r.origin)],
  };
  g.nodes.splice(g.nodes.indexOf(mul), 0, node);
  for (const r of remove) {
    removeNode(g, r);
    r.outputs.filter((o) => o !== out).forEach((o) => g.values.delete(o));
  }
  return [node];
};

export function fuseHardSwish(g: Graph, keep: Set<string>): number {
  return rewriteGraph(g, keep, hardSwishRule);
}

type Match = { x: string; remove: Node[]; out: string; attrs: UnaryAttrs } | null;

function matchHardSigmoid(ix: GraphIndex, mul: Node): Match {
  for (const k of [0, 1]) {
    const hs = ix.producer(mul.inputs[k]);
    const x = mul.inputs[1 - k];
    if (
      hs?.op === 'unary' &&
      hs.attrs.act === 'hardSigmoid' &&
      hs.inputs[0] === x &&
      ix.soleConsumer(hs.outputs[0]) === mul
    ) {
      return {
        x,
        remove: [hs, mul],
        out: mul.outputs[0],
        attrs: { act: 'hardSwishLinear', alpha: hs.attrs.alpha, beta: hs.attrs.beta },
      };
    }
  }
  return null;
}

function matchClipForm(ix: GraphIndex, mul: Node): Match {
  const g = ix.g;
  const div = ix.soleConsumer(mul.outputs[0]);
  if (
    !div ||
    div.op !== 'binary' ||
    div.attrs.kind !== 'div' ||
    div.inputs[0] !== mul.outputs[0] ||
    scalarConst(g, div.inputs[1]) !== 6
  )
    return null;
  for (const k of [0, 1]) {
    const clip = ix.producer(mul.inputs[k]);
    const x = mul.inputs[1 - k];
    if (clip?.op !== 'unary' || clip.attrs.act !== 'clip' || clip.attrs.alpha !== 0 || clip.attrs.beta !== 6) continue;
    const add = ix.producer(clip.inputs[0]);
    if (add?.op !== 'binary' || add.attrs.kind !== 'add' || add.epilogue) continue;
    const addX = add.inputs[0] === x ? add.inputs[1] : add.inputs[1] === x ? add.inputs[0] : null;
    if (!addX || scalarConst(g, addX) !== 3) continue;
    if (ix.soleConsumer(clip.outputs[0]) !== mul || ix.soleConsumer(add.outputs[0]) !== clip) continue;
    return {
      x,
      remove: [add, clip, mul, div],
      out: div.outputs[0],
      attrs: { act: 'hardSwishClip', alpha: 0, beta: 0 },
    };
  }
  return null;
}
