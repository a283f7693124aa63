// CPU references for layer normalization and inference batch normalization, in float64.
import type { HostTensor } from '../../src/core/tensor.js';

/** Normalizes over dims axis..rank-1; scale/bias are indexed modulo their size (suffix broadcasting). */
export function layerNormRef(
  x: HostTensor,
  scale: HostTensor,
  bias: HostTensor | null,
  axis: number,
  epsilon: number,
): Float64Array {
  const ax = axis < 0 ? axis + x.shape.length : axis;
  const len = x.shape.slice(ax).reduce((p, q) => p * q, 1);
  const rows = x.shape.slice(0, ax).reduce((p, q) => p * q, 1);
  const out = new Float64Array(rows * len);
  for (let r = 0; r < rows; r++) {
    let mean = 0;
    for (let i = 0; i < len; i++) mean += Number(x.data[r * len + i]);
    mean /= len;
    let variance = 0;
    for (let i = 0; i < len; i++) variance += (Number(x.data[r * len + i]) - mean) ** 2;
    variance /= len;
    const inv = 1 / Math.sqrt(variance + epsilon);
    for (let i = 0; i < len; i++) {
      const s = Number(scale.data[i % scale.data.length]);
      const b = bias ? Number(bias.data[i % bias.data.length]) : 0;
      out[r * len + i] = (Number(x.data[r * len + i]) - mean) * inv * s + b;
    }
  }
  return out;
}

/** x is [N, C, ...spatial]; the statistics are per channel. */
export function batchNormRef(
  x: HostTensor,
  scale: HostTensor,
  bias: HostTensor,
  mean: HostTensor,
  variance: HostTensor,
  epsilon: number,
): Float64Array {
  const c = x.shape[1];
  const spatial = x.shape.slice(2).reduce((p, q) => p * q, 1);
  const out = new Float64Array(x.data.length);
  for (let i = 0; i < out.length; i++) {
    const ch = Math.floor(i / spatial) % c;
    const v = (Number(x.data[i]) - Number(mean.data[ch])) / Math.sqrt(Number(variance.data[ch]) + epsilon);
    out[i] = v * Number(scale.data[ch]) + Number(bias.data[ch]);
  }
  return out;
}

/** Layer-norm test shapes shared by the f32 and f16 tests: [input shape, axis, scale/bias shape]. */
export const LN_CASES: [number[], number, number[]][] = [
  [[4, 1], -1, [1]],
  [[3, 7], -1, [7]],
  [[2, 5, 120], -1, [120]],
  [[40, 120], 1, [120]],
  [[1, 40, 120], -1, [1, 1, 120]],
  [[2, 3, 7, 9], 2, [7, 9]],
  [[2, 3, 7, 9], -2, [9]],
  [[5, 1000], -1, [1000]],
  [[300, 16], 1, [16]],
  [[2, 8, 33], 1, [8, 33]],
  [[1, 3000], -1, [3000]],
];
