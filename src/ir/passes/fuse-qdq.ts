// QDQ chains onto integer kernels: DQ(x_q) -> conv/matmul(DQ(w int8 const)) [+ bias, relu/clip] -> Q
// becomes one qconv/qmatmul node reading the int8/uint8 activation, int8 weights packed along K, and
// writing int8/uint8 (exact i32 accumulation). Imported QLinearConv/QLinearMatMul requantize like
// onnxruntime's integer kernels; QDQ chains replay the float conv's bias add and QuantizeLinear's division
// (what onnxruntime computes for them), so both agree with it bit for bit on single layers. Anything that
// does not fit stays on the float path (dequantize + float kernel + quantize); explainQuantized says why.
import { sizeOf } from '../../core/shape.js';
import { hostTensor } from '../../core/tensor.js';
import type { Graph, Node, NodeOf, QLinearAttrs, Value } from '../graph.js';
import { packWeights, quantizeScalar, requantParams, transposeKN } from './qlinear-pack.js';
import { GraphIndex } from '../graph-index.js';
import { intValues, zeroPointConst } from './util.js';

const FUSES_BUT_OPT_IN =
  'fuses (the fuseQdq pass is opt-in: --pass fuseQdq; it also needs packed_4x8_integer_dot_product)';

const RANGES = { i8: [-128, 127], u8: [0, 255] } as const;

interface Match {
  conv: NodeOf<'conv' | 'matmul'>;
  xq: string;
  wdq: NodeOf<'dequantize'>;
  q: NodeOf<'quantize'>;
  xDq: NodeOf<'dequantize'>;
}

const f32At = (v: Value | undefined): Float32Array | null =>
  v?.data && v.dtype === 'f32' ? (v.data.data as Float32Array) : null;

/** The QDQ chain around a conv/matmul, or why it stays on the float path. */
export function matchQdq(g: Graph, n: NodeOf<'conv' | 'matmul'>, ix: GraphIndex = new GraphIndex(g)): Match | string {
  const isConv = n.op === 'conv';
  if (isConv && (g.values.get(n.inputs[1])?.shape.length ?? 0) !== 4) return 'not a 2-D conv';
  if (!isConv && (n.attrs.transA || n.attrs.alpha !== 1)) return 'transposed A or alpha != 1';
  const xDq = ix.producer(n.inputs[0]);
  if (xDq?.op !== 'dequantize') return 'activation is float (no DequantizeLinear before it)';
  const xq = g.values.get(xDq.inputs[0])!;
  if (xq.data || (xq.dtype !== 'i8' && xq.dtype !== 'u8'))
    return `activation is ${xq.data ? 'constant' : xq.dtype}, not runtime int8/uint8`;
  if (
    sizeOf(g.values.get(xDq.inputs[1])!.shape) !== 1 ||
    !f32At(g.values.get(xDq.inputs[1])) ||
    zeroPointConst(g, xDq.inputs[2]) === null
  )
    return 'activation scale/zero point not per-tensor constants';
  const wdq = ix.producer(n.inputs[1]);
  if (wdq?.op !== 'dequantize') return 'weights are not DequantizeLinear(int8 constant)';
  const wq = g.values.get(wdq.inputs[0])!;
  if (!wq.data || wq.dtype !== 'i8') return `weights are ${wq.data ? wq.dtype : 'runtime'} (int8 constants only)`;
  if (wdq.attrs.blockSize) return 'blocked weight scales';
  const outAxis = isConv ? 0 : n.attrs.transB ? 0 : 1;
  const ws = g.values.get(wdq.inputs[1]);
  if (!f32At(ws) || (sizeOf(ws!.shape) !== 1 && wdq.attrs.axis !== outAxis))
    return 'weight scale is not per tensor or per output channel';
  if (wdq.inputs[2] && intValues(g.values.get(wdq.inputs[2])!).some((z) => z !== 0)) return 'nonzero weight zero point';
  if (!isConv && wq.shape.length !== 2) return 'batched weights';
  const e = n.epilogue;
  if (e?.residual) return 'residual add in the epilogue';
  if (e?.scale) return 'per-channel scale in the epilogue';
  if (e && !['none', 'relu', 'clip'].includes(e.act)) return `activation ${e.act} has no integer epilogue`;
  if ((e?.postScale ?? 1) !== 1 || (e?.postShift ?? 0) !== 0) return 'scalar affine after the activation';
  if (e?.bias && !f32At(g.values.get(e.bias))) return 'non-constant bias';
  const y = n.outputs[0];
  const q = ix.soleConsumer(y);
  if (!q || q.op !== 'quantize') return 'output is not read by one QuantizeLinear only';
  const qs = g.values.get(q.inputs[1]);
  if (!f32At(qs) || sizeOf(qs!.shape) !== 1 || zeroPointConst(g, q.inputs[2]) === null || q.attrs.blockSize)
    return 'output scale/zero point not per-tensor constants';
  if (q.attrs.to !== 'i8' && q.attrs.to !== 'u8') return `output type ${q.attrs.to}`;
  return { conv: n, xq: xDq.inputs[0], wdq, q, xDq };
}

let counter = 0;
function addConst(g: Graph, base: string, v: Omit<Value, 'name'>): string {
  const name = `${base}#${counter++}`;
  g.values.set(name, { name, ...v });
  return name;
}

