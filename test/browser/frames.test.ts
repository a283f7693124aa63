// imageToTensor in headless Chromium (WebGPU on SwiftShader) for every source kind, against the CPU reference
// computed here from the pixels the page actually holds (test/ref/image-to-tensor.ts), and its output feeding cls.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelBytes } from '../models/models.js';
import { imageToTensorRef, testPixels } from '../ref/image-to-tensor.js';
import { maxAbs } from '../util.js';
import { type BrowserHarness, buildBrowserBundle, html, js, startBrowser } from './harness.js';

const MEAN = [0.485, 0.456, 0.406] as const;
const STD = [0.229, 0.224, 0.225] as const;
// one 8-bit quantum, normalized by the smallest std
const QUANTUM = 1 / 255 / 0.224;

let b: BrowserHarness;

beforeAll(async () => {
  b = await startBrowser({
    '/kestrel.browser.mjs': js(await buildBrowserBundle()),
    '/boot.js': js("import * as k from '/kestrel.browser.mjs';\nwindow.kestrel = k;\n"),
    '/': html('<!doctype html><script type="module" src="/boot.js"></script>'),
    '/cls.onnx': { body: modelBytes('cls'), type: 'application/octet-stream' },
  });
  await b.page.goto(b.url);
  await b.page.waitForFunction(() => 'kestrel' in window);
}, 120_000);

afterAll(async () => {
  await b?.close();
});

type Kind = 'ImageBitmap' | 'VideoFrame' | 'HTMLCanvasElement' | 'OffscreenCanvas' | 'HTMLVideoElement' | 'GPUTexture';

interface PageOut {
  /** The RGBA pixels the source holds, as the page reads them back (the reference's input). */
  pixels: number[];
  out: number[];
  shape: number[];
  dtype: string;
  error?: string;
}

