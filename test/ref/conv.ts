// CPU references for conv and convTranspose (NCHW, 2-D) and the fused epilogue: plain loops in f64,
// independent of the engine's code.
import type { HostTensor } from '../../src/core/tensor.js';

export interface ConvRefAttrs {
  strides: number[];
  pads: number[];
  dilations: number[];
  group: number;
}
export interface ConvTransposeRefAttrs extends ConvRefAttrs {
  outputPadding: number[];
}
export interface Ref {
  shape: number[];
  data: Float64Array;
}

export function conv2dRef(x: HostTensor, w: HostTensor, a: ConvRefAttrs): Ref {
  const [n, c, h, wd] = x.shape;
  const [oc, cg, kh, kw] = w.shape;
  const [sh, sw] = a.strides;
  const [dh, dw] = a.dilations;
  const [pt, pl, pb, pr] = a.pads;
  const oh = Math.floor((h + pt + pb - dh * (kh - 1) - 1) / sh) + 1;
  const ow = Math.floor((wd + pl + pr - dw * (kw - 1) - 1) / sw) + 1;
  const ocg = oc / a.group;
  if (cg * a.group !== c) throw new Error('bad group');
  const X = x.data as Float32Array;
  const W = w.data as Float32Array;
  const out = new Float64Array(n * oc * oh * ow);
  for (let b = 0; b < n; b++) {
    for (let o = 0; o < oc; o++) {
      const grp = Math.floor(o / ocg);
      for (let y = 0; y < oh; y++) {
        for (let xo = 0; xo < ow; xo++) {
          let s = 0;
          for (let ci = 0; ci < cg; ci++) {
            const cin = grp * cg + ci;
            for (let ky = 0; ky < kh; ky++) {
              const iy = y * sh - pt + ky * dh;
              if (iy < 0 || iy >= h) continue;
              for (let kx = 0; kx < kw; kx++) {
                const ix = xo * sw - pl + kx * dw;
                if (ix < 0 || ix >= wd) continue;
                s += X[((b * c + cin) * h + iy) * wd + ix] * W[((o * cg + ci) * kh + ky) * kw + kx];
              }
            }
          }
          out[((b * oc + o) * oh + y) * ow + xo] = s;
        }
      }
    }
  }
  return { shape: [n, oc, oh, ow], data: out };
}

/** Scatter formulation (each input pixel adds its kernel footprint), unlike the GPU's gather. */
export function convTranspose2dRef(x: HostTensor, w: HostTensor, a: ConvTransposeRefAttrs): Ref {
  const [n, c, h, wd] = x.shape;
  const [, ocg, kh, kw] = w.shape;
  const [sh, sw] = a.strides;
  const [dh, dw] = a.dilations;
  const [pt, pl, pb, pr] = a.pads;
  const oh = sh * (h - 1) + a.outputPadding[0] + (kh - 1) * dh + 1 - pt - pb;
  const ow = sw * (wd - 1) + a.outputPadding[1] + (kw - 1) * dw + 1 - pl - pr;
  const cg = c / a.group;
  const oc = ocg * a.group;
  const X = x.data as Float32Array;
  const W = w.data as Float32Array;
  const out = new Float64Array(n * oc * oh * ow);
  for (let b = 0; b < n; b++) {
    for (let ci = 0; ci < c; ci++) {
      const grp = Math.floor(ci / cg);
      for (let iy = 0; iy < h; iy++) {
        for (let ix = 0; ix < wd; ix++) {
          const v = X[((b * c + ci) * h + iy) * wd + ix];
          for (let o = 0; o < ocg; o++) {
            const oChan = grp * ocg + o;
            for (let ky = 0; ky < kh; ky++) {
              const y = iy * sh - pt + ky * dh;
              if (y < 0 || y >= oh) continue;
              for (let kx = 0; kx < kw; kx++) {
                const xo = ix * sw - pl + kx * dw;
                if (xo < 0 || xo >= ow) continue;
                out[((b * oc + oChan) * oh + y) * ow + xo] += v * W[((ci * ocg + o) * kh + ky) * kw + kx];
              }
            }
          }
        }
      }
    }
  }
  return { shape: [n, oc, oh, ow], data: out };
}

export type RefAct =
  | 'none'
  | 'relu'
  | 'clip'
  | 'hardSigmoid'
  | 'hardSwish'
  | 'hardSwishClip'
  | 'hardSwishLinear'
  | 'sigmoid'
  | 'leakyRelu';

function actRef(kind: RefAct, v: number, alpha: number, beta: number): number {
  switch (kind) {
    case 'none':
      return v;
    case 'relu':
      return Math.max(v, 0);
    case 'clip':
      return Math.min(Math.max(v, alpha), beta);
    case 'hardSigmoid':
      return Math.min(Math.max(alpha * v + beta, 0), 1);
    case 'hardSwish':
      return v * Math.min(Math.max(v / 6 + 0.5, 0), 1);
    case 'hardSwishClip':
      return (v * Math.min(Math.max(v + 3, 0), 6)) / 6;
    case 'hardSwishLinear':
      return v * Math.min(Math.max(alpha * v + beta, 0), 1);
    case 'sigmoid':
      return 1 / (1 + Math.exp(-v));
    case 'leakyRelu':
      return v >= 0 ? v : alpha * v;
  }
}

/** bias (per channel, axis 1), activation, residual before or after the activation. In place. */
export function epilogueRef(
  r: Ref,
  ep: {
    act: RefAct;
    alpha?: number;
    beta?: number;
    scale?: ArrayLike<number>;
    bias?: ArrayLike<number>;
    residual?: ArrayLike<number>;
    residualBeforeAct?: boolean;
  },
): Ref {
  const [, ch, oh, ow] = r.shape;
  const plane = oh * ow;
  for (let i = 0; i < r.data.length; i++) {
    let v = r.data[i];
    if (ep.scale) v *= Number(ep.scale[Math.floor(i / plane) % ch]);
    if (ep.bias) v += Number(ep.bias[Math.floor(i / plane) % ch]);
    if (ep.residual && ep.residualBeforeAct) v += Number(ep.residual[i]);
    v = actRef(ep.act, v, ep.alpha ?? 0, ep.beta ?? 0);
    if (ep.residual && !ep.residualBeforeAct) v += Number(ep.residual[i]);
    r.data[i] = v;
  }
  return r;
}
