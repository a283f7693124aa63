// Small graph-editing helpers shared by the passes.
import { sizeOf } from '../../core/shape.js';
import { floatValues } from '../../core/tensor.js';
import type { Graph, Node, NodeOf, Value } from '../graph.js';
import type { GraphIndex } from '../graph-index.js';

export function replaceUses(g: Graph, from: string, to: string): void {
  for (const n of g.nodes) {
    n.inputs = n.inputs.map((i) => (i === from ? to : i));
    if (n.epilogue?.scale === from) n.epilogue.scale = to;
    if (n.epilogue?.bias === from) n.epilogue.bias = to;
    if (n.epilogue?.residual === from) n.epilogue.residual = to;
  }
}

/** A constant float scalar value (any shape with one element; f16 widened), or null. */
export function scalarConst(g: Graph, name: string): number | null {
  const v = g.values.get(name);
  if (!v?.data || sizeOf(v.shape) !== 1) return null;
  return floatValues(v.data)?.[0] ?? null;
}

/** Per-channel constant for an NCHW output with `channels` channels (shape [C,1,1], [1,C,1,1], scalar...). */
export function channelConst(g: Graph, name: string, outShape: number[], channels: number): Float32Array | null {
  const v = g.values.get(name);
  const data = v?.data ? floatValues(v.data) : null;
  if (!v || !data) return null;
  const s = v.shape;
  const n = sizeOf(s);
  if (n === 1) return new Float32Array(channels).fill(data[0]);
  // must broadcast only along axis 1 of the output
  const r = outShape.length;
  if (s.length > r || n !== channels) return null;
  const aligned = [...new Array<number>(r - s.length).fill(1), ...s];
  if (aligned.some((d, i) => (i === 1 ? d !== channels : d !== 1))) return null;
  return data.slice();
}

export function removeNode(g: Graph, node: Node): void {
  g.nodes.splice(g.nodes.indexOf(node), 1);
}

/** An integer constant's values (int8 sign-extended). */
export function intValues(v: Value): Int32Array {
  const d = v.data!.data as ArrayLike<number>;
  return v.dtype === 'i8' ? Int32Array.from(d, (x) => (x << 24) >> 24) : Int32Array.from(d);
}

/** A constant per-tensor zero point (0 when absent); null when it is not one. */
export function zeroPointConst(g: Graph, name: string | undefined): number | null {
  if (!name) return 0;
  const v = g.values.get(name);
  if (!v?.data || sizeOf(v.shape) !== 1) return null;
  return intValues(v)[0];
}

/**
 * `name` as DequantizeLinear(int8 constant, f32 constant scale[, zero point all 0]), not blocked: the
 * weights that conv kernels can read packed (dequantize folding, the int8 deconv rewrite). Null otherwise.
 */
export function symmetricInt8(
  g: Graph,
  ix: GraphIndex,
  name: string,
): { dq: NodeOf<'dequantize'>; q: Value; scale: Value } | null {
  const dq = ix.producer(name);
  if (dq?.op !== 'dequantize' || dq.attrs.blockSize) return null;
  const [q, scale, zp] = dq.inputs.map((i) => (i ? g.values.get(i) : undefined));
  if (!q?.data || q.dtype !== 'i8' || !scale?.data || scale.dtype !== 'f32') return null;
  if (dq.inputs[2] && (!zp?.data || intValues(zp).some((z) => z !== 0))) return null;
  return { dq, q, scale };
}

/** `name` as Cast-to-f32 of an f16 constant (fp16 weights): the cast and the f16 value, or null. */
export function castFromHalf(g: Graph, ix: GraphIndex, name: string): { cast: NodeOf<'cast'>; h: Value } | null {
  const cast = ix.producer(name);
  if (cast?.op !== 'cast' || cast.attrs.to !== 'f32') return null;
  const h = g.values.get(cast.inputs[0]);
  return h?.data && h.dtype === 'f16' ? { cast, h } : null;
}
