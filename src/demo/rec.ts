// Text recognition around a CRNN/SVTR-style network: crop + rectify each box, resize to 48 x W, CTC-decode the output.
import { type Quad, distance } from './geometry.js';
import { type RgbaImage, resizeImage, rotate90, toBgrTensor, warpQuad } from './image.js';

export const REC_HEIGHT = 48;
/** The narrowest input (PaddleOCR's rec_image_shape 3x48x320: its max_wh_ratio starts at 320 / 48). */
export const REC_MIN_WIDTH = 320;
/** Batch widths are rounded up to a multiple of this, so a session needs few plans (one per width and batch size). */
export const REC_WIDTH_STEP = 64;
/** Lines per recognizer run (PaddleOCR's rec_batch_num is 6). */
export const REC_MAX_BATCH = 8;

/** Cuts the box out of the frame as an upright image (PaddleOCR's get_rotate_crop_image). */
export function cropQuad(img: RgbaImage, quad: Quad): RgbaImage {
  const [tl, tr, br, bl] = quad;
  // int() truncation of the longer opposite sides, as PaddleOCR sizes the crop
  const w = Math.max(1, Math.floor(Math.max(distance(tl, tr), distance(bl, br))));
  const h = Math.max(1, Math.floor(Math.max(distance(tl, bl), distance(tr, br))));
  const crop = warpQuad(img, quad, w, h);
  // a tall crop is vertical text or a rotated line: turn it to read left to right
  return h / w >= 1.5 ? rotate90(crop) : crop;
}

/** The input width for a batch whose widest line has aspect ratio `maxRatio`: never squashes a line. */
export function recBatchWidth(maxRatio: number, step = REC_WIDTH_STEP): number {
  return Math.max(REC_MIN_WIDTH, Math.ceil(Math.ceil(REC_HEIGHT * maxRatio) / step) * step);
}

export interface RecBatch {
  /** Indices into the crops, in the batch's row order. */
  indices: number[];
  data: Float32Array;
  /** [lines, 3, 48, width]. */
  shape: [number, 3, number, number];
}

/**
 * PaddleOCR's batched recognizer input: crops sorted by aspect ratio, each batch as wide as its widest line needs
 * (rounded up to `step`), every line resized to height 48 keeping its ratio, normalized to [-1, 1], padded right.
 */
export function batchRecInputs(
  crops: readonly RgbaImage[],
  opts: { maxBatch?: number; step?: number } = {},
): RecBatch[] {
  const maxBatch = opts.maxBatch ?? REC_MAX_BATCH;
  const step = opts.step ?? REC_WIDTH_STEP;
  const ratio = (i: number) => crops[i].width / crops[i].height;
  const order = crops.map((_, i) => i).sort((a, b) => ratio(a) - ratio(b));
  const groups: number[][] = [];
  for (const i of order) {
    const last = groups[groups.length - 1];
    const width = recBatchWidth(ratio(i), step);
    if (last && last.length < maxBatch && recBatchWidth(ratio(last[0]), step) === width) last.push(i);
    else groups.push([i]);
  }
  return groups.map((indices) => {
    const width = recBatchWidth(Math.max(...indices.map(ratio)), step);
    const rows = indices.length;
    const plane = 3 * REC_HEIGHT * width;
    const data = new Float32Array(rows * plane);
    indices.forEach((ci, row) => data.set(recTensor(crops[ci], width).data, row * plane));
    return { indices, data, shape: [rows, 3, REC_HEIGHT, width] };
  });
}

export interface RecInput {
  data: Float32Array;
  shape: [1, 3, number, number];
  /** Width of the image part before padding. */
  contentWidth: number;
}

/** One line at a fixed input width: resized to height 48 keeping its ratio (squashed only past `width`), padded. */
export function recTensor(crop: RgbaImage, width: number): RecInput {
  const contentWidth = Math.max(1, Math.min(Math.ceil((REC_HEIGHT * crop.width) / crop.height), width));
  // lanczos, not bilinear: crops are upscaled to 48 px, and a soft upscale closes narrow word gaps ("EXIT42")
  const resized = resizeImage(crop, contentWidth, REC_HEIGHT, 'lanczos3');
  return {
    data: toBgrTensor(resized, [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], width, 0),
    shape: [1, 3, REC_HEIGHT, width],
    contentWidth,
  };
}

/** One line alone: resize to height 48 keeping the aspect ratio, normalize to [-1, 1], pad with zeros. */
export function preprocessRec(crop: RgbaImage, step = REC_WIDTH_STEP): RecInput {
  return recTensor(crop, recBatchWidth(crop.width / crop.height, step));
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
