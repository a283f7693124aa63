// Proves the instruments work, without gating on time: `kestrel profile` covers every step and its step
// times add up to the GPU total, the wall-clock fallback says so, and a small kernels-bench run writes the
// documented JSON, markdown and SVG with errors under tolerance.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CliIo, main } from '../src/cli/main.js';
import { profileCommand } from '../src/cli/profile.js';
import type { ProfileReport } from '../src/profile/profile.js';
import { tinyCnnOnnx } from '../kernels-bench/fixtures.js';
import { type BenchResults, ERROR_TOLERANCE } from '../kernels-bench/results.js';
import { testGpu } from './kernels/harness.js';

const dir = mkdtempSync(join(tmpdir(), 'kestrel-bench-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const model = join(dir, 'tiny.onnx');
writeFileSync(model, tinyCnnOnnx());

async function profile(...extra: string[]): Promise<{ code: number; out: string; report: ProfileReport }> {
  const json = join(dir, `p${extra.length}.json`);
  let out = '';
  const io: CliIo = {
    out: (t) => {
      out += `${t}\n`;
    },
    err: (t) => {
      out += `${t}\n`;
    },
  };
  const ceilings = join(dir, 'ceilings.json');
  // fixed ceilings keep the test from measuring the adapter
  writeFileSync(
    ceilings,
    JSON.stringify({
      adapter: 'x',
      slug: 'x',
      measuredAt: '2026-01-01',
      timing: 'timestamp',
      f32Gflops: 20,
      f16Gflops: null,
      dot4Gops: null,
      copyGBs: 5,
      copyBufferGBs: 10,
      dispatchUs: 5,
      roundTripUs: 50,
    }),
  );
  const code = await main(
    [
      'profile',
      model,
      '--shape',
      'x=1x3x32x32',
      '--iterations',
      '4',
      '--warmup',
      '1',
      '--ceilings',
      ceilings,
      '--json',
      json,
      ...extra,
    ],
    io,
    [profileCommand],
  );
  return { code, out, report: JSON.parse(readFileSync(json, 'utf8')) as ProfileReport };
}

describe('kestrel profile', () => {
  it('gives one row per step, and the step times add up to the GPU time', async () => {
    const ctx = await testGpu();
    const html = join(dir, 'p.html');
    const { code, out, report } = await profile('--html', html);
    expect(code, out).toBe(0);
    expect(report.rows.length).toBeGreaterThanOrEqual(6);
    expect(report.rows.map((r) => r.index)).toEqual(report.rows.map((_, i) => i));
    expect(report.totals.steps).toBe(report.rows.length);
    for (const r of report.rows) {
      expect(r.variant).not.toBe('');
      expect(r.origin.length).toBeGreaterThan(0);
      expect(r.output).toMatch(/^\[/);
    }
    // conv + bias + relu fused: the row names both ONNX nodes
    expect(report.rows[0].origin).toEqual(expect.arrayContaining(['conv_c1', 'relu1']));
    expect(report.byOp.reduce((a, g) => a + g.steps, 0)).toBe(report.rows.length);
    if (ctx.features.timestampQuery) {
      expect(report.totals.timing).toBe('timestamp');
      for (const r of report.rows) expect(r.us).toBeGreaterThanOrEqual(0);
      // Each run's steps cover its GPU time (no untimed gaps), and the per-step means add up to the mean
      // GPU time; medians are not compared, since noise on a shared CPU lands on random steps.
      expect(report.totals.coverage!).toBeGreaterThan(0.9);
      expect(report.totals.coverage!).toBeLessThanOrEqual(1.0001);
      expect(Math.abs(report.totals.stepMeanSumMs! / report.totals.meanGpuMs! - 1)).toBeLessThan(0.1);
      expect(report.rows.reduce((a, r) => a + (r.pct ?? 0), 0)).toBeCloseTo(100, 3);
    }
    expect(out).toContain('by op:');
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<svg');
    expect(page).not.toMatch(/<script|\bsrc=|\bhref=/i);
  }, 300_000);

  it('falls back to wall-clock and says so', async () => {
    const { code, out, report } = await profile('--no-timestamps');
    expect(code, out).toBe(0);
    expect(report.totals.timing).toBe('wall-clock');
    expect(report.totals.gpuMs).toBeNull();
    expect(report.rows.every((r) => r.us === null)).toBe(true);
    expect(report.totals.wallMs).toBeGreaterThan(0);
    expect(out).toContain('WALL-CLOCK ONLY');
  }, 300_000);
});

describe('kernels-bench', () => {
  it('writes the documented JSON, markdown and roofline, with errors under tolerance', () => {
    const out = join(dir, 'results');
    const json = join(dir, 'bench.json');
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'kernels-bench/main.ts',
        '--only',
        'matmul/rec.attn-qkv,depthwise/det.dw5x5-192',
        '--no-models',
        '--no-cold',
        '--samples',
        '2',
        '--out',
        out,
        '--json',
        json,
      ],
      { encoding: 'utf8', timeout: 280_000 },
    );
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    const b = JSON.parse(readFileSync(json, 'utf8')) as BenchResults;
    expect(b.schema).toBe(1);
    expect(b.adapter).not.toBe('');
    for (const k of ['f32Gflops', 'copyGBs', 'dispatchUs', 'roundTripUs'] as const)
      expect(b.ceilings[k]).toBeGreaterThan(0);
    expect(b.cases.map((c) => c.id)).toEqual(['matmul/rec.attn-qkv', 'depthwise/det.dw5x5-192@20']);
    for (const c of b.cases) {
      expect(c.flops).toBeGreaterThan(0);
      expect(c.bytes).toBeGreaterThan(0);
      expect(c.rungs.length).toBeGreaterThanOrEqual(2);
      expect(c.rungs.some((g) => g.rung === 'default')).toBe(true);
      for (const g of c.rungs) {
        expect(g.error, `${c.id} [${g.rung}]`).toBeUndefined();
        expect(g.ms!).toBeGreaterThan(0);
        expect(g.ceilingPct!).toBeGreaterThan(0);
        expect(g.maxError!, `${c.id} [${g.rung}]`).toBeLessThan(ERROR_TOLERANCE);
        expect(g.ok).toBe(true);
      }
      expect(c.peer?.error).toBeUndefined();
      expect(c.peer!.ratio).toBeGreaterThan(0);
      expect(c.peer!.peerMaxError!).toBeLessThan(ERROR_TOLERANCE);
    }
    expect(b.families.map((f) => f.family)).toEqual(['matmul', 'depthwise']);
    const folder = join(out, b.slug);
    for (const f of ['bench.json', 'bench.md', 'roofline.svg', 'ceilings.json'])
      expect(existsSync(join(folder, f)), f).toBe(true);
    expect(readFileSync(join(folder, 'bench.md'), 'utf8')).toContain('## Kernel ladders');
  }, 300_000);
});
