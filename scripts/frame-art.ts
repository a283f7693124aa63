// Drawing for scripts/make-frames.ts: sign artwork (pureimage + DejaVu), a synthetic road scene, the homography
// that puts a sign into it, and the camera (lighting, blur, noise). Deterministic for a given seed.
import * as PImage from 'pureimage';
import { type Point, applyHomography, homography } from '../src/demo/geometry.js';
import { type RgbaImage, createImage, sampleBilinear } from '../src/demo/image.js';

export const W = 640;
export const H = 480;
/** Sign artwork is drawn this many times larger than its size in sign units, then resampled into the scene. */
const ART_SCALE = 4;

export type Rgb = [number, number, number];
export type FontName = 'bold' | 'cond' | 'sans';

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

// ---- signs ---------------------------------------------------------------------------------------------------

export interface SignLine {
  text: string;
  size: number;
  y: number;
  x?: number;
  color: Rgb;
  font?: FontName;
  align?: 'center' | 'left';
  /** The space between words in em (default WORD_GAP); the 'gaps' set uses narrow ones. */
  wordGap?: number;
}
export interface SignSpec {
  w: number;
  h: number;
  shape: 'rect' | 'octagon' | 'roundrect';
  bg: Rgb;
  border?: { color: Rgb; width: number; inset?: number };
  lines: SignLine[];
  /** Extra artwork drawn after the background (arrows, rings). */
  extra?: (ctx: PImage.Context, s: number) => void;
}

const css = (c: Rgb) => `rgb(${c[0]},${c[1]},${c[2]})`;

function pathShape(
  ctx: PImage.Context,
  shape: SignSpec['shape'],
  x: number,
  y: number,
  w: number,
  h: number,
  r: number,
): void {
  ctx.beginPath();
  if (shape === 'octagon') {
    const c = w * 0.2929;
    const pts = [
      [x + c, y],
      [x + w - c, y],
      [x + w, y + c],
      [x + w, y + h - c],
      [x + w - c, y + h],
      [x + c, y + h],
      [x, y + h - c],
      [x, y + c],
    ];
    ctx.moveTo(pts[0][0], pts[0][1]);
    for (const [px, py] of pts.slice(1)) ctx.lineTo(px, py);
  } else if (shape === 'roundrect' && r > 0) {
    const steps = 8;
    const corner = (cx: number, cy: number, a0: number) => {
      for (let i = 0; i <= steps; i++) {
        const a = a0 + (i / steps) * (Math.PI / 2);
        ctx.lineTo(cx + r * Math.cos(a), cy + r * Math.sin(a));
      }
    };
    ctx.moveTo(x + r, y);
    corner(x + w - r, y + r, -Math.PI / 2);
    corner(x + w - r, y + h - r, 0);
    corner(x + r, y + h - r, Math.PI / 2);
    corner(x + r, y + r, Math.PI);
  } else {
    ctx.moveTo(x, y);
    ctx.lineTo(x + w, y);
    ctx.lineTo(x + w, y + h);
    ctx.lineTo(x, y + h);
  }
  ctx.closePath();
}

interface RenderedSign {
  art: RgbaImage;
  /** The sign's size in sign units: at least the spec's, wider when a line of text needs it. */
  w: number;
  h: number;
  /** Each line's box in art pixels: x0, y0, x1, y1. */
  lineBoxes: { text: string; box: [number, number, number, number] }[];
}

/** Signs space words wider than body text (0.9 em here); the detector then sees words the line formation rejoins. */
const WORD_GAP = 0.9;

function lineWidth(ctx: PImage.Context, line: SignLine, s: number): { widths: number[]; width: number } {
  ctx.font = `${line.size * s}px '${line.font ?? 'bold'}'`;
  const widths = line.text.split(' ').map((w) => ctx.measureText(w).width);
  const gap = (line.wordGap ?? WORD_GAP) * line.size * s;
  return { widths, width: widths.reduce((a, b) => a + b, 0) + gap * (widths.length - 1) };
}

