// A conv-transpose whose kernel equals its stride (no overlap, no padding) is a 1x1 conv to
// OC*KH*KW channels followed by a pixel shuffle: out[oc, y*KH+dy, x*KW+dx] = sum_c in[c, y, x] W[c, oc, dy, dx].
// The 1x1 GEMM is the fastest conv kernel, and the shuffle is one copy (pixel_shuffle.wgsl).
import { floatTensor, floatValues } from '../../core/tensor.js';
import type { Graph, Node } from '../graph.js';

let counter = 0;
const PIECEWISE_LINEAR = new Set(['none', 'relu', 'clip', 'hardSigmoid', 'hardSwish']);

export function deconvToConv(g: Graph, _keep: Set<string>): number {
  let rewritten = 0;
  for (const n of [...g.nodes]) {
    if (n.op !== 'convTranspose') continue;
    const a = n.attrs;
    const w = g.values.get(n.inputs[1]);
    const x = g.values.get(n.inputs[0])!;
    const src = w?.data ? floatValues(w.data) : null;
    if (!w || !src || n.epilogue?.residual) continue;
    const dtype = g.values.get(n.outputs[0])!.dtype;
    const [c, ocg, kh, kw] = w.shape;
    // up to 32 output channels (DBNet's head: 24 and 1): with the vec4 pixel shuffle, GEMM + shuffle take
    // 4 ms where the gather kernel took 8.8 (24 channels at 80x80 on lavapipe); wider ones are unmeasured
    if (ocg > 32) continue;
    if (a.group !== 1 || a.strides[0] !== kh || a.strides[1] !== kw || a.dilations.some((d: number) => d !== 1)
      || a.pads.some((p: number) => p !== 0) || a.outputPadding.some((p: number) => p !== 0)) continue;
    const [batch, , h, wd] = x.shape;
    const oc = ocg;
    const k = kh * kw;
    // W'[(o*KH + dy)*KW + dx, c] = W[c, o, dy, dx]
    const dst = new Float32Array(oc * k * c);
    for (let ci = 0; ci < c; ci++) for (let o = 0; o < oc; o++) for (let t = 0; t < k; t++) dst[(o * k + t) * c + ci] = src[(ci * oc + o) * k + t];
    const id = counter++;
    const wName = `${w.name}#as1x1_${id}`;
    g.values.set(wName, { name: wName, shape: [oc * k, c, 1, 1], dtype: w.dtype, data: floatTensor(w.dtype, [oc * k, c, 1, 1], dst) });
    let epilogue = n.epilogue;
    if (epilogue?.bias) {
      const bv = g.values.get(epilogue.bias)!;
      const b = floatValues(bv.data!)!;
      const bName = `${n.name}#bias_as1x1_${id}`;
      g.values.set(bName, { name: bName, shape: [oc * k], dtype: bv.dtype, data: floatTensor(bv.dtype, [oc * k], Float32Array.from({ length: oc * k }, (_, i) => b[Math.floor(i / k)])) });
      epilogue = { ...epilogue, bias: bName };
    }
    // an activation that is not piecewise-linear (DBNet's sigmoid) runs after the shuffle as its own small
    // elementwise step, so the GEMM shares the generic conv pipeline (a pipeline costs far more compile
    // time at the first dispatch than the extra pass costs per run)
    const late = epilogue && !PIECEWISE_LINEAR.has(epilogue.act) && epilogue.postScale === undefined && epilogue.postShift === undefined
      ? { act: epilogue.act, alpha: epilogue.alpha, beta: epilogue.beta } : null;
    if (late) epilogue = { ...epilogue!, act: 'none', alpha: 0, beta: 0 };
    const final = n.outputs[0];
    const out = late ? `${final}#preact${id}` : final;
    if (late) g.values.set(out, { name: out, shape: [batch, oc, h * kh, wd * kw], dtype });
    const mid = `${out}#phases${id}`, view = `${out}#view${id}`, shuffled = `${out}#shuffled${id}`;
    g.values.set(mid, { name: mid, shape: [batch, oc * k, h, wd], dtype });
    g.values.set(view, { name: view, shape: [batch, oc, kh, kw, h, wd], dtype });
    g.values.set(shuffled, { name: shuffled, shape: [batch, oc, h, kh, wd, kw], dtype });
    const conv: Node = { name: n.name, op: 'conv', attrs: { strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], group: 1 }, inputs: [n.inputs[0], wName], outputs: [mid], epilogue, origin: n.origin };
    const nodes: Node[] = [
      conv,
      { name: `${n.name}#view`, op: 'reshape', attrs: { shape: [batch, oc, kh, kw, h, wd] }, inputs: [mid], outputs: [view], origin: n.origin },
      { name: `${n.name}#shuffle`, op: 'transpose', attrs: { perm: [0, 1, 4, 2, 5, 3] }, inputs: [view], outputs: [shuffled], origin: n.origin },
      { name: `${n.name}#out`, op: 'reshape', attrs: { shape: [batch, oc, h * kh, wd * kw] }, inputs: [shuffled], outputs: [out], origin: n.origin },
      ...(late ? [{ name: `${n.name}#act`, op: 'unary' as const, attrs: late, inputs: [out], outputs: [final], origin: n.origin }] : []),
    ];
    g.nodes.splice(g.nodes.indexOf(n), 1, ...nodes);
    rewritten++;
  }
  return rewritten;
}
