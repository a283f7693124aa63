// First use of `kestrel demo`: the int8 students are built (and checked on a bundled frame) when missing, and the
// quantizer's accuracy figure is taken where the output means something, not in a sigmoid's near-zero tail.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { demoCommand } from '../../src/cli/demo.js';
import { main } from '../../src/cli/main.js';
import { loadFrames } from '../../src/demo/frames.js';
import { modelFiles } from '../../src/demo/models.js';
import { ensureStudents } from '../../src/demo/students.js';
import { diff } from '../../src/parity/metrics.js';
import { describeOutputError, outputError } from '../../src/quant/error-report.js';
import { Session } from '../../src/runtime/session.js';
import { testGpu } from '../kernels/harness.js';

const tmp = mkdtempSync(join(tmpdir(), 'kestrel-students-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the quantizer accuracy figure', () => {
  it('leaves near-zero tails out of the relative error but keeps cosine and the max abs error over everything', () => {
    // a probability map: 90 background pixels near 1e-6 (the quantized one 3x off there), 10 text pixels near 0.9
    const ref = new Float32Array(100).fill(1e-6);
    const got = new Float32Array(100).fill(3e-6);
    for (let i = 0; i < 10; i++) {
      ref[i] = 0.9;
      got[i] = 0.9 * 1.01;
    }
    const t = (data: Float32Array) => ({ dtype: 'f32' as const, shape: [100], data });
    const e = outputError('p', t(got), t(ref));
    expect(e.relL2).toBeCloseTo(0.01, 6);
    expect(e.counted).toBe(10);
    expect(e.maxAbs).toBeCloseTo(0.009, 6);
    expect(e.cosine).toBeCloseTo(diff(t(got), t(ref)).cosine, 12);
    expect(describeOutputError(e, 'a frame')).toMatch(
      /^output 'p' differs from the float model by 1\.0% \(relative L2 over the 10 of 100 values at >= 1% of the peak\) on a frame; cosine similarity 1\.00000, largest difference 9\.0e-3 on values in \[1\.0e-6, 0\.900\]$/,
    );
  });
});

describe('the int8 students', () => {
  it('are built on first use into the given folder, checked on a bundled frame, and not rebuilt when present', async () => {
    const dir = join(tmp, 'models');
    const log: string[] = [];
    const ctx = await testGpu();
    const built = await ensureStudents({ dir, log: (l) => log.push(l), context: ctx });
    const text = log.join('\n');
    expect(built.map((b) => [b.role, b.built])).toEqual([
      ['det', true],
      ['rec', true],
    ]);
    expect(text).toMatch(/building the int8 det student \(first use\): kestrel quantize ch_PP-OCRv4_det_infer\.onnx/);
    expect(text).toMatch(/building the int8 rec student \(first use\)/);
    const { frames } = loadFrames('signs');
    // det: relative error on the bundled frame's text pixels, and the text mask nearly the f32 model's
    const det =
      /differs from the float model by ([\d.]+)% .* on the bundled frame (\S+) resized to 320x320.*IoU ([\d.]+)/.exec(
        built[0].check!,
      );
    expect(det, built[0].check).not.toBeNull();
    expect(det![2]).toBe(frames[0].file);
    expect(Number(det![1])).toBeLessThan(30);
    expect(Number(det![3])).toBeGreaterThan(0.9);
    // rec: the cropped sign line reads the same as on the f32 model (and that is the true text)
    expect(built[1].check).toContain(`reads "${frames[0].lines[0].text}" as the f32 model does`);
    // the files are standard ONNX that Kestrel runs; both are int8 (smaller than the f32 files by > 3x)
    const files = modelFiles('int8', dir);
    for (const role of ['det', 'rec'] as const) {
      expect(existsSync(files[role])).toBe(true);
      expect(readFileSync(files[role]).length * 3).toBeLessThan(readFileSync(modelFiles('f32')[role]).length);
    }
    const s = await Session.create(new Uint8Array(readFileSync(files.rec)), { context: ctx });
    s.release();
    const again: string[] = [];
    expect((await ensureStudents({ dir, log: (l) => again.push(l) })).map((b) => b.built)).toEqual([false, false]);
    expect(again).toEqual([]);
  }, 600_000);

  it('`kestrel demo` builds them itself when missing, printing a progress line, then reads the frame', async () => {
    const dir = join(tmp, 'cli-models');
    const prev = process.env.KESTREL_MODELS_DIR;
    process.env.KESTREL_MODELS_DIR = dir;
    try {
      const out: string[] = [];
      const io = { out: (t: string) => out.push(t), err: (t: string) => out.push(`ERR ${t}`) };
      const { dir: frames } = loadFrames('signs');
      const png = join(tmp, 'stop.png');
      const code = await main(['demo', join(frames, '02-stop.jpg'), '--engine', 'onnxruntime', '--out', png], io, [
        demoCommand,
      ]);
      const text = out.join('\n');
      expect(code, text).toBe(0);
      expect(text).toMatch(/building the int8 det student \(first use\)/);
      expect(text).toMatch(/PP-OCRv4 det \+ rec \(int8\)/);
      expect(text).toMatch(/truth: 2\/2 sign lines exact/);
      expect(existsSync(modelFiles('int8', dir).det)).toBe(true);
    } finally {
      if (prev === undefined) delete process.env.KESTREL_MODELS_DIR;
      else process.env.KESTREL_MODELS_DIR = prev;
    }
  }, 600_000);
});
