// CPU references for data movement and pad: plain coordinate loops over number arrays.
export interface Ref {
  shape: number[];
  data: number[];
}
type Src = { shape: number[]; data: ArrayLike<number | bigint> };

function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Calls fn with the coordinates of every element of `shape`, in row-major order. */
export function eachCoord(shape: number[], fn: (c: number[]) => void): void {
  const n = size(shape);
  const c = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    let rem = i;
    for (let d = shape.length - 1; d >= 0; d--) {
      c[d] = rem % shape[d];
      rem = Math.floor(rem / shape[d]);
    }
    fn(c);
  }
}

/** Element at coordinates `c` of a row-major tensor. */
export function at(t: Src, c: number[]): number {
  let idx = 0;
  for (let d = 0; d < t.shape.length; d++) idx = idx * t.shape[d] + c[d];
  return Number(t.data[idx]);
}

export function transposeRef(x: Src, perm: number[]): Ref {
  const shape = perm.map((p) => x.shape[p]);
  const data: number[] = [];
  eachCoord(shape, (c) => {
    const src = new Array<number>(perm.length);
    perm.forEach((p, d) => {
      src[p] = c[d];
    });
    data.push(at(x, src));
  });
  return { shape, data };
}

/** Walks each axis from start by step while before end (numpy slicing on normalized bounds). */
export function sliceRef(x: Src, starts: number[], ends: number[], steps: number[]): Ref {
  const axes = x.shape.map((_, d) => {
    const idx: number[] = [];
    for (let i = starts[d]; steps[d] > 0 ? i < ends[d] : i > ends[d]; i += steps[d]) idx.push(i);
    return idx;
  });
  const shape = axes.map((a) => a.length);
  const data: number[] = [];
  eachCoord(shape, (c) =>
    data.push(
      at(
        x,
        c.map((v, d) => axes[d][v]),
      ),
    ),
  );
  return { shape, data };
}

export function concatRef(xs: Src[], axis: number): Ref {
  const shape = [...xs[0].shape];
  shape[axis] = xs.reduce((a, t) => a + t.shape[axis], 0);
  const data: number[] = [];
  eachCoord(shape, (c) => {
    let k = c[axis];
    let t = 0;
    while (k >= xs[t].shape[axis]) {
      k -= xs[t].shape[axis];
      t++;
    }
    const cc = [...c];
    cc[axis] = k;
    data.push(at(xs[t], cc));
  });
  return { shape, data };
}

export function expandRef(x: Src, target: number[]): Ref {
  const r = Math.max(x.shape.length, target.length);
  const xs = [...new Array<number>(r - x.shape.length).fill(1), ...x.shape];
  const ts = [...new Array<number>(r - target.length).fill(1), ...target];
  const shape = xs.map((d, i) => (d === 1 ? ts[i] : d));
  const data: number[] = [];
  eachCoord(shape, (c) =>
    data.push(
      at(
        { shape: xs, data: x.data },
        c.map((v, i) => (xs[i] === 1 ? 0 : v)),
      ),
    ),
  );
  return { shape, data };
}

export function gatherRef(x: Src, indices: Src, axis: number): Ref {
  const shape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
  const ir = indices.shape.length;
  const data: number[] = [];
  eachCoord(shape, (c) => {
    let k = at(indices, c.slice(axis, axis + ir));
    if (k < 0) k += x.shape[axis];
    data.push(at(x, [...c.slice(0, axis), k, ...c.slice(axis + ir)]));
  });
  return { shape, data };
}

/** Negative pads crop first; then positive pads extend the cropped tensor in the given mode. */
export function padRef(x: Src, pads: number[], mode: string, value: number): Ref {
  const r = x.shape.length;
  const lo = x.shape.map((_, d) => Math.max(0, -pads[d]));
  const cropShape = x.shape.map((n, d) => n - lo[d] - Math.max(0, -pads[d + r]));
  const shape = cropShape.map((n, d) => n + Math.max(0, pads[d]) + Math.max(0, pads[d + r]));
  const data: number[] = [];
  eachCoord(shape, (c) => {
    const src: number[] = [];
    for (let d = 0; d < r; d++) {
      const n = cropShape[d];
      let k = c[d] - Math.max(0, pads[d]);
      if (k < 0 || k >= n) {
        if (mode === 'constant') {
          src.length = 0;
          break;
        }
        if (mode === 'edge') k = k < 0 ? 0 : n - 1;
        else if (mode === 'wrap') {
          while (k < 0) k += n;
          while (k >= n) k -= n;
        } else if (n === 1) k = 0;
        else {
          // reflect, without repeating the edge
          while (k < 0 || k >= n) k = k < 0 ? -k : 2 * (n - 1) - k;
        }
      }
      src.push(k + lo[d]);
    }
    data.push(src.length === r ? at(x, src) : value);
  });
  return { shape, data };
}
