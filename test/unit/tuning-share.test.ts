// sharePipelines: a decision takes a candidate within the slack of its fastest only where that saves the plan a
// pipeline; otherwise the fastest stays. Expected picks worked out by hand from the times and keys below.
import { describe, expect, it } from 'vitest';
import { type ShareCandidates, sharePipelines } from '../../src/runtime/tuning/share.js';

const d = (ms: Record<string, number>, keys: Record<string, string[]>): ShareCandidates => ({ ms, keys });

describe('sharePipelines', () => {
  it('moves a decision onto a pipeline another step builds anyway when it is within the slack', () => {
    const decisions = new Map([
      // 3% slower on winograd, which the 80x80 node needs anyway: drop igemm's own pipeline
      ['20x20', d({ igemm: 3.3, winograd: 3.4 }, { igemm: ['igemm|s1'], winograd: ['wino'] })],
      ['80x80', d({ igemm: 40, winograd: 30 }, { igemm: ['igemm|s1b'], winograd: ['wino'] })],
    ]);
    const picks = sharePipelines(decisions, new Set(), 0.05);
    expect(Object.fromEntries(picks)).toEqual({ '20x20': 'winograd', '80x80': 'winograd' });
  });

  it('keeps the fastest when the other candidate is past the slack, or saves nothing, or slack is 0', () => {
    const decisions = new Map([
      // 9% slower: past a 5% slack
      ['a', d({ igemm: 3.3, winograd: 3.6 }, { igemm: ['igemm'], winograd: ['wino'] })],
      ['b', d({ igemm: 40, winograd: 30 }, { igemm: ['igemm2'], winograd: ['wino'] })],
      // both need their own pipeline: the faster stays
      ['c', d({ x: 1.0, y: 1.02 }, { x: ['x'], y: ['y'] })],
    ]);
    expect(Object.fromEntries(sharePipelines(decisions, new Set(), 0.05))).toEqual({
      a: 'igemm',
      b: 'winograd',
      c: 'x',
    });
    const near = new Map([['a', d({ igemm: 3.3, winograd: 3.4 }, { igemm: ['igemm'], winograd: ['wino'] })]]);
    expect(sharePipelines(near, new Set(['wino']), 0).get('a')).toBe('igemm');
  });

  it('counts pipelines of steps that are no decision, and two decisions on one pipeline keep each other', () => {
    // the pool kernel's pipeline is there regardless; both convs share 'sg' when they both pick it
    const decisions = new Map([
      ['p', d({ own: 1.0, pool: 1.04 }, { own: ['own'], pool: ['pool'] })],
      ['q', d({ sg: 2.0, plain: 2.05 }, { sg: ['sg'], plain: ['plain'] })],
      ['r', d({ sg: 5.0, plain: 5.1 }, { sg: ['sg'], plain: ['plain2'] })],
    ]);
    const picks = sharePipelines(decisions, new Set(['pool']), 0.05);
    expect(Object.fromEntries(picks)).toEqual({ p: 'pool', q: 'sg', r: 'sg' });
  });
});
