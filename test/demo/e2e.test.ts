// End to end: the f32 students read the bundled frames through the whole pipeline, on Kestrel (WebGPU) and on
// onnxruntime-node (CPU) with the same pre/post-processing; and `kestrel demo` prints and draws the result.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCommand } from '../../src/cli/demo.js';
import { main } from '../../src/cli/main.js';
import { scoreFrame, summarize } from '../../src/demo/accuracy.js';
import { KestrelEngine } from '../../src/demo/engine.js';
import { OnnxruntimeEngine } from '../../src/demo/engine-ort.js';
import { decodeImage, readImage } from '../../src/demo/io.js';
import { readModels } from '../../src/demo/models.js';
import { type FrameSet, loadFrames } from '../../src/demo/frames.js';
import { accuracyRun } from '../../src/demo/node.js';
import { OcrPipeline, type OcrResult } from '../../src/demo/pipeline.js';
import { parseDictionary } from '../../src/demo/rec.js';
import { formatAccuracy } from '../../src/demo/report.js';
import { testGpu } from '../kernels/harness.js';

const { dir, frames } = loadFrames();
const models = readModels('f32');
const alphabet = parseDictionary(models.keys);

describe('bundled frames', () => {
  it('are small 640x480 PNG/JPEG files with their sign text recorded', () => {
    expect(frames.length).toBeGreaterThanOrEqual(8);
    let bytes = 0;
    for (const f of frames) {
      const path = join(dir, f.file);
      bytes += statSync(path).size;
      const img = decodeImage(readFileSync(path));
      expect([img.width, img.height]).toEqual([640, 480]);
      expect(f.lines.length).toBeGreaterThan(0);
      for (const l of f.lines) {
        expect(l.text).toMatch(/^[A-Z0-9][A-Z0-9 ]*$/);
        for (const [x, y] of l.quad) expect(x >= 0 && x <= 640 && y >= 0 && y <= 480).toBe(true);
      }
    }
    expect(bytes).toBeLessThan(1024 * 1024);
  });
});

async function readAll(pipeline: OcrPipeline, set: FrameSet = 'signs'): Promise<Map<string, OcrResult>> {
  const s = loadFrames(set);
  const out = new Map<string, OcrResult>();
  for (const f of s.frames) out.set(f.file, await pipeline.read(readImage(join(s.dir, f.file))));
  return out;
}

const scoreAll = (results: Map<string, OcrResult>, set: FrameSet = 'signs') =>
  summarize(loadFrames(set).frames.map((f) => scoreFrame(results.get(f.file)!.lines, f.lines)));
const texts = (results: Map<string, OcrResult>) =>
  Object.fromEntries([...results].map(([file, r]) => [file, r.lines.map((l) => l.text)]));

describe('the f32 pipeline reads the bundled frames', () => {
  let ort: Map<string, OcrResult>;

  beforeAll(async () => {
    const engine = await OnnxruntimeEngine.create({ det: models.det, rec: models.rec });
    try {
      ort = await readAll(new OcrPipeline(engine, alphabet));
    } finally {
      engine.release();
    }
  }, 300_000);

  it('on onnxruntime-node (CPU): exact match >= 90% of sign lines', () => {
    const s = scoreAll(ort);
    console.log(formatAccuracy([{ engine: 'onnxruntime', precision: 'f32', device: 'CPU', summary: s }]).join('\n'));
    expect(s.exactMatch).toBeGreaterThanOrEqual(0.9);
    expect(s.charAccuracy).toBeGreaterThanOrEqual(0.97);
    expect(s.extra).toBe(0);
  });

  it('on Kestrel (WebGPU): exact match >= 90%, the same text as onnxruntime, and batched rec reads as one line at a time', async () => {
    const ctx = await testGpu();
    const engine = await KestrelEngine.create({ det: models.det, rec: models.rec }, { context: ctx });
    try {
      const pipeline = new OcrPipeline(engine, alphabet);
      const ours = await readAll(pipeline);
      // every frame's lines in one run per width bucket, against each line alone at its own width
      const single = await readAll(new OcrPipeline(engine, alphabet, { batchRec: false }));
      expect(texts(ours)).toEqual(texts(single));
      expect([...ours.values()].map((r) => r.timing.recRuns)).toEqual(frames.map(() => 1));
      expect([...single.values()].reduce((n, r) => n + r.timing.recRuns, 0)).toBeGreaterThan(2 * frames.length);
      const s = scoreAll(ours);
      console.log(
        formatAccuracy([{ engine: 'kestrel', precision: 'f32', device: engine.device, summary: s }]).join('\n'),
      );
      expect(s.exactMatch).toBeGreaterThanOrEqual(0.9);
      for (const f of frames)
        expect(ours.get(f.file)!.lines.map((l) => l.text)).toEqual(ort.get(f.file)!.lines.map((l) => l.text));
      // profiling gives per-step GPU times on an adapter with timestamp queries
      if (ctx.features.timestampQuery) {
        const r = await pipeline.read(readImage(join(dir, frames[0].file)), { profile: true });
        expect(r.steps.length).toBeGreaterThan(50);
        expect(r.timing.gpuMs).toBeGreaterThan(0);
      }
    } finally {
      engine.release();
    }
  }, 900_000);
});

