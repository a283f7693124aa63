import { type DType, gpuDType } from '../core/dtype.js';
import { broadcastStrides, sizeOf } from '../core/shape.js';
import type { BinaryKind } from '../ir/graph.js';
import type { KernelDef } from './types.js';
import { grid1d, rankDims } from './params.js';
import { BCAST4_PARAMS, BROADCAST_PARAMS } from './uniforms.js';
import { unsupported } from './unsupported.js';
import { knobsOf } from './knobs.js';

const WG = 256;
export const BINARY_CODES: Partial<Record<BinaryKind, number>> = {
  add: 0,
  sub: 1,
  mul: 2,
  div: 3,
  pow: 4,
  max: 5,
  min: 6,
  mod: 7,
  fmod: 8,
  prelu: 9,
};
const COMPARE_CODES: Partial<Record<BinaryKind, number>> = {
  equal: 0,
  less: 1,
  greater: 2,
  lessOrEqual: 3,
  greaterOrEqual: 4,
  and: 5,
  or: 6,
  xor: 7,
};
const INT_CODES: Partial<Record<BinaryKind, number>> = {
  add: 0,
  sub: 1,
  mul: 2,
  div: 3,
  max: 5,
  min: 6,
  mod: 7,
  fmod: 8,
  pow: 4,
};

export const binaryKernel: KernelDef<'binary'> = {
  op: 'binary',
  select(node, caps, tuning) {
    const kind = node.attrs.kind;
    const [a, b] = node.inputs as { shape: number[]; dtype: string }[];
    const out = node.outputs[0];
    const count = sizeOf(out.shape);
    const [shape, sa, sb] = collapseDims(out.shape, [
      broadcastStrides(a.shape, out.shape),
      broadcastStrides(b.shape, out.shape),
    ]);
    // same-shape operands collapse to one contiguous dim: the shader skips the index math
    const direct = shape.length <= 1 && sa[0] === 1 && sb[0] === 1 ? 1 : shape.length <= 4 ? 2 : 0;
    // f32 rank-2 (e.g. per-channel broadcast over NCHW): rows on the grid's y, so no index division
    const rows2d =
      direct !== 1 &&
      !isIntKind(a.dtype) &&
      COMPARE_CODES[kind] === undefined &&
      shape.length <= 2 &&
      (shape.length < 2 || shape[0] <= caps.maxWorkgroupsPerDim) &&
      Math.ceil(shape[shape.length - 1] / WG) <= caps.maxWorkgroupsPerDim;
    const fDirect = rows2d ? 3 : direct;
    const pad = (v: number[], fill: number) =>
      direct === 2 ? [...new Array<number>(4 - v.length).fill(fill), ...v] : v;
    const params = BROADCAST_PARAMS.pack({
      count,
      rank: shape.length,
      shape: rankDims(pad(shape, 1), 1),
      aStrides: rankDims(pad(sa, 0)),
      bStrides: rankDims(pad(sb, 0)),
    });
    const workgroups: [number, number, number] = rows2d
      ? [Math.ceil(shape[shape.length - 1] / WG), shape.length === 2 ? shape[0] : 1, 1]
      : grid1d(Math.ceil(count / WG), caps.maxWorkgroupsPerDim);
    const bindings = [
      { io: 'in', index: 0 },
      { io: 'in', index: 1 },
      { io: 'out', index: 0 },
    ] as const;
    const g = gpuDType(a.dtype as DType);
    const isInt = g === 'i32' || g === 'u32';
    if (COMPARE_CODES[kind] !== undefined) {
      return {
        calls: [
          {
            variant: 'compare',
            shader: {
              file: 'compare.wgsl',
              prelude: { in_t: isInt ? g : a.dtype === 'f16' ? 'f16' : 'f32' },
              overrides: { OP: COMPARE_CODES[kind], WG, DIRECT: direct },
            },
            params,
            bindings: [...bindings],
            workgroups,
            flops: count,
            bytes: count * 12,
          },
        ],
      };
    }
    if (isInt) {
      const code = INT_CODES[kind];
      if (code === undefined) unsupported(node, `${kind} on integers`);
      return {
        calls: [
          {
            variant: 'binary.i32',
            shader: { file: 'binary_i32.wgsl', overrides: { OP: code, WG, DIRECT: direct } },
            params,
            bindings: [...bindings],
            workgroups,
            flops: count,
            bytes: count * 12,
          },
        ],
      };
    }
    const code = BINARY_CODES[kind];
    if (code === undefined) unsupported(node, `${kind} on floats`);
    const bc =
      knobsOf(tuning, 'binary').bcast4 && BCAST4_OPS.has(kind) && direct !== 1
        ? broadcast4(shape, sa, sb, caps.maxWorkgroupsPerDim)
        : null;
    if (bc) {
      return {
        calls: [
          {
            variant: 'binary.bcast4',
            shader: {
              file: 'binary_bcast4.wgsl',
              overrides: { OP: code, WG_X: bc.wgX, WG_Y: BCAST4_WG / bc.wgX, FULL_IS_A: bc.fullIsA },
            },
            params: bc.params,
            bindings: bc.fullIsA ? [...bindings] : [bindings[1], bindings[0], bindings[2]],
            workgroups: bc.workgroups,
            flops: count,
            bytes: count * 8,
          },
        ],
      };
    }
    return {
      calls: [
        {
          variant: ['binary', 'binary.direct', 'binary.rank4', 'binary.rows'][fDirect],
          shader: { file: 'binary.wgsl', overrides: { OP: code, WG, DIRECT: fDirect } },
          params,
          bindings: [...bindings],
          workgroups,
          flops: count,
          bytes: count * 12,
        },
      ],
    };
  },
};

