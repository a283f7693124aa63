import { type DType, gpuDType } from '../core/dtype.js';
import { KestrelError } from '../core/errors.js';
import { broadcastStrides, sizeOf } from '../core/shape.js';
import { ACT_CODES } from '../ir/graph.js';
import type { TensorInfo } from '../ir/infer-shapes.js';
import type { KernelDef } from './types.js';
import { grid1d, rankDims } from './params.js';
import { COUNT_PARAMS, UNARY_PARAMS, WHERE_PARAMS } from './uniforms.js';
import { unsupported } from './unsupported.js';

const WG = 256;

export const unaryKernel: KernelDef<'unary'> = {
  op: 'unary',
  select(node, caps) {
    const a = node.attrs;
    const count = sizeOf(node.outputs[0].shape);
    const workgroups = grid1d(Math.ceil(count / WG), caps.maxWorkgroupsPerDim);
    const bindings = [
      { io: 'in', index: 0 },
      { io: 'out', index: 0 },
    ] as const;
    const dt = node.inputs[0]!.dtype;
    const outDt = node.outputs[0].dtype;
    if (outDt === 'bool') {
      return {
        calls: [
          {
            variant: `unary.${a.act}`,
            shader: { file: 'unary_pred.wgsl', overrides: { ACT: ACT_CODES[a.act], WG, BOOL_IN: dt === 'bool' } },
            params: UNARY_PARAMS.pack({ count, alpha: a.alpha, beta: a.beta }),
            bindings: [...bindings],
            workgroups,
            flops: count,
            bytes: count * 8,
          },
        ],
      };
    }
    if (dt !== 'f32' && dt !== 'f16' && a.act !== 'none') {
      if (!['relu', 'abs', 'neg', 'sign'].includes(a.act)) unsupported(node, `${a.act} on integers`);
      return {
        calls: [
          {
            variant: `unary.i32.${a.act}`,
            shader: { file: 'unary_i32.wgsl', overrides: { ACT: ACT_CODES[a.act], WG } },
            params: COUNT_PARAMS.pack({ count }),
            bindings: [...bindings],
            workgroups,
            flops: count,
            bytes: count * 8,
          },
        ],
      };
    }
    if (a.act === 'none' && dt !== 'f32' && dt !== 'f16') {
      return {
        calls: [
          {
            variant: 'copy',
            shader: { file: 'copy_u32.wgsl', overrides: { WG } },
            params: COUNT_PARAMS.pack({ count }),
            bindings: [...bindings],
            workgroups,
            bytes: count * 8,
          },
        ],
      };
    }
    return {
      calls: [
        {
          variant: `unary.${a.act}`,
          shader: { file: 'unary.wgsl', overrides: { ACT: ACT_CODES[a.act], WG } },
          params: UNARY_PARAMS.pack({ count, alpha: a.alpha, beta: a.beta }),
          bindings: [...bindings],
          workgroups,
          flops: count,
          bytes: count * 8,
        },
      ],
    };
  },
};

/** The 32-bit word kind a dtype has on the GPU, as cast.wgsl numbers it. */
/** lib/cast_words.wgsl's WRAP: uint8 and int8 targets wrap as two's complement. */
const wrapOf = (to: DType): number => (to === 'u8' ? 1 : to === 'i8' ? 2 : 0);

function wordKind(node: { name: string; op: string }, dtype: DType): number {
  const g = gpuDType(dtype);
  if (g === 'f32') return 0;
  if (g === 'i32') return 1;
  if (g === 'u32') return 2;
  throw new KestrelError(
    'USAGE',
    `node '${node.name}': ${node.op} of ${dtype} values is not supported (32-bit words only)`,
  );
}

