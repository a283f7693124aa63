// The demo's pre/post-processing without any network: CTC decoding, DBNet box extraction, geometry, crops, scoring.
import { describe, expect, it } from 'vitest';
import { editDistance, scoreFrame, summarize } from '../../src/demo/accuracy.js';
import { boxesFromProbMap, connectedComponents, detInputSize, preprocessDet } from '../../src/demo/det.js';
import { annotate } from '../../src/demo/draw.js';
import { glyph } from '../../src/demo/font.js';
import {
  type Point,
  applyHomography,
  convexHull,
  homography,
  minAreaRect,
  rectCorners,
  unclipRect,
} from '../../src/demo/geometry.js';
import { createImage, resizeImage, warpQuad } from '../../src/demo/image.js';
import { groupWords } from '../../src/demo/lines.js';
import type { OcrLine } from '../../src/demo/pipeline.js';
import {
  REC_MIN_WIDTH,
  batchRecInputs,
  cropQuad,
  ctcGreedyDecode,
  parseDictionary,
  preprocessRec,
  recBatchWidth,
} from '../../src/demo/rec.js';

/** A T x C probability matrix whose argmax at step t is path[t], with that class at probability p[t]. */
function ctcMatrix(path: number[], classes: number, p: number[] = path.map(() => 0.9)): Float32Array {
  const m = new Float32Array(path.length * classes);
  path.forEach((c, t) => {
    for (let k = 0; k < classes; k++) m[t * classes + k] = (1 - p[t]) / (classes - 1);
    m[t * classes + c] = p[t];
  });
  return m;
}

describe('CTC greedy decoding', () => {
  const alphabet = parseDictionary('S\nT\nO\nP\n6\n0\n');
  // ['', S, T, O, P, 6, 0, ' ']

  it('builds the alphabet as blank + dictionary + space', () => {
    expect(alphabet).toEqual(['', 'S', 'T', 'O', 'P', '6', '0', ' ']);
    expect(parseDictionary('a\r\nb', false)).toEqual(['', 'a', 'b']);
  });

  it('merges repeats, drops blanks, and keeps a repeat separated by a blank', () => {
    // S S _ T O O _ O P _  -> "STOOP"
    const path = [1, 1, 0, 2, 3, 3, 0, 3, 4, 0];
    const r = ctcGreedyDecode(ctcMatrix(path, alphabet.length), path.length, alphabet.length, alphabet);
    expect(r.text).toBe('STOOP');
    expect(r.chars.map(([c]) => c).join('')).toBe('STOOP');
  });

  it('decodes spaces and reports the mean probability of the emitted characters', () => {
    const path = [0, 5, 0, 7, 7, 6, 0];
    const probs = [0.99, 0.8, 0.95, 0.6, 0.9, 0.7, 0.99];
    const r = ctcGreedyDecode(ctcMatrix(path, alphabet.length, probs), path.length, alphabet.length, alphabet);
    expect(r.text).toBe('6 0');
    // emitted: '6' at 0.8, ' ' at 0.6 (first step of the run), '0' at 0.7
    expect(r.confidence).toBeCloseTo((0.8 + 0.6 + 0.7) / 3, 5);
  });

  it('returns empty text with zero confidence for all blanks, and checks the class count', () => {
    const r = ctcGreedyDecode(ctcMatrix([0, 0, 0], alphabet.length), 3, alphabet.length, alphabet);
    expect(r).toEqual({ text: '', confidence: 0, chars: [] });
    expect(() => ctcGreedyDecode(new Float32Array(9), 1, 9, alphabet)).toThrow(/9 classes/);
  });
});

