// From profiles to choices: exact node shapes first, then shape classes; the shipped profiles apply only
// to the adapter (and Kestrel version) they were measured on.
import type { Choice, ChoiceSource, TuningLookup } from '../../kernels/tuning.js';
import type { GpuContext } from '../device.js';
import { type TuningProfile, parseProfile, profileApplies } from './profile.js';
import lavapipe from './shipped/lavapipe.json' with { type: 'json' };
import swiftshader from './shipped/swiftshader.json' with { type: 'json' };

/** Runs every decision's portable default. */
export const NO_TUNING: TuningLookup = { choose: () => undefined };

/** Later profiles win over earlier ones; an exact entry in any of them wins over a class. */
export function profileLookup(profiles: TuningProfile[], source: ChoiceSource = 'profile'): TuningLookup {
  return layeredLookup(profiles.map((profile) => ({ profile, source })));
}

export function layeredLookup(layers: { profile: TuningProfile; source: ChoiceSource }[]): TuningLookup {
  const exact = new Map<string, Choice>();
  const classes = new Map<string, Choice>();
  for (const { profile, source } of layers) {
    for (const [k, e] of Object.entries(profile.entries)) exact.set(k, { id: e.pick, source });
    for (const [k, e] of Object.entries(profile.classes)) classes.set(k, { id: e.pick, source });
  }
  return {
    choose(key, classKey, ids) {
      return [exact.get(key), classes.get(classKey)].find((c) => c !== undefined && ids.includes(c.id));
    },
  };
}

let shipped: TuningProfile[] | null = null;

/** The profiles that ship with Kestrel (made by `kestrel tune` on each adapter we can reach). */
export function shippedProfiles(): TuningProfile[] {
  shipped ??= [
    parseProfile(lavapipe, 'shipped lavapipe profile'),
    parseProfile(swiftshader, 'shipped SwiftShader profile'),
  ];
  return shipped;
}

/** The shipped profiles measured on this context's adapter, or none (portable defaults). */
export function shippedFor(ctx: GpuContext): TuningProfile[] {
  return shippedProfiles().filter((p) => profileApplies(p, ctx.info));
}

export function shippedTuning(ctx: GpuContext): TuningLookup {
  const mine = shippedFor(ctx);
  return mine.length ? profileLookup(mine) : NO_TUNING;
}
