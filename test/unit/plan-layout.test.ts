// The buffer layout the executor builds from (src/plan/layout.ts), without a GPU: offsets checked against the
// schedule's own steps by brute force (no two values alive at one step overlap), alignment, and the constants' bytes.
import { describe, expect, it } from 'vitest';
import { toGpuBytes } from '../../src/core/convert.js';
import type { Value } from '../../src/ir/graph.js';
import { layoutBuffers, storedBytes } from '../../src/plan/layout.js';
import { buildSchedule, rootOf } from '../../src/plan/schedule.js';
import { CONV_ATTRS, irGraph, randomTensor } from '../util.js';

const caps = { f16: false, subgroups: false, dot4: false, maxWorkgroupsPerDim: 65535 };
const act = (name: string, c: number): Value => ({ name, shape: [1, c, 8, 8], dtype: 'f32' });
const weight = (name: string, oc: number, c: number): Value => {
  const data = randomTensor([oc, c, 3, 3], oc + c);
  return { name, shape: data.shape, dtype: 'f32', data };
};

// x -> conv(w1) -> a -> relu -> b -> conv(w2) -> y, and y + a (a lives across three steps)
function sample() {
  return irGraph(
    [act('x', 3), weight('w1', 8, 3), act('a', 8), act('b', 8), weight('w2', 8, 8), act('y', 8), act('z', 8)],
    [
      { name: 'c1', op: 'conv', attrs: CONV_ATTRS, inputs: ['x', 'w1'], outputs: ['a'] },
      { name: 'r', op: 'unary', attrs: { act: 'relu', alpha: 0, beta: 0 }, inputs: ['a'], outputs: ['b'] },
      { name: 'c2', op: 'conv', attrs: CONV_ATTRS, inputs: ['b', 'w2'], outputs: ['y'] },
      { name: 'add', op: 'binary', attrs: { kind: 'add' }, inputs: ['y', 'a'], outputs: ['z'] },
    ],
    ['x'],
    ['z'],
  );
}

describe('layoutBuffers', () => {
  it('places live values apart, constants and uniforms aligned, outputs in the readback', () => {
    const g = sample();
    const schedule = buildSchedule(g, caps, undefined, { align: 256, keep: new Set(['z']) });
    const layout = layoutBuffers(g, schedule, ['z'], { storage: 256, uniform: 256 });
    const { offsets, arenaBytes } = layout.arena;
    expect([...offsets.keys()].sort()).toEqual(['a', 'b', 'x', 'y', 'z']);
    // at each step, every non-constant value read or written by a step at or around it must not overlap
    const live = (name: string) => {
      const at = schedule.steps.flatMap((s, i) =>
        s.bindings.some((b) => b && rootOf(schedule.aliases, b) === name) ? [i] : [],
      );
      return [name === 'x' ? -1 : Math.min(...at), name === 'z' ? Infinity : Math.max(...at)];
    };
    const names = [...offsets.keys()];
    for (const p of names)
      for (const q of names) {
        if (p >= q) continue;
        const [p0, p1] = live(p);
        const [q0, q1] = live(q);
        if (p0 > q1 || q0 > p1) continue;
        const [pa, qa] = [offsets.get(p)!, offsets.get(q)!];
        const disjoint = pa + storedBytes(g, schedule, p) <= qa || qa + storedBytes(g, schedule, q) <= pa;
        expect(disjoint, `${p} and ${q} are alive together`).toBe(true);
      }
    for (const o of offsets.values()) expect(o % 256).toBe(0);
    // x (3 channels) and four 8-channel values one buffer each would take 768 + 4 * 2048 bytes: some share
    expect(arenaBytes).toBeLessThan(768 + 4 * 2048);
    // the weights: each constant once, aligned, with its GPU bytes
    expect([...layout.weights.offsets.keys()].sort()).toEqual(['w1', 'w2']);
    for (const [n, off] of layout.weights.offsets) {
      expect(off % 256).toBe(0);
      expect(layout.weights.data.get(n)).toEqual(toGpuBytes(g.values.get(n)!.data!, n));
    }
    expect(layout.weights.bytes).toBe(256 * Math.ceil((8 * 3 * 9 * 4) / 256) + 256 * Math.ceil((8 * 8 * 9 * 4) / 256));
    // uniforms: one params block per step, epilogue params only where a step has an epilogue
    expect(layout.uniforms.offsets.length).toBe(schedule.steps.length);
    schedule.steps.forEach((s, i) => {
      const { params, ep } = layout.uniforms.offsets[i];
      expect(params % 256).toBe(0);
      expect(ep === -1).toBe(!s.epilogue);
    });
    expect(layout.readback.offsets).toEqual(new Map([['z', 0]]));
    expect(layout.readback.bytes).toBe(8 * 64 * 4);
  });
});
