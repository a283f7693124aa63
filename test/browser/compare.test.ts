// `npm run compare -- --browser` end to end on the smallest model: both engines run in headless Chromium (WebGPU),
// every time in the table is finite, and Kestrel's outputs agree with ONNX Runtime Web's (the independent reference).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserCompareResult } from '../../kernels-bench/browser-compare.js';
import * as build from '../../scripts/build.mjs';

const repo = join(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'kestrel-compare-test-'));
const bundle = join(tmp, 'dist', 'kestrel.browser.mjs');
// built into a temporary folder, so that a concurrent `npm run build` (test/unit/build.test.ts) cannot race us
beforeAll(async () => {
  await esbuild.build({ ...build.browserBuilds(join(tmp, 'dist'))[0], absWorkingDir: repo, sourcemap: false });
}, 120_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// async, so that the worker keeps answering vitest while Chromium runs (spawnSync starves its RPC into a timeout)
const compare = (args: string[], timeout: number) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(repo, 'scripts', 'compare-models.ts'), ...args],
      { cwd: repo, encoding: 'utf8', timeout, maxBuffer: 64 << 20 },
      (err, stdout, stderr) =>
        resolve({ status: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });

// cls ends in a 2-way softmax; test/models/ppocr.test.ts holds Kestrel to relL2 < 1e-4 against onnxruntime-node,
// and for outputs of norm <= 1 that bounds every element's error by 1e-4 (measured here: ~3e-7)
const CLS_TOLERANCE = 1e-4;

describe('npm run compare -- --browser', () => {
  it('rejects an unknown model and flags that make no sense in a browser', async () => {
    const bad = await compare(['--browser', '--models', 'cls,dett'], 60_000);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain("unknown model 'dett'");
    const adapter = await compare(['--browser', '--adapter', 'lavapipe'], 60_000);
    expect(adapter.status).not.toBe(0);
    expect(adapter.stderr).toContain('Chromium picks its own adapter');
    const typo = await compare(['--browser', '--run', '1'], 60_000);
    expect(typo.status).not.toBe(0);
    expect(typo.stderr).toMatch(/Unknown option '--run'/);
  }, 120_000);

  it('runs Kestrel and ORT-web on cls in Chromium: finite warm and cold times, agreeing outputs', async () => {
    const json = join(tmp, 'cls.json');
    const r = await compare(
      ['--browser', '--models', 'cls', '--runs', '1', '--json', json, '--bundle', bundle],
      900_000,
    );
    if (r.status !== 0) throw new Error(`compare failed (${r.status}):\n${r.stderr.slice(-3000)}`);
    const table = r.stdout.split('\n').filter((l) => l.startsWith('| ppocr cls'));
    expect(table).toHaveLength(1);
    expect(r.stdout).toMatch(/\| Kestrel warm \| ORT-web [\d.]+ warm \|/);
    // every time and ratio column filled: 9 cells, none empty
    const cells = table[0]
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    expect(cells).toHaveLength(9);
    for (const c of cells) expect(c).not.toBe('');
    expect(r.stdout).toMatch(/Kestrel's adapter: \S+/);
    expect(r.stdout).toMatch(/ORT-web's adapter: \S+/);

    const res = JSON.parse(readFileSync(json, 'utf8')) as BrowserCompareResult;
    expect(res.adapters.kestrel.length).toBeGreaterThan(0);
    expect(res.adapters['ort-web']).toEqual(res.adapters.kestrel);
    const [cls] = res.results;
    expect(cls.model).toBe('cls');
    for (const e of ['kestrel', 'ort-web'] as const) {
      expect(cls.warm[e].runs).toHaveLength(1);
      expect(Number.isFinite(cls.warm[e].ms) && cls.warm[e].ms > 0).toBe(true);
      expect(Number.isFinite(cls.cold![e].coldMs) && cls.cold![e].coldMs > 0).toBe(true);
    }
    const outs = Object.values(cls.outputs);
    expect(outs).toHaveLength(1);
    expect(outs[0].elements).toBe(2);
    expect(outs[0].nonFinite).toBe(0);
    expect(outs[0].maxAbsDiff).toBeLessThan(CLS_TOLERANCE);
  }, 900_000);
});
