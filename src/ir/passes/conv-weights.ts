// Rewrites a conv's constant weights/bias so that y' = y * mul[c] + add[c] per output channel.
import { hostTensor } from '../../core/tensor.js';
import type { Graph, Node } from '../graph.js';

let counter = 0;

export function scaleConvChannels(g: Graph, conv: Node, mul: Float32Array, add: Float32Array): boolean {
  const w = g.values.get(conv.inputs[1]);
  if (!w?.data || w.dtype !== 'f32') return false;
  const ws = w.shape;
  const transposed = conv.op === 'convTranspose';
  const group = conv.attrs.group as number;
  const oc = transposed ? ws[1] * group : ws[0];
  if (mul.length !== oc) return false;
  const src = w.data.data as Float32Array;
  const dst = new Float32Array(src.length);
  const k = ws[2] * ws[3];
  if (!transposed) {
    const per = src.length / oc;
    for (let o = 0; o < oc; o++) for (let i = 0; i < per; i++) dst[o * per + i] = src[o * per + i] * mul[o];
  } else {
    // weight [C, OC/g, KH, KW]: output channel = group(c) * OC/g + j
    const ocg = ws[1];
    const cg = ws[0] / group;
    for (let c = 0; c < ws[0]; c++) for (let j = 0; j < ocg; j++) {
      const o = Math.floor(c / cg) * ocg + j;
      for (let t = 0; t < k; t++) dst[(c * ocg + j) * k + t] = src[(c * ocg + j) * k + t] * mul[o];
    }
  }
  const oldBias = conv.epilogue?.bias ? (g.values.get(conv.epilogue.bias)?.data?.data as Float32Array | undefined) : undefined;
  const bias = new Float32Array(oc);
  for (let o = 0; o < oc; o++) bias[o] = (oldBias ? oldBias[o] : 0) * mul[o] + add[o];
  const id = counter++;
  const wName = `${w.name}#folded${id}`;
  const bName = `${conv.name}#bias${id}`;
  g.values.set(wName, { name: wName, shape: [...ws], dtype: 'f32', data: hostTensor('f32', ws, dst) });
  g.values.set(bName, { name: bName, shape: [oc], dtype: 'f32', data: hostTensor('f32', [oc], bias) });
  conv.inputs = [conv.inputs[0], wName, ...conv.inputs.slice(2)];
  conv.epilogue = { ...(conv.epilogue ?? { act: 'none', alpha: 0, beta: 0 }), bias: bName };
  return true;
}
