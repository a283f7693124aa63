// Kernel knobs: frozen defaults, overrides carried by the lookup and merged per kernel, never written back.
import { describe, expect, it } from 'vitest';
import { DEFAULT_KNOBS, knobsOf, withKnobs } from '../../src/kernels/knobs.js';
import { forceChoice } from '../../src/kernels/tuning.js';

describe('kernel knobs', () => {
  it('the defaults are frozen: assigning to them throws', () => {
    expect(() => Object.assign(DEFAULT_KNOBS.conv, { tm: 16 })).toThrow(TypeError);
    expect(() => Object.assign(DEFAULT_KNOBS, { conv: {} })).toThrow(TypeError);
    expect(DEFAULT_KNOBS.conv.tm).toBe(8);
  });
  it('without overrides a kernel gets the defaults', () => {
    expect(knobsOf(undefined, 'winograd')).toEqual({ tm: 8, tt: 2, wg: 8, disabled: false, minSubgroup: 8 });
    expect(knobsOf(forceChoice('igemm'), 'conv').wg).toBe(16);
  });
  it('overrides lay over the defaults and over the knobs the lookup already carries', () => {
    const a = withKnobs(forceChoice('winograd'), { winograd: { tm: 16 }, conv: { noSubgroups: true } });
    const b = withKnobs(a, { winograd: { tt: 3 } });
    expect(knobsOf(b, 'winograd')).toEqual({ tm: 16, tt: 3, wg: 8, disabled: false, minSubgroup: 8 });
    expect(knobsOf(b, 'conv').noSubgroups).toBe(true);
    expect(knobsOf(a, 'winograd').tt).toBe(2);
    expect(DEFAULT_KNOBS.winograd.tm).toBe(8);
    // the choices are the wrapped lookup's
    expect(b.choose('k', 'c', ['igemm', 'winograd'])).toEqual({ id: 'winograd', source: 'profile' });
    expect(withKnobs(undefined, {}).choose('k', 'c', ['igemm'])).toBeUndefined();
  });
});