/** Builds the source in the page from `px`, runs imageToTensor on it, and returns what the source holds and the tensor. */
async function runInPage(kind: Kind, px: Uint8Array, sw: number, sh: number, opts: object): Promise<PageOut> {
  const r = (await b.page.evaluate(
    async ({ kind, px, sw, sh, opts }) => {
      const k = (window as unknown as { kestrel: typeof import('../../src/index.js') }).kestrel;
      const w = window as unknown as { ctx?: Awaited<ReturnType<typeof k.createGpuContext>> };
      try {
        w.ctx ??= await k.createGpuContext();
        const ctx = w.ctx;
        const data = new Uint8ClampedArray(px);
        const image = new ImageData(data, sw, sh);
        const readCanvas = (draw: (g: CanvasRenderingContext2D) => void) => {
          const c = document.createElement('canvas');
          c.width = sw;
          c.height = sh;
          const g = c.getContext('2d', { willReadFrequently: true })!;
          draw(g);
          return Array.from(g.getImageData(0, 0, sw, sh).data);
        };
        let source: unknown;
        let pixels: number[];
        let cleanup = () => {};
        if (kind === 'ImageBitmap') {
          const bmp = await createImageBitmap(image);
          source = bmp;
          pixels = readCanvas((g) => g.drawImage(bmp, 0, 0));
        } else if (kind === 'VideoFrame') {
          const frame = new VideoFrame(data, { format: 'RGBA', codedWidth: sw, codedHeight: sh, timestamp: 0 });
          const copy = new Uint8Array(sw * sh * 4);
          await frame.copyTo(copy);
          source = frame;
          pixels = Array.from(copy);
          cleanup = () => frame.close();
        } else if (kind === 'HTMLCanvasElement') {
          const c = document.createElement('canvas');
          c.width = sw;
          c.height = sh;
          const g = c.getContext('2d', { willReadFrequently: true })!;
          g.putImageData(image, 0, 0);
          source = c;
          pixels = Array.from(g.getImageData(0, 0, sw, sh).data);
        } else if (kind === 'OffscreenCanvas') {
          const c = new OffscreenCanvas(sw, sh);
          const g = c.getContext('2d', { willReadFrequently: true })!;
          g.putImageData(image, 0, 0);
          source = c;
          pixels = Array.from(g.getImageData(0, 0, sw, sh).data);
        } else if (kind === 'HTMLVideoElement') {
          // a live video: the canvas captured as a MediaStream, played muted; the reference reads the same frame
          const c = document.createElement('canvas');
          c.width = sw;
          c.height = sh;
          const g2 = c.getContext('2d')!;
          g2.putImageData(image, 0, 0);
          const video = document.createElement('video');
          video.muted = true;
          video.srcObject = c.captureStream();
          // a canvas stream emits a frame when the canvas changes: redraw the same pixels until the video has one
          const redraw = setInterval(() => g2.putImageData(image, 0, 0), 30);
          try {
            await video.play();
            const deadline = performance.now() + 10_000;
            while ((video.readyState < 2 || video.videoWidth === 0) && performance.now() < deadline)
              await new Promise((r) => setTimeout(r, 20));
          } finally {
            clearInterval(redraw);
          }
          await new Promise((r) => setTimeout(r, 100));
          source = video;
          pixels = readCanvas((g) => g.drawImage(video, 0, 0));
          cleanup = () => video.pause();
        } else {
          const tex = ctx.device.createTexture({ size: [sw, sh], format: 'rgba8unorm', usage: 0x04 | 0x02 });
          ctx.device.queue.writeTexture({ texture: tex }, data, { bytesPerRow: sw * 4 }, [sw, sh]);
          source = tex;
          pixels = Array.from(data);
          cleanup = () => tex.destroy();
        }
        const t = await k.imageToTensor(ctx, source as ImageBitmap, opts as never);
        const host = await t.download();
        t.destroy();
        cleanup();
        return { pixels, out: Array.from(host.data as Float32Array), shape: t.shape, dtype: t.dtype };
      } catch (e) {
        return { error: `${(e as Error).name}: ${(e as Error).message}` };
      }
    },
    { kind, px: Array.from(px), sw, sh, opts },
  )) as PageOut;
  if (r.error) throw new Error(`in the page: ${r.error}\n${b.errors.join('\n')}`);
  return r;
}

const EXACT: Kind[] = ['ImageBitmap', 'VideoFrame', 'HTMLCanvasElement', 'OffscreenCanvas', 'GPUTexture'];

