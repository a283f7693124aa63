// Tuning profiles as data: parsing with typed errors, lookup precedence (exact shape over class, later
// profiles over earlier ones), class picks derived from entries, the version key, and the file store.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TuningProfileError } from '../../src/core/errors.js';
import { KESTREL_VERSION } from '../../src/core/version.js';
import { bucket4, decide, forceChoice } from '../../src/kernels/tuning.js';
import { profileLookup, shippedProfiles } from '../../src/runtime/tuning/lookup.js';
import {
  type TuningProfile,
  deriveClasses,
  emptyProfile,
  mergeProfiles,
  parseProfile,
  profileApplies,
} from '../../src/runtime/tuning/profile.js';
import { fileStore, storeKey } from '../../src/runtime/tuning/store.js';
import { candidateStat } from '../../src/runtime/tuning/tuner.js';

const ADAPTER = { vendor: 'v', architecture: 'a', device: 'd', description: 'driver 1' };

function profile(entries: TuningProfile['entries']): TuningProfile {
  return { ...emptyProfile(ADAPTER), entries, classes: deriveClasses(entries) };
}

describe('tuning profiles', () => {
  it('the version key matches package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(KESTREL_VERSION).toBe(pkg.version);
  });

  it('parse errors name the bad field', () => {
    expect(() => parseProfile('{', 'p.json')).toThrow(TuningProfileError);
    expect(() => parseProfile('{', 'p.json')).toThrow(/p\.json: not JSON/);
    expect(() => parseProfile({ format: 'x' })).toThrow(/format is "x"/);
    const good = profile({});
    expect(() => parseProfile({ ...good, adapter: { ...ADAPTER, vendor: 3 } })).toThrow(/adapter\.vendor/);
    expect(() => parseProfile({ ...good, entries: { k: { ms: {} } } })).toThrow(/entries\['k'\]\.pick/);
    expect(parseProfile(JSON.stringify(good))).toEqual(good);
  });

  it('applies only to the same adapter and Kestrel version', () => {
    const p = profile({});
    expect(profileApplies(p, ADAPTER)).toBe(true);
    expect(profileApplies(p, { ...ADAPTER, description: 'driver 2' })).toBe(false);
    expect(profileApplies({ ...p, kestrel: '0.0.0-other' }, ADAPTER)).toBe(false);
    // a browser withholds device and description: vendor and architecture decide
    expect(profileApplies(p, { ...ADAPTER, device: '', description: '' })).toBe(true);
    expect(profileApplies(p, { ...ADAPTER, architecture: 'other', device: '', description: '' })).toBe(false);
    expect(profileApplies(p, { vendor: '', architecture: '', device: '', description: '' })).toBe(false);
  });

  it('class picks: least total time over the class, among candidates measured on every node', () => {
    const classes = deriveClasses({
      a: { pick: 'x', ms: { x: 1, y: 3, z: 0.1 }, classKey: 'c' },
      b: { pick: 'y', ms: { x: 5, y: 2 }, classKey: 'c' },
      c: { pick: 'y', ms: { x: 9, y: 1 }, classKey: 'other' },
    });
    // z was not measured on b: not a class candidate; x totals 6, y totals 5
    expect(classes.c.pick).toBe('y');
    expect(classes.c.ms).toEqual({ x: 6, y: 5 });
    expect(classes.other.pick).toBe('y');
  });

  it('lookup: exact entry over class, later profile over earlier, only valid candidates', () => {
    const p1 = profile({
      k1: { pick: 'x', ms: { x: 1, y: 2 }, classKey: 'c' },
      k2: { pick: 'y', ms: { x: 3, y: 1 }, classKey: 'c' },
    });
    const p2 = profile({ k1: { pick: 'y', ms: { x: 2, y: 1 }, classKey: 'd' } });
    const one = profileLookup([p1]);
    expect(one.choose('k1', 'c', ['x', 'y'])).toEqual({ id: 'x', source: 'profile' });
    // an unseen shape of class c gets the class pick (x: 4 total, y: 3)
    expect(one.choose('k9', 'c', ['x', 'y'])?.id).toBe('y');
    // a pick that is not a candidate here is not answered
    expect(one.choose('k1', 'c', ['y', 'z'])?.id).toBe('y');
    expect(one.choose('k1', 'none', ['z'])).toBeUndefined();
    expect(profileLookup([p1, p2], 'auto').choose('k1', 'c', ['x', 'y'])).toEqual({ id: 'y', source: 'auto' });
    expect(mergeProfiles(p1, p2).entries.k1.pick).toBe('y');
  });

  it('decide: picked candidate, else the default, else the first that builds; records the choice', () => {
    const sel = (v: string) => ({ calls: [{ variant: v }] }) as never;
    const d = {
      key: 'k',
      classKey: 'c',
      defaultId: 'b',
      candidates: [
        { id: 'a', build: () => sel('A') },
        { id: 'b', build: () => null },
        { id: 'c', build: () => sel('C') },
      ],
    };
    expect(decide(d, forceChoice('c')).calls[0].variant).toBe('C');
    expect(decide(d, forceChoice('c')).choice).toMatchObject({ id: 'c', source: 'profile', defaultId: 'b' });
    // the default (b) cannot run this node: the first candidate that builds
    expect(decide(d, undefined).choice).toMatchObject({ id: 'a', source: 'default' });
    expect(decide(d, forceChoice('nope')).calls[0].variant).toBe('A');
  });

  it('bucket4', () => {
    expect([0, 1, 3, 4, 15, 16, 63, 64, 6400].map(bucket4)).toEqual([0, 1, 1, 4, 4, 16, 16, 64, 4096]);
  });

  it('the shipped profiles parse, each for one adapter and this version', () => {
    const shipped = shippedProfiles();
    expect(shipped.length).toBeGreaterThanOrEqual(2);
    for (const p of shipped) expect(p.kestrel).toBe(KESTREL_VERSION);
  });

  it('file store: round trip, a damaged file reads as empty', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kestrel-tuning-'));
    const store = await fileStore(dir);
    const key = storeKey(ADAPTER);
    expect(key).toBe(`v-a-d-driver-1-v${KESTREL_VERSION}`);
    expect(await store.load(key)).toBeNull();
    const p = profile({ k: { pick: 'x', ms: { x: 1, y: 2 }, classKey: 'c' } });
    await store.save(key, p);
    expect(await store.load(key)).toEqual(p);
    writeFileSync(join(dir, `${key}.json`), '{"format":');
    expect(await store.load(key)).toBeNull();
  });
});

describe('candidate statistic', () => {
  it('median by default, the least run with min (a descheduled run only adds time)', () => {
    const runs = [5.2, 2.1, 9.7, 2.4, 3.3];
    expect(candidateStat(runs)).toBe(3.3);
    expect(candidateStat([4, 1, 3, 2])).toBe(2.5);
    expect(candidateStat(runs, 'min')).toBe(2.1);
  });
});
