import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../../src/core/tensor.js';
import type { ResizeAttrs } from '../../src/ir/graph.js';
import { runOp } from './harness.js';
import { countNaN, halfRounded, halfValues, randomTensor, relL2, toHalf } from '../util.js';
import { f32ToF16 } from '../../src/core/dtype.js';
import { RUNS_F16, expectBits, half } from './storage.js';
import { resizeRef } from '../ref/resize.js';

const COORD_MODES = [
  'half_pixel',
  'pytorch_half_pixel',
  'align_corners',
  'asymmetric',
  'tf_crop_and_resize',
  'half_pixel_symmetric',
] as const;
const NEAREST_MODES = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'] as const;

/** Attributes as the importer makes them from `scales` (or from sizes, when `outShape` is given). */
function attrs(
  mode: ResizeAttrs['mode'],
  coordMode: ResizeAttrs['coordMode'],
  shape: number[],
  scales: number[],
  extra: Partial<ResizeAttrs> = {},
): ResizeAttrs {
  const r = shape.length;
  // a region of interest that crops some axes and reaches past the input on others (extrapolation)
  const roi =
    coordMode === 'tf_crop_and_resize'
      ? [
          ...shape.map((_, d) => (d < r - 2 ? 0 : 0.1 * (d % 3))),
          ...shape.map((_, d) => (d < r - 2 ? 1 : 1.2 - 0.25 * (d % 2))),
        ]
      : [];
  return {
    mode,
    coordMode,
    nearestMode: 'round_prefer_floor',
    scales,
    outShape: shape.map((n, d) => Math.floor(n * scales[d] + 1e-9)),
    cubicCoeffA: -0.75,
    excludeOutside: false,
    extrapolationValue: 10,
    roi,
    ...extra,
  };
}

async function check(x: HostTensor, a: ResizeAttrs, exact: boolean): Promise<void> {
  const [out] = await runOp('resize', a, [x]);
  const ref = resizeRef(x as { shape: number[]; data: Float32Array }, a);
  expect(out.shape).toEqual(a.outShape);
  expect(countNaN(out.data as Float32Array)).toBe(0);
  if (exact) {
    const got = Array.from(out.data as Float32Array);
    const bad = got.findIndex((v, i) => v !== ref[i]);
    expect(bad, bad >= 0 ? `first mismatch at ${bad}: ${got[bad]} vs ${ref[bad]}` : '').toBe(-1);
  } else {
    expect(relL2(out.data as Float32Array, ref)).toBeLessThan(1e-5);
  }
}

describe('resize nearest', () => {
  const SHAPES: [number[], number[]][] = [
    [
      [1, 3, 5, 7],
      [1, 1, 2, 2],
    ],
    [
      [1, 2, 8, 9],
      [1, 1, 0.5, 0.5],
    ],
    [
      [1, 2, 6, 8],
      [1, 1, 1.5, 0.75],
    ],
    [
      [2, 7],
      [1, 10 / 7],
    ],
  ];
  for (const coordMode of COORD_MODES) {
    for (const nearestMode of NEAREST_MODES) {
      SHAPES.forEach(([shape, scales], i) => {
        it(`${coordMode} ${nearestMode} ${shape.join('x')} x [${scales.map((s) => +s.toFixed(3))}]`, async () => {
          await check(randomTensor(shape, i), attrs('nearest', coordMode, shape, scales, { nearestMode }), true);
        });
      });
    }
  }
  const MORE: [string, number[], number[], Partial<ResizeAttrs>][] = [
    ['PP-OCR x2 asymmetric floor', [1, 16, 40, 40], [1, 1, 2, 2], { coordMode: 'asymmetric', nearestMode: 'floor' }],
    ['x2 half_pixel', [1, 4, 80, 80], [1, 1, 2, 2], {}],
    ['x4 asymmetric floor', [1, 8, 20, 20], [1, 1, 4, 4], { coordMode: 'asymmetric', nearestMode: 'floor' }],
    [
      'x8 asymmetric floor (PP-OCR concat branch)',
      [1, 3, 10, 10],
      [1, 1, 8, 8],
      { coordMode: 'asymmetric', nearestMode: 'floor' },
    ],
    ['x2 rows x4 columns', [2, 3, 5, 3], [1, 1, 2, 4], { coordMode: 'asymmetric', nearestMode: 'floor' }],
    [
      'x2, output rows not a multiple of 4',
      [1, 2, 3, 3],
      [1, 1, 2, 2],
      { coordMode: 'asymmetric', nearestMode: 'floor' },
    ],
    ['rank 1 x3', [7], [3], {}],
    ['rank 3 all axes', [2, 5, 3], [2, 1, 0.5], {}],
    ['rank 5', [2, 3, 2, 3, 4], [1, 2, 1, 1.5, 0.5], {}],
    ['output length 1', [1, 1, 5, 6], [1, 1, 0.2, 1 / 6], { coordMode: 'pytorch_half_pixel' }],
  ];
  for (const [name, shape, scales, extra] of MORE) {
    it(`${name} ${shape.join('x')}`, async () => {
      await check(
        randomTensor(shape, 3),
        attrs('nearest', extra.coordMode ?? 'half_pixel', shape, scales, extra),
        true,
      );
    });
  }
  for (const shape of [
    [1, 1, 3, 3],
    [1, 1, 3, 2],
  ]) {
    it(`i32 values ${shape.join('x')}`, async () => {
      const x: HostTensor = {
        dtype: 'i32',
        shape,
        data: new Int32Array([1, -2, 3, 40, 5, -60, 7, 8, 9].slice(0, shape[2] * shape[3])),
      };
      const a = attrs('nearest', 'asymmetric', x.shape, [1, 1, 2, 2], { nearestMode: 'floor' });
      const [out] = await runOp('resize', a, [x]);
      expect(Array.from(out.data as Int32Array)).toEqual(resizeRef({ shape: x.shape, data: x.data as Int32Array }, a));
    });
  }
});

