// Gives every conv an epilogue bias (zeros where the model has none), so conv pipelines do not split
// on "has bias": on lavapipe each pipeline costs a few hundred ms of LLVM compile at its first dispatch.
import { hostTensor } from '../../core/tensor.js';
import type { Graph } from '../graph.js';

export function addZeroBias(g: Graph): number {
  let added = 0;
  for (const n of g.nodes) {
    if (n.op !== 'conv' && n.op !== 'convTranspose') continue;
    if (n.epilogue?.bias) continue;
    const out = g.values.get(n.outputs[0]);
    if (!out || (out.dtype !== 'f32' && out.dtype !== 'f16') || out.shape.length < 2) continue;
    const channels = out.shape[1];
    const name = `${n.name}#zero_bias`;
    g.values.set(name, { name, shape: [channels], dtype: out.dtype, data: hostTensor(out.dtype, [channels]) });
    n.epilogue = { ...(n.epilogue ?? { act: 'none', alpha: 0, beta: 0 }), bias: name };
    added++;
  }
  return added;
}
