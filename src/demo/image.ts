// RGBA images in memory and the resampling the OCR pipeline needs: antialiased resize and perspective warp.
import { type Homography, type Point, applyHomography, homography } from './geometry.js';

/** 8-bit RGBA, row-major, 4 bytes per pixel (the layout of ImageData, pngjs and jpeg-js). */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
}

export function createImage(width: number, height: number, fill: [number, number, number] = [0, 0, 0]): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i += 4) {
    data[i] = fill[0];
    data[i + 1] = fill[1];
    data[i + 2] = fill[2];
    data[i + 3] = 255;
  }
  return { width, height, data };
}

export function cloneImage(img: RgbaImage): RgbaImage {
  return { width: img.width, height: img.height, data: new Uint8Array(img.data) };
}

/** triangle: bilinear-like; lanczos3: sharper edges (libvips' and sharp's default), which keeps narrow gaps visible. */
export type ResizeFilter = 'triangle' | 'lanczos3';

const sinc = (x: number) => (x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x));
const KERNELS: Record<ResizeFilter, { radius: number; at: (x: number) => number }> = {
  triangle: { radius: 1, at: (x) => Math.max(0, 1 - Math.abs(x)) },
  lanczos3: { radius: 3, at: (x) => (Math.abs(x) < 3 ? sinc(x) * sinc(x / 3) : 0) },
};

/** Per-axis resampling weights: the filter widened by the scale when shrinking (no aliasing). */
function axisWeights(
  srcLen: number,
  dstLen: number,
  filter: ResizeFilter = 'triangle',
): { start: Int32Array; count: Int32Array; w: Float32Array; taps: number } {
  const kernel = KERNELS[filter];
  const scale = srcLen / dstLen;
  const stretch = Math.max(1, scale);
  const support = kernel.radius * stretch;
  const taps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(dstLen);
  const count = new Int32Array(dstLen);
  const w = new Float32Array(dstLen * taps);
  for (let i = 0; i < dstLen; i++) {
    const center = (i + 0.5) * scale - 0.5;
    const lo = Math.max(0, Math.ceil(center - support));
    const hi = Math.min(srcLen - 1, Math.floor(center + support));
    let sum = 0;
    let n = 0;
    for (let j = lo; j <= hi && n < taps; j++, n++) {
      const v = kernel.at((j - center) / stretch);
      w[i * taps + n] = v;
      sum += v;
    }
    if (sum === 0) {
      // a destination pixel outside the source (upscaling at the edges): take the nearest source pixel
      start[i] = Math.min(srcLen - 1, Math.max(0, Math.round(center)));
      count[i] = 1;
      w[i * taps] = 1;
      continue;
    }
    for (let k = 0; k < n; k++) w[i * taps + k] /= sum;
    start[i] = lo;
    count[i] = n;
  }
  return { start, count, w, taps };
}

/** Separable resize to width x height: bilinear when enlarging, area-like (triangle filter) when shrinking. */
export function resizeImage(
  img: RgbaImage,
  width: number,
  height: number,
  filter: ResizeFilter = 'triangle',
): RgbaImage {
  if (width === img.width && height === img.height) return cloneImage(img);
  const xs = axisWeights(img.width, width, filter);
  const ys = axisWeights(img.height, height, filter);
  const tmp = new Float32Array(width * img.height * 4);
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < width; x++) {
      const s = xs.start[x];
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let k = 0; k < xs.count[x]; k++) {
        const wt = xs.w[x * xs.taps + k];
        const o = (y * img.width + s + k) * 4;
        r += wt * img.data[o];
        g += wt * img.data[o + 1];
        b += wt * img.data[o + 2];
        a += wt * img.data[o + 3];
      }
      const o = (y * width + x) * 4;
      tmp[o] = r;
      tmp[o + 1] = g;
      tmp[o + 2] = b;
      tmp[o + 3] = a;
    }
  }
  const out = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const s = ys.start[y];
    for (let x = 0; x < width; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let k = 0; k < ys.count[y]; k++) {
        const wt = ys.w[y * ys.taps + k];
        const o = ((s + k) * width + x) * 4;
        r += wt * tmp[o];
        g += wt * tmp[o + 1];
        b += wt * tmp[o + 2];
        a += wt * tmp[o + 3];
      }
      const o = (y * width + x) * 4;
      // lanczos overshoots at edges: clamp, as a Uint8Array would wrap
      out[o] = Math.min(255, Math.max(0, r + 0.5));
      out[o + 1] = Math.min(255, Math.max(0, g + 0.5));
      out[o + 2] = Math.min(255, Math.max(0, b + 0.5));
      out[o + 3] = Math.min(255, Math.max(0, a + 0.5));
    }
  }
  return { width, height, data: out };
}