describe('resize linear', () => {
  const SHAPES: [number[], number[]][] = [
    [
      [1, 3, 5, 7],
      [1, 1, 2, 2],
    ],
    [
      [2, 2, 9, 8],
      [1, 1, 0.5, 0.75],
    ],
    [
      [1, 2, 6, 7],
      [1, 1, 1.5, 10 / 7],
    ],
    [
      [1, 1, 4, 1],
      [1, 1, 3, 1],
    ],
  ];
  for (const coordMode of COORD_MODES) {
    SHAPES.forEach(([shape, scales], i) => {
      it(`${coordMode} ${shape.join('x')} x [${scales.map((s) => +s.toFixed(3))}]`, async () => {
        await check(randomTensor(shape, 10 + i), attrs('linear', coordMode, shape, scales), false);
      });
    });
  }
  const MORE: [string, number[], number[]][] = [
    ['rank 1', [9], [1.7]],
    ['rank 2', [6, 5], [2, 0.6]],
    ['rank 3, last two axes', [3, 4, 6], [1, 2.5, 0.5]],
    ['rank 3, one axis', [3, 4, 6], [1, 1, 3]],
    ['NHWC (axes 1, 2)', [1, 5, 6, 3], [1, 2, 2, 1]],
    ['PP-OCR-like x2', [1, 8, 40, 40], [1, 1, 2, 2]],
    ['output length 1', [1, 2, 5, 4], [1, 1, 0.2, 0.25]],
  ];
  for (const [name, shape, scales] of MORE) {
    for (const coordMode of ['half_pixel', 'align_corners', 'pytorch_half_pixel'] as const) {
      it(`${name} ${shape.join('x')} ${coordMode}`, async () => {
        await check(randomTensor(shape, 20), attrs('linear', coordMode, shape, scales), false);
      });
    }
  }
});

describe('resize cubic', () => {
  const SHAPES: [number[], number[]][] = [
    [
      [1, 2, 5, 6],
      [1, 1, 2, 1.5],
    ],
    [
      [1, 3, 9, 8],
      [1, 1, 0.5, 0.75],
    ],
  ];
  for (const coordMode of COORD_MODES) {
    for (const excludeOutside of [false, true]) {
      SHAPES.forEach(([shape, scales], i) => {
        it(`${coordMode}${excludeOutside ? ' exclude_outside' : ''} ${shape.join('x')} x [${scales}]`, async () => {
          const a = attrs('cubic', coordMode, shape, scales, {
            excludeOutside,
            cubicCoeffA: excludeOutside ? -0.5 : -0.75,
          });
          await check(randomTensor(shape, 30 + i), a, false);
        });
      });
    }
  }
  it('rank 2, single axis', async () => {
    await check(randomTensor([4, 7], 40), attrs('cubic', 'asymmetric', [4, 7], [1, 2.5]), false);
  });
});

// f16 storage: nearest copies the raw 16-bit patterns; interpolation in f32 at 2e-3 relative L2
if (RUNS_F16)
  describe('resize f16', () => {
    const nearest: [string, number[], number[], Partial<ResizeAttrs>][] = [
      ['fractional scales', [1, 3, 5, 7], [1, 1, 1.5, 0.75], {}],
      [
        'x3 asymmetric floor (strided copy)',
        [1, 3, 5, 7],
        [1, 1, 3, 3],
        { coordMode: 'asymmetric', nearestMode: 'floor' },
      ],
      ['crop and resize with extrapolation', [1, 2, 5, 7], [1, 1, 1.6, 1.4], { coordMode: 'tf_crop_and_resize' }],
    ];
    for (const [name, shape, scales, extra] of nearest) {
      it(`nearest ${name} ${shape.join('x')}`, async () => {
        const x = half(shape, 50);
        const a = attrs('nearest', extra.coordMode ?? 'half_pixel', shape, scales, extra);
        const [out] = await runOp('resize', a, [x]);
        const ref = resizeRef({ shape, data: halfValues(x) }, a);
        expectBits(out, { shape: a.outShape, data: ref.map((v) => f32ToF16(v)) });
      });
    }
    const interp: [ResizeAttrs['mode'], ResizeAttrs['coordMode'], number[], number[]][] = [
      ['linear', 'half_pixel', [1, 3, 5, 7], [1, 1, 2, 2]],
      ['linear', 'align_corners', [2, 2, 9, 7], [1, 1, 0.5, 1.5]],
      ['linear', 'tf_crop_and_resize', [1, 2, 6, 7], [1, 1, 1.5, 10 / 7]],
      ['cubic', 'half_pixel', [1, 3, 5, 7], [1, 1, 2, 1.5]],
      ['cubic', 'asymmetric', [1, 1, 9, 5], [1, 1, 0.5, 3]],
    ];
    for (const [mode, coordMode, shape, scales] of interp) {
      it(`${mode} ${coordMode} ${shape.join('x')}`, async () => {
        const x = randomTensor(shape, 60);
        const a = attrs(mode, coordMode, shape, scales);
        const [out] = await runOp('resize', a, [toHalf(x)]);
        expect(out.dtype).toBe('f16');
        const got = halfValues(out);
        expect(countNaN(got)).toBe(0);
        expect(relL2(got, resizeRef(halfRounded(x) as { shape: number[]; data: Float32Array }, a))).toBeLessThan(2e-3);
      });
    }
  });
