// Softmax / LogSoftmax along any axis: the tensor is viewed as [outer, len, inner] and each of the
// outer * inner rows is reduced by one lane, or by one workgroup when there are a few long rows.
import { bytesPerElement } from '../core/dtype.js';
import { normAxis, sizeOf } from '../core/shape.js';
import type { KernelCaps, KernelDef } from './types.js';
import { grid1d } from './params.js';
import { SOFTMAX_PARAMS } from './uniforms.js';

export const ROW_WG = 64;

/** The [outer, len, inner] view of `shape` around `axis`. */
export function axisView(shape: number[], axis: number): { outer: number; len: number; inner: number } {
  return { outer: sizeOf(shape.slice(0, axis)), len: shape[axis], inner: sizeOf(shape.slice(axis + 1)) };
}

/**
 * Lanes per row: one, unless a few long rows would leave most of the machine idle. On lavapipe a
 * workgroup with barriers costs about 20x a barrier-free one: a workgroup per row took 1.5 ms for
 * softmax [8*40 rows of 40] against 0.07 ms with a lane per row, and was no faster even for 40 rows of 6625.
 */
export function rowLanes(rows: number, len: number): number {
  return rows < 32 && len >= 1024 ? ROW_WG : 1;
}

/** Workgroups for `rows` rows at `lanes` lanes per row (none for an empty tensor). */
export function rowGrid(rows: number, len: number, lanes: number, caps: KernelCaps): [number, number, number] {
  if (rows === 0 || len === 0) return [0, 1, 1];
  return grid1d(Math.ceil(rows / (ROW_WG / lanes)), caps.maxWorkgroupsPerDim);
}

export const softmaxKernel: KernelDef<'softmax'> = {
  op: 'softmax',
  select(node, caps) {
    const a = node.attrs;
    const shape = node.inputs[0]!.shape;
    const { outer, len, inner } = axisView(shape, normAxis(a.axis, shape.length));
    const rows = outer * inner;
    const lanes = rowLanes(rows, len);
    const count = rows * len;
    return {
      calls: [
        {
          variant: `softmax${a.log ? '.log' : ''}${lanes === 1 ? '.lane' : '.wg'}`,
          shader: { file: 'softmax.wgsl', overrides: { WG: ROW_WG, ROW_LANES: lanes, LOG: !!a.log } },
          params: SOFTMAX_PARAMS.pack({ rows, len, inner }),
          bindings: [
            { io: 'in', index: 0 },
            { io: 'out', index: 0 },
          ],
          workgroups: rowGrid(rows, len, lanes, caps),
          flops: 5 * count,
          bytes: 3 * bytesPerElement(node.inputs[0]!.dtype) * count,
        },
      ],
    };
  },
};
