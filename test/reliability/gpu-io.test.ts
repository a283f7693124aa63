// GPU-resident IO: GPUBuffer feeds and outputs left on the GPU give bit-identical results to host IO (and match
// onnxruntime-node), in one submission; bad buffers are InputErrors naming the input; stale outputs throw; an
// adopted GPUDevice is never destroyed by Kestrel.
import { describe, expect, it } from 'vitest';
import { InputError, KestrelError, StaleTensorError } from '../../src/core/errors.js';
import type { HostTensor } from '../../src/core/tensor.js';
import { runOnnxruntime } from '../../src/parity/ort.js';
import { diff } from '../../src/parity/metrics.js';
import { type GpuContext, createGpuContext } from '../../src/runtime/device.js';
import { Session } from '../../src/runtime/session.js';
import { textLikeImage } from '../models/inputs.js';
import { modelBytes } from '../models/models.js';
import { randomTensor } from '../util.js';
import { addOne, bitsEqual, smallCnn } from './util.js';

const STORAGE = 0x80;
const COPY_SRC = 0x4;
const COPY_DST = 0x8;
const FEED_USAGE = STORAGE | COPY_SRC | COPY_DST;

/** An f32 tensor uploaded to a new buffer on `device`. */
function upload(device: GPUDevice, t: HostTensor, usage = FEED_USAGE, size?: number): GPUBuffer {
  const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const b = device.createBuffer({ size: size ?? bytes.byteLength, usage, mappedAtCreation: true });
  new Uint8Array(b.getMappedRange()).set(bytes.subarray(0, size ?? bytes.byteLength));
  b.unmap();
  return b;
}

function countSubmits(ctx: GpuContext): { count: number } {
  const counter = { count: 0 };
  const queue = ctx.device.queue;
  const submit = queue.submit.bind(queue);
  queue.submit = (cmds) => {
    counter.count++;
    submit(cmds);
  };
  return counter;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => null,
    (e: unknown) => e,
  );
}

describe('GPU-resident IO', () => {
  const cases: [string, () => Uint8Array, number[]][] = [
    ['small CNN', () => smallCnn(), [1, 3, 16, 16]],
    ['PP-OCR cls', () => modelBytes('cls'), [1, 3, 48, 192]],
    ['PP-OCR det', () => modelBytes('det'), [1, 3, 64, 96]],
  ];
  for (const [label, bytesOf, shape] of cases) {
    it(`${label}: GPU feed + GPU output is bit-identical to host IO and matches onnxruntime, one submit`, async () => {
      const ctx = await createGpuContext();
      const bytes = bytesOf();
      const x = textLikeImage(shape, 11);
      const s = await Session.create(bytes, { shapes: { x: shape }, context: ctx });
      const feed = upload(ctx.device, x);
      try {
        const host = await s.run({ x });
        const submits = countSubmits(ctx);
        const gpu = await s.run({ x: { dtype: 'f32', shape, buffer: feed } }, { outputLocation: 'gpu' });
        expect(submits.count).toBe(1); // the feed copy rides in the run's own encoder
        expect(Object.keys(gpu).sort()).toEqual(Object.keys(host).sort());
        const ref = await runOnnxruntime(bytes, { x });
        for (const [name, t] of Object.entries(host)) {
          expect(gpu[name].shape).toEqual(t.shape);
          expect(gpu[name].dtype).toBe(t.dtype);
          const down = await gpu[name].download();
          expect(bitsEqual(down, t)).toBe(true);
          expect(diff(down, ref[name]).relL2).toBeLessThan(1e-4);
        }
        // a host feed with GPU outputs, and a GPU feed with host outputs, agree too
        const mixed = await s.run({ x: { dtype: 'f32', shape, buffer: feed } });
        for (const [name, t] of Object.entries(host)) expect(bitsEqual(mixed[name], t)).toBe(true);
      } finally {
        s.release();
        feed.destroy();
        ctx.destroy();
      }
    });
  }

  it("chains a GPU output into another session's feed without a readback", async () => {
    const ctx = await createGpuContext();
    const cnn = await Session.create(smallCnn(), { context: ctx });
    const post = await Session.create(addOne([1, 8, 4, 5]), { context: ctx });
    try {
      const x = randomTensor([1, 3, 16, 16], 5);
      const y = (await cnn.run({ x })).y;
      const yGpu = (await cnn.run({ x }, { outputLocation: 'gpu' })).y;
      const z = (await post.run({ x: yGpu })).y;
      // (y + 1) * 2 on the CPU, in f32
      const want = Float32Array.from(y.data as Float32Array, (v) => Math.fround(Math.fround(v + 1) * 2));
      expect(bitsEqual(z, { dtype: 'f32', shape: y.shape, data: want })).toBe(true);
    } finally {
      cnn.release();
      post.release();
      ctx.destroy();
    }
  });

  it('a GPU output is valid until the next run or release, then throws StaleTensorError', async () => {
    const s = await Session.create(smallCnn());
    const x = randomTensor([1, 3, 16, 16], 9);
    const host = (await s.run({ x })).y;
    const first = (await s.run({ x }, { outputLocation: 'gpu' })).y;
    expect(bitsEqual(await first.download(), host)).toBe(true);
    expect(bitsEqual(await first.download(), host)).toBe(true); // downloading twice is fine
    await s.run({ x: randomTensor([1, 3, 16, 16], 10) });
    expect(() => first.buffer).toThrow(StaleTensorError);
    await expect(first.download()).rejects.toBeInstanceOf(StaleTensorError);
    const second = (await s.run({ x }, { outputLocation: 'gpu' })).y;
    s.release();
    const err = await rejection(second.download());
    expect(err).toBeInstanceOf(StaleTensorError);
    expect((err as Error).message).toMatch(/'y'.*released/);
  });

  it('bad GPU feeds are InputErrors naming the input', async () => {
    const ctx = await createGpuContext();
    const other = await createGpuContext();
    const s = await Session.create(smallCnn(), { context: ctx });
    const x = randomTensor([1, 3, 16, 16], 3);
    const shape = x.shape;
    const expectInputError = async (feed: unknown, pattern: RegExp) => {
      const err = await rejection(s.run({ x: feed as HostTensor }));
      expect(err).toBeInstanceOf(InputError);
      expect((err as Error).message).toMatch(/input 'x'/);
      expect((err as Error).message).toMatch(pattern);
    };
    try {
      await expectInputError({ dtype: 'f32', shape, buffer: upload(ctx.device, x, COPY_SRC | COPY_DST) }, /STORAGE/);
      await expectInputError({ dtype: 'f32', shape, buffer: upload(ctx.device, x, FEED_USAGE, 64) }, /64 bytes.*3072/);
      await expectInputError({ dtype: 'f16', shape, buffer: upload(ctx.device, x) }, /must be f32, got f16/);
      await expectInputError({ dtype: 'f32', shape: [1, 3, 8, 8], buffer: upload(ctx.device, x) }, /dim 2/);
      await expectInputError({ dtype: 'f32', shape, buffer: {} }, /must be a GPUBuffer/);
      const mapped = ctx.device.createBuffer({ size: 3072, usage: FEED_USAGE, mappedAtCreation: true });
      await expectInputError({ dtype: 'f32', shape, buffer: mapped }, /mapped/);
      mapped.unmap();
      await expectInputError({ dtype: 'f32', shape, buffer: upload(other.device, x) }, /another GPUDevice/);
      const destroyed = upload(ctx.device, x);
      destroyed.destroy();
      await expectInputError({ dtype: 'f32', shape, buffer: destroyed }, /destroyed/);
      // the session still works afterwards
      const ok = await s.run({ x: { dtype: 'f32', shape, buffer: upload(ctx.device, x) } });
      expect(bitsEqual(ok.y, (await s.run({ x })).y)).toBe(true);
      await expect(s.run({ x }, { outputLocation: 'host' as 'cpu' })).rejects.toBeInstanceOf(InputError);
    } finally {
      s.release();
      ctx.destroy();
      other.destroy();
    }
  });
});

