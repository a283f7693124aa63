// The rungs of each family's ladder, gpu.cpp style: the simplest kernel first, then each library variant,
// ending with what the registry picks. A rung is a kernel-selection override for one node; knobs are overrides
// of the kernels' frozen defaults (src/kernels/knobs.ts) passed in the lookup, or caps switched off.
import { convGeometry } from '../src/kernels/conv.js';
import { TILED_CONV_KNOBS, tiledConvCall } from '../src/kernels/conv-tiled.js';
import { type KnobOverrides, withKnobs } from '../src/kernels/knobs.js';
import { grid1d } from '../src/kernels/params.js';
import { NAIVE_MATMUL_PARAMS } from '../src/kernels/uniforms.js';
import { kernelFor } from '../src/kernels/registry.js';
import type { KernelCaps, KernelSelection, KNode } from '../src/kernels/types.js';
import type { SelectOverride } from '../src/plan/schedule.js';
import { type TuningLookup, forceChoice } from '../src/kernels/tuning.js';
import type { KernelCase } from './cases/types.js';

export interface Rung {
  name: string;
  /** undefined: the registry's own choice. */
  select?: SelectOverride;
  /** A slow reference rung (naive, direct): --quick skips it on big problems. */
  baseline?: boolean;
}

/** The registry's selection with tuning knobs set and/or caps switched off. */
export function knobbed(knobs: KnobOverrides, caps: Partial<KernelCaps> = {}): SelectOverride {
  return (node: KNode, c: KernelCaps, tuning?: TuningLookup) =>
    kernelFor(node.op, node.name).select(node, { ...c, ...caps }, withKnobs(tuning, knobs));
}

/** The registry's selection with one tunable candidate forced (and knobs set), where it is a candidate. */
export function choice(id: string, knobs: KnobOverrides = {}): SelectOverride {
  return (node, c) => kernelFor(node.op, node.name).select(node, c, withKnobs(forceChoice(id), knobs));
}

/** One output per invocation, no tiling: shaders/bench/matmul_naive.wgsl. */
export const naiveMatmul: SelectOverride = (node: KNode): KernelSelection | undefined => {
  const [a, b] = node.inputs as { shape: number[] }[];
  const out = node.outputs[0].shape;
  const m = out[out.length - 2],
    n = out[out.length - 1],
    k = a.shape[a.shape.length - 1];
  const batches = out.slice(0, -2).reduce((p, q) => p * q, 1);
  const aStride = a.shape.length > 2 && a.shape.slice(0, -2).reduce((p, q) => p * q, 1) > 1 ? m * k : 0;
  const bStride = b.shape.length > 2 && b.shape.slice(0, -2).reduce((p, q) => p * q, 1) > 1 ? k * n : 0;
  return {
    calls: [
      {
        variant: 'matmul.naive',
        shader: { file: 'bench/matmul_naive.wgsl', overrides: { WG: 64 } },
        params: NAIVE_MATMUL_PARAMS.pack({ m, n, k, batches, aBatchStride: aStride, bBatchStride: bStride }),
        bindings: [
          { io: 'in', index: 0 },
          { io: 'in', index: 1 },
          { io: 'out', index: 0 },
        ],
        workgroups: grid1d(Math.ceil((batches * m * n) / 64)),
      },
    ],
  };
};

/** The tiled conv (shaders/conv2d_tiled.wgsl) at each of its candidate knob sets. */
function tiledConvRungs(): Rung[] {
  return TILED_CONV_KNOBS.map((k) => ({
    name: `tiled ${k.tm}x${k.tn} wg${k.wg}${k.cUnroll === 2 ? ' c2' : ''}`,
    select: (node: KNode, caps: KernelCaps) => {
      if (node.op !== 'conv') return undefined;
      const call = tiledConvCall(convGeometry(node), caps, k);
      return call ? { calls: [call] } : undefined;
    },
  }));
}

export function rungsFor(c: KernelCase): Rung[] {
  switch (c.family) {
    case 'matmul':
      return [
        { name: 'naive', select: naiveMatmul, baseline: true },
        { name: 'plain 8x4 (portable default)', select: choice('plain8x4') },
        { name: 'subgroup strided 16x4', select: choice('sgStrided16x4') },
        { name: 'subgroup vec4 16x4', select: choice('sg16x4') },
        { name: 'subgroup vec4 16x8', select: choice('sg16x8') },
        { name: 'default' },
      ];
    case 'conv3x3':
      return [
        { name: 'direct', select: choice('direct'), baseline: true },
        { name: 'igemm, no subgroups (portable default)', select: choice('igemm') },
        { name: 'igemm_sg', select: choice('igemm_sg') },
        // F(2x2, 3x3) where it applies (stride 1); the same as igemm elsewhere
        { name: 'winograd 2x2 TM8 TT2', select: choice('winograd', { winograd: { tm: 8, tt: 2 } }) },
        { name: 'winograd 2x2 TM8 TT4', select: choice('winograd', { winograd: { tm: 8, tt: 4 } }) },
        { name: 'winograd 2x2 TM16 TT2', select: choice('winograd', { winograd: { tm: 16, tt: 2 } }) },
        ...tiledConvRungs(),
        { name: 'default' },
      ];
    case 'conv1x1':
      return [
        { name: 'direct', select: choice('direct'), baseline: true },
        { name: 'igemm, no subgroups (portable default)', select: choice('igemm') },
        { name: 'igemm_sg', select: choice('igemm_sg') },
        { name: 'gemm1x1_sg', select: choice('gemm1x1_sg') },
        ...tiledConvRungs(),
        { name: 'default' },
      ];
    case 'depthwise':
      return [
        { name: 'direct', select: choice('direct'), baseline: true },
        { name: 'scalar row loads, 2 output rows per lane', select: choice('dw_rows') },
        { name: 'vec4 rows where aligned, 2 output rows per lane', select: choice('dw_vec4') },
        {
          name: 'vec4 rows where aligned, 1 output row per lane',
          select: choice('dw_vec4', { conv: { depthwiseTm: 1 } }),
        },
        { name: 'default' },
      ];
    case 'elementwise':
      return [
        {
          name: 'scalar, index math per element',
          select: knobbed({ binary: { bcast4: false } }),
        },
        { name: 'default' },
      ];
    default:
      return [{ name: 'default' }];
  }
}
