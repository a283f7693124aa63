// Generated small graphs with sane and absurd attributes: import + plan for every case, and a run on
// the GPU for a fraction of those that plan, where every op has a kernel today.
import { describe, expect, it } from 'vitest';
import { KestrelError } from '../../src/core/errors.js';
import { sizeOf } from '../../src/core/shape.js';
import { PipelineCache } from '../../src/runtime/pipelines.js';
import { Session } from '../../src/runtime/session.js';
import { testGpu } from '../kernels/harness.js';
import { randomTensor, rng } from '../util.js';
import { FUZZ_LIMITS, FUZZ_SEED, Tally, caseCount, checkModel, checkShaderInputs } from './harness.js';
import { GPU_SAFE_OPS, generateGraph } from './generate.js';
import { EVIL_NAMES, decodeProto, encodeProto } from './mutate.js';

const RUN_MS = 60_000;
const MARK = 'ZZMARK';

/** Renames every node and value (except the input x) to a marked name with WGSL/HTML metacharacters. */
function hostileNames(bytes: Uint8Array, seed: number): Uint8Array {
  const m = decodeProto(bytes);
  const g = m.graph!;
  const map = new Map<string, string>();
  const rename = (s: string) => {
    if (!s || s === 'x') return s;
    if (!map.has(s)) map.set(s, `${MARK}${map.size}${EVIL_NAMES[(seed + map.size) % EVIL_NAMES.length].slice(0, 64)}`);
    return map.get(s)!;
  };
  for (const t of g.initializer) t.name = rename(t.name);
  for (const n of g.node) {
    n.name = rename(n.name);
    n.input = n.input.map(rename);
    n.output = n.output.map(rename);
  }
  for (const v of g.output) v.name = rename(v.name);
  return encodeProto(m);
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: still pending after ${ms} ms`)), ms);
    }),
  ]);
}

describe('fuzz: generated graphs', () => {
  it('import + plan: success or a typed KestrelError, within the time bound', async () => {
    const tally = new Tally('generated graphs (import + plan)', FUZZ_SEED + 10);
    const cases = caseCount(3000, 0.4);
    for (let i = 0; i < cases; i++) {
      const g = generateGraph(rng((FUZZ_SEED + 10) * 1_000_003 + i));
      tally.add(`${FUZZ_SEED + 10}:${i}`, g.what, checkModel(g.bytes));
      if (i % 100 === 99) await new Promise((res) => setImmediate(res));
    }
    console.log(tally.report());
    expect(tally.findings, tally.details()).toEqual([]);
    expect(tally.ok).toBeGreaterThan(cases / 10);
    expect(tally.refused).toBeGreaterThan(cases / 10);
  });

  it('model-controlled names never reach WGSL: only validated numbers do', () => {
    let checked = 0;
    for (let i = 0; i < 200; i++) {
      const g = generateGraph(rng(FUZZ_SEED * 7 + i), 0);
      const o = checkModel(hostileNames(g.bytes, i));
      if (o.kind !== 'ok') continue;
      expect([...o.graph.values.keys()].some((n) => n.includes(MARK))).toBe(true);
      let problem: string | null = null;
      try {
        problem = checkShaderInputs(o.graph, [MARK]);
      } catch (e) {
        if (!(e instanceof KestrelError)) throw e; // a missing kernel is fine here
        continue;
      }
      expect(problem).toBeNull();
      checked++;
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('end-to-end on the GPU: runs complete (or refuse with a typed error) and outputs have the planned size', async () => {
    const ctx = await testGpu();
    const cache = new PipelineCache(ctx);
    const tally = new Tally('generated graphs (GPU end-to-end)', FUZZ_SEED + 20);
    const want = caseCount(10, 0.005);
    let nonFinite = 0;
    for (let i = 0; tally.total < want && i < want * 50; i++) {
      const g = generateGraph(rng((FUZZ_SEED + 20) * 1_000_003 + i), 0.1);
      if (!g.ops.every((op) => GPU_SAFE_OPS.has(op))) continue;
      const planned = checkModel(g.bytes);
      if (planned.kind !== 'ok') continue;
      const t0 = performance.now();
      let session: Session | null = null;
      try {
        session = await withTimeout(
          Session.create(g.bytes, { context: ctx, pipelineCache: cache, limits: FUZZ_LIMITS }),
          RUN_MS,
          'Session.create',
        );
        const out = await withTimeout(session.run({ x: randomTensor(g.inputShape, i) }), RUN_MS, 'run');
        for (const [name, t] of Object.entries(out)) {
          const v = planned.graph.values.get(name)!;
          expect(t.shape, `${g.what}: output ${name}`).toEqual(v.shape);
          expect(t.data.length).toBe(sizeOf(v.shape));
          for (const x of t.data as Float32Array)
            if (!Number.isFinite(x)) {
              nonFinite++;
              break;
            }
        }
        tally.add(`${FUZZ_SEED + 20}:${i}`, g.what, {
          kind: 'ok',
          ms: performance.now() - t0,
          graph: planned.graph,
          model: planned.model,
        });
      } catch (e) {
        const ms = performance.now() - t0;
        tally.add(
          `${FUZZ_SEED + 20}:${i}`,
          g.what,
          e instanceof KestrelError
            ? { kind: 'refused', ms, error: e }
            : { kind: 'bug', ms, error: e, why: 'run threw a non-Kestrel exception' },
        );
      } finally {
        session?.release();
      }
    }
    console.log(`${tally.report()}; ${nonFinite} ran with non-finite outputs (Exp/Log/Div of random data)`);
    expect(tally.findings, tally.details()).toEqual([]);
    expect(tally.ok).toBeGreaterThan(0);
  }, 600_000);
});
