// Drawing on RGBA images for the annotated frame: lines, polygons, filled rectangles, bitmap-font text.
import { GLYPH_HEIGHT, GLYPH_WIDTH, glyph } from './font.js';
import type { Point } from './geometry.js';
import type { RgbaImage } from './image.js';
import type { OcrLine } from './pipeline.js';

export type Rgb = [number, number, number];

/** Blends `color` over pixel (x, y) with opacity `alpha`; outside the image does nothing. */
export function blendPixel(img: RgbaImage, x: number, y: number, color: Rgb, alpha = 1): void {
  if (x < 0 || y < 0 || x >= img.width || y >= img.height) return;
  const o = (y * img.width + x) * 4;
  for (let c = 0; c < 3; c++) img.data[o + c] = Math.round(img.data[o + c] * (1 - alpha) + color[c] * alpha);
  img.data[o + 3] = 255;
}

export function fillRect(img: RgbaImage, x: number, y: number, w: number, h: number, color: Rgb, alpha = 1): void {
  const x0 = Math.max(0, Math.floor(x));
  const y0 = Math.max(0, Math.floor(y));
  const x1 = Math.min(img.width, Math.ceil(x + w));
  const y1 = Math.min(img.height, Math.ceil(y + h));
  for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) blendPixel(img, xx, yy, color, alpha);
}

/** A line `thickness` pixels wide (a square brush stepped along it). */
export function drawLine(img: RgbaImage, a: Point, b: Point, color: Rgb, thickness = 2): void {
  const len = Math.max(Math.abs(b.x - a.x), Math.abs(b.y - a.y));
  const steps = Math.max(1, Math.ceil(len));
  const r = (thickness - 1) / 2;
  for (let i = 0; i <= steps; i++) {
    const x = a.x + ((b.x - a.x) * i) / steps;
    const y = a.y + ((b.y - a.y) * i) / steps;
    for (let dy = -Math.floor(r); dy <= Math.ceil(r); dy++) {
      for (let dx = -Math.floor(r); dx <= Math.ceil(r); dx++)
        blendPixel(img, Math.round(x + dx), Math.round(y + dy), color);
    }
  }
}

export function drawPolygon(img: RgbaImage, pts: readonly Point[], color: Rgb, thickness = 2): void {
  for (let i = 0; i < pts.length; i++) drawLine(img, pts[i], pts[(i + 1) % pts.length], color, thickness);
}

/** Width in pixels of `text` at an integer `scale` (one column of spacing per glyph). */
export function textWidth(text: string, scale = 1): number {
  return [...text].length * (GLYPH_WIDTH + 1) * scale;
}

export function drawText(img: RgbaImage, text: string, x: number, y: number, color: Rgb, scale = 1): void {
  let cx = Math.round(x);
  for (const ch of text) {
    const g = glyph(ch);
    for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
      for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
        if (g[gy][gx]) fillRect(img, cx + gx * scale, Math.round(y) + gy * scale, scale, scale, color);
      }
    }
    cx += (GLYPH_WIDTH + 1) * scale;
  }
}

/** Text on a filled background box; the box is moved inside the image. */
export function drawLabel(
  img: RgbaImage,
  text: string,
  x: number,
  y: number,
  fg: Rgb,
  bg: Rgb,
  scale = 2,
  alpha = 0.85,
): void {
  const pad = scale;
  const w = textWidth(text, scale) + pad;
  const h = GLYPH_HEIGHT * scale + 2 * pad;
  const bx = Math.min(Math.max(0, Math.round(x)), Math.max(0, img.width - w));
  const by = Math.min(Math.max(0, Math.round(y)), Math.max(0, img.height - h));
  fillRect(img, bx, by, w, h, bg, alpha);
  drawText(img, text, bx + pad, by + pad, fg, scale);
}

const BOX_COLOR: Rgb = [40, 230, 90];

interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}
const overlaps = (a: Rect, b: Rect) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/** Where a label of size w x h goes: above, below, right or left of its box, avoiding boxes and earlier labels. */
function placeLabel(box: Rect, w: number, h: number, taken: readonly Rect[], img: RgbaImage): Rect {
  const candidates: Rect[] = [
    { x: box.x, y: box.y - h - 2, w, h },
    { x: box.x, y: box.y + box.h + 2, w, h },
    { x: box.x + box.w + 4, y: box.y + (box.h - h) / 2, w, h },
    { x: box.x - w - 4, y: box.y + (box.h - h) / 2, w, h },
  ];
  const inside = (r: Rect) => r.x >= 0 && r.y >= 0 && r.x + r.w <= img.width && r.y + r.h <= img.height;
  return (
    candidates.find((c) => inside(c) && !taken.some((t) => overlaps(c, t))) ?? candidates.find(inside) ?? candidates[0]
  );
}

/** Boxes, recognized text and confidence for every line, plus a caption at the bottom (e.g. timings). */
export function annotate(img: RgbaImage, lines: readonly OcrLine[], caption?: string): void {
  const scale = 2;
  const boxes: Rect[] = lines.map((l) => {
    const xs = l.quad.map((p) => p.x);
    const ys = l.quad.map((p) => p.y);
    return {
      x: Math.min(...xs),
      y: Math.min(...ys),
      w: Math.max(...xs) - Math.min(...xs),
      h: Math.max(...ys) - Math.min(...ys),
    };
  });
  lines.forEach((line) => drawPolygon(img, line.quad, BOX_COLOR, 2));
  const taken: Rect[] = [...boxes];
  lines.forEach((line, i) => {
    const label = `${line.text} ${line.confidence.toFixed(2)}`;
    const r = placeLabel(boxes[i], textWidth(label, scale) + scale, GLYPH_HEIGHT * scale + 2 * scale, taken, img);
    taken.push(r);
    drawLabel(img, label, r.x, r.y, [0, 0, 0], BOX_COLOR, scale);
  });
  if (caption) drawLabel(img, caption, 0, img.height, [255, 255, 255], [0, 0, 0], 2, 0.7);
}
