// CPU references for QuantizeLinear / DequantizeLinear (ONNX semantics, plain loops).

/** Index of the scale for element i of `shape`: per tensor (axis -1), per axis, or blocked along axis. */
export function scaleIndex(i: number, shape: number[], axis: number, blockSize: number): number {
  if (axis < 0) return 0;
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const dim = shape[axis];
  const a = Math.floor(i / inner) % dim;
  if (!blockSize) return a;
  const outer = Math.floor(i / (inner * dim));
  const nb = Math.ceil(dim / blockSize);
  return (outer * nb + Math.floor(a / blockSize)) * inner + (i % inner);
}

export function dequantizeRef(
  q: ArrayLike<number>,
  shape: number[],
  scale: ArrayLike<number>,
  zp: ArrayLike<number> | null,
  axis: number,
  blockSize = 0,
): Float64Array {
  const out = new Float64Array(q.length);
  for (let i = 0; i < q.length; i++) {
    const p = scaleIndex(i, shape, axis, blockSize);
    out[i] = (q[i] - (zp ? zp[p] : 0)) * scale[p];
  }
  return out;
}

/** round half to even, then saturate */
export function quantizeRef(
  x: ArrayLike<number>,
  shape: number[],
  scale: ArrayLike<number>,
  zp: ArrayLike<number> | null,
  axis: number,
  lo: number,
  hi: number,
): number[] {
  const out: number[] = [];
  for (let i = 0; i < x.length; i++) {
    const p = scaleIndex(i, shape, axis, 0);
    const v = Math.fround(x[i] / scale[p]);
    const f = Math.floor(v);
    const r = v - f === 0.5 ? (f % 2 === 0 ? f : f + 1) : Math.round(v);
    out.push(Math.min(hi, Math.max(lo, r + (zp ? zp[p] : 0))));
  }
  return out;
}
