// Dequantize folding: a conv or matmul whose weights are DequantizeLinear(int8 constant) reads the int8 values
// directly (packed four per word, decoded in registers by lib/weights.wgsl) and multiplies each output
// channel's sum by the weight scale in its epilogue: sum(x * q) * s instead of sum(x * (q * s)). The
// per-run dequantize step and its f32 copy of the weights are gone. Symmetric int8 only (zero point 0),
// per tensor or per output channel (matmul: per column of a 2-D B). fp16 weights behind a Cast to f32 are
// read as halves the same way (no scale).
import { floatValues, hostTensor } from '../../core/tensor.js';
import { sizeOf } from '../../core/shape.js';
import type { Graph } from '../graph.js';
import { GraphIndex } from '../graph-index.js';
import { castFromHalf, symmetricInt8 } from './util.js';

export function foldDequantize(g: Graph, keep: Set<string>): number {
  let folded = 0;
  // built once, before any edit: the producers of the weights as imported
  const ix = new GraphIndex(g, keep);
  for (const n of g.nodes) {
    if (n.op !== 'conv' && n.op !== 'convTranspose' && n.op !== 'matmul') continue;
    if (keep.has(n.inputs[1])) continue;
    const half = castFromHalf(g, ix, n.inputs[1]);
    if (half) {
      n.inputs[1] = half.h.name;
      folded++;
      continue;
    }
    const int8 = symmetricInt8(g, ix, n.inputs[1]);
    if (!int8) continue;
    const { dq, q, scale: s } = int8;
    const w = q.shape;
    const groups = n.op === 'matmul' ? 1 : n.attrs.group;
    if (n.op === 'convTranspose' && groups !== 1) continue;
    if (n.op === 'matmul' && (w.length !== 2 || n.attrs.transA)) continue;
    const outAxis = n.op === 'conv' ? 0 : n.op === 'matmul' && n.attrs.transB ? 0 : 1;
    const oc = w[outAxis];
    const scales = s.data!.data as Float32Array;
    const axis = dq.attrs.axis < 0 ? dq.attrs.axis + w.length : dq.attrs.axis;
    if (sizeOf(s.shape) !== 1 && !(axis === outAxis && scales.length === oc)) continue;
    const perChannel = Float32Array.from({ length: oc }, (_, c) => scales[scales.length === 1 ? 0 : c]);
    const e = (n.epilogue ??= { act: 'none', alpha: 0, beta: 0 });
    // an epilogue scale already there (a batch norm folded in) multiplies the sum after the weight scale
    const before = e.scale ? floatValues(g.values.get(e.scale)!.data!) : null;
    if (before) for (let c = 0; c < oc; c++) perChannel[c] *= before[c];
    const name = `${n.name}#wscale`;
    g.values.set(name, { name, shape: [oc], dtype: 'f32', data: hostTensor('f32', [oc], perChannel) });
    e.scale = name;
    n.inputs[1] = dq.inputs[0];
    folded++;
  }
  return folded;
}
