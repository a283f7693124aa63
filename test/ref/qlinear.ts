// CPU reference for the integer conv / matmul: exact i32 accumulation of (x - zx) * w, then the
// requantization y = clamp(round_half_even(((acc + bias) * mult + shift) / yDiv) + zy, qmin, qmax), each step in f32.
import { roundHalfEven } from '../../src/ir/passes/qlinear-pack.js';

const fround = Math.fround;

export interface QSpec {
  xZero: number;
  yZero: number;
  yDiv?: number;
  qmin: number;
  qmax: number;
  intBias: Int32Array;
  mult: Float32Array;
  shift: Float32Array;
}

export function requantRef(acc: number, oc: number, s: QSpec): number {
  const v = fround(fround(fround(fround(acc + s.intBias[oc]) * s.mult[oc]) + s.shift[oc]) / (s.yDiv ?? 1));
  return Math.min(s.qmax, Math.max(s.qmin, roundHalfEven(v) + s.yZero));
}

/** x [N,C,H,W], w [OC, C/g, KH, KW]; pads [top, left, bottom, right]. */
export function qconvRef(
  x: ArrayLike<number>,
  xs: number[],
  w: ArrayLike<number>,
  ws: number[],
  strides: number[],
  pads: number[],
  dil: number[],
  group: number,
  s: QSpec,
): { y: Int32Array; shape: number[] } {
  const [n, c, h, wd] = xs;
  const [oc, cg, kh, kw] = ws;
  const oh = Math.floor((h + pads[0] + pads[2] - dil[0] * (kh - 1) - 1) / strides[0]) + 1;
  const ow = Math.floor((wd + pads[1] + pads[3] - dil[1] * (kw - 1) - 1) / strides[1]) + 1;
  const y = new Int32Array(n * oc * oh * ow);
  const ocpg = oc / group;
  for (let b = 0; b < n; b++)
    for (let o = 0; o < oc; o++)
      for (let i = 0; i < oh; i++)
        for (let j = 0; j < ow; j++) {
          const g = Math.floor(o / ocpg);
          let acc = 0;
          for (let ci = 0; ci < cg; ci++)
            for (let ky = 0; ky < kh; ky++)
              for (let kx = 0; kx < kw; kx++) {
                const ih = i * strides[0] - pads[0] + ky * dil[0],
                  iw = j * strides[1] - pads[1] + kx * dil[1];
                if (ih < 0 || ih >= h || iw < 0 || iw >= wd) continue;
                const xv = x[((b * c + g * cg + ci) * h + ih) * wd + iw] - s.xZero;
                acc += xv * w[((o * cg + ci) * kh + ky) * kw + kx];
              }
          y[((b * oc + o) * oh + i) * ow + j] = requantRef(acc, o, s);
        }
  return { y, shape: [n, oc, oh, ow] };
}

/** a [M, K] (leading dims flattened), b [K, N]. */
export function qmatmulRef(
  a: ArrayLike<number>,
  m: number,
  k: number,
  b: ArrayLike<number>,
  n: number,
  s: QSpec,
): Int32Array {
  const y = new Int32Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let t = 0; t < k; t++) acc += (a[i * k + t] - s.xZero) * b[t * n + j];
      y[i * n + j] = requantRef(acc, j, s);
    }
  return y;
}
