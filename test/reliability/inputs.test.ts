// Bad inputs at run time: every mistake gets a precise InputError (or ReleasedError), never a wrong
// answer; NaN/Inf flow through; concurrent run() calls serialize and match sequential runs bit for bit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError, KestrelError, ReleasedError } from '../../src/core/errors.js';
import type { HostTensor } from '../../src/core/tensor.js';
import { gpuMemoryStats } from '../../src/runtime/executor.js';
import { Session } from '../../src/runtime/session.js';
import { testGpu } from '../kernels/harness.js';
import { randomTensor } from '../util.js';
import { addOne, bitsEqual, smallCnn, withTimeout } from './util.js';

const f32 = (shape: number[], fill = 0.5) => ({
  dtype: 'f32' as const,
  shape,
  data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(fill),
});

describe('Session.run with bad inputs', () => {
  let s: Session;
  beforeAll(async () => {
    s = await Session.create(smallCnn(), { context: await testGpu() });
  });
  afterAll(() => s.release());

  const rejects = async (feeds: unknown, cls: typeof KestrelError, ...patterns: RegExp[]) => {
    const err = await withTimeout(s.run(feeds as never), 30_000, 'run').then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(cls);
    for (const p of patterns) expect((err as Error).message).toMatch(p);
  };

  it('a good run works (the baseline)', async () => {
    const y = (await s.run({ x: randomTensor([1, 3, 16, 16], 1) })).y;
    expect(y.shape).toEqual([1, 8, 4, 5]);
    expect(Array.from(y.data as Float32Array).every(Number.isFinite)).toBe(true);
  });

  it('wrong or missing input names', async () => {
    await rejects({ x: f32([1, 3, 16, 16]), extra: f32([1]) }, InputError, /unknown input 'extra'/, /model inputs: x/);
    await rejects({ X: f32([1, 3, 16, 16]) }, InputError, /unknown input 'X'/);
    await rejects({}, InputError, /missing input 'x'/, /f32 \[1,3,16,16\]/);
    await rejects(null, InputError, /feeds as an object/);
    await rejects('x', InputError, /feeds/);
  });

  it('wrong dtype or typed array', async () => {
    await rejects({ x: { ...f32([1, 3, 16, 16]), dtype: 'i32' } }, InputError, /'x' must be f32, got i32/);
    await rejects(
      { x: { shape: [1, 3, 16, 16], data: new Int32Array(768) } },
      InputError,
      /'x' \(f32\) needs a Float32Array, got Int32Array/,
    );
    await rejects({ x: { shape: [1, 3, 16, 16], data: new Float64Array(768) } }, InputError, /got Float64Array/);
    await rejects({ x: { shape: [1, 3, 16, 16], data: Array(768).fill(0) } }, InputError, /got Array/);
    await rejects({ x: { shape: [1, 3, 16, 16], data: null } }, InputError, /'x'/);
  });

  it('wrong rank, shape, dims or buffer length', async () => {
    await rejects({ x: f32([3, 16, 16]) }, InputError, /'x' must have rank 4/);
    await rejects({ x: f32([1, 3, 16, 17]) }, InputError, /'x' dim 3 must be 16, got 17/);
    await rejects({ x: { ...f32([1, 3, 16, 16]), shape: [1, 3, 16, -16] } }, InputError, /invalid dim -16/);
    await rejects({ x: { ...f32([1, 3, 16, 16]), shape: [1, 3, 16, 15.5] } }, InputError, /invalid dim 15.5/);
    await rejects({ x: { ...f32([1, 3, 16, 16]), shape: [1, 3, 16, NaN] } }, InputError, /invalid dim NaN/);
    await rejects({ x: { ...f32([1, 3, 16, 16]), shape: '1x3x16x16' } }, InputError, /shape must be an array/);
    await rejects(
      { x: { ...f32([1, 3, 16, 16]), data: new Float32Array(767) } },
      InputError,
      /data has 767 elements, shape \[1,3,16,16\] needs 768/,
    );
    await rejects({ x: { ...f32([1, 3, 16, 16]), data: new Float32Array(769) } }, InputError, /769/);
  });

  it('the session still gives the right answer after refusing bad calls', async () => {
    const x = randomTensor([1, 3, 16, 16], 2);
    const a = (await s.run({ x })).y;
    await rejects({ x: f32([1, 3, 8, 8]) }, InputError);
    const b = (await s.run({ x })).y;
    expect(bitsEqual(a, b)).toBe(true);
  });
});

