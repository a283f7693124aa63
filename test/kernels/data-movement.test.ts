// The value-moving kernels against the CPU reference, exactly: f32 and integer values, and f16 storage (raw
// 16-bit patterns, odd sizes so halves straddle 32-bit words; the poisoned arena reads 0xffff, which no input holds).
import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../../src/core/tensor.js';
import { runOp } from './harness.js';
import { countNaN, randomTensor, rng } from '../util.js';
import { type Ref, concatRef, expandRef, gatherRef, sliceRef, transposeRef } from '../ref/data-movement.js';
import { DTYPES, half } from './storage.js';

function intTensor(shape: number[], seed: number, lo = -1000, hi = 1000): HostTensor {
  const r = rng(seed);
  const data = new Int32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(lo + (hi - lo) * r());
  return { dtype: 'i32', shape, data };
}

/** Exact comparison (f16: of the raw bits), plus the poisoned-arena check for f32 outputs. */
function expectExact(out: HostTensor, ref: Ref, dtype: HostTensor['dtype']): void {
  expect(out.dtype).toBe(dtype);
  expect(out.shape).toEqual(ref.shape);
  if (out.dtype === 'f32') expect(countNaN(out.data as Float32Array)).toBe(0);
  const got = Array.from(out.data as ArrayLike<number | bigint>, Number);
  expect(got.length).toBe(ref.data.length);
  let bad = -1;
  for (let i = 0; i < got.length && bad < 0; i++) if (got[i] !== ref.data[i]) bad = i;
  expect(bad, bad >= 0 ? `first mismatch at ${bad}: ${got[bad]} vs ${ref.data[bad]}` : '').toBe(-1);
}

