// `npm run compare -- --browser`: Kestrel's browser bundle vs ONNX Runtime Web (latest release, WebGPU EP) in
// headless Chromium, on the adapter Chromium gives a page (SwiftShader here). Warm: both engines in one page,
// interleaved runs after a warm-up each. Cold: each engine alone in a fresh Chromium profile (no shader, pipeline
// or wasm code cache), from model bytes in hand to the first output read back. Everything is served locally.
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { chromium } from 'playwright-core';
import { median } from '../src/core/stats.js';
import { mdTable, num, ratio } from '../src/profile/table.js';
import { CHROMIUM, CHROMIUM_FLAGS } from './chromium.js';
import { STUDENTS, type Student, studentInput } from './models.js';

export const BROWSER_ENGINES = ['kestrel', 'ort-web'] as const;
export type BrowserEngine = (typeof BROWSER_ENGINES)[number];

const repo = join(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
// the package exports no ./package.json; its ./webgpu entry (require) lies in dist/, beside the .wasm files
const ORT_DIST = dirname(require.resolve('onnxruntime-web-latest/webgpu'));
const ortPackage = JSON.parse(readFileSync(join(ORT_DIST, '..', 'package.json'), 'utf8')) as { version: string };
export const ORT_WEB_VERSION = ortPackage.version;

export interface ColdRun {
  coldMs: number;
  createMs: number;
  firstRunMs: number;
}

export interface BrowserModelResult {
  model: Student;
  shape: number[];
  warm: Record<BrowserEngine, { ms: number; runs: number[] }>;
  cold: Record<BrowserEngine, ColdRun> | null;
  /** Per output: largest |Kestrel - ORT-web| on the same input, and how many differences were not finite. */
  outputs: Record<string, { maxAbsDiff: number; nonFinite: number; elements: number }>;
}

export interface BrowserCompareResult {
  chromium: string;
  ortWeb: string;
  adapters: Record<BrowserEngine, string[]>;
  runs: number;
  results: BrowserModelResult[];
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.bin': 'application/octet-stream',
};

/** Serves the page, the Kestrel bundle, ORT-web's dist/ (bundles + .wasm), the models and their inputs. */
async function serve(models: Student[], bundle: string): Promise<{ url: string; close(): Promise<void> }> {
  const inputs = new Map(models.map((m) => [m, studentInput(m).data as Float32Array]));
  const inside = (base: string, rest: string) => {
    const full = normalize(join(base, rest));
    return full.startsWith(base + sep) ? full : null;
  };
  const fileFor = (path: string): string | null => {
    if (path === '/') return null;
    if (path === '/page.mjs') return join(repo, 'kernels-bench', 'browser', 'page.mjs');
    if (path === '/kestrel/kestrel.browser.mjs') return bundle;
    if (path.startsWith('/ort/')) return inside(ORT_DIST, path.slice(5));
    const m = /^\/model\/(\w+)\.onnx$/.exec(path);
    return m && m[1] in STUDENTS ? STUDENTS[m[1] as Student].file : null;
  };
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
    const input = /^\/input\/(\w+)\.bin$/.exec(path);
    if (path === '/') {
      res.writeHead(200, { 'content-type': TYPES['.html'] });
      res.end(
        '<!doctype html><meta charset="utf-8"><title>compare</title><script type="module" src="/page.mjs"></script>',
      );
      return;
    }
    if (input && inputs.has(input[1] as Student)) {
      const x = inputs.get(input[1] as Student)!;
      res.writeHead(200, { 'content-type': TYPES['.bin'] });
      res.end(Buffer.from(x.buffer, x.byteOffset, x.byteLength));
      return;
    }
    const file = fileFor(path);
    if (!file || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
    });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/** A Chromium with a profile folder of its own, deleted on close: nothing cached carries over between them. */
async function freshPage(url: string, errors: string[]) {
  const profile = mkdtempSync(join(tmpdir(), 'kestrel-compare-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(url);
  await page.waitForFunction(() => 'loadEngine' in window);
  const version = context.browser()?.version() ?? (await page.evaluate(() => navigator.userAgent));
  return {
    page,
    version,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

type Page = Awaited<ReturnType<typeof freshPage>>['page'];

function inPage<T>(page: Page, errors: string[], what: string, fn: () => Promise<T>): Promise<T> {
  return fn().catch((e: Error) => {
    throw new Error(
      `${what}: ${e.message.split('\n')[0]}${errors.length ? `\npage errors:\n${errors.join('\n')}` : ''}`,
    );
  });
}

const load = (page: Page, engine: BrowserEngine, model: Student) =>
  page.evaluate(
    ([e, m, n, s]) =>
      (window as unknown as { loadEngine: (...a: unknown[]) => Promise<ColdRun & { adapters: string[] }> }).loadEngine(
        e,
        m,
        n,
        s,
      ),
    [engine, model, STUDENTS[model].input, STUDENTS[model].shape] as const,
  );

export interface BrowserCompareOptions {
  models: Student[];
  runs: number;
  cold: boolean;
  /** Kestrel's browser bundle (default: dist/kestrel.browser.mjs, written by `npm run build`). */
  bundle?: string;
  log: (s: string) => void;
}

export async function browserCompare(opts: BrowserCompareOptions): Promise<BrowserCompareResult> {
  const bundle = opts.bundle ?? join(repo, 'dist', 'kestrel.browser.mjs');
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run \`npm run build\` first`);
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run \`npm run setup\` (installs Chromium)`);
  const server = await serve(opts.models, bundle);
  const adapters: Record<BrowserEngine, string[]> = { kestrel: [], 'ort-web': [] };
  const results: BrowserModelResult[] = [];
  let version = '';
  try {
    for (const model of opts.models) {
      const label = STUDENTS[model].label;
      const errors: string[] = [];
      const warmPage = await freshPage(server.url, errors);
      version = warmPage.version;
      const { page } = warmPage;
      const warm = {} as BrowserModelResult['warm'];
      let outputs: BrowserModelResult['outputs'];
      try {
        for (const e of BROWSER_ENGINES) {
          const r = await inPage(page, errors, `${label} ${e}: load`, () => load(page, e, model));
          adapters[e] = [...new Set([...adapters[e], ...r.adapters])];
          opts.log(`  ${label} ${e}: loaded + first run ${r.coldMs.toFixed(0)} ms (in the warm page)`);
          warm[e] = { ms: NaN, runs: [] };
        }
        outputs = await page.evaluate(
          (m) =>
            (window as unknown as { compareOutputs: (m: string) => BrowserModelResult['outputs'] }).compareOutputs(m),
          model,
        );
        const run = (e: BrowserEngine) =>
          inPage(page, errors, `${label} ${e}: run`, () =>
            page.evaluate(
              ([e, m]) => (window as unknown as { runOnce: (e: string, m: string) => Promise<number> }).runOnce(e, m),
              [e, model] as const,
            ),
          );
        for (const e of BROWSER_ENGINES) await run(e); // warm-up
        for (let i = 0; i < opts.runs; i++) for (const e of BROWSER_ENGINES) warm[e].runs.push(await run(e));
        for (const e of BROWSER_ENGINES) {
          warm[e].ms = median(warm[e].runs);
          opts.log(`  ${label} ${e}: warm median ${warm[e].ms.toFixed(1)} ms over ${opts.runs}`);
        }
      } finally {
        await warmPage.close();
      }
      let cold: BrowserModelResult['cold'] = null;
      if (opts.cold) {
        cold = {} as Record<BrowserEngine, ColdRun>;
        for (const e of BROWSER_ENGINES) {
          const fresh = await freshPage(server.url, errors);
          try {
            const r = await inPage(fresh.page, errors, `${label} ${e}: cold start`, () => load(fresh.page, e, model));
            cold[e] = { coldMs: r.coldMs, createMs: r.createMs, firstRunMs: r.firstRunMs };
            opts.log(`  ${label} ${e}: cold start in a fresh profile ${r.coldMs.toFixed(0)} ms`);
          } finally {
            await fresh.close();
          }
        }
      }
      results.push({ model, shape: STUDENTS[model].shape, warm, cold, outputs });
    }
  } finally {
    await server.close();
  }
  return { chromium: version, ortWeb: ORT_WEB_VERSION, adapters, runs: opts.runs, results };
}

const ms = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '' : `${num(x)} ms`);

export function browserTable(r: BrowserCompareResult): string {
  const rows = r.results.map((m) => {
    const diff = Math.max(...Object.values(m.outputs).map((o) => (o.nonFinite ? Infinity : o.maxAbsDiff)));
    return [
      STUDENTS[m.model].label.split(' ').slice(0, -1).join(' '),
      m.shape.join('x'),
      ms(m.warm.kestrel.ms),
      ms(m.warm['ort-web'].ms),
      ratio(m.warm['ort-web'].ms / m.warm.kestrel.ms),
      ms(m.cold?.kestrel.coldMs),
      ms(m.cold?.['ort-web'].coldMs),
      m.cold ? ratio(m.cold['ort-web'].coldMs / m.cold.kestrel.coldMs) : '',
      Number.isFinite(diff) ? diff.toExponential(1) : 'not finite',
    ];
  });
  return [
    `Chromium ${r.chromium}, headless, WebGPU; ONNX Runtime Web ${r.ortWeb} (WebGPU EP, 1 wasm thread)`,
    `Kestrel's adapter: ${r.adapters.kestrel.join('; ') || 'none'}`,
    `ORT-web's adapter: ${r.adapters['ort-web'].join('; ') || 'none'}`,
    `warm: median of ${r.runs} interleaved runs after a warm-up, input uploaded and outputs read back; ` +
      'cold: session creation + first run from model bytes, each engine in a fresh Chromium profile',
    '',
    mdTable(
      [
        'model',
        'shape',
        'Kestrel warm',
        `ORT-web ${r.ortWeb} warm`,
        'ORT-web / Kestrel',
        'Kestrel cold',
        `ORT-web ${r.ortWeb} cold`,
        'ORT-web / Kestrel',
        'max abs diff',
      ],
      rows,
    ),
  ].join('\n');
}
