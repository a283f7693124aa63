// CPU references for elementwise ops: plain loops, independent of the engine's code.
import type { DType } from '../../src/core/dtype.js';
import type { HostTensor } from '../../src/core/tensor.js';
import { eachCoord } from './data-movement.js';

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
  const coords = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    let rem = i;
    for (let d = shape.length - 1; d >= 0; d--) {
      coords[d] = rem % shape[d];
      rem = Math.floor(rem / shape[d]);
    }
    fn(coords, i);
  }
}

export function binaryRef(
  a: HostTensor,
  b: HostTensor,
  f: (x: number, y: number) => number,
): { shape: number[]; data: Float64Array } {
  const shape = broadcastShape(a.shape, b.shape);
  const data = new Float64Array(shape.reduce((p, q) => p * q, 1));
  forEachIndex(shape, (c, i) => {
    data[i] = f(readBroadcast(a, c), readBroadcast(b, c));
  });
  return { shape, data };
}

/** ONNX Cast on plain numbers: truncation toward zero into integers, nonzero into bool, two's-complement wrap for 8-bit. */
export function castRef(values: number[], to: DType): number[] {
  return values.map((v) => {
    if (to === 'bool') return v !== 0 ? 1 : 0; // NaN !== 0: true, as C++ and numpy
    if (to === 'f32') return Math.fround(v);
    const t = Math.trunc(v);
    if (to === 'u8') return ((t % 256) + 256) % 256;
    if (to === 'i8') return ((((t + 128) % 256) + 256) % 256) - 128;
    return t;
  });
}

/** numpy-broadcast Where on plain numbers. */
export function whereRef(c: HostTensor, x: HostTensor, y: HostTensor): { shape: number[]; data: number[] } {
  const r = Math.max(c.shape.length, x.shape.length, y.shape.length);
  const pad = (s: number[]) => [...new Array<number>(r - s.length).fill(1), ...s];
  const [cs, xs, ys] = [pad(c.shape), pad(x.shape), pad(y.shape)];
  const shape = cs.map((_, i) => Math.max(cs[i], xs[i], ys[i]));
  const read = (t: HostTensor, s: number[], co: number[]) => {
    let idx = 0;
    for (let d = 0; d < r; d++) idx = idx * s[d] + (s[d] === 1 ? 0 : co[d]);
    return Number(t.data[idx]);
  };
  const data: number[] = [];
  eachCoord(shape, (co) => data.push(read(c, cs, co) ? read(x, xs, co) : read(y, ys, co)));
  return { shape, data };
}