export function renderSign(spec: SignSpec): RenderedSign {
  const s = ART_SCALE;
  const probe = PImage.make(1, 1).getContext('2d');
  const margin = (line: SignLine) =>
    0.45 * line.size + (spec.border ? spec.border.width + (spec.border.inset ?? 0) : 0);
  const w = Math.ceil(Math.max(spec.w, ...spec.lines.map((l) => lineWidth(probe, l, 1).width + 2 * margin(l))));
  const h = spec.h;
  const img = PImage.make(w * s, h * s);
  const ctx = img.getContext('2d');
  ctx.clearRect(0, 0, w * s, h * s);
  const radius = Math.min(w, h) * 0.08 * s;
  ctx.fillStyle = css(spec.border?.color ?? spec.bg);
  pathShape(ctx, spec.shape, 0, 0, w * s, h * s, radius);
  ctx.fill();
  if (spec.border) {
    const b = spec.border.width * s;
    const inset = (spec.border.inset ?? 0) * s;
    if (inset > 0) {
      ctx.fillStyle = css(spec.bg);
      pathShape(ctx, spec.shape, 0, 0, w * s, h * s, radius);
      ctx.fill();
      ctx.fillStyle = css(spec.border.color);
      pathShape(ctx, spec.shape, inset, inset, w * s - 2 * inset, h * s - 2 * inset, radius * 0.8);
      ctx.fill();
      ctx.fillStyle = css(spec.bg);
      pathShape(ctx, spec.shape, inset + b, inset + b, w * s - 2 * (inset + b), h * s - 2 * (inset + b), radius * 0.6);
      ctx.fill();
    } else {
      ctx.fillStyle = css(spec.bg);
      pathShape(ctx, spec.shape, b, b, w * s - 2 * b, h * s - 2 * b, radius * 0.7);
      ctx.fill();
    }
  }
  spec.extra?.(ctx, s);
  const lineBoxes: RenderedSign['lineBoxes'] = [];
  for (const line of spec.lines) {
    const { widths, width } = lineWidth(ctx, line, s);
    ctx.fillStyle = css(line.color);
    const x = line.align === 'left' ? (line.x ?? 0) * s : (line.x ?? w / 2) * s - width / 2;
    const baseline = line.y * s;
    let wx = x;
    line.text.split(' ').forEach((word, i) => {
      ctx.fillText(word, wx, baseline);
      wx += widths[i] + (line.wordGap ?? WORD_GAP) * line.size * s;
    });
    // cap height of DejaVu is about 0.73 em; digits and capitals only go that high, descenders ~0.24 em
    const hasDescender = /[gjpqy,]/.test(line.text);
    lineBoxes.push({
      text: line.text,
      box: [x, baseline - 0.73 * line.size * s, x + width, baseline + (hasDescender ? 0.24 : 0) * line.size * s],
    });
  }
  const art: RgbaImage = { width: img.width, height: img.height, data: new Uint8Array(img.data) };
  return { art, w, h, lineBoxes };
}

// ---- scene -----------------------------------------------------------------------------------------------

export interface Light {
  sky: [Rgb, Rgb];
  ground: Rgb;
  road: Rgb;
  gain: number;
  gamma: number;
  tint: Rgb;
  vignette: number;
  shadow?: { x0: number; depth: number };
}

export const LIGHTS: Record<string, Light> = {
  day: {
    sky: [
      [110, 160, 225],
      [190, 215, 240],
    ],
    ground: [86, 128, 60],
    road: [88, 88, 92],
    gain: 1,
    gamma: 1,
    tint: [1, 1, 1],
    vignette: 0.15,
  },
  overcast: {
    sky: [
      [165, 170, 178],
      [205, 208, 212],
    ],
    ground: [92, 112, 78],
    road: [98, 98, 100],
    gain: 0.92,
    gamma: 1.05,
    tint: [0.98, 1, 1.03],
    vignette: 0.2,
  },
  dusk: {
    sky: [
      [70, 60, 110],
      [235, 150, 90],
    ],
    ground: [60, 70, 45],
    road: [70, 66, 70],
    gain: 0.72,
    gamma: 1.15,
    tint: [1.08, 0.95, 0.85],
    vignette: 0.35,
  },
  glare: {
    sky: [
      [200, 220, 245],
      [250, 250, 245],
    ],
    ground: [130, 150, 100],
    road: [130, 128, 125],
    gain: 1.12,
    gamma: 0.8,
    tint: [1.03, 1.02, 0.97],
    vignette: 0.05,
  },
  shade: {
    sky: [
      [120, 165, 220],
      [200, 220, 240],
    ],
    ground: [70, 110, 55],
    road: [85, 85, 90],
    gain: 1,
    gamma: 1,
    tint: [1, 1, 1],
    vignette: 0.2,
    shadow: { x0: 0.35, depth: 0.45 },
  },
  night: {
    sky: [
      [15, 20, 40],
      [40, 45, 70],
    ],
    ground: [25, 30, 25],
    road: [40, 40, 45],
    gain: 0.85,
    gamma: 1.1,
    tint: [1.05, 1, 0.9],
    vignette: 0.45,
  },
};

const lerp = (a: number, b: number, t: number) => a + (b - a) * t;

function setPx(img: RgbaImage, x: number, y: number, c: readonly number[], alpha = 1): void {
  if (x < 0 || y < 0 || x >= img.width || y >= img.height) return;
  const o = (y * img.width + x) * 4;
  for (let k = 0; k < 3; k++) img.data[o + k] = Math.round(img.data[o + k] * (1 - alpha) + c[k] * alpha);
}

