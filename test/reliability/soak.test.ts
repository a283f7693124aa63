// Soak and leaks: consecutive frames of PP-OCRv4 det at 1x3x320x320 and create/release of many
// sessions. Tracked GPU bytes of live buffers and the JS heap must stay flat (slopes are printed),
// and frame 1 and frame N are bit-identical. Short in CI; KESTREL_SOAK=1 runs 2,000 frames / 200 sessions.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../../src/core/tensor.js';
import { gpuMemoryStats } from '../../src/runtime/executor.js';
import { PipelineCache } from '../../src/runtime/pipelines.js';
import { Session } from '../../src/runtime/session.js';
import { testGpu } from '../kernels/harness.js';
import { modelBytes } from '../models/models.js';
import { randomTensor } from '../util.js';
import { bitsEqual, missingKernel, slope, smallCnn } from './util.js';

const LONG = process.env.KESTREL_SOAK === '1';
const FRAMES = Number(process.env.KESTREL_SOAK_FRAMES ?? (LONG ? 2000 : 6));
/** The small CNN is ~50x cheaper per frame than det at 320x320, so the fallback runs more frames. */
const CNN_FRAMES = Number(process.env.KESTREL_SOAK_FRAMES ?? (LONG ? 2000 : 150));
const SESSIONS = Number(process.env.KESTREL_SOAK_SESSIONS ?? (LONG ? 200 : 40));

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
function heapBytes(): number {
  gc();
  return process.memoryUsage().heapUsed;
}

/** Samples heap and GPU bytes after each step; slopes over the second half (after warm-up). */
async function soak(
  steps: number,
  step: (i: number) => Promise<void>,
): Promise<{ heapSlope: number; gpuSlope: number; gpu: number[]; heap: number[]; ms: number }> {
  const heap: number[] = [];
  const gpu: number[] = [];
  const every = Math.max(1, Math.floor(steps / 50));
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) {
    await step(i);
    gpu.push(gpuMemoryStats.live);
    if (i % every === 0 || i === steps - 1) heap.push(heapBytes());
  }
  const half = (xs: number[]) => xs.slice(Math.floor(xs.length / 2));
  return { heapSlope: slope(half(heap)) / every, gpuSlope: slope(half(gpu)), gpu, heap, ms: performance.now() - t0 };
}

const kb = (b: number) => `${(b / 1024).toFixed(1)} KiB`;

describe('soak and leaks', () => {
  it(
    `consecutive frames (${FRAMES} of det, or ${CNN_FRAMES} of the small CNN while det lacks a kernel): flat GPU bytes and heap, frame 1 == frame N`,
    async () => {
      const ctx = await testGpu();
      let s: Session;
      let shape = [1, 3, 320, 320];
      let model = 'PP-OCRv4 det';
      let frames = FRAMES;
      try {
        s = await Session.create(modelBytes('det'), { shapes: { x: shape }, context: ctx });
      } catch (e) {
        const why = missingKernel(e);
        if (!why) throw e;
        // det needs a kernel still being written: soak the small CNN so the leak checks still run
        console.log(`[soak] det unavailable (${why}); soaking the small CNN at 1x3x128x128 instead`);
        shape = [1, 3, 128, 128];
        model = 'small CNN';
        frames = CNN_FRAMES;
        s = await Session.create(smallCnn(128, 128), { context: ctx });
      }
      try {
        const x = randomTensor(shape, 11);
        let first: Record<string, HostTensor> = {};
        let last: Record<string, HostTensor> = {};
        const r = await soak(frames, async (i) => {
          const out = await s.run({ x });
          if (i === 0) first = out;
          last = out;
        });
        const gpuLive = r.gpu[r.gpu.length - 1];
        console.log(
          `[soak] ${model} ${shape.join('x')}: ${frames} frames in ${(r.ms / 1000).toFixed(1)} s (${(r.ms / frames).toFixed(1)} ms/frame); ` +
            `GPU live ${kb(gpuLive)}, slope ${r.gpuSlope.toFixed(1)} B/frame; heap slope ${r.heapSlope.toFixed(0)} B/frame ` +
            `(heap ${kb(r.heap[0])} -> ${kb(r.heap[r.heap.length - 1])})`,
        );
        expect(new Set(r.gpu).size).toBe(1); // no buffer is created or destroyed per frame
        expect(r.gpuSlope).toBe(0);
        expect(r.heapSlope).toBeLessThan(LONG ? 2048 : 64 * 1024); // growth only: a shrinking heap after warm-up is fine
        for (const k of Object.keys(first)) expect(bitsEqual(last[k], first[k]), `output ${k}`).toBe(true);
      } finally {
        s.release();
      }
    },
    LONG ? 6 * 3600_000 : 300_000,
  );

  it(
    `create and release ${SESSIONS} sessions: GPU bytes return to baseline every time, heap flat`,
    async () => {
      const ctx = await testGpu();
      const bytes = smallCnn(32, 32);
      const x = randomTensor([1, 3, 32, 32], 5);
      const base = gpuMemoryStats.live;
      let reference: HostTensor | null = null;
      // every other session brings its own pipeline cache, so both teardown paths are exercised
      const shared = new PipelineCache(ctx);
      const r = await soak(SESSIONS, async (i) => {
        const s = await Session.create(bytes, { context: ctx, pipelineCache: i % 2 ? shared : undefined });
        const y = (await s.run({ x })).y;
        if (!reference) reference = y;
        else expect(bitsEqual(y, reference)).toBe(true);
        s.release();
        expect(gpuMemoryStats.live).toBe(base);
      });
      console.log(
        `[soak] ${SESSIONS} sessions in ${(r.ms / 1000).toFixed(1)} s: GPU live after each release = baseline (${kb(base)}), ` +
          `heap slope ${r.heapSlope.toFixed(0)} B/session (heap ${kb(r.heap[0])} -> ${kb(r.heap[r.heap.length - 1])})`,
      );
      expect(r.gpuSlope).toBe(0);
      expect(r.heapSlope).toBeLessThan(LONG ? 16 * 1024 : 256 * 1024);
    },
    LONG ? 3600_000 : 300_000,
  );
});
