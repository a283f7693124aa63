// Rewrites for the DBNet neck and SE blocks, checked end to end against plain-JS arithmetic: the
// rewritten plan has no copy / resize step and computes the same numbers.
import { describe, expect, it } from 'vitest';
import { type InternalSessionOptions, Session } from '../../src/runtime/session.js';
import { float, graph, io, node, tensor } from '../onnx-builder.js';
import { testGpu } from '../kernels/harness.js';
import { randomTensor } from '../util.js';

async function run(bytes: Uint8Array, feeds: Record<string, ReturnType<typeof randomTensor>>) {
  const s = await Session.create(bytes, { context: await testGpu(), poison: true } as InternalSessionOptions);
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
      [
        node('Relu', ['x'], ['r']),
        node('HardSigmoid', ['s'], ['h'], { alpha: float(0.2), beta: float(0.5) }),
        node('Mul', ['r', 'h'], ['m']),
        node('Add', ['r', 'm'], ['out']),
      ],
      [io('x', [1, C, H, W]), io('s', [1, C, 1, 1])],
      [io('out', [1, C, H, W])],
    );
    const r = await run(bytes, { x, s });
    expect(r.steps.filter((v) => v.startsWith('unary:unary.none'))).toEqual([]);
    expect(r.steps.filter((v) => v.startsWith('binary'))).toHaveLength(2); // s + 1 (tiny) and the multiply
    const xs = x.data as Float32Array,
      ss = s.data as Float32Array;
    const got = r.outputs.get('out')!.data as Float32Array;
    for (let i = 0; i < xs.length; i++) {
      const c = Math.floor(i / (H * W));
      const rx = Math.max(xs[i], 0);
      const hs = Math.min(1, Math.max(0, 0.2 * ss[c] + 0.5));
      expect(got[i]).toBeCloseTo(rx + rx * hs, 5);
    }
  });
});

describe('nearest upsample feeding an elementwise op: a broadcast view, no resize step', () => {
  const cases: [string, number, number, string, string][] = [
    ['y + up2(x), asymmetric floor', 2, 2, 'asymmetric', 'floor'],
    ['up4(x) - y, half_pixel round', 4, 4, 'half_pixel', 'round_prefer_floor'],
    ['y + up(x) by 2 x 1', 2, 1, 'asymmetric', 'floor'],
  ];
  for (const [name, fh, fw, coord, nearest] of cases) {
    it(name, async () => {
      const [C, H, W] = [3, 5, 4];
      const x = randomTensor([1, C, H, W], 3);
      const y = randomTensor([1, C, H * fh, W * fw], 4);
      const sub = name.includes('-');
      const bytes = graph(
        [
          node('Resize', ['x', '', 'scales'], ['u'], {
            mode: 'nearest',
            coordinate_transformation_mode: coord,
            nearest_mode: nearest,
          }),
          sub ? node('Sub', ['u', 'y'], ['out']) : node('Add', ['y', 'u'], ['out']),
        ],
        [io('x', [1, C, H, W]), io('y', [1, C, H * fh, W * fw])],
        [io('out', [1, C, H * fh, W * fw])],
        [tensor('scales', [4], [1, 1, fh, fw])],
      );
      const r = await run(bytes, { x, y });
      expect(r.steps.some((v) => v.startsWith('resize'))).toBe(false);
      const xs = x.data as Float32Array,
        ys = y.data as Float32Array;
      const got = r.outputs.get('out')!.data as Float32Array;
      const [OH, OW] = [H * fh, W * fw];
      for (let i = 0; i < ys.length; i++) {
        const c = Math.floor(i / (OH * OW)),
          oh = Math.floor(i / OW) % OH,
          ow = i % OW;
        const up = xs[(c * H + Math.floor(oh / fh)) * W + Math.floor(ow / fw)];
        expect(got[i]).toBeCloseTo(sub ? up - ys[i] : ys[i] + up, 6);
      }
    });
  }
});
