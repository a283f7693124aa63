// The browser bundle where apps put it: in a dedicated module Worker (navigator.gpu there), and on a page served
// with `Content-Security-Policy: script-src 'self'` (no eval). Both run cls, checked against onnxruntime-node here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostTensor } from '../../src/core/tensor.js';
import { runOnnxruntime } from '../../src/parity/ort.js';
import { modelBytes } from '../models/models.js';
import { imageToTensorRef, testPixels } from '../ref/image-to-tensor.js';
import { maxAbs } from '../util.js';
import { type BrowserHarness, buildBrowserBundle, html, js, startBrowser } from './harness.js';

const SHAPE = [1, 3, 48, 192];
const [SW, SH] = [240, 61];
const PIXELS = testPixels(SW, SH, 21);
const NORM = { width: 192, height: 48, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] } as const;
const INPUT = Float32Array.from(imageToTensorRef(PIXELS, SW, SH, NORM));
// Kestrel (f32 on SwiftShader) vs onnxruntime's CPU kernels: the same math, summed in another order
const TOLERANCE = 1e-3;

// Runs cls twice: on the host input, and on imageToTensor of an OffscreenCanvas holding the same pixels.
const CLS_SCRIPT = `
export async function runCls(k, { input, shape, pixels, sw, sh, norm }) {
  const ctx = await k.createGpuContext();
  const s = await k.Session.create(await k.loadModel(new URL('/cls.onnx', location.href).href), {
    context: ctx,
    shapes: { x: shape },
  });
  try {
    const name = s.inputs[0].name;
    const out = s.outputs[0].name;
    const host = await s.run({ [name]: { data: new Float32Array(input), shape } });
    const canvas = new OffscreenCanvas(sw, sh);
    canvas.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(pixels), sw, sh), 0, 0);
    const frame = await k.imageToTensor(ctx, canvas, norm);
    const gpu = await s.run({ [name]: frame }, { outputLocation: 'gpu' });
    const fromFrame = await gpu[out].download();
    frame.destroy();
    return {
      adapter: k.adapterName(ctx),
      output: out,
      host: Array.from(host[out].data),
      frame: Array.from(fromFrame.data),
      shape: host[out].shape,
    };
  } finally {
    s.release();
  }
}
`;

const WORKER = `
import * as k from '/kestrel.browser.mjs';
import { runCls } from '/cls.js';
self.onmessage = async ({ data }) => {
  try {
    const inWorker = typeof WorkerGlobalScope !== 'undefined' && self instanceof WorkerGlobalScope && typeof document === 'undefined';
    const r = await runCls(k, data);
    self.postMessage({ ok: true, inWorker, hasGpu: 'gpu' in navigator, ...r });
  } catch (e) {
    self.postMessage({ ok: false, error: String(e && e.stack || e) });
  }
};
`;

// a classic script, run before any module: it sees violations raised while the bundle is evaluated too
const CSP_GUARD = `
window.violations = [];
document.addEventListener('securitypolicyviolation', (e) => window.violations.push(e.violatedDirective + ' ' + e.blockedURI));
`;

const CSP_MAIN = `
import * as k from '/kestrel.browser.mjs';
import { runCls } from '/cls.js';
const input = await (await fetch('/input.json')).json();
try {
  const r = await runCls(k, input);
  const before = [...window.violations];
  // proof that the policy is live: eval is refused here, and the listener above reports it
  let evalBlocked = false;
  try {
    new Function('return 1')();
  } catch (e) {
    evalBlocked = e instanceof EvalError;
  }
  await new Promise((res) => setTimeout(res, 200));
  window.cspResult = { ok: true, ...r, violationsDuringRun: before, evalBlocked, violationsAfterProbe: [...window.violations] };
} catch (e) {
  window.cspResult = { ok: false, error: String(e && e.stack || e) };
}
`;

const CSP = "script-src 'self'";

let b: BrowserHarness;
let reference: HostTensor;

