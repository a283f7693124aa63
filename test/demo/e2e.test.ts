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
import { loadFrames } from '../../src/demo/node.js';
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

async function readAll(pipeline: OcrPipeline): Promise<Map<string, OcrResult>> {
  const out = new Map<string, OcrResult>();
  for (const f of frames) out.set(f.file, await pipeline.read(readImage(join(dir, f.file))));
  return out;
}

const scoreAll = (results: Map<string, OcrResult>) =>
  summarize(frames.map((f) => scoreFrame(results.get(f.file)!.lines, f.lines)));

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

  it('on Kestrel (WebGPU): exact match >= 90% and the same text as onnxruntime', async () => {
    const ctx = await testGpu();
    const engine = await KestrelEngine.create({ det: models.det, rec: models.rec }, { context: ctx });
    try {
      const pipeline = new OcrPipeline(engine, alphabet);
      const ours = await readAll(pipeline);
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
  });
});
