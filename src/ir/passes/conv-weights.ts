// Rewrites a conv's constant weights/bias so that y' = y * mul[c] + add[c] per output channel. f16
// constants are computed in f32 and written back as f16 (the conv's tensors must keep one float type).
import { sizeOf } from '../../core/shape.js';
import { floatTensor, floatValues } from '../../core/tensor.js';
import type { Graph, NodeOf } from '../graph.js';

type ConvNode = NodeOf<'conv' | 'convTranspose'>;

let counter = 0;
const isPow2 = (v: number) => v !== 0 && Number.isInteger(Math.log2(Math.abs(v)));

export function scaleConvChannels(g: Graph, conv: ConvNode, mul: Float32Array, add: Float32Array): boolean {
  const w = g.values.get(conv.inputs[1]);
  if (w && !w.data && (w.dtype === 'f32' || w.dtype === 'f16'))
    return scaleQuantizedConv(g, conv, mul, add) || scaleInEpilogue(g, conv, mul, add);
  const src = w?.data ? floatValues(w.data) : null;
  if (!w || !src) return false;
  const ws = w.shape;
  const transposed = conv.op === 'convTranspose';
  const group = conv.attrs.group;
  const oc = transposed ? ws[1] * group : ws[0];
  if (mul.length !== oc) return false;
  const dst = new Float32Array(src.length);
  const k = ws[2] * ws[3];
  if (!transposed) {
    const per = src.length / oc;
    for (let o = 0; o < oc; o++) for (let i = 0; i < per; i++) dst[o * per + i] = src[o * per + i] * mul[o];
  } else {
    // weight [C, OC/g, KH, KW]: output channel = group(c) * OC/g + j
    const ocg = ws[1];
    const cg = ws[0] / group;
    for (let c = 0; c < ws[0]; c++)
      for (let j = 0; j < ocg; j++) {
        const o = Math.floor(c / cg) * ocg + j;
        for (let t = 0; t < k; t++) dst[(c * ocg + j) * k + t] = src[(c * ocg + j) * k + t] * mul[o];
      }
  }
  const id = counter++;
  const wName = `${w.name}#folded${id}`;
  g.values.set(wName, { name: wName, shape: [...ws], dtype: w.dtype, data: floatTensor(w.dtype, ws, dst) });
  conv.inputs = [conv.inputs[0], wName, ...conv.inputs.slice(2)];
  setBias(g, conv, oc, mul, add, id);
  return true;
}

/** bias' = bias * mul + add, as a new constant (of the conv output's float type) in the conv's epilogue. */
function setBias(g: Graph, conv: ConvNode, oc: number, mul: Float32Array, add: Float32Array, id: number): void {
  const old = conv.epilogue?.bias ? g.values.get(conv.epilogue.bias)?.data : undefined;
  const oldBias = old ? floatValues(old) : null;
  const bias = new Float32Array(oc);
  for (let o = 0; o < oc; o++) bias[o] = (oldBias ? oldBias[o] : 0) * mul[o] + add[o];
  const bName = `${conv.name}#bias${id}`;
  const dtype = g.values.get(conv.outputs[0])?.dtype === 'f16' ? 'f16' : 'f32';
  g.values.set(bName, { name: bName, shape: [oc], dtype, data: floatTensor(dtype, [oc], bias) });
  conv.epilogue = { ...(conv.epilogue ?? { act: 'none', alpha: 0, beta: 0 }), bias: bName };
}

/**
 * Quantized weights (a dequantize node feeding the conv): fold the per-channel scale into the dequantize
 * scale instead, so the weights stay int8 in GPU memory.
 */
function scaleQuantizedConv(g: Graph, conv: ConvNode, mul: Float32Array, add: Float32Array): boolean {
  // output channels run along axis 0 of a conv's weight, axis 1 of a (single-group) conv-transpose's
  const ocAxis = conv.op === 'conv' ? 0 : conv.op === 'convTranspose' && conv.attrs.group === 1 ? 1 : -1;
  if (ocAxis < 0) return false;
  const dq = g.nodes.find((n): n is NodeOf<'dequantize'> => n.op === 'dequantize' && n.outputs[0] === conv.inputs[1]);
  if (!dq || g.nodes.some((n) => n !== conv && n.inputs.includes(conv.inputs[1]))) return false;
  const scale = g.values.get(dq.inputs[1]);
  const oc = g.values.get(conv.inputs[1])!.shape[ocAxis];
  const sv = scale?.data ? floatValues(scale.data) : null;
  if (!scale || !sv || mul.length !== oc || dq.attrs.blockSize) return false;
  // power-of-two weight scales make the conv's sums exact (kestrel quantize --scales pow2): a multiplier that is
  // not a power of two is applied to the finished sum in the epilogue instead, as onnxruntime rounds it
  if (sv.every(isPow2) && !mul.every(isPow2)) return false;
  const perTensor = sv.length === 1 || dq.attrs.axis < 0;
  if (!perTensor && dq.attrs.axis !== ocAxis) return false;
  // a per-tensor zero point would have to become per-channel along with the scale
  const zp = dq.inputs[2] ? g.values.get(dq.inputs[2]) : undefined;
  if (perTensor && zp && sizeOf(zp.shape) !== oc) return false;
  const id = counter++;
  const sName = `${scale.name}#scaled${id}`;
  const scaled = Float32Array.from(mul, (m, o) => m * sv[perTensor ? 0 : o]);
  g.values.set(sName, { name: sName, shape: [oc], dtype: scale.dtype, data: floatTensor(scale.dtype, [oc], scaled) });
  dq.inputs = [dq.inputs[0], sName, ...dq.inputs.slice(2)];
  dq.attrs = { ...dq.attrs, axis: ocAxis };
  setBias(g, conv, oc, mul, add, id);
  return true;
}

/**
 * Weights computed at run time (f16 weights behind a widening Cast, kept half size): the per-channel scale
 * goes to the epilogue (acc * scale + bias), so a batch norm still fuses and the activation after it too.
 */
function scaleInEpilogue(g: Graph, conv: ConvNode, mul: Float32Array, add: Float32Array): boolean {
  const e = conv.epilogue;
  if (
    conv.op !== 'conv' ||
    (e && (e.act !== 'none' || e.residual || e.postScale !== undefined || e.postShift !== undefined))
  )
    return false;
  const oc = g.values.get(conv.inputs[1])!.shape[0];
  if (mul.length !== oc) return false;
  const old = e?.scale ? g.values.get(e.scale)?.data : undefined;
  const oldScale = old ? floatValues(old) : null;
  const id = counter++;
  const sName = `${conv.name}#scale${id}`;
  const dtype = g.values.get(conv.outputs[0])?.dtype === 'f16' ? 'f16' : 'f32';
  g.values.set(sName, {
    name: sName,
    shape: [oc],
    dtype,
    data: floatTensor(
      dtype,
      [oc],
      Float32Array.from(mul, (m, o) => m * (oldScale ? oldScale[o] : 1)),
    ),
  });
  conv.epilogue = { ...(conv.epilogue ?? { act: 'none', alpha: 0, beta: 0 }), scale: sName };
  setBias(g, conv, oc, mul, add, id);
  return true;
}