describe('an adopted GPUDevice', () => {
  it('fills info/features/limits from the device and is never destroyed by release, destroy or recover', async () => {
    const app = await createGpuContext(); // stands in for the app's own device
    const ctx = await createGpuContext({ device: app.device, adapter: app.adapter! });
    expect(ctx.owned).toBe(false);
    expect(ctx.info).toEqual(app.info);
    expect(ctx.features).toEqual(app.features);
    expect(ctx.limits.maxStorageBufferBindingSize).toBe(app.device.limits.maxStorageBufferBindingSize);
    const bare = await createGpuContext({ device: app.device }); // no adapter: info from device.adapterInfo
    expect(bare.features).toEqual(app.features);
    const x = randomTensor([1, 3, 16, 16], 21);
    const s = await Session.create(smallCnn(), { context: ctx });
    const before = (await s.run({ x })).y;
    const err = await rejection(s.recover());
    expect(err).toBeInstanceOf(KestrelError);
    expect((err as Error).message).toMatch(/recover\(\{ device \}\)/);
    s.release();
    ctx.destroy();
    bare.destroy();
    // still alive: a new session on it runs and matches, and the device was never lost
    await new Promise((r) => setTimeout(r, 50));
    expect(app.lostReason).toBeNull();
    const again = await Session.create(smallCnn(), { context: await createGpuContext({ device: app.device }) });
    expect(bitsEqual((await again.run({ x })).y, before)).toBe(true);
    // recover onto a device the app passes: outputs stay bit-identical, and the old device is left alone
    const fresh = await createGpuContext();
    await again.recover({ device: fresh.device });
    expect(again.ctx.device).toBe(fresh.device);
    expect(bitsEqual((await again.run({ x })).y, before)).toBe(true);
    again.release();
    await new Promise((r) => setTimeout(r, 50));
    expect(app.lostReason).toBeNull();
    expect(fresh.lostReason).toBeNull();
    app.destroy();
    fresh.destroy();
  });
});
