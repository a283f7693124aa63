// Line formation: words the detector found as separate boxes on one text line become one line, joined by spaces.
import type { Point, Quad } from './geometry.js';

export interface WordBox {
  quad: Quad;
  text: string;
  confidence: number;
  detScore: number;
}

const sub = (a: Point, b: Point): Point => ({ x: a.x - b.x, y: a.y - b.y });
const mid = (a: Point, b: Point): Point => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });

function frame(q: Quad) {
  const axis = sub(mid(q[1], q[2]), mid(q[0], q[3]));
  const len = Math.hypot(axis.x, axis.y) || 1;
  const u = { x: axis.x / len, y: axis.y / len };
  const height = (Math.hypot(q[3].x - q[0].x, q[3].y - q[0].y) + Math.hypot(q[2].x - q[1].x, q[2].y - q[1].y)) / 2;
  return { u, height, left: mid(q[0], q[3]), right: mid(q[1], q[2]), angle: Math.atan2(u.y, u.x) };
}

/** Whether `b` continues the line of `a` to its right: same height and slant, on a's centre line, a small gap apart. */
export function sameLine(a: Quad, b: Quad, maxGap = 1.5): boolean {
  const fa = frame(a);
  const fb = frame(b);
  const h = Math.max(fa.height, fb.height);
  if (Math.min(fa.height, fb.height) / h < 0.7) return false;
  if (Math.abs(fa.angle - fb.angle) > 0.2) return false;
  const d = sub(fb.left, fa.right);
  const along = d.x * fa.u.x + d.y * fa.u.y;
  const across = -d.x * fa.u.y + d.y * fa.u.x;
  return Math.abs(across) < 0.3 * h && along > -1.0 * h && along < maxGap * h;
}

/** Merges chains of same-line words, left to right; the merged box spans the first and last word. */
export function groupWords<T extends WordBox>(words: readonly T[], maxGap = 1.5): WordBox[] {
  const sorted = [...words].sort((p, q) => Math.min(...p.quad.map((v) => v.x)) - Math.min(...q.quad.map((v) => v.x)));
  const used = new Set<number>();
  const out: WordBox[] = [];
  for (let i = 0; i < sorted.length; i++) {
    if (used.has(i)) continue;
    const chain = [sorted[i]];
    used.add(i);
    for (let j = i + 1; j < sorted.length; j++) {
      if (!used.has(j) && sameLine(chain[chain.length - 1].quad, sorted[j].quad, maxGap)) {
        chain.push(sorted[j]);
        used.add(j);
      }
    }
    if (chain.length === 1) {
      out.push(chain[0]);
      continue;
    }
    const first = chain[0].quad;
    const last = chain[chain.length - 1].quad;
    const chars = chain.reduce((n, w) => n + w.text.length, 0) || 1;
    out.push({
      quad: [first[0], last[1], last[2], first[3]],
      text: chain.map((w) => w.text).join(' '),
      confidence: chain.reduce((s, w) => s + w.confidence * w.text.length, 0) / chars,
      detScore: chain.reduce((s, w) => s + w.detScore, 0) / chain.length,
    });
  }
  return out;
}