describe('geometry', () => {
  it('finds the convex hull', () => {
    const pts = [
      { x: 0, y: 0 },
      { x: 2, y: 0 },
      { x: 2, y: 2 },
      { x: 0, y: 2 },
      { x: 1, y: 1 },
      { x: 1, y: 0 },
    ];
    expect(convexHull(pts)).toHaveLength(4);
  });

  it('recovers a rotated rectangle as the minimum-area rectangle', () => {
    const truth = { center: { x: 50, y: 40 }, width: 60, height: 20, angle: 0.3 };
    const corners = rectCorners(truth);
    const inner: Point[] = [...corners, { x: 50, y: 40 }, { x: 55, y: 42 }];
    const r = minAreaRect(inner);
    expect(r.width).toBeCloseTo(60, 6);
    expect(r.height).toBeCloseTo(20, 6);
    expect(r.angle).toBeCloseTo(0.3, 6);
    expect(r.center.x).toBeCloseTo(50, 6);
  });

  it('unclips a rectangle by area * ratio / perimeter on every side', () => {
    const r = unclipRect({ center: { x: 0, y: 0 }, width: 100, height: 20, angle: 0 }, 1.5);
    const d = (100 * 20 * 1.5) / 240;
    expect(r.width).toBeCloseTo(100 + 2 * d);
    expect(r.height).toBeCloseTo(20 + 2 * d);
  });

  it('solves a homography that maps the four points and is consistent in between', () => {
    const from = [
      { x: 0, y: 0 },
      { x: 10, y: 0 },
      { x: 10, y: 10 },
      { x: 0, y: 10 },
    ];
    const to = [
      { x: 3, y: 1 },
      { x: 20, y: 4 },
      { x: 18, y: 25 },
      { x: 1, y: 19 },
    ];
    const h = homography(from, to);
    from.forEach((p, i) => {
      const q = applyHomography(h, p);
      expect(q.x).toBeCloseTo(to[i].x, 6);
      expect(q.y).toBeCloseTo(to[i].y, 6);
    });
    const back = homography(to, from);
    const mid = applyHomography(back, applyHomography(h, { x: 4, y: 7 }));
    expect(mid.x).toBeCloseTo(4, 6);
    expect(mid.y).toBeCloseTo(7, 6);
  });
});

describe('DBNet box extraction', () => {
  const W = 160;
  const H = 96;
  function probMap(fill: (x: number, y: number) => number): Float32Array {
    const m = new Float32Array(W * H);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) m[y * W + x] = fill(x, y);
    return m;
  }

  it('labels 8-connected components', () => {
    const mask = new Uint8Array([1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 0]);
    // 4 wide, 3 tall: (0,0) and (0,1) touch vertically, (0,1) and (1,2) diagonally, (1,2) and (2,2) sideways
    const comps = connectedComponents(mask, 4, 3);
    expect(comps).toHaveLength(1);
    expect(comps[0].pixels).toBe(4);
    expect(connectedComponents(new Uint8Array([1, 0, 1, 0, 0, 0]), 3, 2)).toHaveLength(2);
  });

  it('finds two text blobs, unclips them and scales to the original image; drops specks and weak blobs', () => {
    const prob = probMap((x, y) => {
      if (x >= 20 && x <= 79 && y >= 10 && y <= 21) return 0.95; // a 60 x 12 line
      if (x >= 100 && x <= 139 && y >= 50 && y <= 59) return 0.9; // a 40 x 10 line
      if (x >= 5 && x <= 6 && y >= 80 && y <= 81) return 0.99; // a 2 x 2 speck
      if (x >= 60 && x <= 90 && y >= 70 && y <= 85) return 0.45; // above thresh, below box_thresh
      return 0.01;
    });
    const boxes = boxesFromProbMap(prob, W, H, 2, 2);
    expect(boxes).toHaveLength(2);
    const [a, b] = boxes;
    // pixel centres span 59 x 11; unclip adds d = 59*11*1.5/(2*70) on each side; then x2 scale
    const d = (59 * 11 * 1.5) / 140;
    expect(a.quad[0].x).toBeCloseTo((20 - d) * 2, 4);
    expect(a.quad[0].y).toBeCloseTo((10 - d) * 2, 4);
    expect(a.quad[2].x).toBeCloseTo((79 + d) * 2, 4);
    expect(a.quad[2].y).toBeCloseTo((21 + d) * 2, 4);
    expect(a.score).toBeCloseTo(0.95, 5);
    expect(b.quad[0].x).toBeGreaterThan(180);
    expect(b.score).toBeCloseTo(0.9, 5);
  });

  it('follows a slanted line with a rotated box', () => {
    const angle = 0.25;
    const prob = probMap((x, y) => {
      const u = (x - 80) * Math.cos(angle) + (y - 48) * Math.sin(angle);
      const v = -(x - 80) * Math.sin(angle) + (y - 48) * Math.cos(angle);
      return Math.abs(u) <= 40 && Math.abs(v) <= 6 ? 0.9 : 0;
    });
    const [box] = boxesFromProbMap(prob, W, H);
    const [tl, tr] = box.quad;
    expect(Math.atan2(tr.y - tl.y, tr.x - tl.x)).toBeCloseTo(angle, 1);
  });

  it('sizes the detector input to multiples of 32 within the limit', () => {
    expect(detInputSize(640, 480)).toEqual({ width: 640, height: 480 });
    expect(detInputSize(1920, 1080)).toEqual({ width: 960, height: 544 });
    expect(detInputSize(100, 20)).toEqual({ width: 96, height: 32 });
    const t = preprocessDet(createImage(100, 50, [255, 0, 0]));
    expect(t.shape).toEqual([1, 3, 64, 96]);
    // BGR order: channel 0 is blue (0), channel 2 is red (255), each (v/255 - mean) / std
    expect(t.data[0]).toBeCloseTo((0 - 0.485) / 0.229, 4);
    expect(t.data[2 * 64 * 96]).toBeCloseTo((1 - 0.406) / 0.225, 4);
  });
});