function fillPolygon(img: RgbaImage, poly: Point[], color: (x: number, y: number) => readonly number[]): void {
  const ys = poly.map((p) => p.y);
  for (
    let y = Math.max(0, Math.floor(Math.min(...ys)));
    y <= Math.min(img.height - 1, Math.ceil(Math.max(...ys)));
    y++
  ) {
    const xs: number[] = [];
    for (let i = 0; i < poly.length; i++) {
      const a = poly[i];
      const b = poly[(i + 1) % poly.length];
      const yc = y + 0.5;
      if (a.y <= yc !== b.y <= yc) xs.push(a.x + ((yc - a.y) * (b.x - a.x)) / (b.y - a.y));
    }
    xs.sort((p, q) => p - q);
    for (let i = 0; i + 1 < xs.length; i += 2) {
      for (let x = Math.max(0, Math.round(xs[i])); x < Math.min(img.width, Math.round(xs[i + 1])); x++)
        setPx(img, x, y, color(x, y));
    }
  }
}

export function drawScene(light: Light, rand: () => number, horizon: number, vanishX: number): RgbaImage {
  const img = createImage(W, H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let c: number[];
      if (y < horizon) {
        const t = y / horizon;
        c = [0, 1, 2].map((k) => lerp(light.sky[0][k], light.sky[1][k], t));
      } else {
        const t = (y - horizon) / (H - horizon);
        c = light.ground.map((v) => v * (0.8 + 0.35 * t));
      }
      setPx(img, x, y, c);
    }
  }
  // a band of distant trees with a ragged top edge
  let ridge = horizon - 18;
  for (let x = 0; x < W; x++) {
    ridge = Math.min(horizon - 4, Math.max(horizon - 40, ridge + (rand() - 0.5) * 6));
    for (let y = Math.round(ridge); y < horizon + 2; y++)
      setPx(
        img,
        x,
        y,
        light.ground.map((v) => v * 0.55),
      );
  }
  // road, shoulders and markings converge on the vanishing point
  const road = [
    { x: vanishX - 4, y: horizon },
    { x: vanishX + 4, y: horizon },
    { x: W * 0.98, y: H },
    { x: W * 0.02, y: H },
  ];
  fillPolygon(img, road, (x, y) => light.road.map((v) => v * (0.92 + (0.1 * ((x * 7 + y * 13) % 5)) / 5)));
  for (const side of [0.04, 0.96]) {
    const line = (t0: number, t1: number, width: number) => {
      const at = (t: number) => ({ x: lerp(vanishX, W * side, t), y: lerp(horizon, H, t) });
      const a = at(t0);
      const b = at(t1);
      fillPolygon(
        img,
        [
          { x: a.x - width * t0, y: a.y },
          { x: a.x + width * t0, y: a.y },
          { x: b.x + width * t1, y: b.y },
          { x: b.x - width * t1, y: b.y },
        ],
        () => [225, 225, 215],
      );
    };
    line(0.02, 1, 5);
  }
  for (let k = 0; k < 9; k++) {
    const t0 = Math.pow((k + 0.2) / 9, 1.6);
    const t1 = Math.pow((k + 0.6) / 9, 1.6);
    const at = (t: number) => ({ x: vanishX + (W * 0.5 - vanishX) * t, y: lerp(horizon, H, t) });
    const a = at(t0);
    const b = at(t1);
    fillPolygon(
      img,
      [
        { x: a.x - 4 * t0, y: a.y },
        { x: a.x + 4 * t0, y: a.y },
        { x: b.x + 4 * t1, y: b.y },
        { x: b.x - 4 * t1, y: b.y },
      ],
      () => [230, 220, 120],
    );
  }
  return img;
}

export interface Placement {
  cx: number;
  cy: number;
  /** Scene width of the sign at its nominal (spec) width; a sign widened for its text keeps the scale. */ width: number;
  /** Horizontal foreshortening: > 0 makes the right edge nearer (taller). */ yaw: number;
  roll: number;
  pole?: boolean;
}

/** The sign's corners in the scene (tl, tr, br, bl): a rectangle turned about its vertical axis, then rolled. */
export function placeQuad(p: Placement, aspect: number): Point[] {
  const h = p.width / aspect;
  const k = Math.sin(p.yaw) * 0.35;
  const w = p.width * Math.cos(p.yaw);
  const raw = [
    { x: -w / 2, y: (-h / 2) * (1 - k) },
    { x: w / 2, y: (-h / 2) * (1 + k) },
    { x: w / 2, y: (h / 2) * (1 + k) },
    { x: -w / 2, y: (h / 2) * (1 - k) },
  ];
  const c = Math.cos(p.roll);
  const s = Math.sin(p.roll);
  return raw.map((q) => ({ x: p.cx + q.x * c - q.y * s, y: p.cy + q.x * s + q.y * c }));
}

