// CPU reference for Resize: a transcription of the ONNX reference implementation (onnx/reference/ops/
// op_resize.py): interpolate the inner axes for every index of the outer one, then along the outer axis.
// Two float64 artifacts of that implementation are avoided (both can move an exact tie by one pixel):
// the half_pixel_symmetric offset is computed in a form that stays exact, and neighbours are searched
// around the coordinate itself rather than around coordinate + padding.
export interface ResizeRefAttrs {
  mode: 'nearest' | 'linear' | 'cubic';
  coordMode: string;
  nearestMode: string;
  scales: number[];
  outShape: number[];
  cubicCoeffA: number;
  excludeOutside: boolean;
  extrapolationValue: number;
  roi: number[];
}

type Coeffs = (ratio: number) => number[];

function coeffsFor(a: ResizeRefAttrs): Coeffs {
  if (a.mode === 'linear') return (r) => [1 - r, r];
  if (a.mode === 'cubic') {
    const A = a.cubicCoeffA;
    return (r) => [
      ((A * (r + 1) - 5 * A) * (r + 1) + 8 * A) * (r + 1) - 4 * A,
      ((A + 2) * r - (A + 3)) * r * r + 1,
      ((A + 2) * (1 - r) - (A + 3)) * (1 - r) * (1 - r) + 1,
      ((A * (1 - r + 1) - 5 * A) * (1 - r + 1) + 8 * A) * (1 - r + 1) - 4 * A,
    ];
  }
  return (r) => {
    if (Number.isInteger(r)) return [0, 1];
    switch (a.nearestMode) {
      case 'round_prefer_floor':
        return [r <= 0.5 ? 1 : 0, r > 0.5 ? 1 : 0];
      case 'round_prefer_ceil':
        return [r < 0.5 ? 1 : 0, r >= 0.5 ? 1 : 0];
      case 'floor':
        return [1, 0];
      default:
        return [0, 1];
    }
  };
}

/** The n indexes of [lo, hi) nearest to x, ties to the smaller, in ascending order. */
function neighborIdxes(x: number, n: number, lo: number, hi: number): number[] {
  // only indexes within n of x can be among the n nearest
  const all: number[] = [];
  for (let i = Math.max(lo, Math.floor(x) - n); i <= Math.min(hi - 1, Math.floor(x) + n); i++) all.push(i);
  all.sort((p, q) => Math.abs(x - p) - Math.abs(x - q) || p - q);
  return all.slice(0, n).sort((p, q) => p - q);
}

function interpolate1d(
  inLen: number,
  data: (i: number) => number,
  scale: number,
  outLenInt: number,
  x: number,
  coeffs: Coeffs,
  a: ResizeRefAttrs,
  roi: [number, number],
): number {
  const outLen = scale * inLen;
  let xo: number;
  switch (a.coordMode) {
    case 'align_corners':
      xo = outLen === 1 ? 0 : (x * (inLen - 1)) / (outLen - 1);
      break;
    case 'asymmetric':
      xo = x / scale;
      break;
    case 'tf_crop_and_resize':
      xo = outLen === 1 ? ((roi[1] - roi[0]) * (inLen - 1)) / 2 : (x * (roi[1] - roi[0]) * (inLen - 1)) / (outLen - 1);
      xo += roi[0] * (inLen - 1);
      if (xo < 0 || xo > inLen - 1) return a.extrapolationValue;
      break;
    case 'pytorch_half_pixel':
      xo = outLen === 1 ? -0.5 : (x + 0.5) / scale - 0.5;
      break;
    case 'half_pixel':
      xo = (x + 0.5) / scale - 0.5;
      break;
    case 'half_pixel_symmetric': {
      // (inLen / 2) * (1 - outLenInt / outLen), rearranged so an exact offset (often 0.5) stays exact
      const offset = (inLen * (outLen - outLenInt)) / (2 * outLen);
      xo = offset + (x + 0.5) / scale - 0.5;
      break;
    }
    default:
      throw new Error(`coordinate mode ${a.coordMode}`);
  }
  const ratio = Number.isInteger(xo) ? 1 : xo - Math.floor(xo);
  const c = coeffs(ratio);
  const n = c.length;
  // the neighbours in the edge-padded data (searched without shifting xo by the padding, which loses bits)
  const pad = Math.ceil(n / 2);
  const idx = neighborIdxes(xo, n, -pad, inLen + pad);
  const points = idx.map((i) => data(Math.min(Math.max(i, 0), inLen - 1)));
  if (a.excludeOutside) {
    idx.forEach((i, k) => {
      if (i < 0 || i >= inLen) c[k] = 0;
    });
    const s = c.reduce((p, q) => p + q, 0);
    for (let k = 0; k < n; k++) c[k] /= s;
  }
  return c.reduce((acc, w, k) => acc + w * points[k], 0);
}

/** One output element at coordinates `x`; the sub-tensor values along `axis` are computed lazily (only the taps read). */
function interpolateNd(
  t: { shape: number[]; data: ArrayLike<number> },
  offset: number,
  axis: number,
  x: number[],
  coeffs: Coeffs,
  a: ResizeRefAttrs,
): number {
  const r = t.shape.length;
  const inner = t.shape.slice(axis + 1).reduce((p, q) => p * q, 1);
  const roi: [number, number] = a.roi.length ? [a.roi[axis], a.roi[axis + r]] : [0, 1];
  const value = (i: number): number => {
    const off = offset + i * inner;
    return axis === r - 1 ? Number(t.data[off]) : interpolateNd(t, off, axis + 1, x, coeffs, a);
  };
  return interpolate1d(t.shape[axis], value, a.scales[axis], a.outShape[axis], x[axis], coeffs, a, roi);
}

export function resizeRef(t: { shape: number[]; data: ArrayLike<number> }, a: ResizeRefAttrs): number[] {
  const coeffs = coeffsFor(a);
  const out: number[] = [];
  const n = a.outShape.reduce((p, q) => p * q, 1);
  const c = new Array<number>(a.outShape.length).fill(0);
  for (let i = 0; i < n; i++) {
    let rem = i;
    for (let d = a.outShape.length - 1; d >= 0; d--) {
      c[d] = rem % a.outShape[d];
      rem = Math.floor(rem / a.outShape[d]);
    }
    out.push(interpolateNd(t, 0, 0, c, coeffs, a));
  }
  return out;
}
