// Node-side helpers for the demo: bundled frames, engines by name, and the accuracy run over every frame.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KestrelError } from '../index.js';
import { type FrameScore, scoreFrame, summarize } from './accuracy.js';
import { KestrelEngine, type OcrEngine } from './engine.js';
import { OnnxruntimeEngine } from './engine-ort.js';
import { readImage } from './io.js';
import { type Precision, readModels } from './models.js';
import { OcrPipeline, type OcrResult } from './pipeline.js';
import { parseDictionary } from './rec.js';
import type { AccuracyRow } from './report.js';
import { findRoot } from './root.js';
import type { FramesManifest } from './truth.js';

export type EngineName = 'kestrel' | 'onnxruntime';
export const ENGINES: readonly EngineName[] = ['kestrel', 'onnxruntime'];

export function framesDir(): string {
  return join(findRoot(), 'assets', 'frames');
}

export function loadFrames(): FramesManifest & { dir: string } {
  const dir = framesDir();
  const manifest = JSON.parse(readFileSync(join(dir, 'frames.json'), 'utf8')) as FramesManifest;
  return { ...manifest, dir };
}

/** A reader on the named engine with the models of the given precision. */
export async function createPipeline(engine: EngineName, precision: Precision): Promise<OcrPipeline> {
  const m = readModels(precision);
  let e: OcrEngine;
  if (engine === 'kestrel') e = await KestrelEngine.create({ det: m.det, rec: m.rec });
  else if (engine === 'onnxruntime') e = await OnnxruntimeEngine.create({ det: m.det, rec: m.rec });
  else throw new KestrelError('USAGE', `unknown engine '${engine as string}' (kestrel or onnxruntime)`);
  return new OcrPipeline(e, parseDictionary(m.keys));
}

export interface AccuracyRun {
  row: AccuracyRow;
  frames: { file: string; score: FrameScore; result: OcrResult }[];
}

/** Reads every bundled frame with one engine and precision and scores it against the known text. */
export async function accuracyRun(engine: EngineName, precision: Precision): Promise<AccuracyRun> {
  const { dir, frames } = loadFrames();
  let pipeline: OcrPipeline | undefined;
  try {
    pipeline = await createPipeline(engine, precision);
    const out: AccuracyRun['frames'] = [];
    let wall = 0;
    for (const f of frames) {
      const result = await pipeline.read(readImage(join(dir, f.file)));
      wall += result.timing.wallMs - result.timing.compileMs;
      out.push({ file: f.file, score: scoreFrame(result.lines, f.lines), result });
    }
    return {
      row: {
        engine,
        precision,
        device: pipeline.engine.device,
        summary: summarize(out.map((f) => f.score)),
        msPerFrame: wall / frames.length,
      },
      frames: out,
    };
  } catch (e) {
    return {
      row: { engine, precision, device: pipeline?.engine.device ?? '', error: (e as Error).message.split('\n')[0] },
      frames: [],
    };
  } finally {
    pipeline?.engine.release();
  }
}