function randomPerm(n: number, r: () => number): number[] {
  const p = [...Array(n).keys()];
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

// f16: a few layouts, odd sizes
const F16_TRANSPOSES: [number[], number[]][] = [
  [
    [3, 5],
    [1, 0],
  ],
  [
    [1, 7, 9, 5],
    [0, 2, 3, 1],
  ],
  [
    [257, 129],
    [1, 0],
  ],
  [
    [2, 3, 1, 5, 3],
    [4, 0, 3, 1, 2],
  ],
];

describe.each(DTYPES)('transpose %s', (dt) => {
  const r = rng(11);
  const cases: [number[], number[]][] = [
    [
      [3, 5],
      [1, 0],
    ],
    [
      [1, 7],
      [1, 0],
    ],
    [
      [1, 96, 40, 40],
      [0, 2, 3, 1],
    ],
    [
      [1, 40, 40, 96],
      [0, 3, 1, 2],
    ],
    [
      [257, 129],
      [1, 0],
    ],
    [
      [2, 1, 3, 1, 5],
      [4, 3, 2, 1, 0],
    ],
    // pixel shuffles (pixel_shuffle.wgsl): [.., KH, KW, H, W] -> [.., H, KH, W, KW]
    [
      [1, 3, 2, 2, 5, 6],
      [0, 1, 4, 2, 5, 3],
    ],
    [
      [2, 4, 1, 4, 3, 5],
      [0, 1, 4, 2, 5, 3],
    ],
    [
      [3, 2, 4, 3, 2],
      [0, 3, 1, 4, 2],
    ],
    [
      [1, 2, 2, 2, 5, 3],
      [0, 1, 4, 2, 5, 3],
    ],
  ];
  for (let rank = 2; rank <= 6; rank++) {
    for (let k = 0; k < 3; k++)
      cases.push([Array.from({ length: rank }, () => 1 + Math.floor(r() * 5)), randomPerm(rank, r)]);
  }
  (dt === 'f32' ? cases : F16_TRANSPOSES).forEach(([shape, perm], i) => {
    it(`${shape.join('x')} perm [${perm}]`, async () => {
      const x = dt === 'f16' ? half(shape, i) : i % 4 === 3 ? intTensor(shape, i) : randomTensor(shape, i);
      const [out] = await runOp('transpose', { perm }, [x]);
      expectExact(out, transposeRef(x, perm), x.dtype);
    });
  });
});

const F16_SLICES: [number[], number[], number[], number[]][] = [
  [[11], [1], [10], [2]],
  [
    [7, 9],
    [1, 8],
    [6, -1],
    [2, -2],
  ],
  [
    [3, 5, 7],
    [2, 4, 6],
    [-1, -1, -1],
    [-1, -2, -3],
  ],
  [
    [2, 3, 5, 7],
    [1, 0, 1, 2],
    [2, 3, 5, 7],
    [1, 2, 1, 1],
  ],
];

describe.each(DTYPES)('slice %s', (dt) => {
  const cases: [number[], number[], number[], number[]][] = [
    [[10], [0], [10], [1]],
    [[10], [1], [9], [2]],
    [[10], [9], [-1], [-1]],
    [[10], [8], [0], [-3]],
    [
      [7, 9],
      [1, 8],
      [6, -1],
      [2, -2],
    ],
    [
      [4, 5, 6],
      [0, 0, 0],
      [4, 0, 6],
      [1, 1, 1],
    ],
    [
      [4, 5, 6],
      [3, 4, 5],
      [-1, -1, -1],
      [-1, -2, -3],
    ],
    [
      [2, 3, 4, 5],
      [1, 0, 1, 2],
      [2, 3, 4, 5],
      [1, 2, 1, 1],
    ],
    [
      [2, 3, 4, 5, 6],
      [0, 2, 3, 0, 5],
      [2, -1, 0, 5, 0],
      [1, -1, -2, 3, -1],
    ],
    [
      [3, 1, 4, 1, 5, 2],
      [2, 0, 0, 0, 4, 1],
      [-1, 1, 4, 1, -1, -1],
      [-1, 1, 3, 1, -2, -1],
    ],
    [
      [5, 5],
      [3, 0],
      [3, 5],
      [1, 1],
    ],
    [
      [300, 301],
      [1, 300],
      [300, -1],
      [3, -2],
    ],
  ];
  (dt === 'f32' ? cases : F16_SLICES).forEach(([shape, starts, ends, steps], i) => {
    it(`${shape.join('x')} [${starts}]:[${ends}]:[${steps}]`, async () => {
      const x = dt === 'f16' ? half(shape, 10 + i) : i % 3 === 2 ? intTensor(shape, i) : randomTensor(shape, i);
      const [out] = await runOp('slice', { starts, ends, steps }, [x]);
      expectExact(out, sliceRef(x, starts, ends, steps), x.dtype);
    });
  });
});

const F16_CONCATS: [number[][], number][] = [
  [[[3], [5], [1]], 0],
  [
    [
      [2, 3],
      [2, 4],
      [2, 1],
    ],
    1,
  ],
  [
    [
      [1, 3, 5, 5],
      [1, 1, 5, 5],
      [1, 2, 5, 5],
    ],
    1,
  ],
  [
    [
      [3, 1, 3],
      [3, 1, 5],
    ],
    2,
  ],
];

describe.each(DTYPES)('concat %s', (dt) => {
  const cases: [number[][], number][] = [
    [[[3], [5]], 0],
    [
      [
        [2, 3],
        [2, 4],
        [2, 1],
      ],
      1,
    ],
    [
      [
        [1, 3],
        [4, 3],
        [2, 3],
        [1, 3],
        [5, 3],
      ],
      0,
    ],
    [
      [
        [2, 3, 4],
        [2, 3, 4],
        [2, 3, 4],
        [2, 3, 4],
      ],
      2,
    ],
    [
      [
        [2, 3, 4],
        [2, 5, 4],
      ],
      1,
    ],
    [
      [
        [2, 3, 4],
        [2, 3, 4],
      ],
      0,
    ],
    [
      [
        [1, 64, 20, 20],
        [1, 32, 20, 20],
        [1, 1, 20, 20],
      ],
      1,
    ],
    [
      [
        [2, 3, 2, 5, 7],
        [2, 3, 2, 1, 7],
      ],
      -2,
    ],
    [
      [
        [2, 3, 4],
        [2, 0, 4],
        [2, 2, 4],
      ],
      1,
    ],
    [
      [
        [1, 2, 1, 2, 1, 3],
        [1, 2, 1, 2, 1, 5],
      ],
      5,
    ],
  ];
  (dt === 'f32' ? cases : F16_CONCATS).forEach(([shapes, axis], i) => {
    const ints = dt === 'f32' && i % 3 === 1;
    it(`${shapes.map((s) => s.join('x')).join(' + ')} axis ${axis}${ints ? ' i32' : ''}`, async () => {
      const xs = shapes.map((s, k) =>
        dt === 'f16' ? half(s, 100 * i + k) : ints ? intTensor(s, 100 * i + k) : randomTensor(s, 100 * i + k),
      );
      const [out] = await runOp('concat', { axis }, xs);
      expectExact(out, concatRef(xs, axis < 0 ? axis + shapes[0].length : axis), xs[0].dtype);
    });
  });
  if (dt === 'f32')
    it('i64 and bool values', async () => {
      const a: HostTensor = { dtype: 'i64', shape: [2, 2], data: new BigInt64Array([1n, -2n, 3n, 4n]) };
      const b: HostTensor = { dtype: 'i64', shape: [2, 1], data: new BigInt64Array([-7n, 9n]) };
      const [out] = await runOp('concat', { axis: 1 }, [a, b]);
      expect(Array.from(out.data as BigInt64Array, Number)).toEqual([1, -2, -7, 3, 4, 9]);
      const c: HostTensor = { dtype: 'bool', shape: [3], data: new Uint8Array([1, 0, 1]) };
      const d: HostTensor = { dtype: 'bool', shape: [2], data: new Uint8Array([0, 1]) };
      const [o2] = await runOp('concat', { axis: 0 }, [c, d]);
      expect(Array.from(o2.data as Uint8Array)).toEqual([1, 0, 1, 0, 1]);
    });
});

const F16_EXPANDS: [number[], number[]][] = [
  [[1], [7]],
  [
    [3, 1],
    [3, 5],
  ],
  [
    [2, 1, 3],
    [3, 2, 5, 3],
  ],
  [
    [1, 5, 1, 1],
    [1, 5, 3, 3],
  ],
];

describe.each(DTYPES)('expand %s', (dt) => {
  const cases: [number[], number[]][] = [
    [[1], [7]],
    [
      [3, 1],
      [3, 4],
    ],
    [
      [1, 4],
      [3, 1],
    ],
    [
      [2, 1, 3],
      [4, 2, 5, 3],
    ],
    [[5], [2, 3, 5]],
    [
      [1, 1, 1],
      [2, 3, 4],
    ],
    [
      [2, 1, 1, 3, 1],
      [2, 4, 5, 3, 6],
    ],
    [
      [1, 96, 1, 1],
      [1, 96, 40, 40],
    ],
    [
      [3, 1, 2],
      [1, 1, 1],
    ],
    [
      [1, 2, 1, 2, 1, 2],
      [2, 2, 2, 2, 2, 2],
    ],
  ];
  (dt === 'f32' ? cases : F16_EXPANDS).forEach(([shape, target], i) => {
    it(`${shape.join('x')} -> ${target.join('x')}`, async () => {
      const x = dt === 'f16' ? half(shape, 20 + i) : i % 2 ? intTensor(shape, i) : randomTensor(shape, i);
      const [out] = await runOp('expand', { shape: target }, [x]);
      expectExact(out, expandRef(x, target), x.dtype);
    });
  });
});

describe('more than 65535 workgroups (2-D grid)', () => {
  it('expand 4100x1 -> 4100x4100', async () => {
    const x = intTensor([4100, 1], 5);
    const [out] = await runOp('expand', { shape: [4100, 4100] }, [x]);
    const got = out.data as Int32Array;
    const xs = x.data as Int32Array;
    let bad = 0;
    for (let r = 0; r < 4100; r++) for (let c = 0; c < 4100; c++) if (got[r * 4100 + c] !== xs[r]) bad++;
    expect(bad).toBe(0);
  });
});

const idx = (shape: number[], vals: number[]): HostTensor => ({
  dtype: 'i64',
  shape,
  data: BigInt64Array.from(vals.map(BigInt)),
});
const F16_GATHERS: [number[], HostTensor, number][] = [
  [[5, 3], idx([], [-1]), 0],
  [[2, 7, 3], idx([2, 3], [0, 6, -1, 3, -7, 2]), 1],
  [[3, 5], idx([3], [4, 0, 1]), 1],
  [[7], idx([3, 1], [6, -7, 0]), 0],
];

describe.each(DTYPES)('gather %s', (dt) => {
  const cases: [number[], HostTensor, number][] = [
    [[5, 3], idx([], [2]), 0],
    [[5, 3], idx([], [-1]), 0],
    [[5, 3], idx([4], [4, 0, -5, 2]), 0],
    [[2, 6, 4], idx([2, 3], [0, 5, -1, 3, -6, 2]), 1],
    [[2, 6, 4], idx([], [-2]), -1],
    [[2, 6, 4], idx([2, 2], [3, 0, -1, 1]), 2],
    [[7], idx([3, 1], [6, -7, 0]), 0],
    [[3, 2, 2, 5, 2], idx([2], [4, -4]), 3],
    [
      [1000, 64],
      idx(
        [5, 7],
        Array.from({ length: 35 }, (_, k) => ((k * 137) % 1000) - 500),
      ),
      0,
    ],
    [[4, 3], idx([0], []), 1],
  ];
  (dt === 'f32' ? cases : F16_GATHERS).forEach(([shape, indices, axis], i) => {
    it(`${shape.join('x')} indices ${indices.shape.length ? indices.shape.join('x') : 'scalar'} axis ${axis}`, async () => {
      const x = dt === 'f16' ? half(shape, 30 + i) : i % 3 === 1 ? intTensor(shape, i) : randomTensor(shape, i);
      const [out] = await runOp('gather', { axis }, [x, indices]);
      expectExact(out, gatherRef(x, indices, axis < 0 ? axis + shape.length : axis), x.dtype);
    });
  });
  if (dt === 'f32')
    it('constant indices (uploaded as weights)', async () => {
      const x = randomTensor([6, 5], 77);
      const indices = idx([3], [5, -6, 2]);
      const [out] = await runOp('gather', { axis: 0 }, [x, indices], { consts: [false, true] });
      expectExact(out, gatherRef(x, indices, 0), 'f32');
    });
});
