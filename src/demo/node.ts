// Node-side helpers for the demo: engines by name (building the int8 students on first use), and the accuracy run
// over a bundled frame set, for Kestrel, onnxruntime-node and the @gutenye/ocr-node reference pipeline.
import { join } from 'node:path';
import { KestrelError } from '../index.js';
import { type FrameScore, scoreFrame, summarize } from './accuracy.js';
import { KestrelEngine, type OcrEngine } from './engine.js';
import { OnnxruntimeEngine } from './engine-ort.js';
import { type FrameSet, loadFrames } from './frames.js';
import { readImage } from './io.js';
import { type Precision, modelsAvailable, readModels } from './models.js';
import { OcrPipeline, type OcrResult, type OcrTiming } from './pipeline.js';
import { parseDictionary } from './rec.js';
import { REFERENCE_PACKAGE, createReferenceReader } from './reference.js';
import type { AccuracyRow } from './report.js';
import { ensureStudents } from './students.js';

export { framesDir, loadFrames } from './frames.js';

export type EngineName = 'kestrel' | 'onnxruntime';
export const ENGINES: readonly EngineName[] = ['kestrel', 'onnxruntime'];

/** Builds the int8 students when they are missing (the first `kestrel demo`), one progress line per model. */
export async function ensureModels(precision: Precision, log?: (line: string) => void): Promise<void> {
  if (precision === 'int8' && !modelsAvailable('int8')) await ensureStudents({ log });
}

/** A reader on the named engine with the models of the given precision. */
export async function createPipeline(
  engine: EngineName,
  precision: Precision,
  opts: { log?: (line: string) => void } = {},
): Promise<OcrPipeline> {
  await ensureModels(precision, opts.log);
  const m = readModels(precision);
  let e: OcrEngine;
  if (engine === 'kestrel') e = await KestrelEngine.create({ det: m.det, rec: m.rec });
  else if (engine === 'onnxruntime') e = await OnnxruntimeEngine.create({ det: m.det, rec: m.rec });
  else throw new KestrelError('USAGE', `unknown engine '${engine as string}' (kestrel or onnxruntime)`);
  return new OcrPipeline(e, parseDictionary(m.keys));
}

export interface FrameRun {
  file: string;
  score: FrameScore;
  /** Kestrel / onnxruntime only: the reference pipeline reports lines and wall time alone. */
  result?: OcrResult;
  wallMs: number;
}

export interface AccuracyRun {
  row: AccuracyRow;
  frames: FrameRun[];
}

type StageMs = Pick<OcrTiming, 'preMs' | 'detMs' | 'postMs' | 'recMs'>;

function meanStages(results: readonly OcrResult[]): StageMs {
  const mean = (k: keyof StageMs) => results.reduce((s, r) => s + r.timing[k], 0) / (results.length || 1);
  return { preMs: mean('preMs'), detMs: mean('detMs'), postMs: mean('postMs'), recMs: mean('recMs') };
}

/**
 * Reads every frame of a set and scores it against the known text. The first frame is read once untimed (driver
 * compiles, session set-up), and plan building for a new input shape is left out of the times, as a running camera
 * loop has paid both.
 */
export async function accuracyRun(
  engine: EngineName | 'reference',
  precision: Precision,
  set: FrameSet = 'signs',
  opts: { log?: (line: string) => void } = {},
): Promise<AccuracyRun> {
  const { dir, frames } = loadFrames(set);
  const device = engine === 'reference' ? 'CPU (onnxruntime-node)' : '';
  const name = engine === 'reference' ? REFERENCE_PACKAGE : engine;
  let pipeline: OcrPipeline | undefined;
  try {
    const out: FrameRun[] = [];
    if (engine === 'reference') {
      const reader = await createReferenceReader();
      if (frames.length) await reader.read(join(dir, frames[0].file));
      for (const f of frames) {
        const r = await reader.read(join(dir, f.file));
        out.push({ file: f.file, score: scoreFrame(r.lines, f.lines), wallMs: r.wallMs });
      }
    } else {
      pipeline = await createPipeline(engine, precision, opts);
      if (frames.length) await pipeline.read(readImage(join(dir, frames[0].file)));
      for (const f of frames) {
        const result = await pipeline.read(readImage(join(dir, f.file)));
        const wallMs = result.timing.wallMs - result.timing.compileMs;
        out.push({ file: f.file, score: scoreFrame(result.lines, f.lines), result, wallMs });
      }
    }
    const results = out.flatMap((f) => (f.result ? [f.result] : []));
    return {
      row: {
        engine: name,
        precision,
        set,
        device: pipeline?.engine.device ?? device,
        summary: summarize(out.map((f) => f.score)),
        msPerFrame: out.reduce((s, f) => s + f.wallMs, 0) / (out.length || 1),
        stages: results.length ? meanStages(results) : undefined,
      },
      frames: out,
    };
  } catch (e) {
    return {
      row: {
        engine: name,
        precision,
        set,
        device: pipeline?.engine.device ?? device,
        error: (e as Error).message.split('\n')[0],
      },
      frames: [],
    };
  } finally {
    pipeline?.engine.release();
  }
}
