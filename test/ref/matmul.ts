// CPU reference for matmul: plain loops in float64, numpy batch broadcasting, transposes, alpha.
import type { HostTensor } from '../../src/core/tensor.js';

export interface MatmulRefOptions {
  transA?: boolean;
  transB?: boolean;
  alpha?: number;
  /** Per-column bias (length N), added before the activation. */
  bias?: ArrayLike<number>;
  act?: (x: number) => number;
  /** Same shape as the output, added after the activation. */
  residual?: ArrayLike<number>;
}

export function matmulRef(
  a: HostTensor,
  b: HostTensor,
  o: MatmulRefOptions = {},
): { shape: number[]; data: Float64Array } {
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = o.transA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = o.transA ? a.shape[ra - 2] : a.shape[ra - 1];
  const n = o.transB ? b.shape[rb - 2] : b.shape[rb - 1];
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const rank = Math.max(batchA.length, batchB.length);
  const batch: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = batchA[batchA.length - rank + i] ?? 1;
    const y = batchB[batchB.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new Error('batch dims do not broadcast');
    batch.push(x === 1 ? y : x);
  }
  const batches = batch.reduce((p, q) => p * q, 1);
  const out = new Float64Array(batches * m * n);
  const coords = new Array<number>(rank).fill(0);
  for (let bi = 0; bi < batches; bi++) {
    let rem = bi;
    for (let d = rank - 1; d >= 0; d--) {
      coords[d] = rem % batch[d];
      rem = Math.floor(rem / batch[d]);
    }
    const matIndex = (shape: number[]): number => {
      let idx = 0;
      for (let d = 0; d < shape.length; d++)
        idx = idx * shape[d] + (shape[d] === 1 ? 0 : coords[rank - shape.length + d]);
      return idx;
    };
    const aOff = matIndex(batchA) * m * k;
    const bOff = matIndex(batchB) * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          const av = Number(a.data[aOff + (o.transA ? p * m + i : i * k + p)]);
          const bv = Number(b.data[bOff + (o.transB ? j * k + p : p * n + j)]);
          s += av * bv;
        }
        const idx = (bi * m + i) * n + j;
        let v = s * (o.alpha ?? 1) + (o.bias ? Number(o.bias[j]) : 0);
        if (o.act) v = o.act(v);
        if (o.residual) v += Number(o.residual[idx]);
        out[idx] = v;
      }
    }
  }
  return { shape: [...batch, m, n], data: out };
}
