// `npm run bench:web-fps`: the web page's frame rate (web/app.js) in headless Chromium, whose WebGPU adapter is
// SwiftShader here. Builds the repository's browser bundle into a temporary folder, serves the page with that tree's
// own server, reads one frame N times in a fresh profile and prints each frame's wall ms without plan building (as
// the page's FPS chip counts it), the FPS, the adapter and the page's per-stage split.
// The page reads one frame and stops unless ?loop=1 (which moves on to the next frame), so each further read of the
// same frame is started as a user would: by a 'change' on the frame picker.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BrowserContext, type Page, chromium } from 'playwright-core';
import { UsageError, formatFlags, parseArgs, type ArgSpec } from '../src/cli/args.js';
import { LimitError } from '../src/core/errors.js';
import { median } from '../src/core/stats.js';
import { CHROMIUM, CHROMIUM_FLAGS, chromiumPssMb } from './chromium.js';

const SPEC: ArgSpec = {
  flags: [
    { name: 'frames', type: 'string', valueName: 'N', summary: 'frames to read (default 3)' },
    { name: 'timeout', type: 'string', valueName: 'S', summary: 'hard limit for the whole run, seconds (default 600)' },
    {
      name: 'repo',
      type: 'string',
      valueName: 'DIR',
      summary: 'the repository whose page and bundle run (default: this one)',
    },
    { name: 'frame', type: 'string', valueName: 'FILE', summary: 'bundled frame (default 01-speed-limit.jpg)' },
    { name: 'det-size', type: 'string', valueName: '960|320', summary: "the page's det size (default 960, 'full')" },
    { name: 'precision', type: 'string', valueName: 'P', summary: "model precision (default: the page's)" },
    {
      name: 'max-memory',
      type: 'string',
      valueName: 'MB',
      summary: "Chromium's PSS cap, all its processes (default 6000)",
    },
    { name: 'help', type: 'boolean', summary: 'this text' },
  ],
};
const VIEWPORT = { width: 1280, height: 720 };

interface PageTiming {
  wallMs: number;
  compileMs: number;
  preMs: number;
  detMs: number;
  postMs: number;
  recMs: number;
}
/** One entry of the page's window.kestrelDemo.results (detShape only since the page made det's input on the GPU). */
interface PageEntry {
  file: string;
  precision: string;
  detShape?: number[];
  lines: { text: string }[];
  exact: boolean | null;
  timing: PageTiming;
  kernels: { kernel: string; count: number; gpuMs: number }[];
}
interface PageState {
  count: number;
  last: PageEntry | null;
  error: string | null;
  status: string;
  fps: string;
  adapter: string | null;
  features: Record<string, boolean> | null;
}
type DemoWindow = {
  kestrelDemo?: {
    results: PageEntry[];
    error: string | null;
    adapter: string | null;
    features: Record<string, boolean> | null;
  };
};

