// The infotainment page in a real headless Chromium (Debian's, WebGPU on SwiftShader), from the browser bundle
// alone: it reads a bundled frame correctly, is screenshotted, and a small kernel parity check runs in the page.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { type BrowserContext, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as build from '../../scripts/build.mjs';
import { detInputSize } from '../../src/demo/det.js';
import { loadFrames } from '../../src/demo/node.js';
import { type RunningServer, startServer } from '../../src/demo/server.js';
import { graph, io, node, tensor } from '../onnx-builder.js';
import { CHROMIUM, CHROMIUM_FLAGS } from './harness.js';
import { conv2dRef } from '../ref/conv.js';
import { randomTensor } from '../util.js';

const repo = join(import.meta.dirname, '..', '..');
const FRAME = '01-speed-limit.jpg';

let tmp: string;
let server: RunningServer;
let browser: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'kestrel-browser-'));
  // the browser bundles as scripts/build.mjs makes them, built into a temporary folder so that a concurrent
  // `npm run build` (test/unit/build.test.ts) cannot race us
  const dist = join(tmp, 'dist');
  await Promise.all(
    build.browserBuilds(dist).map((b) => esbuild.build({ ...b, absWorkingDir: repo, sourcemap: false })),
  );
  server = await startServer({ port: 0, distDir: dist });
  browser = await chromium.launchPersistentContext(join(tmp, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1280, height: 720 },
  });
  page = await browser.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text());
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

interface PageResult {
  file: string;
  detInput: string;
  detShape: number[];
  lines: { text: string; confidence: number }[];
  truth: string[] | null;
  exact: boolean | null;
  kernels: { kernel: string }[];
}

describe('the web page in headless Chromium', () => {
  it('reads the sign text of a bundled frame with the browser bundle on WebGPU', async () => {
    await page.goto(`${server.url}?frame=${FRAME}`);
    const result = (await page.evaluate(() =>
      (window as unknown as { kestrelDemo: { first: Promise<unknown> } }).kestrelDemo.first.then(
        (r) => ({ ok: true as const, r }),
        (e: Error) => ({ ok: false as const, error: e.message }),
      ),
    )) as { ok: true; r: PageResult } | { ok: false; error: string };
    if (!result.ok) throw new Error(`the page failed: ${result.error}\n${pageErrors.join('\n')}`);
    const truth = loadFrames()
      .frames.find((f) => f.file === FRAME)!
      .lines.map((l) => l.text);
    expect(result.r.file).toBe(FRAME);
    // the frame loop builds det's input on the GPU with imageToTensor, at the size the host path would use
    expect(result.r.detInput).toBe('imageToTensor');
    const manifest = loadFrames();
    const size = detInputSize(manifest.width, manifest.height, 960);
    expect(result.r.detShape).toEqual([1, 3, size.height, size.width]);
    expect(result.r.lines.map((l) => l.text).sort()).toEqual([...truth].sort());
    expect(result.r.exact).toBe(true);
    const adapter = await page.evaluate(
      () =>
        (
          window as unknown as {
            kestrelDemo: { adapter: string; features: { shaderF16: boolean; timestampQuery: boolean } };
          }
        ).kestrelDemo,
    );
    expect(adapter.adapter.length).toBeGreaterThan(0);
    // with timestamp queries the chart shows kernels; without, the page falls back to stage times
    if (adapter.features.timestampQuery) expect(result.r.kernels.length).toBeGreaterThan(0);
    expect(await page.locator('#signs li').count()).toBe(truth.length);
    expect(await page.locator('#bars .bar').count()).toBeGreaterThan(0);
    expect(await page.locator('#fps').textContent()).toMatch(/[\d.]+ FPS/);
    mkdirSync(join(repo, '.cache', 'browser'), { recursive: true });
    await page.screenshot({ path: join(repo, '.cache', 'browser', 'demo.png') });
  }, 900_000);

  it('runs conv + relu in the page, matching the CPU reference', async () => {
    const x = randomTensor([1, 3, 9, 11], 11);
    const w = randomTensor([4, 3, 3, 3], 12, -0.5, 0.5);
    const b = randomTensor([4], 13);
    const bytes = graph(
      [node('Conv', ['x', 'w', 'b'], ['c'], { pads: [1, 1, 1, 1], strides: [1, 1] }), node('Relu', ['c'], ['y'])],
      [io('x', [1, 3, 9, 11])],
      [io('y', [1, 4, 9, 11])],
      [tensor('w', [4, 3, 3, 3], w.data as Float32Array), tensor('b', [4], b.data as Float32Array)],
    );
    const ref = conv2dRef(x, w, { strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], group: 1 });
    const plane = 9 * 11;
    const expected = Array.from(ref.data, (v, i) =>
      Math.max(0, v + (b.data as Float32Array)[Math.floor(i / plane) % 4]),
    );
    const got = await page.evaluate(
      async ({ model, input }) => {
        const k = (window as unknown as { kestrel: typeof import('../../src/index.js') }).kestrel;
        const s = await k.Session.create(new Uint8Array(model), { shapes: { x: [1, 3, 9, 11] } });
        try {
          const out = await s.run({ x: { data: new Float32Array(input), shape: [1, 3, 9, 11] } });
          return Array.from(out.y.data as Float32Array);
        } finally {
          s.release();
        }
      },
      { model: Array.from(bytes), input: Array.from(x.data as Float32Array) },
    );
    expect(got).toHaveLength(expected.length);
    const maxErr = Math.max(...got.map((v, i) => Math.abs(v - expected[i])));
    expect(maxErr).toBeLessThan(1e-4);
  }, 120_000);
});
