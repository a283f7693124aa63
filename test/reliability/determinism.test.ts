// Determinism: the same input gives bit-identical outputs across runs, across sessions (each on its
// own device) and across sessions sharing a device, on the same adapter.
import { describe, expect, it } from 'vitest';
import { Session } from '../../src/runtime/session.js';
import { modelBytes } from '../models/models.js';
import { randomTensor } from '../util.js';
import { bitsEqual, missingKernel, smallCnn } from './util.js';

async function outputsOf(
  bytes: Uint8Array,
  shape: number[],
  runs: number,
  opts = {},
): Promise<Record<string, import('../../src/core/tensor.js').HostTensor>[]> {
  const s = await Session.create(bytes, { shapes: { x: shape }, ...opts });
  try {
    const x = randomTensor(shape, 2024);
    const outs = [];
    for (let i = 0; i < runs; i++) outs.push(await s.run({ x }));
    return outs;
  } finally {
    s.release();
  }
}

function expectAllIdentical(outs: Record<string, import('../../src/core/tensor.js').HostTensor>[]): void {
  for (const o of outs.slice(1)) {
    for (const k of Object.keys(outs[0])) expect(bitsEqual(o[k], outs[0][k]), `output ${k}`).toBe(true);
  }
}

describe('determinism', () => {
  it('small CNN: 10 runs, and a second session on its own device, are bit-identical', async () => {
    const a = await outputsOf(smallCnn(32, 32), [1, 3, 32, 32], 10);
    const b = await outputsOf(smallCnn(32, 32), [1, 3, 32, 32], 2);
    expectAllIdentical([...a, ...b]);
    expect(Array.from(a[0].y.data as Float32Array).some((v) => v !== 0)).toBe(true);
  });

  for (const [name, shape] of [
    ['cls', [1, 3, 48, 192]],
    ['det', [1, 3, 64, 64]],
  ] as const) {
    it(`PP-OCR ${name} at ${shape.join('x')}: runs and sessions are bit-identical`, async (t) => {
      let a;
      try {
        a = await outputsOf(modelBytes(name), [...shape], 3);
      } catch (e) {
        const why = missingKernel(e);
        if (why) {
          console.log(`[determinism] ${name} skipped: ${why}`);
          t.skip();
        }
        throw e;
      }
      const b = await outputsOf(modelBytes(name), [...shape], 1);
      expectAllIdentical([...a, ...b]);
    }, 300_000);
  }
});