const BCAST4_OPS = new Set<BinaryKind>(['add', 'sub', 'mul', 'div', 'max', 'min', 'prelu']);
const BCAST4_WG = 64;
/** vec4 columns per workgroup row: one value for every shape keeps it one pipeline per op (cold start). */
const BCAST4_WG_X = 16;

/**
 * binary_bcast4.wgsl: one operand contiguous, the other read at (row >> sh) * rowStride + (col >> sw) *
 * colStride over the output viewed as [d0, d1 | d2, d3] = rows x cols, with d1 and d3 powers of two the
 * low operand does not move along. Rows of cols % 4 == 0 only (vec4 access).
 */
function broadcast4(shape: number[], sa: number[], sb: number[], maxPerDim: number) {
  const contiguous = (st: number[], sh: number[]) => st.every((v, i) => sh[i] === 1 || v === sizeOf(sh.slice(i + 1)));
  const views: [number[], number[], number[]][] =
    shape.length === 2
      ? [
          [
            [shape[0], 1, shape[1], 1],
            [sa[0], 0, sa[1], 0],
            [sb[0], 0, sb[1], 0],
          ],
        ]
      : shape.length === 3
        ? [
            [
              [...shape, 1],
              [...sa, 0],
              [...sb, 0],
            ],
            [
              [shape[0], 1, shape[1], shape[2]],
              [sa[0], 0, sa[1], sa[2]],
              [sb[0], 0, sb[1], sb[2]],
            ],
          ]
        : shape.length === 4
          ? [[shape, sa, sb]]
          : [];
  const pow2 = (v: number) => (v & (v - 1)) === 0;
  for (const [d, a4, b4] of views) {
    for (const fullIsA of [true, false]) {
      const [full, low] = fullIsA ? [a4, b4] : [b4, a4];
      if (!contiguous(full, d) || contiguous(low, d)) continue;
      const cols = d[2] * d[3],
        rows = d[0] * d[1];
      if (cols % 4 || !pow2(d[1]) || !pow2(d[3]) || (d[1] > 1 && low[1] !== 0) || (d[3] > 1 && low[3] !== 0)) continue;
      const cols4 = cols / 4;
      const wgX = BCAST4_WG_X;
      const gx = Math.ceil(cols4 / wgX),
        gy = Math.ceil(rows / (BCAST4_WG / wgX));
      if (gx > maxPerDim || gy > maxPerDim) continue;
      const params = BCAST4_PARAMS.pack({
        cols4,
        rows,
        lowRowStride: low[0],
        lowColStride: low[2],
        shiftH: Math.log2(d[1]),
        shiftW: Math.log2(d[3]),
      });
      return { fullIsA, params, wgX, workgroups: [gx, gy, 1] as [number, number, number] };
    }
  }
  return null;
}

/**
 * Merges neighbouring dims that every operand walks contiguously (or broadcasts over together) and drops
 * size-1 dims, so the per-element index math runs over as few dims as possible.
 */
export function collapseDims(shape: number[], strides: number[][]): [number[], ...number[][]] {
  const dims: number[] = [];
  const st: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = dims.length - 1;
    const mergeable = last >= 0 && strides.every((s, k) => st[k][last] === s[d] * shape[d]);
    if (mergeable) {
      dims[last] *= shape[d];
      strides.forEach((s, k) => {
        st[k][last] = s[d];
      });
    } else {
      dims.push(shape[d]);
      strides.forEach((s, k) => st[k].push(s[d]));
    }
  }
  if (dims.length === 0) return [[1], ...strides.map(() => [0])];
  return [dims, ...st];
}

function isIntKind(dtype: string): boolean {
  const g = gpuDType(dtype as DType);
  return g === 'i32' || g === 'u32';
}
