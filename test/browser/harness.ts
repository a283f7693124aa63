// Shared by the browser tests that need only the engine: the main browser bundle built into a temporary folder,
// a small HTTP server for in-memory files (with per-file headers, e.g. a CSP), and Debian's headless Chromium.
import { mkdtempSync, rmSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { type BrowserContext, type Page, chromium } from 'playwright-core';
import * as build from '../../scripts/build.mjs';
import { CHROMIUM, CHROMIUM_FLAGS } from '../../kernels-bench/chromium.js';

const repo = join(import.meta.dirname, '..', '..');
// one definition of Debian's Chromium and its flags, shared with the browser benches
export { CHROMIUM, CHROMIUM_FLAGS } from '../../kernels-bench/chromium.js';

export interface Served {
  body: string | Uint8Array;
  type: string;
  headers?: Record<string, string>;
}

export interface BrowserHarness {
  url: string;
  page: Page;
  /** Uncaught page errors and console errors, for failure messages. */
  errors: string[];
  /** Adds or replaces a served file. */
  serve(path: string, file: Served): void;
  close(): Promise<void>;
}

/** The minified main bundle exactly as scripts/build.mjs makes it (dist/kestrel.browser.mjs). */
export async function buildBrowserBundle(): Promise<string> {
  const [main] = build.browserBuilds('out');
  const r = await esbuild.build({ ...main, absWorkingDir: repo, sourcemap: false, write: false });
  return r.outputFiles.find((f) => f.path.endsWith('.mjs'))!.text;
}

export async function startBrowser(files: Record<string, Served>): Promise<BrowserHarness> {
  const routes = new Map(Object.entries(files));
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const f = routes.get(path);
    if (!f) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': f.type, 'cache-control': 'no-store', ...f.headers });
    res.end(f.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const tmp = mkdtempSync(join(tmpdir(), 'kestrel-chromium-'));
  const context: BrowserContext = await chromium.launchPersistentContext(tmp, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  return {
    url,
    page,
    errors,
    serve: (path, file) => routes.set(path, file),
    close: async () => {
      await context.close();
      await new Promise((r) => server.close(r));
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

export const js = (body: string, headers?: Record<string, string>): Served => ({
  body,
  type: 'text/javascript',
  headers,
});
export const html = (body: string, headers?: Record<string, string>): Served => ({ body, type: 'text/html', headers });