function positiveInt(text: string | undefined, def: number, flag: string): number {
  if (text === undefined) return def;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a whole number >= 1 (got '${text}')`);
  return n;
}

function options(argv: string[]) {
  const { flags } = parseArgs(argv, SPEC);
  if (flags.help) {
    console.log(['usage: npx tsx kernels-bench/web-fps.ts [flags]', ...formatFlags(SPEC)].join('\n'));
    process.exit(0);
  }
  const repo = resolve((flags.repo as string | undefined) ?? join(import.meta.dirname, '..'));
  if (!existsSync(join(repo, 'web', 'app.js')) || !existsSync(join(repo, 'src', 'demo', 'server.ts')))
    throw new UsageError(`--repo ${repo} has no web/app.js and src/demo/server.ts: not a Kestrel checkout`);
  const frame = (flags.frame as string | undefined) ?? '01-speed-limit.jpg';
  const known = (
    JSON.parse(readFileSync(join(repo, 'assets', 'frames', 'frames.json'), 'utf8')) as {
      frames: { file: string }[];
    }
  ).frames.map((f) => f.file);
  // the page silently falls back to its first frame on an unknown name
  if (!known.includes(frame))
    throw new UsageError(`--frame '${frame}' is not a bundled frame (one of ${known.join(', ')})`);
  const detSize = (flags['det-size'] as string | undefined) ?? '960';
  if (detSize !== '960' && detSize !== '320') throw new UsageError(`--det-size must be 960 or 320 (got '${detSize}')`);
  return {
    repo,
    frame,
    detSize,
    precision: flags.precision as string | undefined,
    frames: positiveInt(flags.frames as string | undefined, 3, '--frames'),
    timeoutS: positiveInt(flags.timeout as string | undefined, 600, '--timeout'),
    maxMemoryMb: positiveInt(flags['max-memory'] as string | undefined, 6000, '--max-memory'),
  };
}

/** The tree's browser bundles, built by that tree's own build script and esbuild into `dist`. */
async function buildBundle(repo: string, dist: string): Promise<void> {
  const build = (await import(pathToFileURL(join(repo, 'scripts', 'build.mjs')).href)) as {
    browserBuilds?: (outdir: string) => object[];
  };
  if (build.browserBuilds) {
    const esbuildPath = createRequire(join(repo, 'package.json')).resolve('esbuild');
    const esbuild = (await import(pathToFileURL(esbuildPath).href)) as typeof import('esbuild');
    await Promise.all(
      build.browserBuilds(dist).map((b) => esbuild.build({ ...b, absWorkingDir: repo, sourcemap: false })),
    );
    return;
  }
  // older trees build only into their own dist/: run that build, then take its browser bundles
  execFileSync(process.execPath, ['scripts/build.mjs', '--quiet'], { cwd: repo, stdio: 'inherit' });
  mkdirSync(dist, { recursive: true });
  for (const f of readdirSync(join(repo, 'dist')).filter((f) => f.endsWith('.browser.mjs')))
    copyFileSync(join(repo, 'dist', f), join(dist, f));
}

/** The page would fall back silently or fail late on a precision its server does not offer. */
async function checkPrecision(url: string, precision: string): Promise<void> {
  const manifest = (await (await fetch(`${url}manifest.json`)).json()) as {
    precisions: Record<string, { available: boolean }>;
  };
  const known = Object.keys(manifest.precisions);
  if (!known.includes(precision))
    throw new UsageError(`--precision '${precision}' is not one the page offers (${known.join(', ')})`);
  if (!manifest.precisions[precision].available)
    throw new UsageError(`--precision ${precision}: its models are not built in this tree (npm run models)`);
}

const ms = (v: number) => (v < 100 ? v.toFixed(1) : v.toFixed(0));
const load = () =>
  loadavg()
    .map((v) => v.toFixed(2))
    .join(', ');

function describeFrame(i: number, e: PageEntry): string {
  const t = e.timing;
  const frameMs = t.wallMs - t.compileMs;
  const text = e.lines.map((l) => l.text).join(' | ') || '(no text)';
  return (
    `frame ${i + 1}: ${ms(frameMs)} ms (${(1000 / frameMs).toFixed(3)} FPS) = wall ${ms(t.wallMs)} - plan building ` +
    `${ms(t.compileMs)}; pre ${ms(t.preMs)} · det ${ms(t.detMs)} · post ${ms(t.postMs)} · rec ${ms(t.recMs)}; ` +
    `read "${text}"${e.exact === null ? '' : e.exact ? ' (exact)' : ' (NOT exact)'}` +
    (e.kernels.length ? `; top kernels ${e.kernels.map((k) => `${k.kernel} ${ms(k.gpuMs)}`).join(', ')}` : '')
  );
}

/** What the page shows now: results so far, its error, the status and FPS chips, the adapter. */
function snapshot(page: Page): Promise<PageState> {
  return page.evaluate((): PageState => {
    const d = (window as unknown as DemoWindow).kestrelDemo;
    const results = d?.results ?? [];
    return {
      count: results.length,
      last: results[results.length - 1] ?? null,
      error: d?.error ?? null,
      status: document.getElementById('status')?.textContent ?? '',
      fps: document.getElementById('fps')?.textContent ?? '',
      adapter: d?.adapter ?? null,
      features: d?.features ?? null,
    };
  });
}

const sleep = (msec: number) => new Promise<null>((r) => setTimeout(() => r(null), msec));

async function main(): Promise<void> {
  const opt = options(process.argv.slice(2));
  const started = Date.now();
  const tmp = mkdtempSync(join(tmpdir(), 'kestrel-web-fps-'));
  const profile = join(tmp, 'profile');
  let context: BrowserContext | undefined;
  let server: { url: string; close(): Promise<void> } | undefined;
  let sampler: ReturnType<typeof setInterval> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let peakMb = 0;
  let fail: (e: Error) => void = () => undefined;
  // every wait races this: the hard timeout or the memory cap ends the run with an error, never a hang
  const stopped = new Promise<never>((_, reject) => (fail = reject));
  const race = <T>(p: Promise<T>) => Promise.race([p, stopped]);
  let page: Page | undefined;
  let state: PageState | null = null;
  try {
    const timedOut = async () => {
      // what the page was doing, if it still answers within 3 s
      const live = page ? await Promise.race([snapshot(page).catch(() => null), sleep(3000)]) : null;
      fail(
        new LimitError(
          `web-fps: --timeout ${opt.timeoutS} s passed with ${live?.count ?? state?.count ?? 0} of ${opt.frames} ` +
            `frames read (page status '${live?.status ?? 'page not loaded or not answering'}'); on SwiftShader a ` +
            'frame can take minutes: raise --timeout or lower --frames',
        ),
      );
    };
    timer = setTimeout(() => void timedOut(), opt.timeoutS * 1000);
    const dist = join(tmp, 'dist');
    await race(buildBundle(opt.repo, dist));
    // that tree's own server: its manifest, models and frames
    const serverModule = (await import(pathToFileURL(join(opt.repo, 'src', 'demo', 'server.ts')).href)) as {
      startServer: (o: { port: number; distDir: string }) => Promise<{ url: string; close(): Promise<void> }>;
    };
    server = await serverModule.startServer({ port: 0, distDir: dist });
    if (opt.precision) await checkPrecision(server.url, opt.precision);
    context = await race(
      chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        args: CHROMIUM_FLAGS,
        viewport: VIEWPORT,
      }),
    );
    sampler = setInterval(() => {
      const mb = chromiumPssMb(profile);
      peakMb = Math.max(peakMb, mb);
      if (mb > opt.maxMemoryMb)
        fail(new LimitError(`web-fps: Chromium uses ${mb.toFixed(0)} MB (PSS), over --max-memory ${opt.maxMemoryMb}`));
    }, 2000);
    page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('crash', () => fail(new Error(`web-fps: the page crashed (${errors.join('; ') || 'no page error'})`)));
    const query = new URLSearchParams({ frame: opt.frame, detSize: opt.detSize });
    if (opt.precision) query.set('precision', opt.precision);
    const loadAtStart = load();
    await race(page.goto(`${server.url}?${query}`));
    const entries: PageEntry[] = [];
    for (let i = 0; i < opt.frames; i++) {
      // the page stops after each frame; a 'change' on the frame picker reads the same frame again
      if (i > 0) await race(page.evaluate(() => document.getElementById('frame')!.dispatchEvent(new Event('change'))));
      await race(
        page.waitForFunction(
          (n) => {
            const d = (window as unknown as DemoWindow).kestrelDemo;
            return Boolean(d?.error) || (d?.results.length ?? 0) > n;
          },
          i,
          { polling: 1000, timeout: 0 },
        ),
      );
      state = await race(snapshot(page));
      if (state.error) throw new Error(`web-fps: the page failed: ${state.error}\n${errors.join('\n')}`);
      const e = state.last!;
      if (e.file !== opt.frame) throw new Error(`web-fps: the page read ${e.file}, not ${opt.frame}`);
      entries.push(e);
      console.log(describeFrame(i, e));
    }
    const steady = entries.length > 1 ? entries.slice(1) : entries;
    const steadyMs = median(steady.map((e) => e.timing.wallMs - e.timing.compileMs));
    const chromiumVersion = execFileSync(CHROMIUM, ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const last = entries[entries.length - 1];
    console.log(
      [
        `repo ${opt.repo} (${execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: opt.repo, encoding: 'utf8' }).trim()})`,
        `adapter: ${state!.adapter} · features ${JSON.stringify(state!.features)} · ${chromiumVersion}`,
        `frame ${opt.frame}, det size ${opt.detSize}${last.detShape ? ` (det input ${last.detShape.join('x')})` : ''}, ` +
          `precision ${last.precision}, viewport ${VIEWPORT.width}x${VIEWPORT.height}`,
        `${entries.length > 1 ? `frames 2..${entries.length}` : 'frame 1 (the only one)'}: median ${ms(steadyMs)} ms ` +
          `= ${(1000 / steadyMs).toFixed(3)} FPS; the page's chip (mean FPS over all frames read): ${state!.fps}`,
        `load average at start ${loadAtStart}, at end ${load()}; Chromium peak PSS ${peakMb.toFixed(0)} MB; ` +
          `${((Date.now() - started) / 1000).toFixed(0)} s in all, ${new Date().toISOString()}`,
      ].join('\n'),
    );
  } finally {
    clearTimeout(timer);
    clearInterval(sampler);
    // a wedged browser must not keep this process alive: closing gets 15 s
    await Promise.race([context?.close(), new Promise((r) => setTimeout(r, 15_000))]).catch(() => undefined);
    await server?.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    console.error(e instanceof UsageError || e instanceof LimitError ? `${e.name}: ${e.message}` : e);
    process.exit(1);
  },
);
