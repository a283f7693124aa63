// Text detection around a DBNet-style network: resize + normalize in, probability map -> text boxes out.
import { type Point, type Quad, minAreaRect, pointInPolygon, rectCorners, unclipRect } from './geometry.js';
import { type RgbaImage, resizeImage, toBgrTensor } from './image.js';

export const DET_MEAN = [0.485, 0.456, 0.406] as const;
export const DET_STD = [0.229, 0.224, 0.225] as const;

export interface DetInput {
  data: Float32Array;
  shape: [1, 3, number, number];
  /** Detector-map pixels -> original image pixels. */
  scaleX: number;
  scaleY: number;
}

/** The detector's input size: the longer side limited to `maxSide`, both sides rounded to a multiple of 32. */
export function detInputSize(width: number, height: number, maxSide = 960): { width: number; height: number } {
  const ratio = Math.max(width, height) > maxSide ? maxSide / Math.max(width, height) : 1;
  const round32 = (v: number) => Math.max(32, Math.round((v * ratio) / 32) * 32);
  return { width: round32(width), height: round32(height) };
}

export function preprocessDet(img: RgbaImage, maxSide = 960): DetInput {
  const size = detInputSize(img.width, img.height, maxSide);
  const resized = resizeImage(img, size.width, size.height);
  return {
    data: toBgrTensor(resized, DET_MEAN, DET_STD),
    shape: [1, 3, size.height, size.width],
    scaleX: img.width / size.width,
    scaleY: img.height / size.height,
  };
}

/** PaddleOCR's DBPostProcess defaults. */
export interface DbOptions {
  /** Pixel threshold on the probability map. */
  thresh: number;
  /** Minimum mean probability inside a box. */
  boxThresh: number;
  unclipRatio: number;
  /** Minimum short side, in map pixels, before unclipping (after: + 2). */
  minSize: number;
  maxCandidates: number;
}

export const DB_DEFAULTS: DbOptions = {
  thresh: 0.3,
  boxThresh: 0.6,
  unclipRatio: 1.5,
  minSize: 3,
  maxCandidates: 1000,
};

export interface TextBox {
  /** tl, tr, br, bl in original-image pixels. */
  quad: Quad;
  /** Mean probability inside the (shrunk) box. */
  score: number;
}

interface Component {
  rows: Map<number, [number, number]>;
  pixels: number;
}

/** 8-connected components of a binary map (iterative flood fill), each with per-row extents for the hull. */
export function connectedComponents(mask: Uint8Array, width: number, height: number): Component[] {
  const label = new Int32Array(width * height);
  const stack = new Int32Array(width * height);
  const comps: Component[] = [];
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || label[start]) continue;
    const id = comps.length + 1;
    const comp: Component = { rows: new Map(), pixels: 0 };
    let top = 0;
    stack[top++] = start;
    label[start] = id;
    while (top > 0) {
      const p = stack[--top];
      const x = p % width;
      const y = (p - x) / width;
      comp.pixels++;
      const ext = comp.rows.get(y);
      if (ext) {
        if (x < ext[0]) ext[0] = x;
        if (x > ext[1]) ext[1] = x;
      } else comp.rows.set(y, [x, x]);
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const q = ny * width + nx;
          if (mask[q] && !label[q]) {
            label[q] = id;
            stack[top++] = q;
          }
        }
      }
    }
    comps.push(comp);
  }
  return comps;
}

/** Mean of `prob` over the pixels whose centres fall inside `poly` (PaddleOCR's box_score_fast). */
export function polygonMean(prob: Float32Array, width: number, height: number, poly: readonly Point[]): number {
  const x0 = Math.max(0, Math.floor(Math.min(...poly.map((p) => p.x))));
  const x1 = Math.min(width - 1, Math.ceil(Math.max(...poly.map((p) => p.x))));
  const y0 = Math.max(0, Math.floor(Math.min(...poly.map((p) => p.y))));
  const y1 = Math.min(height - 1, Math.ceil(Math.max(...poly.map((p) => p.y))));
  let sum = 0;
  let n = 0;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      if (!pointInPolygon(x, y, poly) && !onPolygonEdge(x, y, poly)) continue;
      sum += prob[y * width + x];
      n++;
    }
  }
  return n > 0 ? sum / n : 0;
}

function onPolygonEdge(x: number, y: number, poly: readonly Point[]): boolean {
  for (let i = 0; i < poly.length; i++) {
    const a = poly[i];
    const b = poly[(i + 1) % poly.length];
    const cross = (b.x - a.x) * (y - a.y) - (b.y - a.y) * (x - a.x);
    const len = Math.hypot(b.x - a.x, b.y - a.y) || 1;
    if (
      Math.abs(cross) / len <= 0.5 &&
      x >= Math.min(a.x, b.x) - 0.5 &&
      x <= Math.max(a.x, b.x) + 0.5 &&
      y >= Math.min(a.y, b.y) - 0.5 &&
      y <= Math.max(a.y, b.y) + 0.5
    )
      return true;
  }
  return false;
}

/**
 * DBNet post-processing of a probability map (H x W): threshold, connected components, minimum-area box, score,
 * unclip, then scale to the original image. Boxes come sorted top to bottom, then left to right.
 */
export function boxesFromProbMap(
  prob: Float32Array,
  width: number,
  height: number,
  scaleX = 1,
  scaleY = 1,
  options: Partial<DbOptions> = {},
): TextBox[] {
  const o = { ...DB_DEFAULTS, ...options };
  const mask = new Uint8Array(width * height);
  for (let i = 0; i < mask.length; i++) mask[i] = prob[i] > o.thresh ? 1 : 0;
  const comps = connectedComponents(mask, width, height)
    .sort((a, b) => b.pixels - a.pixels)
    .slice(0, o.maxCandidates);
  const boxes: TextBox[] = [];
  for (const comp of comps) {
    const pts: Point[] = [];
    for (const [y, [xa, xb]] of comp.rows) {
      pts.push({ x: xa, y });
      if (xb !== xa) pts.push({ x: xb, y });
    }
    const rect = minAreaRect(pts);
    if (Math.min(rect.width, rect.height) < o.minSize) continue;
    const score = polygonMean(prob, width, height, rectCorners(rect));
    if (score < o.boxThresh) continue;
    const grown = unclipRect(rect, o.unclipRatio);
    if (Math.min(grown.width, grown.height) < o.minSize + 2) continue;
    const quad = rectCorners(grown).map((p) => ({
      x: Math.min(Math.max(p.x * scaleX, 0), width * scaleX),
      y: Math.min(Math.max(p.y * scaleY, 0), height * scaleY),
    })) as Quad;
    boxes.push({ quad, score });
  }
  return sortBoxes(boxes);
}

/** Reading order: top to bottom, with boxes on about the same line (within 10 px) left to right. */
export function sortBoxes<T extends { quad: Quad }>(boxes: T[]): T[] {
  const sorted = [...boxes].sort((a, b) => a.quad[0].y - b.quad[0].y || a.quad[0].x - b.quad[0].x);
  for (let i = 0; i < sorted.length - 1; i++) {
    for (let j = i; j >= 0; j--) {
      const a = sorted[j];
      const b = sorted[j + 1];
      if (Math.abs(b.quad[0].y - a.quad[0].y) < 10 && b.quad[0].x < a.quad[0].x) [sorted[j], sorted[j + 1]] = [b, a];
      else break;
    }
  }
  return sorted;
}