/** Composites the sign art into the scene through the homography, 4x4 supersampled per scene pixel. */
export function pasteSign(scene: RgbaImage, art: RgbaImage, quad: Point[]): (p: Point) => Point {
  const artCorners = [
    { x: 0, y: 0 },
    { x: art.width, y: 0 },
    { x: art.width, y: art.height },
    { x: 0, y: art.height },
  ];
  const toArt = homography(quad, artCorners);
  const toScene = homography(artCorners, quad);
  const xs = quad.map((q) => q.x);
  const ys = quad.map((q) => q.y);
  const px = new Float32Array(4);
  const n = 4;
  for (let y = Math.max(0, Math.floor(Math.min(...ys))); y < Math.min(H, Math.ceil(Math.max(...ys)) + 1); y++) {
    for (let x = Math.max(0, Math.floor(Math.min(...xs))); x < Math.min(W, Math.ceil(Math.max(...xs)) + 1); x++) {
      const acc = [0, 0, 0];
      let alpha = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const a = applyHomography(toArt, { x: x + (sx + 0.5) / n, y: y + (sy + 0.5) / n });
          if (a.x < 0 || a.y < 0 || a.x >= art.width || a.y >= art.height) continue;
          sampleBilinear(art, a.x - 0.5, a.y - 0.5, px);
          const al = px[3] / 255;
          for (let k = 0; k < 3; k++) acc[k] += px[k] * al;
          alpha += al;
        }
      }
      if (alpha <= 0) continue;
      setPx(
        scene,
        x,
        y,
        acc.map((v) => v / alpha),
        alpha / (n * n),
      );
    }
  }
  return (p: Point) => applyHomography(toScene, p);
}

export function drawPole(scene: RgbaImage, quad: Point[], light: Light): void {
  const bottom = Math.max(quad[2].y, quad[3].y);
  const cx = (quad[2].x + quad[3].x) / 2;
  const width = Math.max(3, Math.abs(quad[2].x - quad[3].x) * 0.05);
  const foot = Math.min(H - 1, bottom + (H - bottom) * 0.55 + 40);
  fillPolygon(
    scene,
    [
      { x: cx - width / 2, y: bottom - 2 },
      { x: cx + width / 2, y: bottom - 2 },
      { x: cx + width / 2, y: foot },
      { x: cx - width / 2, y: foot },
    ],
    (x) => light.road.map((v) => v * (0.75 + 0.5 * ((x - cx + width / 2) / width))),
  );
}

// ---- camera effects ------------------------------------------------------------------------------------------

export interface Camera {
  blur: number;
  noise: number;
  jpeg?: number;
}

function gaussianBlur(img: RgbaImage, sigma: number): RgbaImage {
  if (sigma <= 0) return img;
  const r = Math.ceil(sigma * 3);
  const k = Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const sum = k.reduce((a, b) => a + b, 0);
  const kern = k.map((v) => v / sum);
  const pass = (src: RgbaImage, dx: number, dy: number): RgbaImage => {
    const out = new Uint8Array(src.data.length);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const acc = [0, 0, 0];
        for (let i = -r; i <= r; i++) {
          const sx = Math.min(W - 1, Math.max(0, x + i * dx));
          const sy = Math.min(H - 1, Math.max(0, y + i * dy));
          const o = (sy * W + sx) * 4;
          for (let c = 0; c < 3; c++) acc[c] += kern[i + r] * src.data[o + c];
        }
        const o = (y * W + x) * 4;
        for (let c = 0; c < 3; c++) out[o + c] = acc[c] + 0.5;
        out[o + 3] = 255;
      }
    }
    return { width: W, height: H, data: out };
  };
  return pass(pass(img, 1, 0), 0, 1);
}

export function applyCamera(img: RgbaImage, light: Light, cam: Camera, rand: () => number): RgbaImage {
  const blurred = gaussianBlur(img, cam.blur);
  const d = blurred.data;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const o = (y * W + x) * 4;
      const rx = x / W - 0.5;
      const ry = y / H - 0.5;
      let g = light.gain * (1 - light.vignette * (rx * rx + ry * ry) * 2);
      if (light.shadow) {
        // a soft-edged diagonal shadow (a building beside the road)
        const edge = (x / W - light.shadow.x0 - 0.25 * (1 - y / H)) / 0.04;
        g *= 1 - light.shadow.depth * Math.min(1, Math.max(0, edge + 0.5));
      }
      for (let c = 0; c < 3; c++) {
        const v = Math.pow(d[o + c] / 255, light.gamma) * 255 * g * light.tint[c] + gaussian(rand) * cam.noise;
        d[o + c] = Math.min(255, Math.max(0, Math.round(v)));
      }
    }
  }
  return blurred;
}
