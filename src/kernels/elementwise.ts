import { sizeOf } from '../core/shape.js';
import { ACT_CODES, type UnaryAttrs } from '../ir/graph.js';
import { notImplemented } from './stub.js';
import type { KernelDef } from './types.js';
import { ParamsBuilder, grid1d } from './params.js';

const WG = 256;

export const unaryKernel: KernelDef = {
  op: 'unary',
  select(node, caps) {
    const a = node.attrs as UnaryAttrs;
    const count = sizeOf(node.outputs[0].shape);
    const workgroups = grid1d(Math.ceil(count / WG), caps.maxWorkgroupsPerDim);
    const bindings = [{ io: 'in', index: 0 }, { io: 'out', index: 0 }] as const;
    const dt = node.inputs[0]!.dtype;
    if (a.act === 'none' && dt !== 'f32') {
      return { calls: [{ variant: 'copy', shader: { file: 'copy_u32.wgsl', overrides: { WG } }, params: new ParamsBuilder().u32(count).build(), bindings: [...bindings], workgroups, bytes: count * 8 }] };
    }
    return { calls: [{
      variant: `unary.${a.act}`, shader: { file: 'unary.wgsl', overrides: { ACT: ACT_CODES[a.act], WG } },
      params: new ParamsBuilder().u32(count).f32(a.alpha).f32(a.beta).build(),
      bindings: [...bindings], workgroups, flops: count, bytes: count * 8,
    }] };
  },
};
export const castKernel = notImplemented('cast');
export const whereKernel = notImplemented('where');
