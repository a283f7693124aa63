// Folds inference BatchNormalization into the preceding conv's weights and bias.
import { floatValues } from '../../core/tensor.js';
import type { Graph } from '../graph.js';
import { GraphIndex } from '../graph-index.js';
import { removeNode } from './util.js';
import { scaleConvChannels } from './conv-weights.js';

export function foldBatchNorm(g: Graph, keep: Set<string>): number {
  let folded = 0;
  const ix = new GraphIndex(g, keep);
  for (const bn of [...g.nodes]) {
    if (bn.op !== 'batchNorm') continue;
    const [x, scale, bias, mean, variance] = bn.inputs.map((n) => g.values.get(n));
    // f32 or f16 parameters: folded in f32, written back in the conv weights' own dtype
    const params = [scale, bias, mean, variance].map((v) => (v?.data ? floatValues(v.data) : null));
    if (params.some((p) => !p)) continue;
    const conv = ix.producer(x!.name);
    if (!conv || (conv.op !== 'conv' && conv.op !== 'convTranspose')) continue;
    if (ix.soleConsumer(x!.name) !== bn) continue;
    if (
      conv.epilogue &&
      (conv.epilogue.act !== 'none' || conv.epilogue.residual || conv.epilogue.postScale !== undefined)
    )
      continue;
    const eps = bn.attrs.epsilon;
    const [s, b, m, v] = params as Float32Array[];
    const mul = s.map((sv, c) => sv / Math.sqrt(v[c] + eps));
    const add = b.map((bv, c) => bv - m[c] * mul[c]);
    if (!scaleConvChannels(g, conv, mul, add)) continue;
    conv.outputs = bn.outputs;
    conv.origin.push(...bn.origin);
    removeNode(g, bn);
    g.values.delete(x!.name);
    ix.invalidate();
    folded++;
  }
  return folded;
}
