// CPU references for reduce (every kind, any axes) and argMax/argMin, in float64 with plain loops.
import type { HostTensor } from '../../src/core/tensor.js';
import type { ReduceKind } from '../../src/ir/graph.js';

function coordsOf(i: number, shape: number[]): number[] {
  const c = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    c[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return c;
}

export function reduceRef(
  x: HostTensor,
  kind: ReduceKind,
  axes: number[],
  keepDims: boolean,
): { shape: number[]; data: Float64Array } {
  const shape = x.shape;
  const outFull = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const count = outFull.reduce((p, q) => p * q, 1);
  const groups: number[][] = Array.from({ length: count }, () => []);
  for (let i = 0; i < x.data.length; i++) {
    const c = coordsOf(i, shape);
    let o = 0;
    for (let d = 0; d < shape.length; d++) o = o * outFull[d] + (axes.includes(d) ? 0 : c[d]);
    groups[o].push(Number(x.data[i]));
  }
  const data = new Float64Array(count);
  groups.forEach((v, o) => {
    const sum = (f: (t: number) => number) => v.reduce((p, t) => p + f(t), 0);
    switch (kind) {
      case 'sum':
        data[o] = sum((t) => t);
        break;
      case 'mean':
        data[o] = sum((t) => t) / v.length;
        break;
      case 'max':
        data[o] = Math.max(...v);
        break;
      case 'min':
        data[o] = Math.min(...v);
        break;
      case 'prod':
        data[o] = v.reduce((p, t) => p * t, 1);
        break;
      case 'sumSquare':
        data[o] = sum((t) => t * t);
        break;
      case 'l1':
        data[o] = sum(Math.abs);
        break;
      case 'l2':
        data[o] = Math.sqrt(sum((t) => t * t));
        break;
      case 'logSum':
        data[o] = Math.log(sum((t) => t));
        break;
      case 'logSumExp': {
        const m = Math.max(...v);
        data[o] = m + Math.log(sum((t) => Math.exp(t - m)));
        break;
      }
    }
  });
  const outShape = keepDims ? outFull : shape.filter((_, i) => !axes.includes(i));
  return { shape: outShape, data };
}

export function argReduceRef(x: HostTensor, kind: 'max' | 'min', axis: number, selectLast: boolean): number[] {
  const ax = axis < 0 ? axis + x.shape.length : axis;
  const outer = x.shape.slice(0, ax).reduce((p, q) => p * q, 1);
  const len = x.shape[ax];
  const inner = x.shape.slice(ax + 1).reduce((p, q) => p * q, 1);
  const out: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let best = 0;
      for (let r = 1; r < len; r++) {
        const v = Number(x.data[(o * len + r) * inner + i]);
        const b = Number(x.data[(o * len + best) * inner + i]);
        const better = kind === 'max' ? v > b : v < b;
        if (better || (selectLast && v === b)) best = r;
      }
      out.push(best);
    }
  }
  return out;
}
