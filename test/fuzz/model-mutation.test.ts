// Mutated real models (PP-OCR cls and det): every case imports and plans, or is refused with a typed
// KestrelError, within the time bound. Seeded; KESTREL_FUZZ_CASES scales it up (npm run fuzz).
import { describe, expect, it } from 'vitest';
import { rng } from '../util.js';
import { modelBytes } from '../models/models.js';
import { KestrelError } from '../../src/core/errors.js';
import { PipelineCache } from '../../src/runtime/pipelines.js';
import { Session } from '../../src/runtime/session.js';
import { testGpu } from '../kernels/harness.js';
import { randomTensor } from '../util.js';
import { withTimeout } from '../reliability/util.js';
import { FUZZ_LIMITS, Tally, caseCount, checkModel, FUZZ_SEED } from './harness.js';
import { mutateBytes, mutateStructure } from './mutate.js';

const PRESET = { x: [1, 3, 48, 192] };

async function fuzz(
  suite: string,
  bytes: Uint8Array,
  cases: number,
  seed: number,
  mutate: typeof mutateBytes,
  preset: Record<string, number[]>,
): Promise<Tally> {
  const tally = new Tally(suite, seed);
  for (let i = 0; i < cases; i++) {
    const r = rng(seed * 1_000_003 + i);
    const { bytes: mutated, what } = mutate(bytes, r);
    tally.add(`${seed}:${i}`, what, checkModel(mutated, { preset }));
    if (i % 50 === 49) await new Promise((res) => setImmediate(res)); // let vitest's worker RPC breathe
  }
  console.log(tally.report());
  return tally;
}

describe('fuzz: mutated PP-OCR models', () => {
  it('the unmutated cls model imports and plans (the baseline the mutations start from)', () => {
    const o = checkModel(modelBytes('cls'), { preset: PRESET });
    expect(o.kind).toBe('ok');
  });

  it('cls: byte-level mutations (truncate, flip, set, insert, delete)', async () => {
    const t = await fuzz('cls bytes', modelBytes('cls'), caseCount(500, 0.3), FUZZ_SEED, mutateBytes, PRESET);
    expect(t.findings, t.details()).toEqual([]);
    expect(t.refused).toBeGreaterThan(0);
  });

  it('cls: structure-aware mutations (dims, dtypes, raw_data, wiring, attributes, names, opsets, external data)', async () => {
    const t = await fuzz(
      'cls structure',
      modelBytes('cls'),
      caseCount(800, 0.5),
      FUZZ_SEED + 1,
      mutateStructure,
      PRESET,
    );
    expect(t.findings, t.details()).toEqual([]);
    expect(t.refused).toBeGreaterThan(0);
    expect(t.ok).toBeGreaterThan(0);
  });

  it('det: structure-aware and byte-level mutations', async () => {
    const bytes = modelBytes('det');
    const preset = { x: [1, 3, 64, 64] };
    const n = caseCount(20, 0.05);
    const a = await fuzz('det structure', bytes, Math.ceil(n / 2), FUZZ_SEED + 2, mutateStructure, preset);
    const b = await fuzz('det bytes', bytes, Math.floor(n / 2), FUZZ_SEED + 3, mutateBytes, preset);
    expect([...a.findings, ...b.findings], a.details() + b.details()).toEqual([]);
  });

  it('cls: mutated models that plan also run end-to-end on the GPU (or refuse with a typed error)', async () => {
    const ctx = await testGpu();
    const cache = new PipelineCache(ctx);
    const cls = modelBytes('cls');
    const tally = new Tally('cls structure (GPU end-to-end)', FUZZ_SEED + 4);
    const want = caseCount(5, 0.003);
    for (let i = 0; tally.total < want && i < want * 40; i++) {
      const { bytes, what } = mutateStructure(cls, rng((FUZZ_SEED + 4) * 1_000_003 + i));
      const planned = checkModel(bytes, { preset: PRESET });
      if (planned.kind !== 'ok') continue;
      const t0 = performance.now();
      let s: Session | null = null;
      try {
        s = await withTimeout(
          Session.create(bytes, { shapes: PRESET, context: ctx, pipelineCache: cache, limits: FUZZ_LIMITS }),
          120_000,
          'create',
        );
        const out = await withTimeout(s.run({ x: randomTensor(PRESET.x, i) }), 120_000, 'run');
        for (const [name, t] of Object.entries(out))
          expect(t.shape, `${what}: ${name}`).toEqual(planned.graph.values.get(name)!.shape);
        tally.add(`${FUZZ_SEED + 4}:${i}`, what, { ...planned, ms: performance.now() - t0 });
      } catch (e) {
        const ms = performance.now() - t0;
        tally.add(
          `${FUZZ_SEED + 4}:${i}`,
          what,
          e instanceof KestrelError
            ? { kind: 'refused', ms, error: e }
            : { kind: 'bug', ms, error: e, why: 'non-Kestrel exception at run time' },
        );
      } finally {
        s?.release();
      }
    }
    console.log(tally.report());
    expect(tally.findings, tally.details()).toEqual([]);
    expect(tally.total).toBe(want);
  }, 600_000);
});
