// The ceiling kernels compute what they claim (else their GFLOP/s would be of nothing): peak_fma's chains, both
// multiply-add forms, against the same f32 arithmetic on the CPU; peak_dot4 exactly; copy_vec4 with PER_LANE > 1.
import { describe, expect, it } from 'vitest';
import { grid1d } from '../../src/kernels/params.js';
import { COUNT_PARAMS } from '../../src/kernels/uniforms.js';
import { FMA_C, FMA_M, peakParams, peakSpec } from '../../src/profile/ceilings.js';
import { prepareDispatch, storageBuffer, timeDispatches } from '../../src/profile/microbench.js';
import { PipelineCache } from '../../src/runtime/pipelines.js';
import { testGpu } from './harness.js';

const f = Math.fround;

async function readBack(device: GPUDevice, buf: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
  const read = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(buf, 0, read, 0, bytes);
  device.queue.submit([enc.finish()]);
  await read.mapAsync(GPUMapMode.READ);
  const data = read.getMappedRange().slice(0);
  read.destroy();
  return data;
}

async function runPeak(kind: 'f32' | 'dot4', wg: number, fused: boolean, invocations: number, iters: number) {
  const ctx = await testGpu();
  const cache = new PipelineCache(ctx);
  const out = storageBuffer(ctx, invocations * 16);
  const spec = peakSpec(kind, { wg, invocations, fused });
  const d = await prepareDispatch(
    ctx,
    cache,
    spec,
    peakParams(kind, invocations, iters),
    [out],
    [invocations / wg, 1, 1],
  );
  await timeDispatches(ctx, [d], 1);
  const data = await readBack(ctx.device, out, invocations * 16);
  out.destroy();
  return data;
}

/** peak_fma.wgsl for invocation i, in f32 arithmetic. */
function fmaRef(i: number, iters: number, fused: boolean): number {
  const m = f(FMA_M);
  const c = f(FMA_C);
  const d = f(0.001);
  const step = (a: number) => (fused ? f(a * m + c) : f(f(a * m) + c));
  const a = [f(f(i % 13) * f(0.001))];
  for (let j = 1; j < 8; j++) a.push(f(a[j - 1] + d));
  for (let k = 0; k < iters; k++) for (let j = 0; j < 8; j++) a[j] = step(step(a[j]));
  return f(f(f(a[0] + a[1]) + f(a[2] + a[3])) + f(f(a[4] + a[5]) + f(a[6] + a[7])));
}

/** dot4I8Packed: the four signed bytes of x times those of y, summed. */
function dot4(x: number, y: number): number {
  let s = 0;
  for (let b = 0; b < 32; b += 8) s += ((x << (24 - b)) >> 24) * ((y << (24 - b)) >> 24);
  return s;
}

function dot4Ref(i: number, iters: number): number[] {
  let x = Math.imul(i, 0x9e3779b9) >>> 0;
  const y0 = (0x01fe03fd ^ i) >>> 0;
  const ys = [1, 3, 5, 7, 11, 13, 17, 19].map((k) => Math.imul(y0, k) >>> 0);
  const acc = new Array<number>(8).fill(0);
  for (let k = 0; k < iters; k++) {
    for (let j = 0; j < 8; j++) acc[j] = (acc[j] + dot4(x, ys[j])) | 0;
    x = (x + 0x01030507) >>> 0;
  }
  return [0, 1, 2, 3].map((j) => (acc[j] ^ acc[j + 4]) >>> 0);
}

describe('ceiling kernels', () => {
  for (const fused of [false, true]) {
    it(`peak_fma (${fused ? 'fma()' : 'a * m + c'}) matches the CPU chains`, async () => {
      const inv = 256;
      const iters = 37;
      const got = new Float32Array(await runPeak('f32', 64, fused, inv, iters));
      for (let i = 0; i < inv; i++) {
        const ref = fmaRef(i, iters, fused);
        for (let l = 0; l < 4; l++) expect(Math.abs(got[4 * i + l] - ref) / ref, `invocation ${i}`).toBeLessThan(1e-6);
      }
      // the chains moved: a kernel that skipped the loop would give the start values
      expect(Math.abs(got[0] - fmaRef(0, 0, fused))).toBeGreaterThan(1e-3);
    });
  }

  it('peak_dot4 matches the exact integer reference', async () => {
    const inv = 128;
    const iters = 29;
    const got = new Uint32Array(await runPeak('dot4', 64, false, inv, iters));
    for (let i = 0; i < inv; i++)
      expect(Array.from(got.subarray(4 * i, 4 * i + 4)), `invocation ${i}`).toEqual(dot4Ref(i, iters));
  });

  it('copy_vec4 with 4 vec4s per lane copies exactly count vec4s', async () => {
    const ctx = await testGpu();
    const cache = new PipelineCache(ctx);
    const total = 1000;
    const count = 997;
    const src = storageBuffer(ctx, total * 16, (a) => a.forEach((_, i) => (a[i] = i * 0.5 - 7)));
    const dst = storageBuffer(ctx, total * 16, (a) => a.fill(-1));
    const wg = 64;
    const d = await prepareDispatch(
      ctx,
      cache,
      { file: 'bench/copy_vec4.wgsl', overrides: { WG: wg, PER_LANE: 4 } },
      COUNT_PARAMS.pack({ count }),
      [src, dst],
      grid1d(Math.ceil(count / wg / 4), ctx.limits.maxComputeWorkgroupsPerDimension),
    );
    await timeDispatches(ctx, [d], 1);
    const got = new Float32Array(await readBack(ctx.device, dst, total * 16));
    for (let i = 0; i < total * 4; i++) expect(got[i], `float ${i}`).toBe(i < count * 4 ? i * 0.5 - 7 : -1);
    src.destroy();
    dst.destroy();
  });
});
