// Generated text-like pages: calibration samples for the OCR students (`--calibration pages`) and the
// model tests' inputs. Uniform noise makes PP-OCR det predict "no text" everywhere; these exercise real values.
import type { HostTensor } from '../core/tensor.js';

/** mulberry32: a small seeded PRNG so every page is reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A normalized (ImageNet mean/std) NCHW image of dark glyph-like strokes in lines on a light background. */
export function textLikeImage(shape: number[], seed: number): HostTensor {
  const [n, c, h, w] = shape;
  const r = rng(seed);
  const gray = new Float32Array(h * w).fill(0.92);
  const lineH = Math.max(8, Math.round(h / 8));
  for (let y0 = Math.round(lineH / 2); y0 + lineH < h; y0 += Math.round(lineH * 1.6)) {
    let x = Math.round(w * 0.05 + r() * w * 0.1);
    const end = Math.round(w * (0.6 + 0.35 * r()));
    while (x < end) {
      const gw = Math.max(2, Math.round(lineH * (0.3 + 0.5 * r())));
      // a glyph: a few vertical and horizontal strokes inside its cell
      for (let k = 0; k < 3; k++) {
        const vertical = r() < 0.5;
        const sx = x + Math.round(r() * gw * 0.7),
          sy = y0 + Math.round(r() * lineH * 0.5);
        const sw = vertical ? Math.max(1, Math.round(lineH / 8)) : Math.round(gw * 0.8);
        const sh = vertical ? Math.round(lineH * 0.8) : Math.max(1, Math.round(lineH / 8));
        for (let yy = sy; yy < Math.min(h, sy + sh); yy++)
          for (let xx = sx; xx < Math.min(w, sx + sw); xx++) gray[yy * w + xx] = 0.08;
      }
      x += gw + Math.round(lineH * (0.15 + (r() < 0.2 ? 0.8 : 0)));
    }
  }
  const mean = [0.485, 0.456, 0.406],
    std = [0.229, 0.224, 0.225];
  const data = new Float32Array(n * c * h * w);
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let i = 0; i < h * w; i++) {
        data[(b * c + ch) * h * w + i] = (gray[i] + 0.02 * (r() - 0.5) - mean[ch % 3]) / std[ch % 3];
      }
  return { dtype: 'f32', shape: [...shape], data };
}