export const castKernel: KernelDef<'cast'> = {
  op: 'cast',
  select(node, caps) {
    const from = node.inputs[0]!.dtype;
    const to = node.attrs.to;
    const count = sizeOf(node.outputs[0].shape);
    if (count === 0) return { calls: [] };
    if (from === 'f16' && to === 'f32') {
      return {
        calls: [
          {
            variant: 'cast.f16.f32',
            shader: { file: 'cast_f16.wgsl', overrides: { WG } },
            params: COUNT_PARAMS.pack({ count }),
            bindings: [
              { io: 'in', index: 0 },
              { io: 'out', index: 0 },
            ],
            workgroups: grid1d(Math.ceil(count / WG), caps.maxWorkgroupsPerDim),
            bytes: count * 6,
          },
        ],
      };
    }
    if (from === 'f32' && to === 'f16') {
      const words = Math.ceil(count / 2);
      return {
        calls: [
          {
            variant: 'cast.f32.f16',
            shader: { file: 'cast_to_f16.wgsl', overrides: { WG } },
            params: COUNT_PARAMS.pack({ count }),
            bindings: [
              { io: 'in', index: 0 },
              { io: 'out', index: 0 },
            ],
            workgroups: grid1d(Math.ceil(words / WG), caps.maxWorkgroupsPerDim),
            bytes: count * 6,
          },
        ],
      };
    }
    if (from === 'f16' || to === 'f16') {
      const kind = (d: DType) => (d === 'f16' ? 3 : wordKind(node, d));
      const units = to === 'f16' ? Math.ceil(count / 2) : count;
      const overrides = { FROM: kind(from), TO: kind(to), TO_BOOL: to === 'bool', WRAP: wrapOf(to), WG };
      return {
        calls: [
          {
            variant: `cast.${from}.${to}`,
            shader: { file: 'cast_half.wgsl', overrides },
            params: COUNT_PARAMS.pack({ count }),
            bindings: [
              { io: 'in', index: 0 },
              { io: 'out', index: 0 },
            ],
            workgroups: grid1d(Math.ceil(units / WG), caps.maxWorkgroupsPerDim),
            bytes: count * 6,
          },
        ],
      };
    }
    const overrides = {
      FROM: wordKind(node, from),
      TO: wordKind(node, to),
      TO_BOOL: to === 'bool',
      WRAP: wrapOf(to),
      WG,
    };
    return {
      calls: [
        {
          variant: `cast.${from}.${to}`,
          shader: { file: 'cast.wgsl', overrides },
          params: COUNT_PARAMS.pack({ count }),
          bindings: [
            { io: 'in', index: 0 },
            { io: 'out', index: 0 },
          ],
          workgroups: grid1d(Math.ceil(count / WG), caps.maxWorkgroupsPerDim),
          bytes: count * 8,
        },
      ],
    };
  },
};

export const whereKernel: KernelDef<'where'> = {
  op: 'where',
  select(node, caps) {
    const [c, x, y] = node.inputs as TensorInfo[];
    const out = node.outputs[0].shape;
    if (x.dtype !== 'f16') wordKind(node, x.dtype);
    const elem = x.dtype === 'f16' ? 'f16' : 'u32';
    const count = sizeOf(out);
    if (count === 0) return { calls: [] };
    const params = WHERE_PARAMS.pack({
      count,
      rank: out.length,
      shape: rankDims(out, 1),
      cStrides: rankDims(broadcastStrides(c.shape, out)),
      xStrides: rankDims(broadcastStrides(x.shape, out)),
      yStrides: rankDims(broadcastStrides(y.shape, out)),
    });
    return {
      calls: [
        {
          variant: 'where',
          shader: { file: 'where.wgsl', prelude: { elem_t: elem }, overrides: { WG } },
          params,
          bindings: [
            { io: 'in', index: 0 },
            { io: 'in', index: 1 },
            { io: 'in', index: 2 },
            { io: 'out', index: 0 },
          ],
          workgroups: grid1d(Math.ceil(count / WG), caps.maxWorkgroupsPerDim),
          bytes: count * 16,
        },
      ],
    };
  },
};