interface ClsResult {
  ok: boolean;
  error?: string;
  adapter: string;
  output: string;
  host: number[];
  frame: number[];
  shape: number[];
}

function expectMatchesReference(r: ClsResult): void {
  if (!r.ok) throw new Error(`${r.error}\n${b.errors.join('\n')}`);
  expect(r.adapter.length).toBeGreaterThan(0);
  expect(r.shape).toEqual(reference.shape);
  const want = reference.data as Float32Array;
  expect(r.host.length).toBe(want.length);
  expect(maxAbs(r.host, want)).toBeLessThan(TOLERANCE);
  // the frame path's input differs from the host input by f32 rounding only (< 1e-4)
  expect(maxAbs(r.frame, want)).toBeLessThan(TOLERANCE);
}

beforeAll(async () => {
  const input = { input: Array.from(INPUT), shape: SHAPE, pixels: Array.from(PIXELS), sw: SW, sh: SH, norm: NORM };
  b = await startBrowser({
    '/kestrel.browser.mjs': js(await buildBrowserBundle()),
    '/cls.js': js(CLS_SCRIPT),
    '/worker.js': js(WORKER),
    '/': html('<!doctype html><title>worker host</title>'),
    '/csp.html': html(
      '<!doctype html><title>csp</title><script src="/csp-guard.js"></script><script type="module" src="/csp-main.js"></script>',
      { 'content-security-policy': CSP },
    ),
    '/csp-guard.js': js(CSP_GUARD),
    '/csp-main.js': js(CSP_MAIN),
    '/cls.onnx': { body: modelBytes('cls'), type: 'application/octet-stream' },
    '/input.json': { body: JSON.stringify(input), type: 'application/json' },
  });
  const ref = await runOnnxruntime(modelBytes('cls'), { x: { dtype: 'f32', shape: SHAPE, data: INPUT } });
  reference = Object.values(ref)[0];
}, 120_000);

afterAll(async () => {
  await b?.close();
});

describe('the browser bundle in a dedicated Worker', () => {
  it('imports as a module, finds navigator.gpu, and runs cls (host and imageToTensor inputs) like onnxruntime', async () => {
    await b.page.goto(b.url);
    const input = { input: Array.from(INPUT), shape: SHAPE, pixels: Array.from(PIXELS), sw: SW, sh: SH, norm: NORM };
    const r = (await b.page.evaluate(
      (data) =>
        new Promise<unknown>((resolve) => {
          const w = new Worker('/worker.js', { type: 'module' });
          w.onmessage = (e) => {
            resolve(e.data);
            w.terminate();
          };
          w.onerror = (e) => resolve({ ok: false, error: `worker error: ${e.message}` });
          w.postMessage(data);
        }),
      input,
    )) as ClsResult & { inWorker: boolean; hasGpu: boolean };
    if (r.ok) {
      expect(r.inWorker).toBe(true);
      expect(r.hasGpu).toBe(true);
    }
    expectMatchesReference(r);
  }, 120_000);
});

describe(`a page served with Content-Security-Policy: ${CSP}`, () => {
  it('loads the bundle and runs cls correctly with no policy violation (and the policy is enforced)', async () => {
    const response = await b.page.goto(`${b.url}/csp.html`);
    expect(response?.headers()['content-security-policy']).toBe(CSP);
    await b.page.waitForFunction(() => 'cspResult' in window, undefined, { timeout: 100_000 });
    const r = (await b.page.evaluate(() => (window as unknown as { cspResult: unknown }).cspResult)) as ClsResult & {
      violationsDuringRun: string[];
      evalBlocked: boolean;
      violationsAfterProbe: string[];
    };
    expectMatchesReference(r);
    expect(r.violationsDuringRun).toEqual([]);
    expect(r.evalBlocked).toBe(true);
    expect(r.violationsAfterProbe.some((v) => v.startsWith('script-src'))).toBe(true);
  }, 120_000);
});
