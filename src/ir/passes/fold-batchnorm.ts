// Folds inference BatchNormalization into the preceding conv's weights and bias.
import type { Graph } from '../graph.js';
import { producerMap, removeNode, soleConsumer, useCounts } from './util.js';
import { scaleConvChannels } from './conv-weights.js';

export function foldBatchNorm(g: Graph, keep: Set<string>): number {
  let folded = 0;
  for (const bn of [...g.nodes]) {
    if (bn.op !== 'batchNorm') continue;
    const [x, scale, bias, mean, variance] = bn.inputs.map((n) => g.values.get(n));
    if (![scale, bias, mean, variance].every((v) => v?.data && v.dtype === 'f32')) continue;
    const conv = producerMap(g).get(x!.name);
    if (!conv || (conv.op !== 'conv' && conv.op !== 'convTranspose')) continue;
    if (soleConsumer(g, x!.name, useCounts(g, keep), keep) !== bn) continue;
    if (conv.epilogue && (conv.epilogue.act !== 'none' || conv.epilogue.residual || conv.epilogue.postScale !== undefined)) continue;
    const eps = bn.attrs.epsilon as number;
    const s = scale!.data!.data as Float32Array, b = bias!.data!.data as Float32Array;
    const m = mean!.data!.data as Float32Array, v = variance!.data!.data as Float32Array;
    const mul = s.map((sv, c) => sv / Math.sqrt(v[c] + eps));
    const add = b.map((bv, c) => bv - m[c] * mul[c]);
    if (!scaleConvChannels(g, conv, mul, add)) continue;
    conv.outputs = bn.outputs;
    conv.origin.push(...bn.origin);
    removeNode(g, bn);
    g.values.delete(x!.name);
    folded++;
  }
  return folded;
}
