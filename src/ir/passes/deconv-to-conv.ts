// A conv-transpose whose kernel equals its stride (no overlap, no padding) is a 1x1 conv to
// OC*KH*KW channels followed by a pixel shuffle: out[oc, y*KH+dy, x*KW+dx] = sum_c in[c, y, x] W[c, oc, dy, dx].
// The 1x1 GEMM is the fastest conv kernel, and the shuffle is one copy (pixel_shuffle.wgsl).
import { floatTensor, floatValues } from '../../core/tensor.js';
import { type Graph, type Node, type Value, PIECEWISE_LINEAR_ACTS } from '../graph.js';
import { GraphIndex } from '../graph-index.js';
import { castFromHalf, symmetricInt8 } from './util.js';

let counter = 0;

export function deconvToConv(g: Graph, _keep: Set<string>): number {
  let rewritten = 0;
  for (const n of [...g.nodes]) {
    if (n.op !== 'convTranspose') continue;
    const a = n.attrs;
    const w = g.values.get(n.inputs[1]);
    const x = g.values.get(n.inputs[0])!;
    if (!w || n.epilogue?.residual) continue;
    const dtype = g.values.get(n.outputs[0])!.dtype;
    const [c, ocg, kh, kw] = w.shape;
    // up to 32 output channels (DBNet's head: 24 and 1): with the vec4 pixel shuffle, GEMM + shuffle take
    // 4 ms where the gather kernel took 8.8 (24 channels at 80x80 on lavapipe); wider ones are unmeasured
    if (ocg > 32) continue;
    if (
      a.group !== 1 ||
      a.strides[0] !== kh ||
      a.strides[1] !== kw ||
      a.dilations.some((d: number) => d !== 1) ||
      a.pads.some((p: number) => p !== 0) ||
      a.outputPadding.some((p: number) => p !== 0)
    )
      continue;
    const [batch, , h, wd] = x.shape;
    const oc = ocg;
    const k = kh * kw;
    const id = counter++;
    const wName = `${w.name}#as1x1_${id}`;
    const newNodes = w.data
      ? floatWeight(g, w, wName, c, oc, k)
      : (quantizedWeight(g, n, w, wName, c, oc, k) ?? halfWeight(g, n, w, wName, c, oc, k));
    if (!newNodes) continue;
    let epilogue = n.epilogue;
    // per-channel bias and scale repeat for each of the k phases along the new channel axis
    for (const field of ['bias', 'scale'] as const) {
      const name = epilogue?.[field];
      if (!name) continue;
      const bv = g.values.get(name)!;
      const b = floatValues(bv.data!)!;
      const bName = `${n.name}#${field}_as1x1_${id}`;
      g.values.set(bName, {
        name: bName,
        shape: [oc * k],
        dtype: bv.dtype,
        data: floatTensor(
          bv.dtype,
          [oc * k],
          Float32Array.from({ length: oc * k }, (_, i) => b[Math.floor(i / k)]),
        ),
      });
      epilogue = { ...epilogue!, [field]: bName };
    }
    // an activation that is not piecewise-linear (DBNet's sigmoid) runs after the shuffle as its own small
    // elementwise step, so the GEMM shares the generic conv pipeline (a pipeline costs far more compile
    // time at the first dispatch than the extra pass costs per run)
    const late =
      epilogue &&
      !PIECEWISE_LINEAR_ACTS.has(epilogue.act) &&
      epilogue.postScale === undefined &&
      epilogue.postShift === undefined
        ? { act: epilogue.act, alpha: epilogue.alpha, beta: epilogue.beta }
        : null;
    if (late) epilogue = { ...epilogue!, act: 'none', alpha: 0, beta: 0 };
    const final = n.outputs[0];
    const out = late ? `${final}#preact${id}` : final;
    if (late) g.values.set(out, { name: out, shape: [batch, oc, h * kh, wd * kw], dtype });
    const mid = `${out}#phases${id}`,
      view = `${out}#view${id}`,
      shuffled = `${out}#shuffled${id}`;
    g.values.set(mid, { name: mid, shape: [batch, oc * k, h, wd], dtype });
    g.values.set(view, { name: view, shape: [batch, oc, kh, kw, h, wd], dtype });
    g.values.set(shuffled, { name: shuffled, shape: [batch, oc, h, kh, wd, kw], dtype });
    const conv: Node = {
      name: n.name,
      op: 'conv',
      attrs: { strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], group: 1 },
      inputs: [n.inputs[0], wName],
      outputs: [mid],
      epilogue,
      origin: n.origin,
    };
    const nodes: Node[] = [
      ...newNodes,
      conv,
      {
        name: `${n.name}#view`,
        op: 'reshape',
        attrs: { shape: [batch, oc, kh, kw, h, wd] },
        inputs: [mid],
        outputs: [view],
        origin: n.origin,
      },
      {
        name: `${n.name}#shuffle`,
        op: 'transpose',
        attrs: { perm: [0, 1, 4, 2, 5, 3] },
        inputs: [view],
        outputs: [shuffled],
        origin: n.origin,
      },
      {
        name: `${n.name}#out`,
        op: 'reshape',
        attrs: { shape: [batch, oc, h * kh, wd * kw] },
        inputs: [shuffled],
        outputs: [out],
        origin: n.origin,
      },
      ...(late
        ? [
            {
              name: `${n.name}#act`,
              op: 'unary' as const,
              attrs: late,
              inputs: [out],
              outputs: [final],
              origin: n.origin,
            },
          ]
        : []),
    ];
    g.nodes.splice(g.nodes.indexOf(n), 1, ...nodes);
    rewritten++;
  }
  return rewritten;
}

