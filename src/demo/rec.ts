// Text recognition around a CRNN/SVTR-style network: crop + rectify each box, resize to 48 x W, CTC-decode the output.
import { type Quad, distance } from './geometry.js';
import { type RgbaImage, resizeImage, rotate90, toBgrTensor, warpQuad } from './image.js';

export const REC_HEIGHT = 48;
/** Input widths the recognizer is run at: each crop is padded up to the next, so a session needs few plans. */
export const REC_WIDTHS = [320, 480, 640, 960] as const;

/** Cuts the box out of the frame as an upright image (PaddleOCR's get_rotate_crop_image). */
export function cropQuad(img: RgbaImage, quad: Quad): RgbaImage {
  const [tl, tr, br, bl] = quad;
  const w = Math.max(1, Math.round(Math.max(distance(tl, tr), distance(bl, br))));
  const h = Math.max(1, Math.round(Math.max(distance(tl, bl), distance(tr, br))));
  const crop = warpQuad(img, quad, w, h);
  // a tall crop is vertical text or a rotated line: turn it to read left to right
  return h / w >= 1.5 ? rotate90(crop) : crop;
}

export interface RecInput {
  data: Float32Array;
  shape: [1, 3, number, number];
  /** Width of the image part before padding. */
  contentWidth: number;
}

/** Resize to height 48 keeping the aspect ratio, normalize to [-1, 1], pad with zeros to the bucket width. */
export function preprocessRec(crop: RgbaImage, widths: readonly number[] = REC_WIDTHS): RecInput {
  const natural = Math.ceil((REC_HEIGHT * crop.width) / crop.height);
  const bucket = widths.find((w) => w >= natural) ?? widths[widths.length - 1];
  const contentWidth = Math.max(1, Math.min(natural, bucket));
  const resized = resizeImage(crop, contentWidth, REC_HEIGHT);
  return {
    data: toBgrTensor(resized, [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], bucket, 0),
    shape: [1, 3, REC_HEIGHT, bucket],
    contentWidth,
  };
}

/** The CTC alphabet: index 0 is the blank, then one character per dictionary line, then the space. */
export function parseDictionary(text: string, useSpace = true): string[] {
  const chars = text.split(/\r?\n/);
  if (chars.length > 0 && chars[chars.length - 1] === '') chars.pop();
  return ['', ...chars, ...(useSpace ? [' '] : [])];
}

export interface Decoded {
  text: string;
  /** Mean probability of the emitted characters (0 when none). */
  confidence: number;
  /** Per emitted character: [char, prob]. */
  chars: [string, number][];
}

/**
 * Greedy CTC decoding of a T x C probability (or logit) matrix: argmax per step, merge repeats, drop blanks.
 * `alphabet[0]` is the blank.
 */
export function ctcGreedyDecode(
  probs: Float32Array,
  steps: number,
  classes: number,
  alphabet: readonly string[],
): Decoded {
  if (alphabet.length !== classes)
    throw new Error(`CTC: the model has ${classes} classes but the dictionary gives ${alphabet.length}`);
  const chars: [string, number][] = [];
  let prev = -1;
  for (let t = 0; t < steps; t++) {
    let best = 0;
    let bestP = -Infinity;
    const row = t * classes;
    for (let c = 0; c < classes; c++) {
      const p = probs[row + c];
      if (p > bestP) {
        bestP = p;
        best = c;
      }
    }
    if (best !== 0 && best !== prev) chars.push([alphabet[best], bestP]);
    prev = best;
  }
  const confidence = chars.length ? chars.reduce((s, [, p]) => s + p, 0) / chars.length : 0;
  return { text: chars.map(([c]) => c).join(''), confidence, chars };
}
