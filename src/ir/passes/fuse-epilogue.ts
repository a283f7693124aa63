// Folds consumers into their producer's epilogue: per-channel affine into conv weights, activations,
// scalar affines after the activation, and residual adds. Fusion is data on the producer node.
import type { ActKind, Epilogue, Graph, Node } from '../graph.js';
import type { GraphIndex } from '../graph-index.js';
import { type RewriteRule, rewriteGraph } from '../rewrite.js';
import { channelConst, removeNode, scalarConst } from './util.js';
import { scaleConvChannels } from './conv-weights.js';
import { sameShape } from '../../core/shape.js';

const PRODUCERS = new Set(['conv', 'convTranspose', 'matmul', 'binary']);
const FUSABLE_ACTS = new Set<ActKind>([
  'relu',
  'clip',
  'sigmoid',
  'hardSigmoid',
  'hardSwish',
  'hardSwishClip',
  'hardSwishLinear',
  'silu',
  'gelu',
  'geluTanh',
  'leakyRelu',
  'tanh',
  'elu',
  'softplus',
  'mish',
]);
const ARITH = new Set(['add', 'sub', 'mul', 'div', 'pow', 'max', 'min', 'prelu']);

function ep(n: Node): Epilogue {
  n.epilogue ??= { act: 'none', alpha: 0, beta: 0 };
  return n.epilogue;
}

/** Tries to absorb `c` (the sole consumer of p's output) into p; returns true when it did. */
function absorb(ix: GraphIndex, p: Node, c: Node): boolean {
  const g = ix.g;
  const out = p.outputs[0];
  const e = p.epilogue ?? { act: 'none', alpha: 0, beta: 0 };
  const pristine = e.act === 'none' && !e.residual && e.postScale === undefined && e.postShift === undefined;
  const isConv = p.op === 'conv' || p.op === 'convTranspose';
  const outShape = g.values.get(out)!.shape;
  if (
    c.op === 'unary' &&
    FUSABLE_ACTS.has(c.attrs.act) &&
    e.act === 'none' &&
    e.postScale === undefined &&
    e.postShift === undefined &&
    e.residualBeforeAct !== false
  ) {
    Object.assign(ep(p), { act: c.attrs.act, alpha: c.attrs.alpha, beta: c.attrs.beta });
    return true;
  }
  if (c.op !== 'binary' || !['add', 'sub', 'mul', 'div'].includes(c.attrs.kind) || c.epilogue) return false;
  const k = c.inputs[0] === out ? 1 : 0;
  const other = c.inputs[k];
  const kind = c.attrs.kind as string;
  if ((kind === 'sub' || kind === 'div') && k === 0) return false; // c - y and c / y are not affine in y
  const otherShape = g.values.get(other)!.shape;
  if (!sameShape(g.values.get(c.outputs[0])!.shape, outShape)) return false;
  // per-channel affine straight after a conv: rewrite the weights
  if (isConv && pristine) {
    const ch = channelConst(g, other, outShape, outShape[1]);
    if (ch) {
      const mul = new Float32Array(ch.length).fill(1);
      const add = new Float32Array(ch.length);
      if (kind === 'mul') mul.set(ch);
      else if (kind === 'div') mul.set(ch.map((v) => 1 / v));
      else if (kind === 'add') add.set(ch);
      else add.set(ch.map((v) => -v));
      return scaleConvChannels(g, p, mul, add);
    }
  }
  // scalar affine after the activation: one multiply, then one add, so v * postScale + postShift rounds
  // as the ops do (a divide only by a power of two, where v / s == v * (1 / s))
  const s = scalarConst(g, other);
  if (s !== null && !(e.residual && e.residualBeforeAct === false)) {
    const x = ep(p);
    const fresh = x.postScale === undefined && x.postShift === undefined;
    if (kind === 'mul' && fresh) x.postScale = s;
    else if (kind === 'div' && fresh && Number.isInteger(Math.log2(Math.abs(s)))) x.postScale = 1 / s;
    else if ((kind === 'add' || kind === 'sub') && x.postShift === undefined) x.postShift = kind === 'add' ? s : -s;
    else return false;
    return true;
  }
  // residual add of a same-shaped value computed before p runs
  if (
    kind === 'add' &&
    !e.residual &&
    sameShape(otherShape, outShape) &&
    g.values.get(other)!.dtype === g.values.get(out)!.dtype &&
    !g.values.get(other)!.data
  ) {
    const src = ix.producer(other);
    if (src && ix.position(src) > ix.position(p)) return false;
    const x = ep(p);
    x.residual = other;
    x.residualBeforeAct = x.act === 'none' && x.postScale === undefined && x.postShift === undefined;
    return true;
  }
  return false;
}

/** p absorbs the sole consumer of its output. */
export const fuseEpilogueRule: RewriteRule = (p, ix) => {
  const g = ix.g;
  if (!PRODUCERS.has(p.op) || p.outputs.length !== 1) return null;
  const dt = g.values.get(p.outputs[0])!.dtype;
  if (dt !== 'f32' && dt !== 'f16') return null;
  if (p.op === 'binary' && !ARITH.has(p.attrs.kind)) return null;
  const c = ix.soleConsumer(p.outputs[0]);
  if (!c || c.outputs.length !== 1 || !absorb(ix, p, c)) return null;
  g.values.delete(p.outputs[0]);
  p.outputs = c.outputs;
  p.origin.push(...c.origin);
  removeNode(g, c);
  return [p];
};

export function fuseEpilogues(g: Graph, keep: Set<string>): number {
  return rewriteGraph(g, keep, fuseEpilogueRule);
}