describe('NaN and Inf inputs', () => {
  it('flow through without a crash, exactly where IEEE says', async () => {
    const s = await Session.create(addOne([2, 3]), { context: await testGpu() });
    try {
      const x = new Float32Array([NaN, Infinity, -Infinity, -1, 3.5, -3.4e38]);
      const y = (await withTimeout(s.run({ x: { dtype: 'f32', shape: [2, 3], data: x } }), 30_000, 'run')).y
        .data as Float32Array;
      expect(Number.isNaN(y[0])).toBe(true);
      expect(y[1]).toBe(Infinity);
      expect(y[2]).toBe(-Infinity);
      expect(y[3]).toBe(0);
      expect(y[4]).toBe(9);
      expect(y[5]).toBe(-Infinity); // (-3.4e38 + 1) * 2 overflows f32
    } finally {
      s.release();
    }
  });

  it('a CNN fed NaN/Inf completes with outputs of the right size', async () => {
    const s = await Session.create(smallCnn(), { context: await testGpu() });
    try {
      const x = randomTensor([1, 3, 16, 16], 3);
      (x.data as Float32Array).set([NaN, Infinity, -Infinity, NaN], 10);
      const y = (await withTimeout(s.run({ x }), 30_000, 'run')).y;
      expect(y.data.length).toBe(1 * 8 * 4 * 5);
    } finally {
      s.release();
    }
  });
});

describe('released sessions', () => {
  it('run, plan and recover after release are ReleasedError; release twice is a no-op', async () => {
    const before = gpuMemoryStats.live;
    const s = await Session.create(smallCnn(), { context: await testGpu() });
    expect(gpuMemoryStats.live).toBeGreaterThan(before);
    s.release();
    expect(gpuMemoryStats.live).toBe(before);
    s.release();
    await expect(s.run({ x: randomTensor([1, 3, 16, 16], 1) })).rejects.toBeInstanceOf(ReleasedError);
    await expect(s.run({ x: randomTensor([1, 3, 16, 16], 1) })).rejects.toThrow(/session was released/);
    await expect(s.recover()).rejects.toBeInstanceOf(ReleasedError);
  });

  it('release while a run is in flight: the run settles (result or typed error), nothing pends', async () => {
    const s = await Session.create(smallCnn(), { context: await testGpu() });
    const p = s.run({ x: randomTensor([1, 3, 16, 16], 1) });
    s.release();
    const r = await withTimeout(
      p.then(
        () => 'ok',
        (e: unknown) => e,
      ),
      30_000,
      'in-flight run',
    );
    if (r !== 'ok') expect(r).toBeInstanceOf(KestrelError);
  });
});

describe('concurrent run() on one session', () => {
  it('serializes: 8 overlapping calls equal 8 sequential calls, bit for bit', async () => {
    const s = await Session.create(smallCnn(), { context: await testGpu() });
    try {
      const xs = Array.from({ length: 8 }, (_, i) => randomTensor([1, 3, 16, 16], 100 + i));
      const sequential: HostTensor[] = [];
      for (const x of xs) sequential.push((await s.run({ x })).y);
      const concurrent = await withTimeout(Promise.all(xs.map((x) => s.run({ x }))), 60_000, 'concurrent runs');
      concurrent.forEach((o, i) => expect(bitsEqual(o.y, sequential[i]), `call ${i}`).toBe(true));
      // and distinct inputs really gave distinct outputs (no call saw another's input)
      expect(bitsEqual(sequential[0], sequential[1])).toBe(false);
      // a caller reusing its input buffer right after calling does not change a queued call's input
      const buf = randomTensor([1, 3, 16, 16], 100);
      const queued = [s.run({ x: randomTensor([1, 3, 16, 16], 5) }), s.run({ x: buf })];
      (buf.data as Float32Array).fill(0);
      expect(bitsEqual((await Promise.all(queued))[1].y, sequential[0])).toBe(true);
    } finally {
      s.release();
    }
  });

  it('first calls with a new dynamic shape build one plan, and release frees every buffer', async () => {
    const before = gpuMemoryStats.live;
    const s = await Session.create(addOne(['n', 3]), { context: await testGpu() });
    const feeds = (n: number, v: number) => ({
      x: { dtype: 'f32' as const, shape: [n, 3], data: new Float32Array(n * 3).fill(v) },
    });
    const outs = await withTimeout(
      Promise.all([1, 2, 3, 4, 5, 6].map((v) => s.run(feeds(4, v)))),
      60_000,
      'concurrent first runs',
    );
    outs.forEach((o, i) => expect(Array.from(o.y.data as Float32Array)).toEqual(new Array(12).fill((i + 2) * 2)));
    // more distinct shapes than the session keeps plans for: evictions must not break calls in flight
    const sizes = [1, 7, 2, 9, 3, 5, 1, 8];
    const mixed = await withTimeout(Promise.all(sizes.map((n, i) => s.run(feeds(n, i)))), 120_000, 'mixed shapes');
    mixed.forEach((o, i) =>
      expect(Array.from(o.y.data as Float32Array)).toEqual(new Array(sizes[i] * 3).fill((i + 1) * 2)),
    );
    s.release();
    expect(gpuMemoryStats.live).toBe(before);
  });
});
