// Scoring recognized lines against the known sign text: character accuracy (1 - edit distance / length) and exact
// match.
import { type Point, bboxIou } from './geometry.js';
import type { OcrLine } from './pipeline.js';
import type { TruthLine } from './truth.js';

export function editDistance(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++)
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[y.length];
}

export interface LineScore {
  truth: string;
  /** The recognized text paired with this line ('' when nothing was found there). */
  read: string;
  confidence: number;
  distance: number;
  exact: boolean;
}

export interface FrameScore {
  lines: LineScore[];
  /** Recognized lines that pair with no sign line. */
  extra: string[];
  /** Every sign line read exactly and nothing extra. */
  exact: boolean;
}

const toPoints = (q: TruthLine['quad']): Point[] => q.map(([x, y]) => ({ x, y }));

/** Pairs each truth line with the recognized line whose box overlaps it most (IoU >= minIou), greedily. */
export function scoreFrame(read: readonly OcrLine[], truth: readonly TruthLine[], minIou = 0.25): FrameScore {
  const pairs: { t: number; r: number; iou: number }[] = [];
  truth.forEach((t, ti) =>
    read.forEach((r, ri) => {
      const iou = bboxIou(toPoints(t.quad), r.quad);
      if (iou >= minIou) pairs.push({ t: ti, r: ri, iou });
    }),
  );
  pairs.sort((a, b) => b.iou - a.iou);
  const byTruth = new Map<number, number>();
  const used = new Set<number>();
  for (const p of pairs) {
    if (byTruth.has(p.t) || used.has(p.r)) continue;
    byTruth.set(p.t, p.r);
    used.add(p.r);
  }
  const lines = truth.map((t, ti) => {
    const r = byTruth.has(ti) ? read[byTruth.get(ti)!] : undefined;
    const text = r?.text ?? '';
    const distance = editDistance(text, t.text);
    return { truth: t.text, read: text, confidence: r?.confidence ?? 0, distance, exact: distance === 0 };
  });
  const extra = read.filter((_, i) => !used.has(i)).map((r) => r.text);
  return { lines, extra, exact: lines.every((l) => l.exact) && extra.length === 0 };
}

export interface AccuracySummary {
  lines: number;
  exactLines: number;
  /** Exact-match rate over sign lines. */
  exactMatch: number;
  /** 1 - total edit distance / total truth characters (floored at 0). */
  charAccuracy: number;
  frames: number;
  exactFrames: number;
  extra: number;
}

export function summarize(scores: readonly FrameScore[]): AccuracySummary {
  let lines = 0;
  let exactLines = 0;
  let chars = 0;
  let dist = 0;
  let extra = 0;
  for (const f of scores) {
    for (const l of f.lines) {
      lines++;
      if (l.exact) exactLines++;
      chars += [...l.truth].length;
      dist += Math.min(l.distance, [...l.truth].length);
    }
    extra += f.extra.length;
  }
  return {
    lines,
    exactLines,
    exactMatch: lines ? exactLines / lines : 0,
    charAccuracy: chars ? 1 - dist / chars : 0,
    frames: scores.length,
    exactFrames: scores.filter((f) => f.exact).length,
    extra,
  };
}
