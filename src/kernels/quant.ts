// QuantizeLinear / DequantizeLinear kernels: per tensor, per axis and blocked, on packed constants or
// runtime integers. The dequantize-then-float-kernel path is how quantized weights reach conv/matmul.
import type { DType } from '../core/dtype.js';
import { KestrelError } from '../core/errors.js';
import { sizeOf } from '../core/shape.js';
import type { QuantAttrs } from '../ir/graph.js';
import type { TensorInfo } from '../ir/infer-shapes.js';
import type { UniformBytes } from '../core/uniform-struct.js';
import { grid1d } from './params.js';
import { DEQUANTIZE_PARAMS, QUANTIZE_PARAMS } from './uniforms.js';
import type { KNode, KNodeOf, KernelDef } from './types.js';

const WG = 256;
const PACK_MODE: Partial<Record<DType, number>> = { i8: 1, u8: 2, i4: 3, u4: 4 };

export const QUANT_RANGE: Partial<Record<DType, [number, number]>> = {
  u8: [0, 255],
  i8: [-128, 127],
  u4: [0, 15],
  i4: [-8, 7],
  i32: [-2147483648, 2147483647],
};

function mode(node: KNode, i: number): number {
  const t = node.inputs[i];
  if (!t || !node.packedInputs?.[i]) return 0;
  return PACK_MODE[t.dtype] ?? 0;
}

/** Strides that map element i of `x` to its scale / zero-point index. */
function quantIndex(x: TensorInfo, scale: TensorInfo, a: QuantAttrs, name: string): number[] {
  const r = x.shape.length;
  const n = sizeOf(scale.shape);
  if (a.axis < 0 || n === 1) return [1, 1, 1, 0, 0, 0, 0, 0];
  const axis = a.axis;
  const inner = sizeOf(x.shape.slice(axis + 1));
  const dim = x.shape[axis];
  if (a.blockSize > 0) {
    const nb = Math.ceil(dim / a.blockSize);
    if (n !== (sizeOf(x.shape) / dim) * nb)
      throw new KestrelError(
        'SHAPE',
        `node '${name}': blocked scale has ${n} values, expected ${(sizeOf(x.shape) / dim) * nb}`,
      );
    return [Math.max(inner, 1), dim, a.blockSize, nb * inner, inner, 1, 0, 0];
  }
  if (n !== dim)
    throw new KestrelError(
      'SHAPE',
      `node '${name}': per-axis scale has ${n} values for axis ${axis} of size ${dim} (rank ${r})`,
    );
  return [Math.max(inner, 1), dim, 1, 0, 1, 0, 0, 0];
}

function select(node: KNodeOf<'quantize' | 'dequantize'>, quantize: boolean) {
  const a = node.attrs;
  const [x, scale, zp] = node.inputs;
  const count = sizeOf(node.outputs[0].shape);
  const q = quantIndex(x!, scale!, a, node.name);
  const [inner, axisDim, block, strideOuter, strideAxis, strideInner] = q;
  const qIndex = { inner, axisDim, block, strideOuter, strideAxis, strideInner };
  let params: UniformBytes;
  if (quantize) {
    if (a.fake && (node.outputs[0].dtype !== 'f32' || x!.dtype !== 'f32'))
      throw new KestrelError('USAGE', `node '${node.name}': a fused quantize-dequantize runs on f32 only`);
    const [qmin, qmax] = QUANT_RANGE[a.fake ? a.to! : node.outputs[0].dtype] ?? [0, 255];
    params = QUANTIZE_PARAMS.pack({ count, qmin, qmax, q: qIndex });
  } else {
    params = DEQUANTIZE_PARAMS.pack({ count, q: qIndex });
  }
  const overrides: Record<string, number | boolean> = {
    WG,
    ZP_MODE: mode(node, 2),
    HAS_ZP: !!zp,
    PER_TENSOR: q[3] === 0 && q[4] === 0 && q[5] === 0,
  };
  // per tensor: 8 elements per lane share one load of the scale and zero point (det full int8: its 27
  // quantize-dequantize steps 14.3 -> 7.7 ms on llvmpipe; 16 per lane gained little more)
  const perLane = quantize && overrides.PER_TENSOR ? 8 : 1;
  if (quantize) Object.assign(overrides, { FAKE: !!a.fake, PER_LANE: perLane });
  // per-axis dequantization (conv and matmul weights) runs one row per scale on a 2-D grid
  const rowsCount = count / Math.max(q[0], 1);
  const rows = !quantize && a.axis >= 0 && !a.blockSize && q[4] === 1 && rowsCount <= 65535;
  const outerCount = count / Math.max(q[1], 1);
  const lastAxis = rows && q[0] === 1 && outerCount <= 65535;
  if (!quantize) {
    overrides.X_MODE = mode(node, 0);
    overrides.ROWS = rows && !lastAxis;
    overrides.LAST_AXIS = lastAxis;
  }
  const workgroups: [number, number, number] = lastAxis
    ? [Math.ceil(q[1] / WG), outerCount, 1]
    : rows
      ? [Math.ceil(q[0] / WG), rowsCount, 1]
      : grid1d(Math.ceil(count / perLane / WG));
  return {
    calls: [
      {
        variant: quantize ? (a.fake ? 'quantize.dequantize' : 'quantize') : 'dequantize',
        shader: { file: quantize ? 'quantize.wgsl' : 'dequantize.wgsl', overrides },
        params,
        bindings: [
          { io: 'in' as const, index: 0 },
          { io: 'in' as const, index: 1 },
          zp ? { io: 'in' as const, index: 2 } : { io: 'none' as const },
          { io: 'out' as const, index: 0 },
        ],
        workgroups,
        flops: 2 * count,
        bytes: count * 5,
      },
    ],
  };
}

export const dequantizeKernel: KernelDef<'dequantize'> = { op: 'dequantize', select: (n) => select(n, false) };
export const quantizeKernel: KernelDef<'quantize'> = { op: 'quantize', select: (n) => select(n, true) };
