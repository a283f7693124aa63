// `kestrel quantize` end to end through the CLI entry point: calibration folder of .npy pages, the file it
// writes runs on onnxruntime and agrees with Kestrel, what it prints, and its usage errors.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliIo, EXIT_OK, EXIT_USAGE, main } from '../../src/cli/main.js';
import { toNpy } from '../../src/io/npy.js';
import { runOnnxruntime } from '../../src/parity/ort.js';
import { diff } from '../../src/parity/metrics.js';
import { Session } from '../../src/runtime/session.js';
import { testGpu } from '../kernels/harness.js';
import { MODELS } from './models.js';
import { textLikeImage } from './inputs.js';

function capture(): CliIo & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out: (t: string) => {
      io.stdout += `${t}\n`;
    },
    err: (t: string) => {
      io.stderr += `${t}\n`;
    },
  };
  return io;
}

describe('kestrel quantize (CLI)', () => {
  const shape = [1, 3, 48, 192];
  const dir = mkdtempSync(join(tmpdir(), 'kestrel-quantize-'));
  const cal = join(dir, 'cal');
  it('full int8 from a calibration folder: prints ranges, what stays float and the accuracy; onnxruntime agrees on the file', async () => {
    (await import('node:fs')).mkdirSync(cal);
    for (const seed of [3, 5]) writeFileSync(join(cal, `page${seed}.npy`), toNpy(textLikeImage(shape, seed)));
    const out = join(dir, 'cls.int8.onnx');
    const io = capture();
    expect(
      await main(['quantize', MODELS.cls, out, '--weights', 'int8', '--activations', 'int8', '--calibration', cal], io),
    ).toBe(EXIT_OK);
    expect(io.stdout).toMatch(/folded \d+ batch norms/);
    expect(io.stdout).toMatch(/range x +\[/);
    expect(io.stdout).toMatch(/activations: \d+ tensors quantized \(uint8, minmax, pow2 scales\)/);
    expect(io.stdout).toMatch(
      /accuracy: output 'softmax_0\.tmp_0' differs from the float model by \d+\.\d+% \(relative L2.*\) on the first calibration sample; cosine similarity (0\.9\d+|1\.0+),/,
    );
    const bytes = new Uint8Array(readFileSync(out));
    const x = textLikeImage(shape, 21);
    const ref = await runOnnxruntime(bytes, { x });
    const s = await Session.create(bytes, { shapes: { x: shape }, context: await testGpu() });
    try {
      const r = await s.runDetailed({ x });
      for (const [k, t] of Object.entries(ref)) expect(diff(r.outputs.get(k)!, t).relL2).toBeLessThan(1e-4);
    } finally {
      s.release();
    }
  }, 120_000);
  it('weight-only on a model with dynamic dims and no --shape: writes the file, skips the accuracy check', async () => {
    const io = capture();
    expect(await main(['quantize', MODELS.cls, join(dir, 'cls.fp16.onnx'), '--weights', 'fp16', '--quiet'], io)).toBe(
      EXIT_OK,
    );
    expect(io.stdout).toContain("accuracy: not measured (input 'x' has dynamic dims");
    expect(readFileSync(join(dir, 'cls.fp16.onnx')).length).toBeGreaterThan(1000);
  }, 60_000);
  it('--calibration frames:SET: one sample per sign line of the set (counted from its frames.json)', async () => {
    const lines = (set: string) =>
      (
        JSON.parse(readFileSync(join('assets', set, 'frames.json'), 'utf8')) as { frames: { lines: unknown[] }[] }
      ).frames
        .map((f) => f.lines.length)
        .reduce((a, b) => a + b, 0);
    for (const [set, n] of [
      ['gaps', lines('frames-gaps')],
      ['all', lines('frames') + lines('frames-gaps')],
    ] as const) {
      const io = capture();
      const args = ['--weights', 'int8', '--activations', 'int8', '--calibration', `frames:${set}`, '--quiet'];
      expect(
        await main(
          ['quantize', MODELS.cls, join(dir, 'f.onnx'), ...args, '--shape', 'x=1x3x48x192', '--max-error', '10'],
          io,
        ),
      ).toBe(EXIT_OK);
      expect(io.stdout).toContain(`, ${n} samples, `);
    }
  }, 120_000);
  it('usage errors name the flag', async () => {
    for (const [args, msg] of [
      [
        ['--weights', 'int8', '--activations', 'int8', '--calibration', cal, '--scales', 'log'],
        '--scales must be pow2 or float',
      ],
      [['--activations', 'int8'], '--activations int8 needs --calibration DIR'],
      [['--weights', 'int3'], '--weights must be int8, int4 or fp16'],
      [
        ['--activations', 'int8', '--calibration', 'frames:nope', '--shape', 'x=1x3x48x192'],
        "--calibration frames:nope: unknown frame set 'nope'",
      ],
    ] as const) {
      const io = capture();
      expect(await main(['quantize', MODELS.cls, join(dir, 'x.onnx'), ...args], io)).toBe(EXIT_USAGE);
      expect(io.stderr).toContain(msg);
    }
  });
});
