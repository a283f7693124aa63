// A QuantizeLinear -> DequantizeLinear pair (per tensor, int8/uint8, same scale and zero point) on the
// output of a kernel with an epilogue, read by nothing else, becomes the last step of that epilogue
// (fake quantization): two dispatches and an int32 round trip per quantized activation disappear. Other
// pairs become one quantize step that writes the dequantized float. Both compute what the two kernels
// compute, in the same order, so the values are the same bits.
import type { Graph } from '../graph.js';
import { GraphIndex } from '../graph-index.js';
import { removeNode, scalarConst, zeroPointConst } from './util.js';

const PRODUCERS = new Set(['conv', 'convTranspose', 'matmul', 'binary']);
const RANGES: Record<string, [number, number]> = { i8: [-128, 127], u8: [0, 255] };

export function fuseFakeQuant(g: Graph, keep: Set<string>): number {
  let fused = 0;
  const ix = new GraphIndex(g, keep);
  for (const q of [...g.nodes]) {
    if (q.op !== 'quantize' || q.attrs.blockSize || q.attrs.integerRequant) continue;
    const range = q.attrs.to && RANGES[q.attrs.to];
    if (!range) continue;
    const p = ix.producer(q.inputs[0]);
    const dq = ix.soleConsumer(q.outputs[0]);
    if (
      dq?.op !== 'dequantize' ||
      dq.attrs.blockSize ||
      g.values.get(q.inputs[0])!.dtype !== 'f32' ||
      g.values.get(dq.outputs[0])!.dtype !== 'f32'
    )
      continue;
    const [scale, zeroPoint] = [scalarConst(g, q.inputs[1]), zeroPointConst(g, q.inputs[2])];
    const same =
      scale !== null &&
      zeroPoint !== null &&
      scale > 0 &&
      scalarConst(g, dq.inputs[1]) === scale &&
      zeroPointConst(g, dq.inputs[2]) === zeroPoint;
    if (!same) continue;
    const [qmin, qmax] = range;
    const intoEpilogue =
      p &&
      PRODUCERS.has(p.op) &&
      p.outputs.length === 1 &&
      !p.epilogue?.fakeQuant &&
      ix.soleConsumer(q.inputs[0]) === q;
    if (!intoEpilogue) {
      q.attrs = { ...q.attrs, fake: true };
      g.values.delete(q.outputs[0]);
      q.outputs = [...dq.outputs];
      q.origin.push(...dq.origin);
      removeNode(g, dq);
      fused++;
      continue;
    }
    p.epilogue = { ...(p.epilogue ?? { act: 'none', alpha: 0, beta: 0 }), fakeQuant: { scale, zeroPoint, qmin, qmax } };
    g.values.delete(q.inputs[0]);
    g.values.delete(q.outputs[0]);
    p.outputs = [...dq.outputs];
    p.origin.push(...q.origin, ...dq.origin);
    removeNode(g, q);
    removeNode(g, dq);
    fused++;
  }
  return fused;
}
