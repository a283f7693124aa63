// Weight quantization: int8 per output channel (symmetric, DequantizeLinear with axis), int4 blockwise
// for MatMul (com.microsoft MatMulNBits, 4-bit, block_size), and fp16 storage (Cast to float).
import type { HostTensor } from '../core/tensor.js';
import type { OnnxModel, OnnxNode } from '../onnx/proto.js';
import { int64 } from '../onnx/proto.js';
import { Constants, DT, attr, floatTensor, makeNode, readers, setOpset, tensorProto } from './onnx-edit.js';
import { f32ToF16 } from '../core/dtype.js';

export type WeightMode = 'int8' | 'int4' | 'fp16';

export interface WeightReport {
  tensor: string;
  node: string;
  format: string;
  bytesBefore: number;
  bytesAfter: number;
}

/** Which input of a node is its weight, and along which axis its output channels run. */
export function weightSlot(n: OnnxNode, consts: Constants): { input: number; axis: number } | null {
  const int = (name: string, def: number) => {
    const a = n.attribute.find((x) => x.name === name);
    return a ? int64(a.i) : def;
  };
  switch (n.opType) {
    case 'Conv':
      return consts.has(n.input[1]) ? { input: 1, axis: 0 } : null;
    case 'ConvTranspose':
      return consts.has(n.input[1]) && int('group', 1) === 1 ? { input: 1, axis: 1 } : null;
    case 'MatMul':
      return consts.has(n.input[1]) ? { input: 1, axis: 1 } : null;
    case 'Gemm':
      return consts.has(n.input[1]) ? { input: 1, axis: int('transB', 0) ? 0 : 1 } : null;
    default:
      return null;
  }
}

/** The smallest power of two >= s: dequantized values then are exact binary fractions (see --scales pow2). */
export const pow2Ceil = (s: number): number => 2 ** Math.ceil(Math.log2(s));

/**
 * Symmetric int8 per channel along `axis`: q = round(w / s), s = max|w| / 127 (rounded up to a power of two with
 * pow2). With `rescale` (pow2 only) q keeps the full grid of max|w| / 127 and the stored scale is that rounded up to
 * a power of two: dequantized weights are w / mantissa, and `mantissa` (in (0.5, 1]) is multiplied back after the
 * layer.
 */
export function quantizeInt8(
  w: HostTensor,
  axis: number,
  pow2 = false,
  rescale = false,
): { q: Int8Array; scale: Float32Array; mantissa?: Float32Array } {
  const dims = w.shape;
  const ch = dims[axis];
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const data = w.data as Float32Array;
  const maxAbs = new Float32Array(ch);
  for (let i = 0; i < data.length; i++) {
    const c = Math.floor(i / inner) % ch;
    maxAbs[c] = Math.max(maxAbs[c], Math.abs(data[i]));
  }
  const grid = maxAbs.map((m) => (m > 0 ? m / 127 : 1));
  const scale = pow2 ? grid.map(pow2Ceil) : grid;
  const q = new Int8Array(data.length);
  const step = pow2 && rescale ? grid : scale;
  for (let i = 0; i < data.length; i++) {
    const c = Math.floor(i / inner) % ch;
    q[i] = Math.max(-127, Math.min(127, Math.round(data[i] / step[c])));
  }
  return pow2 && rescale ? { q, scale, mantissa: grid.map((g, c) => g / scale[c]) } : { q, scale };
}

/** 4-bit blocks along K for B [K, N] in MatMulNBits layout [N, blocks, blockSize/2], zero point 8. */
export function quantizeInt4Blocks(
  w: HostTensor,
  blockSize: number,
): { packed: Uint8Array; scales: Float32Array; blocks: number } {
  const [K, N] = w.shape;
  const data = w.data as Float32Array;
  const blocks = Math.ceil(K / blockSize);
  const packed = new Uint8Array(N * blocks * (blockSize / 2));
  const scales = new Float32Array(N * blocks);
  for (let n = 0; n < N; n++)
    for (let b = 0; b < blocks; b++) {
      let m = 0;
      for (let k = b * blockSize; k < Math.min(K, (b + 1) * blockSize); k++) m = Math.max(m, Math.abs(data[k * N + n]));
      const s = m > 0 ? m / 7 : 1;
      scales[n * blocks + b] = s;
      for (let j = 0; j < blockSize; j++) {
        const k = b * blockSize + j;
        const q = k < K ? Math.max(-8, Math.min(7, Math.round(data[k * N + n] / s))) + 8 : 8;
        packed[(n * blocks + b) * (blockSize / 2) + (j >> 1)] |= q << ((j & 1) * 4);
      }
    }
  return { packed, scales, blocks };
}