describe('imageToTensor in Chromium, per source kind, against the CPU reference', () => {
  const [sw, sh] = [61, 37];
  const px = testPixels(sw, sh, 9);
  const opts = { width: 48, height: 32, mean: MEAN, std: STD, channels: 'bgr' as const };

  for (const kind of EXACT) {
    it(`${kind}: the source holds the pixels given, and the tensor matches the reference to f32 rounding`, async () => {
      const r = await runInPage(kind, px, sw, sh, opts);
      expect(r.shape).toEqual([1, 3, 32, 48]);
      expect(r.dtype).toBe('f32');
      // opaque 8-bit RGBA goes through each of these unchanged
      expect(maxAbs(r.pixels, px)).toBe(0);
      // a half-pixel shift or a swapped channel moves values by several quanta; f32 rounding stays below 1e-4
      expect(maxAbs(r.out, imageToTensorRef(r.pixels, sw, sh, opts))).toBeLessThan(1e-4);
    });
  }

  it('HTMLVideoElement (a live canvas stream): matches the reference on the frame the video shows', async () => {
    const r = await runInPage('HTMLVideoElement', px, sw, sh, opts);
    expect(r.shape).toEqual([1, 3, 32, 48]);
    // the frame really is the pattern (through the video pipeline's colour conversion): each channel within 8 levels
    expect(maxAbs(r.pixels, px)).toBeLessThanOrEqual(8);
    const ref = imageToTensorRef(r.pixels, sw, sh, opts);
    // drawImage (the reference's pixels) and copyExternalImageToTexture may convert a YUV video frame to RGB on
    // different paths, each rounding to 8 bits: allow 2 quanta per element, and a mean error under half a quantum
    // (measured here, where the frame reaches WebGPU through createImageBitmap: pixels exact, error 3e-4 quanta)
    expect(maxAbs(r.out, ref)).toBeLessThan(2 * QUANTUM);
    const meanErr = r.out.reduce((s, v, i) => s + Math.abs(v - ref[i]), 0) / ref.length;
    expect(meanErr).toBeLessThan(0.5 * QUANTUM);
  });

  it('an unsupported source or size is an InputError naming what was wrong', async () => {
    const got = await b.page.evaluate(async () => {
      const k = (window as unknown as { kestrel: typeof import('../../src/index.js') }).kestrel;
      const ctx = await k.createGpuContext();
      const tryIt = async (source: unknown, o: object) => {
        try {
          await k.imageToTensor(ctx, source as ImageBitmap, { width: 8, height: 8, ...o });
          return 'no error';
        } catch (e) {
          return `${(e as Error).name}: ${(e as Error).message}`;
        }
      };
      const video = document.createElement('video');
      return [
        await tryIt(new Float32Array(4), {}),
        await tryIt(video, {}),
        await tryIt(new OffscreenCanvas(4, 4), { width: -1 }),
        await tryIt(new OffscreenCanvas(4, 4), { dtype: 'f16' }),
      ];
    });
    expect(got[0]).toMatch(/^InputError: .*unsupported source Float32Array/);
    expect(got[1]).toMatch(/^InputError: .*video has no current frame yet/);
    expect(got[2]).toMatch(/^InputError: .*width must be an integer/);
    // SwiftShader in Chromium has no shader-f16
    expect(got[3]).toMatch(/^InputError: .*'f16' needs the shader-f16 feature/);
  });
});

describe('imageToTensor feeding a session in Chromium', () => {
  it('cls on the GPU tensor of an ImageBitmap matches cls on host-preprocessed input', async () => {
    const [sw, sh] = [240, 61];
    const px = testPixels(sw, sh, 3);
    const opts = { width: 192, height: 48, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] } as const;
    const host = Array.from(imageToTensorRef(px, sw, sh, opts), Math.fround);
    const r = await b.page.evaluate(
      async ({ px, sw, sh, opts, host }) => {
        const k = (window as unknown as { kestrel: typeof import('../../src/index.js') }).kestrel;
        const ctx = await k.createGpuContext();
        const model = new Uint8Array(await (await fetch('/cls.onnx')).arrayBuffer());
        const s = await k.Session.create(model, { context: ctx, shapes: { x: [1, 3, 48, 192] } });
        const name = s.inputs[0].name;
        const bmp = await createImageBitmap(new ImageData(new Uint8ClampedArray(px), sw, sh));
        const t = await k.imageToTensor(ctx, bmp, opts);
        const gpu = await s.run({ [name]: t }, { outputLocation: 'gpu' });
        const out = s.outputs[0].name;
        const fromGpu = Array.from((await gpu[out].download()).data as Float32Array);
        const fromHost = await s.run({ [name]: { data: new Float32Array(host), shape: [1, 3, 48, 192] } });
        t.destroy();
        s.release();
        return { fromGpu, fromHost: Array.from(fromHost[out].data as Float32Array) };
      },
      { px: Array.from(px), sw, sh, opts, host },
    );
    expect(r.fromGpu.length).toBe(r.fromHost.length);
    expect(r.fromGpu.length).toBeGreaterThan(0);
    // inputs differ by f32 rounding only (< 1e-4): class probabilities agree far below any decision margin
    expect(maxAbs(r.fromGpu, r.fromHost)).toBeLessThan(1e-3);
  }, 120_000);
});
