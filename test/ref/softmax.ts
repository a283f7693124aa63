// CPU reference for softmax / log-softmax along one axis, in float64 with the max subtracted.
import type { HostTensor } from '../../src/core/tensor.js';

export function softmaxRef(x: HostTensor, axis: number, log = false): Float64Array {
  const shape = x.shape;
  const ax = axis < 0 ? axis + shape.length : axis;
  const outer = shape.slice(0, ax).reduce((p, q) => p * q, 1);
  const len = shape[ax];
  const inner = shape.slice(ax + 1).reduce((p, q) => p * q, 1);
  const out = new Float64Array(outer * len * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = (r: number) => (o * len + r) * inner + i;
      let max = -Infinity;
      for (let r = 0; r < len; r++) max = Math.max(max, Number(x.data[at(r)]));
      let sum = 0;
      for (let r = 0; r < len; r++) sum += Math.exp(Number(x.data[at(r)]) - max);
      for (let r = 0; r < len; r++) {
        const v = Number(x.data[at(r)]) - max;
        out[at(r)] = log ? v - Math.log(sum) : Math.exp(v) / sum;
      }
    }
  }
  return out;
}
