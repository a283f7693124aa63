// The tuner keeps one candidate round alive at a time: after each round its GPU buffers are destroyed and the
// pipelines only its candidates use leave the cache, so neither grows with the number of rounds or passes.
import { describe, expect, it } from 'vitest';
import { gpuMemoryStats } from '../../src/runtime/executor.js';
import { PipelineCache } from '../../src/runtime/pipelines.js';
import { Session } from '../../src/runtime/session.js';
import { randomFeeds } from '../../src/runtime/tuning/resolve.js';
import { decisionsOf, tuneGraph } from '../../src/runtime/tuning/tuner.js';
import { testGpu } from '../kernels/harness.js';
import { modelBytes } from '../models/models.js';

const SHAPE = [1, 3, 48, 192];

describe('tuner memory', () => {
  it('one round alive at a time: buffers freed and round-only pipelines evicted after each round', async () => {
    const ctx = await testGpu();
    const session = await Session.create(modelBytes('cls'), { shapes: { x: SHAPE }, context: ctx, tuning: 'off' });
    const { graph } = await session.plan(new Map([['x', SHAPE]]));
    const rounds = Math.max(
      ...[...decisionsOf(ctx, graph).values()].map((p) => p.ids.filter((id) => id !== 'direct').length),
    );
    expect(rounds).toBeGreaterThan(1);
    const cache = new PipelineCache(ctx);
    const live0 = gpuMemoryStats.live;
    const after: { live: number; pipelines: number }[] = [];
    const created0 = gpuMemoryStats.created;
    const profile = await tuneGraph(ctx, cache, graph, randomFeeds(graph), {
      runs: 2,
      passes: 2,
      collect: () => after.push({ live: gpuMemoryStats.live, pipelines: cache.size }),
    });
    expect(after.length).toBe(rounds * 2);
    // every round's buffers were destroyed before the next was built (and plans were made: bytes were created)
    expect(gpuMemoryStats.created - created0).toBeGreaterThan(0);
    for (const a of after) expect(a.live).toBe(live0);
    // what stays cached is the pipelines every round shares: the same set after each round
    expect(new Set(after.map((a) => a.pipelines)).size).toBe(1);
    expect(Object.keys(profile.entries).length).toBeGreaterThan(10);
    session.release();
  });
});
