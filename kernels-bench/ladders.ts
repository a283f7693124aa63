// The rungs of each family's ladder, gpu.cpp style: the simplest kernel first, then each library variant,
// ending with what the registry picks. A rung is a kernel-selection override for one node; knobs are the
// kernels' exported tuning objects (CONV_TUNING, ...) or caps switched off.
import { CONV_TUNING, convGeometry } from '../src/kernels/conv.js';
import { TILED_CONV_KNOBS, tiledConvCall } from '../src/kernels/conv-tiled.js';
import { WINOGRAD_TUNING } from '../src/kernels/conv-winograd.js';
import { BINARY_TUNING } from '../src/kernels/binary.js';
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

/** Runs `fn` with `values` assigned onto a kernel's exported tuning object, then restores it. */
export function withKnobs<T>(target: Record<string, unknown>, values: Record<string, unknown>, fn: () => T): T {
  const saved = Object.fromEntries(Object.keys(values).map((k) => [k, target[k]]));
  Object.assign(target, values);
  try {
    return fn();
  } finally {
    Object.assign(target, saved);
  }
}

/** The registry's selection with tuning knobs set and/or caps switched off. */
export function knobbed(
  target: Record<string, unknown> | null,
  values: Record<string, unknown>,
  caps: Partial<KernelCaps> = {},
): SelectOverride {
  return (node: KNode, c: KernelCaps, tuning?: TuningLookup) => {
    const sel = () => kernelFor(node.op, node.name).select(node, { ...c, ...caps }, tuning);
    return target ? withKnobs(target, values, sel) : sel();
  };
}

/** The registry's selection with one tunable candidate forced (and knobs set), where it is a candidate. */
export function choice(id: string, target: Record<string, unknown> | null = null, values = {}): SelectOverride {
  return (node, c) => {
    const sel = () => kernelFor(node.op, node.name).select(node, c, forceChoice(id));
    return target ? withKnobs(target, values, sel) : sel();
  };
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

const TUNING = CONV_TUNING as unknown as Record<string, unknown>;

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
const WINOGRAD = WINOGRAD_TUNING as unknown as Record<string, unknown>;

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
        { name: 'winograd 2x2 TM8 TT2', select: knobbed(WINOGRAD, { force: true, tm: 8, tt: 2 }) },
        { name: 'winograd 2x2 TM8 TT4', select: knobbed(WINOGRAD, { force: true, tm: 8, tt: 4 }) },
        { name: 'winograd 2x2 TM16 TT2', select: knobbed(WINOGRAD, { force: true, tm: 16, tt: 2 }) },
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
          select: choice('dw_vec4', TUNING, { depthwiseTm: 1 }),
        },
        { name: 'default' },
      ];
    case 'elementwise':
      return [
        {
          name: 'scalar, index math per element',
          select: knobbed(BINARY_TUNING, { bcast4: false }),
        },
        { name: 'default' },
      ];
    default:
      return [{ name: 'default' }];
  }
}
