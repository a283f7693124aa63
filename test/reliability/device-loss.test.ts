// Device loss, simulated with device.destroy(): between runs and during a run. The session reports
// DeviceLostError, no promise pends forever, and recover() gives bit-identical outputs afterwards.
import { describe, expect, it } from 'vitest';
import { DeviceLostError, KestrelError } from '../../src/core/errors.js';
import { createGpuContext } from '../../src/runtime/device.js';
import { gpuMemoryStats } from '../../src/runtime/executor.js';
import { Session } from '../../src/runtime/session.js';
import { randomTensor } from '../util.js';
import { bitsEqual, smallCnn, withTimeout } from './util.js';

const SETTLE_MS = 30_000;
const x = randomTensor([1, 3, 16, 16], 42);

async function lose(s: Session): Promise<void> {
  s.ctx.device.destroy();
  await withTimeout(s.ctx.device.lost, SETTLE_MS, 'device.lost');
}

describe('device loss', () => {
  it('between runs: DeviceLostError, then recover() gives bit-identical outputs', async () => {
    const s = await Session.create(smallCnn());
    try {
      const before = (await s.run({ x })).y;
      await lose(s);
      const err = await withTimeout(
        s.run({ x }).then(
          () => null,
          (e: unknown) => e,
        ),
        SETTLE_MS,
        'run after loss',
      );
      expect(err).toBeInstanceOf(DeviceLostError);
      expect((err as Error).message).toMatch(/recover\(\)/);
      // every later call fails the same way until recovery
      await expect(withTimeout(s.run({ x }), SETTLE_MS, 'second run after loss')).rejects.toBeInstanceOf(
        DeviceLostError,
      );
      await withTimeout(s.recover(), 120_000, 'recover');
      const after = (await withTimeout(s.run({ x }), SETTLE_MS, 'run after recover')).y;
      expect(bitsEqual(after, before)).toBe(true);
      expect(bitsEqual((await s.run({ x })).y, before)).toBe(true);
    } finally {
      s.release();
    }
  });

  it('during a run: the in-flight and queued calls settle with DeviceLostError (or finish), then recover', async () => {
    const s = await Session.create(smallCnn());
    try {
      const before = (await s.run({ x })).y;
      const inflight = [s.run({ x }), s.run({ x }), s.run({ x })];
      s.ctx.device.destroy();
      const settled = await withTimeout(Promise.allSettled(inflight), SETTLE_MS, 'runs in flight at the loss');
      for (const r of settled) {
        if (r.status === 'fulfilled')
          expect(bitsEqual(r.value.y, before)).toBe(true); // finished before the loss
        else expect(r.reason).toBeInstanceOf(DeviceLostError);
      }
      expect(settled.some((r) => r.status === 'rejected')).toBe(true);
      await withTimeout(s.recover(), 120_000, 'recover');
      expect(bitsEqual((await withTimeout(s.run({ x }), SETTLE_MS, 'run after recover')).y, before)).toBe(true);
    } finally {
      s.release();
    }
  });

  it("recover() frees the old plans' GPU buffers, and release() after recovery frees the new ones", async () => {
    const base = gpuMemoryStats.live;
    const s = await Session.create(smallCnn());
    await s.run({ x });
    const planned = gpuMemoryStats.live - base;
    expect(planned).toBeGreaterThan(0);
    await lose(s);
    await s.recover();
    expect(gpuMemoryStats.live).toBe(base);
    await s.run({ x });
    expect(gpuMemoryStats.live - base).toBe(planned);
    s.release();
    expect(gpuMemoryStats.live).toBe(base);
  });

  it('a session on a shared context that was lost: create refuses with DeviceLostError', async () => {
    const ctx = await createGpuContext();
    ctx.device.destroy();
    await withTimeout(ctx.device.lost, SETTLE_MS, 'device.lost');
    const err = await withTimeout(
      Session.create(smallCnn(), { context: ctx }).then(
        () => null,
        (e: unknown) => e,
      ),
      SETTLE_MS,
      'create on a lost device',
    );
    expect(err).toBeInstanceOf(DeviceLostError);
  });

  it('a fresh session after a loss works and matches the pre-loss output', async () => {
    const a = await Session.create(smallCnn());
    const before = (await a.run({ x })).y;
    await lose(a);
    a.release();
    const b = await Session.create(smallCnn());
    try {
      expect(bitsEqual((await b.run({ x })).y, before)).toBe(true);
    } finally {
      b.release();
    }
  });

  it('errors after loss are typed, never raw GPU exceptions', async () => {
    const s = await Session.create(smallCnn());
    try {
      s.ctx.device.destroy(); // no wait for device.lost: the next call races the loss notification
      const err = await withTimeout(
        s.run({ x }).then(
          () => null,
          (e: unknown) => e,
        ),
        SETTLE_MS,
        'run racing the loss',
      );
      expect(err).toBeInstanceOf(KestrelError);
      expect((err as KestrelError).code).toBe('DEVICE_LOST');
    } finally {
      s.release();
    }
  });
});