describe('the gaps frame set (narrow word gaps, digits beside letters)', () => {
  const gaps = loadFrames('gaps');

  it('is 640x480 frames whose lines mix digits and letters with spaces', () => {
    expect(gaps.frames.length).toBeGreaterThanOrEqual(6);
    const lines = gaps.frames.flatMap((f) => f.lines.map((l) => l.text));
    expect(lines.filter((t) => /\d/.test(t) && /[A-Z]/.test(t) && t.includes(' ')).length).toBeGreaterThanOrEqual(8);
    for (const f of gaps.frames) expect([decodeImage(readFileSync(join(gaps.dir, f.file))).width]).toEqual([640]);
  });

  it('reads at least as many lines exactly as @gutenye/ocr-node, on both frame sets; Kestrel reads what onnxruntime reads', async () => {
    const summary: Record<string, number[]> = {};
    for (const set of ['signs', 'gaps'] as const) {
      const ort = await accuracyRun('onnxruntime', 'f32', set);
      const ref = await accuracyRun('reference', 'f32', set);
      expect(ref.row.error).toBeUndefined();
      summary[set] = [ort.row.summary!.exactLines, ref.row.summary!.exactLines, ort.row.summary!.lines];
      expect(ort.row.summary!.exactLines).toBeGreaterThanOrEqual(ref.row.summary!.exactLines);
      expect(ort.row.summary!.charAccuracy).toBeGreaterThanOrEqual(ref.row.summary!.charAccuracy);
    }
    console.log('exact lines [onnxruntime pipeline, @gutenye/ocr-node, of]:', JSON.stringify(summary));
    // measured: gaps 15/17 (gutenye 13/17), signs 25/26 (gutenye 21/26)
    expect(summary.gaps[0] / summary.gaps[2]).toBeGreaterThanOrEqual(0.85);
    const engine = await KestrelEngine.create({ det: models.det, rec: models.rec }, { context: await testGpu() });
    try {
      const ours = await readAll(new OcrPipeline(engine, alphabet), 'gaps');
      const ort = await OnnxruntimeEngine.create({ det: models.det, rec: models.rec });
      try {
        expect(texts(ours)).toEqual(texts(await readAll(new OcrPipeline(ort, alphabet), 'gaps')));
      } finally {
        ort.release();
      }
      expect(scoreAll(ours, 'gaps').exactLines).toBe(summary.gaps[0]);
    } finally {
      engine.release();
    }
  }, 900_000);
});

describe('kestrel demo', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'kestrel-demo-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('prints the sign text and latency and writes the annotated PNG', async () => {
    const out: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => out.push(`ERR ${t}`) };
    const png = join(tmp, 'annotated.png');
    const code = await main(['demo', join(dir, '02-stop.jpg'), '--out', png, '--engine', 'onnxruntime'], io, [
      demoCommand,
    ]);
    const text = out.join('\n');
    expect(code, text).toBe(0);
    expect(text).toContain('STOP');
    expect(text).toContain('ONE WAY');
    expect(text).toMatch(/truth: 2\/2 sign lines exact/);
    expect(text).toMatch(/wall [\d.]+ ms \(preprocess/);
    expect(existsSync(png)).toBe(true);
    const img = readImage(png);
    expect([img.width, img.height]).toEqual([640, 480]);
  }, 300_000);

  it('rejects a bad flag value as a usage error', async () => {
    const out: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => out.push(t) };
    expect(await main(['demo', '--precision', 'f64'], io, [demoCommand])).toBe(2);
    expect(out.join('\n')).toMatch(/--precision must be one of f32, int8/);
    expect(await main(['demo', '--set', 'signz'], io, [demoCommand])).toBe(2);
    expect(out.join('\n')).toMatch(/--set must be one of signs, gaps, all, got 'signz'/);
  });
});
