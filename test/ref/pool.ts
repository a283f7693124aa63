// CPU reference for 2-D pooling on NCHW, following the ONNX reference implementation: the padded input
// holds NaN (max, or average without count_include_pad) or 0 (average with it); window cells past the
// padded input (ceil mode) are dropped, NaN cells are skipped.
export interface PoolRefAttrs {
  kind: 'max' | 'avg';
  kernel: number[];
  strides: number[];
  pads: number[];
  dilations: number[];
  countIncludePad: boolean;
}

export function poolRef(
  x: { shape: number[]; data: ArrayLike<number> },
  outHW: [number, number],
  a: PoolRefAttrs,
): number[] {
  const [n, c, h, w] = x.shape;
  const [oh, ow] = outHW;
  const ph = h + a.pads[0] + a.pads[2];
  const pw = w + a.pads[1] + a.pads[3];
  const padFill = a.kind === 'avg' && a.countIncludePad ? 0 : Number.NaN;
  const out: number[] = [];
  for (let p = 0; p < n * c; p++) {
    // the explicitly padded plane
    const padded: number[] = [];
    for (let y = 0; y < ph; y++) {
      for (let xx = 0; xx < pw; xx++) {
        const iy = y - a.pads[0];
        const ix = xx - a.pads[1];
        padded.push(iy >= 0 && iy < h && ix >= 0 && ix < w ? x.data[(p * h + iy) * w + ix] : padFill);
      }
    }
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const vals: number[] = [];
        for (let ky = 0; ky < a.kernel[0]; ky++) {
          for (let kx = 0; kx < a.kernel[1]; kx++) {
            const y = oy * a.strides[0] + ky * a.dilations[0];
            const xx = ox * a.strides[1] + kx * a.dilations[1];
            if (y < ph && xx < pw) vals.push(padded[y * pw + xx]);
          }
        }
        const kept = vals.filter((v) => !Number.isNaN(v));
        if (a.kind === 'max') out.push(kept.length ? Math.max(...kept) : -3.4028234663852886e38);
        else out.push(kept.length ? kept.reduce((s, v) => s + v, 0) / kept.length : 0);
      }
    }
  }
  return out;
}
