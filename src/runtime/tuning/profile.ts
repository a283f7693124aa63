// A tuning profile is a timing cache, as TensorRT's builder keeps one: the measured winner of each kernel
// decision, per exact node shape and per shape class, under the adapter's identity and Kestrel's version.
import { TuningProfileError } from '../../core/errors.js';
import { KESTREL_VERSION } from '../../core/version.js';
import type { AdapterDescription } from '../device.js';

export const TUNING_FORMAT = 'kestrel-tuning/1';

export interface TunedEntry {
  /** The winning candidate id. */
  pick: string;
  /** Median GPU ms per candidate, as measured. */
  ms: Record<string, number>;
  /** The portable default's id (entries only). */
  default?: string;
  /** The decision's shape class (entries only). */
  classKey?: string;
  /** Where it was measured (model and node), for people reading the file. */
  where?: string;
}

export interface TuningProfile {
  format: typeof TUNING_FORMAT;
  kestrel: string;
  adapter: AdapterDescription;
  /** How the times were taken: 'timestamps' (GPU timestamp queries) or 'wall' (wall clock per run). */
  timing?: 'timestamps' | 'wall';
  /** Exact node shapes (decision keys). */
  entries: Record<string, TunedEntry>;
  /** Shape classes: the candidate with the least total time over the class's measured nodes. */
  classes: Record<string, TunedEntry>;
}

export function emptyProfile(adapter: AdapterDescription): TuningProfile {
  return { format: TUNING_FORMAT, kestrel: KESTREL_VERSION, adapter: { ...adapter }, entries: {}, classes: {} };
}

/** Same vendor, architecture, device and driver description. */
export function sameAdapter(a: AdapterDescription, b: AdapterDescription): boolean {
  return (
    a.vendor === b.vendor &&
    a.architecture === b.architecture &&
    a.device === b.device &&
    a.description === b.description
  );
}

/**
 * Whether a profile was made for this adapter by this Kestrel version (else its candidate ids may mean other
 * things). Browsers withhold the device and driver description (Chromium reports SwiftShader as just 'google' /
 * 'swiftshader'): there a profile of the same vendor and architecture applies.
 */
export function profileApplies(p: TuningProfile, adapter: AdapterDescription): boolean {
  if (p.kestrel !== KESTREL_VERSION) return false;
  if (sameAdapter(p.adapter, adapter)) return true;
  const withheld = adapter.device === '' && adapter.description === '' && adapter.vendor !== '';
  return withheld && p.adapter.vendor === adapter.vendor && p.adapter.architecture === adapter.architecture;
}

/** Parses and checks a profile (a JSON string or an object); throws TuningProfileError naming the bad field. */
export function parseProfile(source: unknown, where = 'tuning profile'): TuningProfile {
  let v: unknown = source;
  if (typeof source === 'string') {
    try {
      v = JSON.parse(source);
    } catch (e) {
      throw new TuningProfileError(`${where}: not JSON (${(e as Error).message})`);
    }
  }
  const o = v as Partial<TuningProfile> | null;
  if (!o || typeof o !== 'object') throw new TuningProfileError(`${where}: not an object`);
  if (o.format !== TUNING_FORMAT)
    throw new TuningProfileError(`${where}: format is ${JSON.stringify(o.format)}, expected '${TUNING_FORMAT}'`);
  if (typeof o.kestrel !== 'string') throw new TuningProfileError(`${where}: 'kestrel' (version) must be a string`);
  const a = o.adapter as unknown as Record<string, unknown> | undefined;
  if (!a || typeof a !== 'object') throw new TuningProfileError(`${where}: 'adapter' must be an object`);
  for (const f of ['vendor', 'architecture', 'device', 'description'])
    if (typeof a[f] !== 'string') throw new TuningProfileError(`${where}: adapter.${f} must be a string`);
  checkEntries(o.entries, `${where}: entries`);
  checkEntries(o.classes, `${where}: classes`);
  return o as TuningProfile;
}

function checkEntries(e: unknown, where: string): void {
  if (!e || typeof e !== 'object' || Array.isArray(e)) throw new TuningProfileError(`${where} must be an object`);
  for (const [k, v] of Object.entries(e as Record<string, unknown>)) {
    const t = v as Partial<TunedEntry> | null;
    if (!t || typeof t.pick !== 'string') throw new TuningProfileError(`${where}['${k}'].pick must be a string`);
    if (!t.ms || typeof t.ms !== 'object') throw new TuningProfileError(`${where}['${k}'].ms must be an object`);
  }
}

/** `b`'s entries over `a`'s (newer measurements win), classes derived anew; both for the same adapter. */
export function mergeProfiles(a: TuningProfile, b: TuningProfile): TuningProfile {
  const entries = { ...a.entries, ...b.entries };
  return { ...b, entries, classes: deriveClasses(entries) };
}

/**
 * Per shape class, the candidate with the least total time over the class's entries, among the candidates
 * measured on every one of them: the choice for a node of that class that no entry names exactly.
 */
export function deriveClasses(entries: Record<string, TunedEntry>): Record<string, TunedEntry> {
  const groups = new Map<string, TunedEntry[]>();
  for (const e of Object.values(entries)) {
    if (!e.classKey) continue;
    groups.set(e.classKey, [...(groups.get(e.classKey) ?? []), e]);
  }
  const classes: Record<string, TunedEntry> = {};
  for (const [key, list] of [...groups].sort(([x], [y]) => (x < y ? -1 : 1))) {
    const ids = Object.keys(list[0].ms).filter((id) => list.every((e) => Number.isFinite(e.ms[id])));
    if (!ids.length) continue;
    const ms = Object.fromEntries(ids.map((id) => [id, round3(list.reduce((t, e) => t + e.ms[id], 0))]));
    const pick = ids.reduce((best, id) => (ms[id] < ms[best] ? id : best));
    classes[key] = { pick, ms, where: `${list.length} node shape(s)` };
  }
  return classes;
}

export function round3(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