describe('crops and recognizer input', () => {
  it('rectifies a rotated quad back to an upright crop', () => {
    // a 40 x 10 white bar on black, rotated by 20 degrees
    const img = createImage(100, 100);
    const rect = { center: { x: 50, y: 50 }, width: 40, height: 10, angle: 0.35 };
    const corners = rectCorners(rect);
    for (let y = 0; y < 100; y++) {
      for (let x = 0; x < 100; x++) {
        const u = (x - 50) * Math.cos(0.35) + (y - 50) * Math.sin(0.35);
        const v = -(x - 50) * Math.sin(0.35) + (y - 50) * Math.cos(0.35);
        if (Math.abs(u) < 20 && Math.abs(v) < 5) img.data.fill(255, (y * 100 + x) * 4, (y * 100 + x) * 4 + 3);
      }
    }
    const crop = cropQuad(img, corners);
    expect(crop.width).toBe(40);
    expect(crop.height).toBe(10);
    let bright = 0;
    for (let i = 0; i < crop.data.length; i += 4) if (crop.data[i] > 128) bright++;
    expect(bright / (40 * 10)).toBeGreaterThan(0.75);
  });

  it('turns tall crops to read left to right', () => {
    const img = createImage(50, 50);
    const crop = cropQuad(img, [
      { x: 10, y: 5 },
      { x: 20, y: 5 },
      { x: 20, y: 45 },
      { x: 10, y: 45 },
    ]);
    expect([crop.width, crop.height]).toEqual([40, 10]);
  });

  it('warps with the homography (a shifted square reads the shifted pixels)', () => {
    const img = createImage(20, 20);
    img.data.fill(200, (5 * 20 + 7) * 4, (5 * 20 + 7) * 4 + 3);
    const out = warpQuad(
      img,
      [
        { x: 7, y: 5 },
        { x: 12, y: 5 },
        { x: 12, y: 10 },
        { x: 7, y: 10 },
      ],
      5,
      5,
    );
    expect(out.data[0]).toBe(200);
    expect(out.data[4]).toBe(0);
  });

  it('resizes to height 48, pads right to the width its ratio needs (multiple of 64, at least 320), normalizes to [-1, 1]', () => {
    const r = preprocessRec(createImage(100, 20, [255, 255, 255]));
    expect(r.shape).toEqual([1, 3, 48, REC_MIN_WIDTH]);
    expect(r.contentWidth).toBe(240);
    expect(r.data[0]).toBeCloseTo(1, 5);
    expect(r.data[300]).toBe(0);
    // 400x40: ratio 10 needs 480 columns -> 512; 430x40 needs 516 -> 576; 2000x20 needs 4800: never squashed
    expect(preprocessRec(createImage(400, 40)).shape[3]).toBe(512);
    expect(preprocessRec(createImage(430, 40)).shape[3]).toBe(576);
    const long = preprocessRec(createImage(2000, 20));
    expect([long.shape[3], long.contentWidth]).toEqual([4800, 4800]);
  });

  it('batches lines by aspect ratio: one run per width bucket, each line resized alone and padded right', () => {
    const white = (w: number, h: number) => createImage(w, h, [255, 255, 255]);
    // ratios 5, 2, 13, 4, 12.5: three fit 320 columns, two need ceil(48 * 13) = 624 -> 640
    const crops = [white(100, 20), white(40, 20), white(260, 20), white(80, 20), white(250, 20)];
    const batches = batchRecInputs(crops);
    expect(batches.map((b) => [b.indices, b.shape])).toEqual([
      [
        [1, 3, 0],
        [3, 3, 48, 320],
      ],
      [
        [4, 2],
        [2, 3, 48, 640],
      ],
    ]);
    expect(recBatchWidth(12)).toBe(576);
    // row r of a batch is exactly that crop's single-line tensor, padded with zeros to the batch width
    for (const b of batches) {
      const plane = 3 * 48 * b.shape[3];
      b.indices.forEach((ci, row) => {
        const alone = preprocessRec(crops[ci]);
        const width = b.shape[3];
        for (let c = 0; c < 3; c++)
          for (let y = 0; y < 48; y++)
            for (let x = 0; x < width; x++) {
              const want = x < alone.shape[3] ? alone.data[(c * 48 + y) * alone.shape[3] + x] : 0;
              const got = b.data[row * plane + (c * 48 + y) * width + x];
              if (got !== want) throw new Error(`batch row ${row} (crop ${ci}) differs at c${c} y${y} x${x}`);
            }
      });
    }
    // at most maxBatch lines per run
    expect(
      batchRecInputs(
        Array.from({ length: 5 }, () => white(60, 20)),
        { maxBatch: 2 },
      ).map((b) => b.shape[0]),
    ).toEqual([2, 2, 1]);
  });

  it('resizes with area averaging when shrinking', () => {
    const img = createImage(4, 1);
    img.data.set([255, 255, 255, 255, 0, 0, 0, 255, 255, 255, 255, 255, 0, 0, 0, 255]);
    const small = resizeImage(img, 2, 1);
    expect(small.data[0]).toBeGreaterThan(100);
    expect(small.data[0]).toBeLessThan(200);
  });
});