/** W'[(o*KH + dy)*KW + dx, c] = W[c, o, dy, dx] for any element array. */
function permute<T extends { length: number; [i: number]: number }>(
  src: T,
  dst: T,
  c: number,
  oc: number,
  k: number,
): T {
  for (let ci = 0; ci < c; ci++)
    for (let o = 0; o < oc; o++) for (let t = 0; t < k; t++) dst[(o * k + t) * c + ci] = src[(ci * oc + o) * k + t];
  return dst;
}

/** A constant float weight, permuted into a new constant: no extra node. */
function floatWeight(g: Graph, w: Value, wName: string, c: number, oc: number, k: number): Node[] | null {
  const src = floatValues(w.data!);
  if (!src) return null;
  const shape = [oc * k, c, 1, 1];
  g.values.set(wName, {
    name: wName,
    shape,
    dtype: w.dtype,
    data: floatTensor(w.dtype, shape, permute(src, new Float32Array(src.length), c, oc, k)),
  });
  return [];
}

/** An f16 weight behind a Cast to f32 (fp16 weights): the halves are permuted and stay halves. */
function halfWeight(g: Graph, n: Node, w: Value, wName: string, c: number, oc: number, k: number): Node[] | null {
  const half = castFromHalf(g, new GraphIndex(g), w.name);
  if (!half) return null;
  const { cast, h } = half;
  const shape = [oc * k, c, 1, 1];
  const hName = `${h.name}#as1x1_${wName}`;
  const src = h.data!.data as Uint16Array;
  g.values.set(hName, {
    name: hName,
    shape,
    dtype: 'f16',
    data: { dtype: 'f16', shape, data: permute(src, new Uint16Array(src.length), c, oc, k) },
  });
  g.values.set(wName, { name: wName, shape, dtype: w.dtype });
  return [
    {
      name: `${n.name}#cast_as1x1`,
      op: 'cast',
      attrs: { to: 'f32' },
      inputs: [hName],
      outputs: [wName],
      origin: cast.origin,
    },
  ];
}

/**
 * An int8 weight behind a DequantizeLinear (per tensor, or per output channel: axis 1 of [C, OC, KH, KW]):
 * the int8 values are permuted and stay int8, the scales repeat per phase along the new axis 0.
 */
function quantizedWeight(g: Graph, n: Node, w: Value, wName: string, c: number, oc: number, k: number): Node[] | null {
  const int8 = symmetricInt8(g, new GraphIndex(g), w.name);
  if (!int8) return null;
  const { dq, q, scale } = int8;
  const sv = scale.data!.data as Float32Array;
  const perTensor = sv.length === 1;
  if (!perTensor && (dq.attrs.axis !== 1 || sv.length !== oc)) return null;
  const shape = [oc * k, c, 1, 1];
  const qName = `${q.name}#as1x1`,
    sName = `${scale.name}#as1x1`;
  const qData = q.data!.data as Int8Array;
  g.values.set(qName, {
    name: qName,
    shape,
    dtype: 'i8',
    data: { dtype: 'i8', shape, data: permute(qData, new Int8Array(qData.length), c, oc, k) },
  });
  const scales = perTensor
    ? Float32Array.from(sv)
    : Float32Array.from({ length: oc * k }, (_, i) => sv[Math.floor(i / k)]);
  g.values.set(sName, {
    name: sName,
    shape: perTensor ? [] : [oc * k],
    dtype: scale.dtype,
    data: floatTensor(scale.dtype, perTensor ? [] : [oc * k], scales),
  });
  g.values.set(wName, { name: wName, shape, dtype: w.dtype });
  return [
    {
      name: `${n.name}#dequantize_as1x1`,
      op: 'dequantize',
      attrs: { ...dq.attrs, axis: perTensor ? dq.attrs.axis : 0 },
      inputs: [qName, sName, ''],
      outputs: [wName],
      origin: dq.origin,
    },
  ];
}