function rewrite(g: Graph, m: Match): Node {
  const { conv: n, wdq, q, xDq } = m;
  const isConv = n.op === 'conv';
  const xdt = g.values.get(m.xq)!.dtype;
  const sx = f32At(g.values.get(xDq.inputs[1]))![0];
  const xZero = zeroPointConst(g, xDq.inputs[2])!;
  const xOffset = xdt === 'u8' ? 128 : 0;
  const wv = g.values.get(wdq.inputs[0])!;
  let w = intValues(wv);
  let oc: number, cg: number, taps: number;
  if (isConv) [oc, cg, taps] = [wv.shape[0], wv.shape[1], wv.shape[2] * wv.shape[3]];
  else {
    const [k, nn] = n.attrs.transB ? [wv.shape[1], wv.shape[0]] : wv.shape;
    if (!n.attrs.transB) w = transposeKN(w, k, nn);
    [oc, cg, taps] = [nn, k, 1];
  }
  const { packed, sums } = packWeights(w, oc, cg, taps);
  const to = q.attrs.to === 'u8' ? 'u8' : 'i8';
  const sy = f32At(g.values.get(q.inputs[1]))![0];
  const yZero = zeroPointConst(g, q.inputs[2])!;
  let [qmin, qmax]: number[] = [...RANGES[to]];
  const e = n.epilogue;
  const biasF = e?.bias ? f32At(g.values.get(e.bias)) : null;
  const r = requantParams(
    sx,
    f32At(g.values.get(wdq.inputs[1]))!,
    sy,
    biasF,
    sums,
    xOffset,
    xZero,
    !!q.attrs.integerRequant,
  );
  // Q(relu(v)) = max(Q(v), Q(0)) and Q(clip(v)) = clamp(Q(v), Q(lo), Q(hi)): quantization is monotonic
  if (e?.act === 'relu') qmin = Math.max(qmin, yZero);
  if (e?.act === 'clip') {
    qmin = Math.max(qmin, quantizeScalar(e.alpha, sy, yZero, qmin, qmax));
    qmax = Math.min(qmax, quantizeScalar(e.beta, sy, yZero, qmin, qmax));
  }
  const c4 = Math.ceil(cg / 4);
  const attrs: QLinearAttrs = {
    xZero,
    xOffset,
    yZero,
    yDiv: r.yDiv,
    qmin,
    qmax,
    to,
    wShape: isConv ? [...wv.shape] : [cg, oc],
    conv: isConv
      ? { strides: n.attrs.strides, pads: n.attrs.pads, dilations: n.attrs.dilations, group: n.attrs.group }
      : undefined,
  };
  const inputs = [
    m.xq,
    addConst(g, `${wdq.inputs[0]}#packed`, {
      shape: [oc, taps * c4],
      dtype: 'u32',
      data: hostTensor('u32', [oc, taps * c4], packed),
    }),
    addConst(g, `${n.name}#qbias`, { shape: [oc], dtype: 'i32', data: hostTensor('i32', [oc], r.bias) }),
    addConst(g, `${n.name}#requant`, { shape: [2, oc], dtype: 'f32', data: hostTensor('f32', [2, oc], r.requant) }),
  ];
  return {
    name: `${n.name}#int8`,
    op: isConv ? 'qconv' : 'qmatmul',
    attrs,
    inputs,
    outputs: [...q.outputs],
    origin: [...xDq.origin, ...n.origin, ...q.origin],
  };
}

/** The pass: rewrites every matching chain; the dequantize nodes left unread are removed by deadNodes. */
export function fuseQdq(g: Graph, keep: Set<string>): number {
  let fused = 0;
  const ix = new GraphIndex(g, keep);
  for (const n of [...g.nodes]) {
    if (n.op !== 'conv' && n.op !== 'matmul') continue;
    if (keep.has(n.outputs[0])) continue;
    const m = matchQdq(g, n, ix);
    if (typeof m === 'string') continue;
    const node = rewrite(g, m);
    g.nodes.splice(g.nodes.indexOf(n), 1, node);
    g.nodes.splice(g.nodes.indexOf(m.q), 1);
    g.values.delete(n.outputs[0]);
    fused++;
  }
  return fused;
}

/** For `kestrel inspect`: how each quantized conv/matmul runs (integer kernel, or float and why). */
export function explainQuantized(g: Graph): { node: string; path: string }[] {
  const ix = new GraphIndex(g);
  const out: { node: string; path: string }[] = [];
  for (const n of g.nodes) {
    if (n.op === 'qconv' || n.op === 'qmatmul') {
      out.push({
        node: n.name,
        path:
          `integer kernel (${n.op}: int8 weights packed along K, exact i32 accumulation, requantized to ` +
          `${n.attrs.to})`,
      });
      continue;
    }
    if (n.op !== 'conv' && n.op !== 'matmul') continue;
    if (g.values.get(n.inputs[1])?.dtype === 'i8') {
      out.push({
        node: n.name,
        path: 'float kernel on int8 weights (dequantize folded: decoded in registers, scale in the epilogue)',
      });
      continue;
    }
    if (![n.inputs[0], n.inputs[1]].some((i) => ix.producer(i)?.op === 'dequantize')) continue;
    const m = matchQdq(g, n, ix);
    out.push({
      node: n.name,
      path: `float fallback: ${typeof m === 'string' ? m : FUSES_BUT_OPT_IN}`,
    });
  }
  return out;
}
