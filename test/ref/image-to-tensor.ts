// CPU reference for imageToTensor, written from its documented convention (not from the shader): bilinear resize
// with half-pixel centers, source coordinates clamped to [0, len - 1], then (byte / 255 - mean) / std, NCHW.
export interface RefOptions {
  width: number;
  height: number;
  mean?: readonly number[];
  std?: readonly number[];
  channels?: 'rgb' | 'bgr';
}

/** `rgba`: 8-bit RGBA pixels, row-major, srcW x srcH. Returns [1, 3, height, width] in float64. */
export function imageToTensorRef(rgba: ArrayLike<number>, srcW: number, srcH: number, o: RefOptions): Float64Array {
  const { width: W, height: H } = o;
  const mean = o.mean ?? [0, 0, 0];
  const std = o.std ?? [1, 1, 1];
  const order = o.channels === 'bgr' ? [2, 1, 0] : [0, 1, 2];
  const coord = (d: number, src: number, dst: number) => {
    const s = Math.min(Math.max(((d + 0.5) * src) / dst - 0.5, 0), src - 1);
    const i0 = Math.floor(s);
    return { i0, i1: Math.min(i0 + 1, src - 1), f: s - i0 };
  };
  const out = new Float64Array(3 * H * W);
  for (let y = 0; y < H; y++) {
    const cy = coord(y, srcH, H);
    for (let x = 0; x < W; x++) {
      const cx = coord(x, srcW, W);
      for (let c = 0; c < 3; c++) {
        const ch = order[c];
        const px = (yy: number, xx: number) => rgba[(yy * srcW + xx) * 4 + ch] / 255;
        const top = px(cy.i0, cx.i0) * (1 - cx.f) + px(cy.i0, cx.i1) * cx.f;
        const bottom = px(cy.i1, cx.i0) * (1 - cx.f) + px(cy.i1, cx.i1) * cx.f;
        const v = top * (1 - cy.f) + bottom * cy.f;
        out[c * H * W + y * W + x] = (v - mean[c]) / std[c];
      }
    }
  }
  return out;
}

/** Deterministic opaque test pixels: smooth gradients plus a hash pattern, so both resize taps matter. */
export function testPixels(w: number, h: number, seed = 1): Uint8Array<ArrayBuffer> {
  const px = new Uint8Array(w * h * 4);
  let s = seed >>> 0;
  for (let i = 0; i < w * h; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const x = i % w;
    const y = Math.floor(i / w);
    px[i * 4] = Math.round((255 * x) / Math.max(1, w - 1));
    px[i * 4 + 1] = Math.round((255 * y) / Math.max(1, h - 1));
    px[i * 4 + 2] = s >>> 24;
    px[i * 4 + 3] = 255;
  }
  return px;
}
