// Dequantize folding: a conv or matmul whose weights are DequantizeLinear(int8 constant) reads the int8 values
// directly (packed four per word, decoded in registers by lib/weights.wgsl) and multiplies each output
// channel's sum by the weight scale in its epilogue: sum(x * q) * s instead of sum(x * (q * s)). The
// per-run dequantize step and its f32 copy of the weights are gone. Symmetric int8 only (zero point 0),
// per tensor or per output channel (matmul: per column of a 2-D B). fp16 weights behind a Cast to f32 are
// read as halves the same way (no scale).
import { hostTensor } from '../../core/tensor.js';
import { sizeOf } from '../../core/shape.js';
import type { Graph } from '../graph.js';
import { producerMap } from './util.js';

export function foldDequantize(g: Graph, keep: Set<string>): number {
  let folded = 0;
  const producers = producerMap(g);
  for (const n of g.nodes) {
    if (n.op !== 'conv' && n.op !== 'convTranspose' && n.op !== 'matmul') continue;
    const dq = producers.get(n.inputs[1]);
    if (dq?.op === 'cast' && dq.attrs.to === 'f32' && g.values.get(dq.inputs[0])?.data && g.values.get(dq.inputs[0])!.dtype === 'f16' && !keep.has(n.inputs[1])) {
      n.inputs[1] = dq.inputs[0];
      folded++;
      continue;
    }
    if (dq?.op !== 'dequantize' || dq.attrs.blockSize || keep.has(n.inputs[1])) continue;
    const [q, s, z] = dq.inputs.map((i) => (i ? g.values.get(i) : undefined));
    if (!q?.data || q.dtype !== 'i8' || !s?.data || s.dtype !== 'f32') continue;
    if (z?.data && Array.from(z.data.data as ArrayLike<number>).some((v) => v !== 0)) continue;
    const w = q.shape;
    const groups = n.attrs.group ?? 1;
    if (n.op === 'convTranspose' && groups !== 1) continue;
    if (n.op === 'matmul' && (w.length !== 2 || n.attrs.transA)) continue;
    const outAxis = n.op === 'conv' ? 0 : n.op === 'matmul' && n.attrs.transB ? 0 : 1;
    const oc = w[outAxis];
    const scales = s.data.data as Float32Array;
    const axis = dq.attrs.axis < 0 ? dq.attrs.axis + w.length : dq.attrs.axis;
    if (sizeOf(s.shape) !== 1 && !(axis === outAxis && scales.length === oc)) continue;
    const perChannel = Float32Array.from({ length: oc }, (_, c) => scales[scales.length === 1 ? 0 : c]);
    const e = (n.epilogue ??= { act: 'none', alpha: 0, beta: 0 });
    // an epilogue scale already there (a batch norm folded in) multiplies the sum after the weight scale
    const before = e.scale ? (g.values.get(e.scale)!.data!.data as Float32Array) : null;
    if (before) for (let c = 0; c < oc; c++) perChannel[c] *= before[c];
    const name = `${n.name}#wscale`;
    g.values.set(name, { name, shape: [oc], dtype: 'f32', data: hostTensor('f32', [oc], perChannel) });
    e.scale = name;
    n.inputs[1] = dq.inputs[0];
    folded++;
  }
  return folded;
}
