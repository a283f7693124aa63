// Rewrites for the DBNet neck and SE blocks, checked end to end against plain-JS arithmetic: the
// rewritten plan has no copy / resize step and computes the same numbers.
import { describe, expect, it } from 'vitest';
import { Session } from '../../src/runtime/session.js';
import { float, graph, io, node } from '../onnx-builder.js';
import { testGpu } from '../kernels/harness.js';
import { randomTensor } from '../util.js';

async function run(bytes: Uint8Array, feeds: Record<string, ReturnType<typeof randomTensor>>) {
  const s = await Session.create(bytes, { context: await testGpu(), poison: true });
  try {
    const r = await s.runDetailed(feeds);
    return { steps: r.plan.executor.steps.map((st) => `${st.node.op}:${st.call.variant}`), outputs: r.outputs };
  } finally {
    s.release();
  }
}

describe('SE residual: x + x * s  ->  x * (s + 1)', () => {
  it('x + x * hardsigmoid(s) with s per channel: one multiply, no copy', async () => {
    const [C, H, W] = [5, 6, 7];
    const x = randomTensor([1, C, H, W], 1, -2, 2);
    const s = randomTensor([1, C, 1, 1], 2, -4, 4);
    const bytes = graph(
      [node('Relu', ['x'], ['r']), node('HardSigmoid', ['s'], ['h'], { alpha: float(0.2), beta: float(0.5) }),
        node('Mul', ['r', 'h'], ['m']), node('Add', ['r', 'm'], ['out'])],
      [io('x', [1, C, H, W]), io('s', [1, C, 1, 1])], [io('out', [1, C, H, W])],
    );
    const r = await run(bytes, { x, s });
    expect(r.steps.filter((v) => v.startsWith('unary:unary.none'))).toEqual([]);
    expect(r.steps.filter((v) => v.startsWith('binary'))).toHaveLength(2); // s + 1 (tiny) and the multiply
    const xs = x.data as Float32Array, ss = s.data as Float32Array;
    const got = r.outputs.get('out')!.data as Float32Array;
    for (let i = 0; i < xs.length; i++) {
      const c = Math.floor(i / (H * W));
      const rx = Math.max(xs[i], 0);
      const hs = Math.min(1, Math.max(0, 0.2 * ss[c] + 0.5));
      expect(got[i]).toBeCloseTo(rx + rx * hs, 5);
    }
  });
});
