import { type DType, gpuDType } from '../core/dtype.js';
import { KestrelError } from '../core/errors.js';
import { broadcastStrides, sizeOf } from '../core/shape.js';
import type { BinaryAttrs, BinaryKind } from '../ir/graph.js';
import type { KernelDef } from './types.js';
import { ParamsBuilder, grid1d } from './params.js';
import { unsupported } from './stub.js';

const WG = 256;
export const BINARY_CODES: Partial<Record<BinaryKind, number>> = {
  add: 0, sub: 1, mul: 2, div: 3, pow: 4, max: 5, min: 6, mod: 7, fmod: 8, prelu: 9,
};
const COMPARE_CODES: Partial<Record<BinaryKind, number>> = {
  equal: 0, less: 1, greater: 2, lessOrEqual: 3, greaterOrEqual: 4, and: 5, or: 6, xor: 7,
};
const INT_CODES: Partial<Record<BinaryKind, number>> = {
  add: 0, sub: 1, mul: 2, div: 3, max: 5, min: 6, mod: 7, fmod: 8, pow: 4,
};

export const binaryKernel: KernelDef = {
  op: 'binary',
  select(node, caps) {
    const kind = (node.attrs as BinaryAttrs).kind;
    const [a, b] = node.inputs as { shape: number[]; dtype: string }[];
    const out = node.outputs[0];
    const count = sizeOf(out.shape);
    const params = new ParamsBuilder().u32(count).u32(out.shape.length).u32(0).u32(0)
      .dims(out.shape, 1).dims(broadcastStrides(a.shape, out.shape)).dims(broadcastStrides(b.shape, out.shape)).build();
    const workgroups = grid1d(Math.ceil(count / WG), caps.maxWorkgroupsPerDim);
    const bindings = [{ io: 'in', index: 0 }, { io: 'in', index: 1 }, { io: 'out', index: 0 }] as const;
    const g = gpuDType(a.dtype as DType);
    const isInt = g === 'i32' || g === 'u32';
    if (COMPARE_CODES[kind] !== undefined) {
      return { calls: [{
        variant: 'compare', shader: { file: 'compare.wgsl', prelude: { in_t: isInt ? g : 'f32' }, overrides: { OP: COMPARE_CODES[kind]!, WG } },
        params, bindings: [...bindings], workgroups, flops: count, bytes: count * 12,
      }] };
    }
    if (isInt) {
      const code = INT_CODES[kind];
      if (code === undefined) unsupported(node, `${kind} on integers`);
      return { calls: [{
        variant: 'binary.i32', shader: { file: 'binary_i32.wgsl', overrides: { OP: code, WG } },
        params, bindings: [...bindings], workgroups, flops: count, bytes: count * 12,
      }] };
    }
    const code = BINARY_CODES[kind];
    if (code === undefined) unsupported(node, `${kind} on floats`);
    return { calls: [{
      variant: 'binary', shader: { file: 'binary.wgsl', overrides: { OP: code, WG } },
      params, bindings: [...bindings], workgroups, flops: count, bytes: count * 12,
    }] };
  },
};
