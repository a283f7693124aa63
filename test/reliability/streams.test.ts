// Several camera streams: sessions of one student running concurrently on one device give exactly the
// outputs each stream gets alone.
import { describe, expect, it } from 'vitest';
import { PipelineCache } from '../../src/runtime/pipelines.js';
import { Session } from '../../src/runtime/session.js';
import { testGpu } from '../kernels/harness.js';
import { modelBytes } from '../models/models.js';
import { textLikeImage } from '../models/inputs.js';

describe('concurrent sessions (camera streams)', () => {
  it('4 concurrent cls sessions match each stream run alone, bit for bit', async () => {
    const ctx = await testGpu();
    const cache = new PipelineCache(ctx);
    const bytes = modelBytes('cls');
    const shape = [1, 3, 48, 192];
    const frames = [0, 1, 2, 3].map((s) => [0, 1].map((k) => textLikeImage(shape, 100 * s + k)));
    const alone = await Session.create(bytes, { shapes: { x: shape }, context: ctx, pipelineCache: cache });
    const expected: Float32Array[][] = [];
    for (const stream of frames) {
      const outs: Float32Array[] = [];
      for (const x of stream) outs.push(Object.values(await alone.run({ x }))[0].data as Float32Array);
      expected.push(outs);
    }
    alone.release();
    const sessions = await Promise.all(
      frames.map(() => Session.create(bytes, { shapes: { x: shape }, context: ctx, pipelineCache: cache })),
    );
    try {
      const got = await Promise.all(
        sessions.map(async (s, i) => {
          const outs: Float32Array[] = [];
          for (const x of frames[i]) outs.push(Object.values(await s.run({ x }))[0].data as Float32Array);
          return outs;
        }),
      );
      for (let i = 0; i < frames.length; i++)
        for (let k = 0; k < 2; k++) expect(Array.from(got[i][k])).toEqual(Array.from(expected[i][k]));
    } finally {
      sessions.forEach((s) => s.release());
    }
  }, 120_000);
});
