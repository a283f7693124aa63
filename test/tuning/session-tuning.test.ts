// Kernel choice through the Session: a profile changes the variant that runs (and the output still matches
// onnxruntime), 'off' runs the portable defaults, 'auto' measures once, stores the profile and reuses it.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Session } from '../../src/runtime/session.js';
import { emptyProfile } from '../../src/runtime/tuning/profile.js';
import { fileStore } from '../../src/runtime/tuning/store.js';
import { testGpu } from '../kernels/harness.js';
import { modelBytes } from '../models/models.js';
import { textLikeImage } from '../models/inputs.js';
import { runOnnxruntime } from '../../src/parity/ort.js';
import { diff } from '../../src/parity/metrics.js';

const SHAPE = [1, 3, 48, 192];

async function clsSession(tuning: Parameters<typeof Session.create>[1], shape = SHAPE) {
  return Session.create(modelBytes('cls'), { shapes: { x: shape }, context: await testGpu(), ...tuning });
}

describe('session tuning', () => {
  const x = textLikeImage(SHAPE, 5);

  it("'off' runs the portable defaults; a profile's picks run and still match onnxruntime", async () => {
    const ctx = await testGpu();
    const off = await clsSession({ tuning: 'off' });
    const plan = await off.plan(new Map([['x', SHAPE]]));
    const tunable = plan.executor.steps.filter((s) => s.choice);
    expect(tunable.length).toBeGreaterThan(10);
    expect(tunable.every((s) => s.choice!.source === 'default')).toBe(true);
    // a profile that picks the last candidate of every decision (exact entries for this adapter)
    const profile = emptyProfile(ctx.info);
    for (const s of tunable) {
      const ids = s.choice!.candidates.filter((id) => id !== 'direct');
      const pick = ids[ids.length - 1];
      profile.entries[s.choice!.key] = { pick, ms: { [pick]: 1 }, classKey: s.choice!.classKey };
    }
    const tuned = await clsSession({ tuning: profile });
    const tplan = await tuned.plan(new Map([['x', SHAPE]]));
    const steps = tplan.executor.steps.filter((s) => s.choice);
    expect(
      steps.every((s) => s.choice!.source === 'profile' && s.choice!.id === profile.entries[s.choice!.key].pick),
    ).toBe(true);
    expect(steps.some((s) => s.choice!.id !== s.choice!.defaultId)).toBe(true);
    const ref = Object.values(await runOnnxruntime(modelBytes('cls'), { x }))[0];
    for (const s of [off, tuned]) {
      expect(diff(Object.values(await s.run({ x }))[0], ref).relL2).toBeLessThan(1e-4);
      s.release();
    }
  });

  it('a profile for another adapter is ignored (portable or shipped choices), with a warning', async () => {
    const other = emptyProfile({ vendor: 'x', architecture: 'y', device: 'z', description: 'another GPU' });
    other.entries['nothing'] = { pick: 'igemm', ms: { igemm: 1 } };
    const s = await clsSession({ tuning: other });
    const plan = await s.plan(new Map([['x', SHAPE]]));
    expect(plan.executor.steps.some((st) => st.choice?.source === 'profile' && st.choice.key === 'nothing')).toBe(
      false,
    );
    s.release();
  });

  it("'auto' measures undecided nodes once, stores the profile, and the next session reuses it", async () => {
    // a width the shipped profiles were not measured at, so some decisions are undecided
    const shape = [1, 3, 48, 160];
    const x = textLikeImage(shape, 6);
    const dir = mkdtempSync(join(tmpdir(), 'kestrel-auto-'));
    const files0 = await fileStore(dir);
    let saves = 0;
    // counts what 'auto' writes: a session that measured something saves, a cache hit does not
    const store = {
      load: files0.load,
      save: (k: string, p: Parameters<typeof files0.save>[1]) => (saves++, files0.save(k, p)),
    };
    const first = await clsSession({ tuning: 'auto', autoTune: { store, budgetMs: 60_000 } }, shape);
    expect(saves).toBe(1);
    const files = readdirSync(dir);
    expect(files.length).toBe(1);
    const plan = await first.plan(new Map([['x', shape]]));
    // what was measured now is stored and chosen with source 'auto'
    const stored = (await store.load(files[0].replace(/\.json$/, '')))!;
    expect(Object.keys(stored.entries).length).toBeGreaterThan(0);
    const auto = plan.executor.steps.filter((s) => s.choice?.source === 'auto');
    expect(auto.length).toBeGreaterThan(0);
    for (const s of auto)
      expect(s.choice!.id).toBe(stored.entries[s.choice!.key]?.pick ?? stored.classes[s.choice!.classKey].pick);
    first.release();
    const second = await clsSession({ tuning: 'auto', autoTune: { store, budgetMs: 60_000 } }, shape);
    // a cache hit measures nothing, so saves nothing, and makes the same choices
    expect(saves).toBe(1);
    const plan2 = await second.plan(new Map([['x', shape]]));
    const picks = (p: typeof plan) => p.executor.steps.map((s) => `${s.choice?.id}:${s.choice?.source}`);
    expect(picks(plan2)).toEqual(picks(plan));
    const ref = Object.values(await runOnnxruntime(modelBytes('cls'), { x }))[0];
    expect(diff(Object.values(await second.run({ x }))[0], ref).relL2).toBeLessThan(1e-4);
    second.release();
  });
});