export function quantizeWeights(
  model: OnnxModel,
  mode: WeightMode,
  opts: { blockSize?: number; exclude?: Set<string>; pow2?: boolean; rescale?: boolean } = {},
): WeightReport[] {
  const consts = new Constants(model);
  const report: WeightReport[] = [];
  const done = new Map<string, string>();
  const mantissas = new Map<string, Float32Array>();
  const blockSize = opts.blockSize ?? 32;
  const nodes: OnnxNode[] = [];
  let usedMs = false;
  const rd = readers(model);
  for (const n of model.graph!.node) {
    const slot = opts.exclude?.has(n.name) ? null : weightSlot(n, consts);
    if (!slot) {
      nodes.push(n);
      continue;
    }
    const wName = n.input[slot.input];
    const w = consts.get(wName)!;
    if (w.dtype !== 'f32') {
      nodes.push(n);
      continue;
    }
    const before = w.data.byteLength;
    if (mode === 'int4' && n.opType === 'MatMul' && w.shape.length === 2 && (rd.get(wName)?.length ?? 0) === 1) {
      const [K, N] = w.shape;
      const { packed, scales, blocks } = quantizeInt4Blocks(w, blockSize);
      const bq = consts.add(tensorProto(`${wName}_q4`, [N, blocks, blockSize / 2], DT.UINT8, packed));
      const sc = consts.add(floatTensor(`${wName}_scales`, [N * blocks], scales));
      nodes.push(
        makeNode(
          'MatMulNBits',
          [n.input[0], bq, sc],
          n.output,
          n.name,
          [attr('K', K), attr('N', N), attr('bits', 4), attr('block_size', blockSize)],
          'com.microsoft',
        ),
      );
      usedMs = true;
      report.push({
        tensor: wName,
        node: n.name,
        format: `int4 blocks of ${blockSize}`,
        bytesBefore: before,
        bytesAfter: packed.byteLength + scales.byteLength,
      });
      continue;
    }
    let q = done.get(wName);
    if (!q) {
      if (mode === 'fp16') {
        const h = Uint16Array.from(w.data as Float32Array, f32ToF16);
        const t = consts.add(tensorProto(`${wName}_fp16`, w.shape, DT.FLOAT16, new Uint8Array(h.buffer)));
        q = `${wName}_f32`;
        nodes.push(makeNode('Cast', [t], [q], `${wName}_cast`, [attr('to', DT.FLOAT)]));
        report.push({ tensor: wName, node: n.name, format: 'fp16', bytesBefore: before, bytesAfter: h.byteLength });
      } else {
        // Gemm's bias C may broadcast any way: only conv and matmul outputs get the mantissa multiplied back
        const rescale = !!opts.rescale && n.opType !== 'Gemm';
        const { q: qi, scale, mantissa } = quantizeInt8(w, slot.axis, opts.pow2, rescale);
        if (mantissa && mantissa.some((m) => m !== 1)) mantissas.set(wName, mantissa);
        const t = consts.add(tensorProto(`${wName}_int8`, w.shape, DT.INT8, new Uint8Array(qi.buffer)));
        const s = consts.add(floatTensor(`${wName}_scale`, [scale.length], scale));
        q = `${wName}_dq`;
        nodes.push(makeNode('DequantizeLinear', [t, s], [q], `${wName}_dequantize`, [attr('axis', slot.axis)]));
        report.push({
          tensor: wName,
          node: n.name,
          format: 'int8 per channel',
          bytesBefore: before,
          bytesAfter: qi.byteLength + scale.byteLength,
        });
      }
      done.set(wName, q);
    }
    n.input[slot.input] = q;
    nodes.push(n);
    const m = mantissas.get(wName);
    if (m) nodes.push(...rescaleOutput(n, m, w.shape.length, consts));
  }
  model.graph!.node = nodes;
  if (usedMs) setOpset(model, 'com.microsoft', 1);
  return report;
}

/**
 * The layer computed with weights w / m (m per output channel) gives y / m: a Mul by m after it restores y, and the
 * conv's bias moves after that Mul, so every engine rounds exact sum * m, then + bias (see activations.ts).
 */
function rescaleOutput(n: OnnxNode, m: Float32Array, weightRank: number, consts: Constants): OnnxNode[] {
  const conv = n.opType === 'Conv' || n.opType === 'ConvTranspose';
  // conv outputs are [N, C, spatial...]: m as [C, 1, ...]; matmul outputs [..., N]: m as [N]
  const dims = conv ? [m.length, ...Array<number>(weightRank - 2).fill(1)] : [m.length];
  const y = n.output[0];
  n.output[0] = `${y}_pow2`;
  const mName = consts.add(floatTensor(`${n.name}_weight_mantissa`, dims, m));
  const bias = conv && n.input[2] ? consts.get(n.input[2]) : undefined;
  if (!bias) return [makeNode('Mul', [n.output[0], mName], [y], `${n.name}_rescale`)];
  const bName = consts.add(floatTensor(`${n.input[2]}_${n.name}_after_rescale`, dims, bias.data as Float32Array));
  n.input = n.input.slice(0, 2);
  return [
    makeNode('Mul', [n.output[0], mName], [`${y}_rescaled`], `${n.name}_rescale`),
    makeNode('Add', [`${y}_rescaled`, bName], [y], `${n.name}_bias`),
  ];
}
