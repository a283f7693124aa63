// CLI conventions through the real entry points (bin/kestrel.mjs as a process, and main()): unknown input names exit
// 2 listing the inputs, exit 3 for environment failures, `--json -` leaves stdout pure JSON, no Dawn limit warnings,
// progress bars only on a terminal, and `parity --atol/--rtol` with numpy.allclose semantics.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type CliIo, type Command, EXIT_ENVIRONMENT, EXIT_USAGE, main } from '../../src/cli/main.js';
import { DeviceLostError, ModelFormatError, NoAdapterError } from '../../src/core/errors.js';
import { toNpy } from '../../src/io/npy.js';
import { textLikeImage } from '../models/inputs.js';
import { MODELS } from '../models/models.js';
import { addOne } from './util.js';

const BIN = join(__dirname, '../../bin/kestrel.mjs');
const DAWN_NOISE = /artificially reduced/;
const dir = mkdtempSync(join(tmpdir(), 'kestrel-cli-'));

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

function kestrel(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('CLI: input names', () => {
  it('an unknown --shape or --input name, or none, exits 2 and lists the model inputs (before reading files)', async () => {
    for (const cmd of ['run', 'profile', 'inspect', 'parity']) {
      const extra = cmd === 'parity' ? ['--against', 'onnxruntime'] : [];
      for (const flag of [
        ['--shape', 'nope=1x3x128x128'],
        ['--input', 'nope=missing.npy'],
        ['--shape', '=1x3x48x192'],
      ]) {
        if (cmd === 'inspect' && flag[0] === '--input') continue; // inspect takes no inputs
        const io = capture();
        expect(await main([cmd, MODELS.cls, ...flag, ...extra], io)).toBe(EXIT_USAGE);
        expect(io.stderr).toMatch(/inputs: x f32\[/);
        expect(io.stderr).not.toMatch(/cannot read/);
      }
    }
  });
});

describe('CLI: exit codes', () => {
  const throwing = (e: Error): Command => ({
    name: 'boom',
    summary: 'throws',
    usage: 'boom',
    args: {},
    run: () => Promise.reject(e),
  });
  it('environment failures exit 3, usage and model errors 2', async () => {
    const cases: [Error, number][] = [
      [new NoAdapterError('no adapter'), EXIT_ENVIRONMENT],
      [new DeviceLostError('lost'), EXIT_ENVIRONMENT],
      [new ModelFormatError('bad model'), EXIT_USAGE],
    ];
    for (const [e, code] of cases) expect(await main(['boom'], capture(), [throwing(e)])).toBe(code);
    expect(EXIT_ENVIRONMENT).toBe(3);
  });

  // (doctor probes each driver by its own ICD file, so the environment variable cannot hide them from it)
  it('no Vulkan driver: `kestrel run` exits 3', () => {
    const r = kestrel(['run', MODELS.cls, '--shape', 'x=1x3x48x192', '--iterations', '1'], {
      VK_ICD_FILENAMES: '/nonexistent/icd.json',
    });
    expect(r.stderr).toMatch(/no WebGPU adapter/);
    expect(r.code).toBe(3);
  });
});

describe('CLI: stdout and stderr', () => {
  it('`run --json -` writes only JSON to stdout, human lines and no Dawn limit warnings to stderr', () => {
    const r = kestrel(['run', MODELS.cls, '--shape', 'x=1x3x48x192', '--iterations', '1', '--json', '-']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { outputs: unknown; iterations: number };
    expect(report.outputs).toEqual({ 'softmax_0.tmp_0': [1, 2] });
    expect(report.iterations).toBe(1);
    expect(r.stderr).toMatch(/cold start: /);
    expect(r.stderr).not.toMatch(DAWN_NOISE);
    // the filter is what removes them: the unfiltered CLI prints them on this adapter
    const raw = kestrel(['inspect', MODELS.cls, '--shape', 'x=1x3x48x192'], { KESTREL_STDERR_FILTERED: '1' });
    expect(raw.stderr).toMatch(DAWN_NOISE);
    const filtered = kestrel(['inspect', MODELS.cls, '--shape', 'x=1x3x48x192', '--json', '-']);
    expect(filtered.code).toBe(0);
    expect((JSON.parse(filtered.stdout) as { parameters: number }).parameters).toBeGreaterThan(0);
    expect(filtered.stderr).not.toMatch(DAWN_NOISE);
  }, 120_000);

  afterEach(() => {
    vi.restoreAllMocks();
    delete process.env.KESTREL_STDERR_TTY;
  });

  it('quantize draws its calibration progress bar only when stderr is a terminal', async () => {
    const cal = join(dir, 'cal');
    mkdirSync(cal, { recursive: true });
    writeFileSync(join(cal, 'page.npy'), toNpy(textLikeImage([1, 3, 48, 192], 3)));
    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const quantize = (tty: string) => {
      process.env.KESTREL_STDERR_TTY = tty;
      const args = ['quantize', MODELS.cls, join(dir, `q${tty}.onnx`), '--weights', 'int8'];
      return main([...args, '--activations', 'int8', '--calibration', cal, '--shape', 'x=1x3x48x192'], capture());
    };
    expect(await quantize('0')).toBe(0);
    expect(written.join('')).not.toMatch(/calibrating \[/);
    expect(await quantize('1')).toBe(0);
    expect(written.join('')).toMatch(/\rcalibrating \[#+\] 1\/1\n/);
  }, 180_000);
});

describe('kestrel parity --atol/--rtol (numpy.allclose per element)', () => {
  // y = (x + 1) * 2 is exact in f32, so the reference is computed here; one element is then moved by 0.01
  const model = join(dir, 'add-one.onnx');
  const x = { dtype: 'f32' as const, shape: [2, 3], data: Float32Array.from([0.5, 1, 1.5, -2, 0.25, 3]) };
  const y = Float32Array.from(x.data, (v) => Math.fround(Math.fround(v + 1) * 2));
  const moved = Float32Array.from(y);
  moved[4] = Math.fround(y[4] + 0.01); // |b| = 2.51, |a-b| ~ 0.01
  writeFileSync(model, addOne([2, 3]));
  writeFileSync(join(dir, 'x.npy'), toNpy(x));
  writeFileSync(join(dir, 'y.npy'), toNpy({ dtype: 'f32', shape: [2, 3], data: moved }));
  const parity = async (...flags: string[]) => {
    const io = capture();
    const code = await main(
      ['parity', model, '--input', `x=${join(dir, 'x.npy')}`, '--expected', `y=${join(dir, 'y.npy')}`, ...flags],
      io,
    );
    return { code, ...io };
  };

  it('passes and fails exactly at the bound, and names the worst element', async () => {
    expect((await parity('--atol', '0.011', '--rtol', '0')).code).toBe(0);
    const fail = await parity('--atol', '0.009', '--rtol', '0');
    expect(fail.code).toBe(1);
    expect(fail.stdout).toMatch(/1 element\(s\) over; worst at \[1,1\] \(flat 4\): ours 2\.5, expected 2\.51/);
    // the relative part: bound = rtol * |b| = 0.005 * 2.51 ~ 0.0126 passes, 0.003 * 2.51 ~ 0.0075 does not
    expect((await parity('--atol', '0', '--rtol', '0.005')).code).toBe(0);
    expect((await parity('--atol', '0', '--rtol', '0.003')).code).toBe(1);
    // only --rtol given: atol takes numpy's default 1e-8
    expect((await parity('--rtol', '0.003')).code).toBe(1);
    // --tolerance still applies beside them: rel L2 here is ~1e-3
    expect((await parity('--atol', '1', '--tolerance', '1e-6')).code).toBe(1);
    expect((await parity('--atol', '1', '--tolerance', '1e-2')).code).toBe(0);
    expect((await parity('--atol', '-1')).code).toBe(EXIT_USAGE);
  }, 60_000);

  it('`parity --json -` puts the report, with the worst element, alone on stdout', async () => {
    const r = await parity('--atol', '0.009', '--rtol', '0', '--json', '-');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as {
      ok: boolean;
      outputs: { allclose: { worst: { at: number[]; ref: number } } }[];
    };
    expect(report.ok).toBe(false);
    expect(report.outputs[0].allclose.worst.at).toEqual([1, 1]);
    expect(report.outputs[0].allclose.worst.ref).toBeCloseTo(2.51, 6);
    expect(r.stderr).toMatch(/mismatch \(atol 0\.009, rtol 0\)/);
  }, 60_000);
});
