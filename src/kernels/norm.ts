// Layer normalization (a workgroup or a lane per row) and inference batch normalization (fold the
// per-channel statistics once, then one elementwise pass).
import { bytesPerElement } from '../core/dtype.js';
import { KestrelError } from '../core/errors.js';
import { normAxis, sizeOf } from '../core/shape.js';
import type { KernelDef } from './types.js';
import { grid1d } from './params.js';
import { BATCH_NORM_PARAMS, LAYER_NORM_PARAMS } from './uniforms.js';
import { ROW_WG, rowGrid, rowLanes } from './softmax.js';

/** Elements after which scale/bias repeat: their shape, minus leading 1s, must be a suffix of the normalized shape. */
function paramPeriod(param: number[], normalized: number[], node: string): number {
  const trimmed = param.slice(param.findIndex((d) => d !== 1) < 0 ? param.length : param.findIndex((d) => d !== 1));
  const suffix = normalized.slice(normalized.length - trimmed.length);
  if (trimmed.length > normalized.length || trimmed.some((d, i) => d !== suffix[i])) {
    throw new KestrelError(
      'USAGE',
      `node '${node}': layerNorm scale/bias [${param}] does not broadcast as a suffix of [${normalized}]`,
    );
  }
  return sizeOf(trimmed);
}

export const layerNormKernel: KernelDef<'layerNorm'> = {
  op: 'layerNorm',
  select(node, caps) {
    const a = node.attrs;
    const [x, scale, bias] = node.inputs;
    const shape = x!.shape;
    const axis = normAxis(a.axis, shape.length);
    const normalized = shape.slice(axis);
    const rows = sizeOf(shape.slice(0, axis));
    const len = sizeOf(normalized);
    const period = paramPeriod(scale!.shape, normalized, node.name);
    if (bias && paramPeriod(bias.shape, normalized, node.name) !== period) {
      throw new KestrelError(
        'USAGE',
        `node '${node.name}': layerNorm scale [${scale!.shape}] and bias [${bias.shape}] differ`,
      );
    }
    const lanes = rowLanes(rows, len);
    return {
      scratch: bias ? [] : [16],
      calls: [
        {
          variant: `layerNorm${lanes === 1 ? '.lane' : '.wg'}`,
          shader: { file: 'layernorm.wgsl', overrides: { WG: ROW_WG, ROW_LANES: lanes, HAS_BIAS: !!bias } },
          params: LAYER_NORM_PARAMS.pack({
            rows,
            len,
            paramLen: Math.max(period, 1),
            lastDim: Math.max(shape[shape.length - 1] ?? 1, 1),
            epsilon: a.epsilon,
          }),
          bindings: [
            { io: 'in', index: 0 },
            { io: 'in', index: 1 },
            bias ? { io: 'in', index: 2 } : { io: 'scratch', index: 0 },
            { io: 'out', index: 0 },
          ],
          workgroups: rowGrid(rows, len, lanes, caps),
          flops: 8 * rows * len,
          bytes: 3 * bytesPerElement(x!.dtype) * rows * len,
        },
      ],
    };
  },
};

const BN_WG = 256;
const FOLD_WG = 64;

export const batchNormKernel: KernelDef<'batchNorm'> = {
  op: 'batchNorm',
  select(node, caps) {
    const a = node.attrs;
    const shape = node.inputs[0]!.shape;
    const channels = shape.length >= 2 ? shape[1] : (shape[0] ?? 1);
    const spatial = shape.length >= 2 ? sizeOf(shape.slice(2)) : 1;
    const count = sizeOf(shape);
    const params = BATCH_NORM_PARAMS.pack({ count, channels, spatial, epsilon: a.epsilon });
    const none = count === 0;
    const eb = bytesPerElement(node.inputs[0]!.dtype);
    // the folded statistics are f32 whatever the storage type
    return {
      scratch: [8 * Math.max(channels, 1)],
      calls: [
        {
          variant: 'batchNorm.fold',
          shader: { file: 'batchnorm_fold.wgsl', overrides: { WG: FOLD_WG } },
          params,
          bindings: [
            { io: 'in', index: 1 },
            { io: 'in', index: 2 },
            { io: 'in', index: 3 },
            { io: 'in', index: 4 },
            { io: 'scratch', index: 0 },
          ],
          workgroups: none ? [0, 1, 1] : grid1d(Math.ceil(channels / FOLD_WG), caps.maxWorkgroupsPerDim),
          flops: 4 * channels,
          bytes: (4 * eb + 8) * channels,
        },
        {
          variant: 'batchNorm',
          shader: { file: 'batchnorm.wgsl', overrides: { WG: BN_WG } },
          params,
          bindings: [
            { io: 'in', index: 0 },
            { io: 'scratch', index: 0 },
            { io: 'out', index: 0 },
          ],
          workgroups: none ? [0, 1, 1] : grid1d(Math.ceil(count / BN_WG), caps.maxWorkgroupsPerDim),
          flops: 2 * count,
          bytes: 2 * eb * count,
        },
      ],
    };
  },
};
