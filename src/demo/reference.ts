// The reference pipeline people install from npm: @gutenye/ocr-node (PP-OCRv4 det + rec on onnxruntime-node, its own
// pre/post-processing), run on the same frames for the accuracy table. An optional dev dependency: absent, it is
// skipped.
import { KestrelError } from '../core/errors.js';
import type { Quad } from './geometry.js';
import type { OcrLine } from './pipeline.js';

export const REFERENCE_PACKAGE = '@gutenye/ocr-node';

interface GutenLine {
  text: string;
  mean: number;
  box?: [number, number][];
}
interface GutenOcr {
  detect(path: string): Promise<GutenLine[]>;
}

export interface ReferenceReader {
  readonly name: string;
  read(path: string): Promise<{ lines: OcrLine[]; wallMs: number }>;
}

/** Loads @gutenye/ocr-node, or throws a USAGE error that says how to install it. */
export async function createReferenceReader(): Promise<ReferenceReader> {
  let Ocr: { create(): Promise<GutenOcr> };
  try {
    const name = REFERENCE_PACKAGE; // a variable, so bundlers leave the optional import alone
    Ocr = ((await import(/* @vite-ignore */ name)) as { default: typeof Ocr }).default;
  } catch (e) {
    throw new KestrelError(
      'USAGE',
      `${REFERENCE_PACKAGE} is not installed (an optional dev dependency: npm install --save-dev ` +
        `${REFERENCE_PACKAGE}): ${(e as Error).message.split('\n')[0]}`,
    );
  }
  const ocr = await Ocr.create();
  return {
    name: REFERENCE_PACKAGE,
    async read(path) {
      const t0 = performance.now();
      const found = await ocr.detect(path);
      const wallMs = performance.now() - t0;
      const lines = found
        .filter((l) => l.box?.length === 4)
        .map((l) => ({
          text: l.text.trim(),
          confidence: l.mean,
          detScore: 1,
          quad: l.box!.map(([x, y]) => ({ x, y })) as Quad,
        }));
      return { lines, wallMs };
    },
  };
}
