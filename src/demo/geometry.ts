// Plane geometry for text boxes: convex hull, minimum-area rectangle, DBNet unclip, homographies.
export interface Point {
  x: number;
  y: number;
}
/** Four corners in order: top-left, top-right, bottom-right, bottom-left. */
export type Quad = [Point, Point, Point, Point];

const cross = (o: Point, a: Point, b: Point): number => (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);

/** Convex hull (Andrew's monotone chain), counter-clockwise in y-down coordinates, no collinear points. */
export function convexHull(points: readonly Point[]): Point[] {
  const p = [...points].sort((a, b) => a.x - b.x || a.y - b.y);
  if (p.length <= 2) return p;
  const lower: Point[] = [];
  for (const q of p) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], q) <= 0) lower.pop();
    lower.push(q);
  }
  const upper: Point[] = [];
  for (let i = p.length - 1; i >= 0; i--) {
    const q = p[i];
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], q) <= 0) upper.pop();
    upper.push(q);
  }
  lower.pop();
  upper.pop();
  return lower.concat(upper);
}

export interface RotatedRect {
  center: Point;
  width: number;
  height: number;
  /** radians, direction of the width side */ angle: number;
}

/** The minimum-area enclosing rectangle: one side lies on a hull edge (rotating calipers, O(n^2) is fine for hulls). */
export function minAreaRect(points: readonly Point[]): RotatedRect {
  const hull = convexHull(points);
  if (hull.length === 0) return { center: { x: 0, y: 0 }, width: 0, height: 0, angle: 0 };
  if (hull.length === 1) return { center: { ...hull[0] }, width: 0, height: 0, angle: 0 };
  let best: RotatedRect | null = null;
  let bestArea = Infinity;
  for (let i = 0; i < hull.length; i++) {
    const a = hull[i];
    const b = hull[(i + 1) % hull.length];
    const len = Math.hypot(b.x - a.x, b.y - a.y);
    if (len === 0) continue;
    const ux = (b.x - a.x) / len;
    const uy = (b.y - a.y) / len;
    let minU = Infinity;
    let maxU = -Infinity;
    let minV = Infinity;
    let maxV = -Infinity;
    for (const q of hull) {
      const u = q.x * ux + q.y * uy;
      const v = -q.x * uy + q.y * ux;
      minU = Math.min(minU, u);
      maxU = Math.max(maxU, u);
      minV = Math.min(minV, v);
      maxV = Math.max(maxV, v);
    }
    const area = (maxU - minU) * (maxV - minV);
    if (area < bestArea - 1e-9) {
      bestArea = area;
      const cu = (minU + maxU) / 2;
      const cv = (minV + maxV) / 2;
      best = {
        center: { x: cu * ux - cv * uy, y: cu * uy + cv * ux },
        width: maxU - minU,
        height: maxV - minV,
        angle: Math.atan2(uy, ux),
      };
    }
  }
  return normalizeRect(best!);
}

/** The same rectangle with its angle in (-45°, 45°], so that "width" is the more horizontal side. */
function normalizeRect(r: RotatedRect): RotatedRect {
  let { width, height, angle } = r;
  const quarter = Math.PI / 2;
  while (angle > Math.PI / 4) {
    angle -= quarter;
    [width, height] = [height, width];
  }
  while (angle <= -Math.PI / 4) {
    angle += quarter;
    [width, height] = [height, width];
  }
  return { center: r.center, width, height, angle };
}

/** The corners of a rotated rectangle as tl, tr, br, bl (in y-down image coordinates). */
export function rectCorners(r: RotatedRect): Quad {
  const c = Math.cos(r.angle);
  const s = Math.sin(r.angle);
  const hw = r.width / 2;
  const hh = r.height / 2;
  const at = (u: number, v: number): Point => ({ x: r.center.x + u * c - v * s, y: r.center.y + u * s + v * c });
  return [at(-hw, -hh), at(hw, -hh), at(hw, hh), at(-hw, hh)];
}

/**
 * DBNet's unclip: offset the shrunk text polygon outwards by area * ratio / perimeter. For a rectangle the offset
 * polygon's minimum-area rectangle grows by that distance on every side.
 */
export function unclipRect(r: RotatedRect, ratio: number): RotatedRect {
  const area = r.width * r.height;
  const perimeter = 2 * (r.width + r.height);
  const d = perimeter > 0 ? (area * ratio) / perimeter : 0;
  return { center: r.center, width: r.width + 2 * d, height: r.height + 2 * d, angle: r.angle };
}

export function pointInPolygon(x: number, y: number, poly: readonly Point[]): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const a = poly[i];
    const b = poly[j];
    if (a.y > y !== b.y > y && x < ((b.x - a.x) * (y - a.y)) / (b.y - a.y) + a.x) inside = !inside;
  }
  return inside;
}

/** A 3x3 projective transform, row-major. */
export type Homography = [number, number, number, number, number, number, number, number, number];

/** The homography that maps each `from[i]` onto `to[i]` (four point pairs, solved by Gaussian elimination). */
export function homography(from: readonly Point[], to: readonly Point[]): Homography {
  const A: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const { x, y } = from[i];
    const { x: u, y: v } = to[i];
    A.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    A.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  for (let c = 0; c < 8; c++) {
    let piv = c;
    for (let r = c + 1; r < 8; r++) if (Math.abs(A[r][c]) > Math.abs(A[piv][c])) piv = r;
    if (Math.abs(A[piv][c]) < 1e-12) throw new Error('homography: degenerate point set');
    [A[c], A[piv]] = [A[piv], A[c]];
    for (let r = 0; r < 8; r++) {
      if (r === c) continue;
      const f = A[r][c] / A[c][c];
      for (let k = c; k < 9; k++) A[r][k] -= f * A[c][k];
    }
  }
  const h = A.map((row, i) => row[8] / row[i]);
  return [h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], 1];
}

export function applyHomography(h: Homography, p: Point): Point {
  const w = h[6] * p.x + h[7] * p.y + h[8];
  return { x: (h[0] * p.x + h[1] * p.y + h[2]) / w, y: (h[3] * p.x + h[4] * p.y + h[5]) / w };
}

export const distance = (a: Point, b: Point): number => Math.hypot(a.x - b.x, a.y - b.y);

/** Axis-aligned intersection-over-union of two polygons' bounding boxes (enough to pair text lines). */
export function bboxIou(a: readonly Point[], b: readonly Point[]): number {
  const bb = (p: readonly Point[]) => [
    Math.min(...p.map((q) => q.x)),
    Math.min(...p.map((q) => q.y)),
    Math.max(...p.map((q) => q.x)),
    Math.max(...p.map((q) => q.y)),
  ];
  const [ax0, ay0, ax1, ay1] = bb(a);
  const [bx0, by0, bx1, by1] = bb(b);
  const iw = Math.max(0, Math.min(ax1, bx1) - Math.max(ax0, bx0));
  const ih = Math.max(0, Math.min(ay1, by1) - Math.max(ay0, by0));
  const inter = iw * ih;
  const union = (ax1 - ax0) * (ay1 - ay0) + (bx1 - bx0) * (by1 - by0) - inter;
  return union > 0 ? inter / union : 0;
}