/** Bilinear sample at (x, y) in pixel-centre coordinates, clamped at the border (OpenCV's BORDER_REPLICATE). */
export function sampleBilinear(img: RgbaImage, x: number, y: number, out: Float32Array): void {
  const cx = Math.min(Math.max(x, 0), img.width - 1);
  const cy = Math.min(Math.max(y, 0), img.height - 1);
  const x0 = Math.floor(cx);
  const y0 = Math.floor(cy);
  const x1 = Math.min(x0 + 1, img.width - 1);
  const y1 = Math.min(y0 + 1, img.height - 1);
  const fx = cx - x0;
  const fy = cy - y0;
  const d = img.data;
  const o00 = (y0 * img.width + x0) * 4;
  const o01 = (y0 * img.width + x1) * 4;
  const o10 = (y1 * img.width + x0) * 4;
  const o11 = (y1 * img.width + x1) * 4;
  for (let c = 0; c < 4; c++) {
    const top = d[o00 + c] + (d[o01 + c] - d[o00 + c]) * fx;
    const bot = d[o10 + c] + (d[o11 + c] - d[o10 + c]) * fx;
    out[c] = top + (bot - top) * fy;
  }
}

/** Warps the quadrilateral `quad` (tl, tr, br, bl) of `img` onto an upright width x height image. */
export function warpQuad(img: RgbaImage, quad: readonly Point[], width: number, height: number): RgbaImage {
  const dst: Point[] = [
    { x: 0, y: 0 },
    { x: width, y: 0 },
    { x: width, y: height },
    { x: 0, y: height },
  ];
  // maps destination pixel coordinates back into the source, so every output pixel is sampled once
  const back: Homography = homography(dst, quad);
  const out = new Uint8Array(width * height * 4);
  const px = new Float32Array(4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // integer coordinates are pixel centres on both sides, as in OpenCV's warpPerspective
      const s = applyHomography(back, { x, y });
      sampleBilinear(img, s.x, s.y, px);
      const o = (y * width + x) * 4;
      out[o] = px[0] + 0.5;
      out[o + 1] = px[1] + 0.5;
      out[o + 2] = px[2] + 0.5;
      out[o + 3] = 255;
    }
  }
  return { width, height, data: out };
}

/** Rotates by 90° counter-clockwise (PaddleOCR's np.rot90 for tall crops). */
export function rotate90(img: RgbaImage): RgbaImage {
  const { width: w, height: h } = img;
  const out = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const si = (y * w + x) * 4;
      const di = ((w - 1 - x) * h + y) * 4;
      out.set(img.data.subarray(si, si + 4), di);
    }
  }
  return { width: h, height: w, data: out };
}

/**
 * HWC RGBA bytes -> a 1x3xHxW float tensor in BGR channel order (the PaddleOCR models were trained on OpenCV's BGR),
 * each channel normalized as (v / 255 - mean) / std.
 */
export function toBgrTensor(
  img: RgbaImage,
  mean: readonly number[],
  std: readonly number[],
  padWidth = img.width,
  padValue = 0,
): Float32Array {
  const { width: w, height: h } = img;
  const plane = h * padWidth;
  const out = new Float32Array(3 * plane).fill(padValue);
  for (let c = 0; c < 3; c++) {
    const src = 2 - c; // B, G, R
    const scale = 1 / (255 * std[c]);
    const shift = mean[c] / std[c];
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) out[c * plane + y * padWidth + x] = img.data[(y * w + x) * 4 + src] * scale - shift;
    }
  }
  return out;
}
