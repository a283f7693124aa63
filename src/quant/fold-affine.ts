// Folds what scales a conv's output channels (BatchNormalization; Mul/Add/Sub/Div by a scalar or
// per-channel constant) into the conv's float weights and bias before quantization, as quantization
// tools do: the weights are then quantized with the affine included, and no float op stands between
// the conv's exact integer-valued sum and the next quantizer (where any engine may round differently).
import type { HostTensor } from '../core/tensor.js';
import { int64 } from '../onnx/proto.js';
import type { OnnxModel, OnnxNode } from '../onnx/proto.js';
import { Constants, floatTensor, readers } from './onnx-edit.js';

/** Per-output-channel (mul, add) of node `n` reading `x` with `channels` channels, or null. */
function channelAffine(
  n: OnnxNode,
  x: string,
  channels: number,
  consts: Constants,
): { mul: Float64Array; add: Float64Array } | null {
  const mul = new Float64Array(channels).fill(1),
    add = new Float64Array(channels);
  if (n.opType === 'BatchNormalization') {
    if (n.input[0] !== x || n.output.length !== 1) return null;
    const p = n.input.slice(1, 5).map((i) => consts.get(i));
    if (p.some((t) => !t || t.dtype !== 'f32' || t.data.length !== channels)) return null;
    const [s, b, m, v] = p.map((t) => t!.data as Float32Array);
    const eps = n.attribute.find((a) => a.name === 'epsilon')?.f ?? 1e-5;
    for (let c = 0; c < channels; c++) {
      mul[c] = s[c] / Math.sqrt(v[c] + eps);
      add[c] = b[c] - m[c] * mul[c];
    }
    return { mul, add };
  }
  if (!['Mul', 'Add', 'Sub', 'Div'].includes(n.opType) || n.input.length !== 2) return null;
  const k = n.input[0] === x ? 1 : 0;
  if (n.input[1 - k] !== x || ((n.opType === 'Sub' || n.opType === 'Div') && k === 0)) return null;
  const t = consts.get(n.input[k]);
  const per = t && t.dtype === 'f32' ? channelValues(t, channels) : null;
  if (!per) return null;
  for (let c = 0; c < channels; c++) {
    if (n.opType === 'Mul') mul[c] = per[c];
    else if (n.opType === 'Div') mul[c] = 1 / per[c];
    else if (n.opType === 'Add') add[c] = per[c];
    else add[c] = -per[c];
  }
  return { mul, add };
}

/** A scalar or a [C], [C,1,1] or [1,C,1,1] constant as one value per channel. */
function channelValues(t: HostTensor, channels: number): Float32Array | null {
  const d = t.data as Float32Array;
  if (d.length === 1) return new Float32Array(channels).fill(d[0]);
  const dims = t.shape.filter((x) => x !== 1);
  if (d.length !== channels || dims.length !== 1) return null;
  const rank = t.shape.length;
  const axis = t.shape.indexOf(channels);
  // NCHW broadcasting: the channel axis sits third from the end of a 4-D output
  if (!(rank === 1 ? false : rank - axis === 3)) return null;
  return d;
}

/** Rewrites conv -> affine chains into the conv; returns how many affine nodes were folded. */
export function foldConvAffine(model: OnnxModel): number {
  let folded = 0;
  for (let again = true; again;) {
    again = false;
    const consts = new Constants(model);
    const rd = readers(model);
    const graphOutputs = new Set(model.graph!.output.map((o) => o.name));
    for (const conv of model.graph!.node) {
      if (conv.opType !== 'Conv' && conv.opType !== 'ConvTranspose') continue;
      const group = int64(conv.attribute.find((a) => a.name === 'group')?.i ?? 1);
      const w = consts.get(conv.input[1]);
      if (!w || w.dtype !== 'f32' || w.shape.length !== 4 || (conv.opType === 'ConvTranspose' && group !== 1)) continue;
      const y = conv.output[0];
      const users = rd.get(y) ?? [];
      if (users.length !== 1 || graphOutputs.has(y)) continue;
      const oc = conv.opType === 'Conv' ? w.shape[0] : w.shape[1];
      const aff = channelAffine(users[0], y, oc, consts);
      if (!aff) continue;
      // weights and bias must be constants only this conv reads (a runtime bias stays as it is)
      const bias0 = conv.input[2] ? consts.get(conv.input[2]) : undefined;
      if (
        (rd.get(conv.input[1])?.length ?? 0) !== 1 ||
        (conv.input[2] && (!bias0 || bias0.dtype !== 'f32' || (rd.get(conv.input[2])?.length ?? 0) !== 1))
      )
        continue;
      const wd = Float32Array.from(w.data as Float32Array);
      const inner = w.shape[2] * w.shape[3];
      for (let i = 0; i < wd.length; i++) {
        const c = conv.opType === 'Conv' ? Math.floor(i / (w.shape[1] * inner)) : Math.floor(i / inner) % oc;
        wd[i] *= aff.mul[c];
      }
      const b0 = bias0 ? (bias0.data as Float32Array) : new Float32Array(oc);
      const bias = Float32Array.from(b0, (b, c) => b * aff.mul[c] + aff.add[c]);
      const tag = `${conv.name || y}_folded${folded}`;
      conv.input[1] = consts.add(floatTensor(`${tag}_w`, w.shape, wd));
      conv.input[2] = consts.add(floatTensor(`${tag}_b`, [oc], bias));
      conv.output[0] = users[0].output[0];
      model.graph!.node.splice(model.graph!.node.indexOf(users[0]), 1);
      folded++;
      again = true;
      break;
    }
  }
  return folded;
}
