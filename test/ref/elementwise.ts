// CPU references for elementwise ops: plain loops, independent of the engine's code.
import type { HostTensor } from '../../src/core/tensor.js';

export function broadcastShape(a: number[], b: number[]): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1;
    const y = b[b.length - r + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new Error('no broadcast');
    out.push(Math.max(x, y) === 0 ? 0 : x === 1 ? y : x);
  }
  return out;
}

/** Reads element `coords` (in the broadcast output space) of a row-major tensor. */
export function readBroadcast(t: { shape: number[]; data: ArrayLike<number | bigint> }, coords: number[]): number {
  const off = coords.length - t.shape.length;
  let idx = 0;
  for (let i = 0; i < t.shape.length; i++) {
    const c = t.shape[i] === 1 ? 0 : coords[off + i];
    idx = idx * t.shape[i] + c;
  }
  return Number(t.data[idx]);
}

export function forEachIndex(shape: number[], fn: (coords: number[], linear: number) => void): void {
  const n = shape.reduce((a, b) => a * b, 1);
  const coords = new Array(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    let rem = i;
    for (let d = shape.length - 1; d >= 0; d--) { coords[d] = rem % shape[d]; rem = Math.floor(rem / shape[d]); }
    fn(coords, i);
  }
}

export function binaryRef(a: HostTensor, b: HostTensor, f: (x: number, y: number) => number): { shape: number[]; data: Float64Array } {
  const shape = broadcastShape(a.shape, b.shape);
  const data = new Float64Array(shape.reduce((p, q) => p * q, 1));
  forEachIndex(shape, (c, i) => { data[i] = f(readBroadcast(a, c), readBroadcast(b, c)); });
  return { shape, data };
}