const line = (text: string, x0: number, y0: number, x1: number, y1: number, confidence = 0.9): OcrLine => ({
  text,
  confidence,
  detScore: 0.8,
  quad: [
    { x: x0, y: y0 },
    { x: x1, y: y0 },
    { x: x1, y: y1 },
    { x: x0, y: y1 },
  ],
});

describe('line formation and scoring', () => {
  it('joins words on one line and leaves stacked lines alone', () => {
    const words = [line('STOP', 160, 100, 240, 130), line('BUS', 80, 101, 145, 131), line('LIMIT', 80, 140, 170, 170)];
    const grouped = groupWords(words);
    expect(grouped.map((w) => w.text).sort()).toEqual(['BUS STOP', 'LIMIT']);
    const bus = grouped.find((w) => w.text === 'BUS STOP')!;
    expect(bus.quad[0].x).toBe(80);
    expect(bus.quad[1].x).toBe(240);
  });

  it('does not join words far apart or of different sizes', () => {
    expect(groupWords([line('A', 0, 0, 30, 30), line('B', 200, 0, 230, 30)])).toHaveLength(2);
    expect(groupWords([line('A', 0, 0, 30, 30), line('B', 35, 0, 100, 80)])).toHaveLength(2);
  });

  it('computes edit distance', () => {
    expect(editDistance('SPEED', 'SPEED')).toBe(0);
    expect(editDistance('SPEEO', 'SPEED')).toBe(1);
    expect(editDistance('2KM', '2 KM')).toBe(1);
    expect(editDistance('', 'ABC')).toBe(3);
  });

  it('pairs read lines with the truth by overlap, and counts misses and extras', () => {
    const truth = [
      {
        text: 'SPEED',
        quad: [
          [10, 10],
          [60, 10],
          [60, 30],
          [10, 30],
        ] as [number, number][],
      },
      {
        text: 'LIMIT',
        quad: [
          [10, 40],
          [60, 40],
          [60, 60],
          [10, 60],
        ] as [number, number][],
      },
    ] as const;
    const score = scoreFrame(
      [line('LIMlT', 8, 38, 62, 62), line('SPEED', 8, 8, 62, 32), line('X', 300, 300, 320, 320)],
      truth as never,
    );
    expect(score.lines.map((l) => [l.truth, l.read, l.exact])).toEqual([
      ['SPEED', 'SPEED', true],
      ['LIMIT', 'LIMlT', false],
    ]);
    expect(score.extra).toEqual(['X']);
    expect(score.exact).toBe(false);
    const s = summarize([score]);
    expect(s.exactMatch).toBe(0.5);
    expect(s.charAccuracy).toBeCloseTo(1 - 1 / 10);
  });
});

describe('annotation', () => {
  it('has a glyph for every character on the bundled signs and the caption', () => {
    for (const ch of 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .:-') expect(glyph(ch).flat().length).toBe(35);
    expect(glyph('a')).toEqual(glyph('A'));
  });

  it('draws boxes and labels on the frame', () => {
    const img = createImage(200, 100, [10, 10, 10]);
    annotate(img, [line('STOP', 50, 40, 150, 70, 0.97)], 'WALL 5 MS');
    let green = 0;
    for (let i = 0; i < img.data.length; i += 4) if (img.data[i + 1] > 200 && img.data[i] < 100) green++;
    expect(green).toBeGreaterThan(300);
  });
});
