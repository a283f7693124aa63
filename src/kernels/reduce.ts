// Reduce over any set of axes and ArgMax/ArgMin along one axis. Reductions of long rows use a workgroup
// per output, short ones a lane per output (the same split as softmax).
import { bytesPerElement, gpuDType } from '../core/dtype.js';
import { KestrelError } from '../core/errors.js';
import { normAxis, sizeOf, stridesOf } from '../core/shape.js';
import type { ReduceKind } from '../ir/graph.js';
import type { KernelDef } from './types.js';
import { grid1d } from './params.js';
import { ARG_REDUCE_PARAMS, REDUCE_I32_PARAMS, REDUCE_PARAMS } from './uniforms.js';
import { ROW_WG, axisView, rowGrid, rowLanes } from './softmax.js';

export const REDUCE_KINDS: Record<ReduceKind, number> = {
  sum: 0,
  mean: 1,
  max: 2,
  min: 3,
  prod: 4,
  sumSquare: 5,
  l1: 6,
  l2: 7,
  logSum: 8,
  logSumExp: 9,
};

/** The identity of each kind's combine (the logSumExp state is (max, sum) with a finite -inf stand-in). */
function initOf(kind: ReduceKind): [number, number] {
  if (kind === 'max') return [-Infinity, 0];
  if (kind === 'min') return [Infinity, 0];
  if (kind === 'prod') return [1, 0];
  if (kind === 'logSumExp') return [-3.4028234663852886e38, 0];
  return [0, 0];
}

const INT_INIT: Partial<Record<ReduceKind, number>> = { sum: 0, max: -2147483648, min: 2147483647, prod: 1 };

export interface DimGroup {
  size: number;
  stride: number;
}

/**
 * Splits the input's dims into kept and reduced groups, dropping size-1 dims and merging neighbours of
 * the same kind (row-major neighbours merge into one strided dim).
 */
export function reduceGroups(shape: number[], axes: number[]): { kept: DimGroup[]; reduced: DimGroup[] } {
  const strides = stridesOf(shape);
  const kept: DimGroup[] = [];
  const reduced: DimGroup[] = [];
  let last: 'kept' | 'reduced' | null = null;
  shape.forEach((d, i) => {
    if (d === 1) return;
    const kind = axes.includes(i) ? 'reduced' : 'kept';
    const list = kind === 'kept' ? kept : reduced;
    if (last === kind) {
      const g = list[list.length - 1];
      g.size *= d;
      g.stride = strides[i];
    } else {
      list.push({ size: d, stride: strides[i] });
    }
    last = kind;
  });
  return { kept, reduced };
}

export const reduceKernel: KernelDef<'reduce'> = {
  op: 'reduce',
  select(node, caps) {
    const a = node.attrs;
    const x = node.inputs[0]!;
    const axes = a.axes.map((ax) => normAxis(ax, x.shape.length));
    const { kept, reduced } = reduceGroups(x.shape, axes);
    const outputs = sizeOf(node.outputs[0].shape);
    const len = axes.reduce((p, ax) => p * x.shape[ax], 1);
    if (kept.length > 4 || reduced.length > 4)
      throw new KestrelError('USAGE', `node '${node.name}': reduce over more than 4 merged dims`);
    const pad = (l: DimGroup[]) => [...new Array<DimGroup>(4 - l.length).fill({ size: 1, stride: 0 }), ...l];
    const geometry = {
      outputs,
      len,
      keptRank: kept.length,
      redRank: reduced.length,
      keptShape: pad(kept).map((g) => g.size),
      keptStrides: pad(kept).map((g) => g.stride),
      redShape: pad(reduced).map((g) => g.size),
      redStrides: pad(reduced).map((g) => g.stride),
    };
    if (gpuDType(x.dtype) === 'i32') {
      const init = INT_INIT[a.kind];
      if (init === undefined)
        throw new KestrelError(
          'USAGE',
          `node '${node.name}': reduce ${a.kind} on integers is not supported (sum, max, min, prod)`,
        );
      return {
        calls: [
          {
            variant: `reduce.i32.${a.kind}`,
            shader: { file: 'reduce_i32.wgsl', overrides: { WG: ROW_WG, KIND: REDUCE_KINDS[a.kind] } },
            params: REDUCE_I32_PARAMS.pack({ ...geometry, init: [init, 0] }),
            bindings: [
              { io: 'in', index: 0 },
              { io: 'out', index: 0 },
            ],
            workgroups: outputs === 0 ? [0, 1, 1] : grid1d(Math.ceil(outputs / ROW_WG), caps.maxWorkgroupsPerDim),
            flops: outputs * len,
            bytes: 4 * (outputs * len + outputs),
          },
        ],
      };
    }
    if (x.dtype !== 'f32' && x.dtype !== 'f16')
      throw new KestrelError('USAGE', `node '${node.name}': reduce on ${x.dtype} is not supported`);
    const eb = bytesPerElement(x.dtype);
    const lanes = rowLanes(outputs, len);
    const [i0, i1] = initOf(a.kind);
    const params = REDUCE_PARAMS.pack({ ...geometry, init: [i0, i1] });
    return {
      calls: [
        {
          variant: `reduce.${a.kind}${lanes === 1 ? '.lane' : '.wg'}`,
          shader: { file: 'reduce.wgsl', overrides: { WG: ROW_WG, ROW_LANES: lanes, KIND: REDUCE_KINDS[a.kind] } },
          params,
          bindings: [
            { io: 'in', index: 0 },
            { io: 'out', index: 0 },
          ],
          // an empty reduction still writes the identity to every output
          workgroups: rowGrid(outputs, Math.max(len, 1), lanes, caps),
          flops: 2 * outputs * len,
          bytes: eb * (outputs * len + outputs),
        },
      ],
    };
  },
};

export const argReduceKernel: KernelDef<'argReduce'> = {
  op: 'argReduce',
  select(node, caps) {
    const a = node.attrs;
    const x = node.inputs[0]!;
    if (x.dtype !== 'f32' && x.dtype !== 'f16')
      throw new KestrelError(
        'USAGE',
        `node '${node.name}': argReduce on ${x.dtype} is not supported (f32 or f16 only)`,
      );
    const { outer, len, inner } = axisView(x.shape, normAxis(a.axis, x.shape.length));
    const rows = outer * inner;
    const lanes = rowLanes(rows, len);
    return {
      calls: [
        {
          variant: `argReduce.${a.kind}${lanes === 1 ? '.lane' : '.wg'}`,
          shader: {
            file: 'argreduce.wgsl',
            overrides: { WG: ROW_WG, ROW_LANES: lanes, WANT_MAX: a.kind === 'max', SELECT_LAST: !!a.selectLastIndex },
          },
          params: ARG_REDUCE_PARAMS.pack({ rows, len, inner, init: a.kind === 'max' ? -Infinity : Infinity }),
          bindings: [
            { io: 'in', index: 0 },
            { io: 'out', index: 0 },
          ],
          workgroups: rowGrid(rows, len, lanes, caps),
          flops: rows * len,
          bytes: bytesPerElement(x.dtype) * rows * len + 4 * rows,
        },
      ],
    };
  },
};
