// The rungs of each family's ladder, gpu.cpp style: the simplest kernel first, then each library variant,
// ending with what the registry picks. A rung is a kernel-selection override for one node; knobs are the
// kernels' exported tuning objects (CONV_TUNING, ...) or caps switched off.
import { CONV_TUNING } from '../src/kernels/conv.js';
import { WINOGRAD_TUNING } from '../src/kernels/conv-winograd.js';
import { BINARY_TUNING } from '../src/kernels/binary.js';
import { ParamsBuilder, grid1d } from '../src/kernels/params.js';
import { kernelFor } from '../src/kernels/registry.js';
import type { KernelCaps, KernelSelection, KNode } from '../src/kernels/types.js';
import type { SelectOverride } from '../src/plan/schedule.js';
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
  return (node: KNode, c: KernelCaps) => {
    const sel = () => kernelFor(node.op, node.name).select(node, { ...c, ...caps });
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
        params: new ParamsBuilder().u32(m).u32(n).u32(k).u32(batches).u32(aStride).u32(bStride).build(),
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
const WINOGRAD = WINOGRAD_TUNING as unknown as Record<string, unknown>;

export function rungsFor(c: KernelCase): Rung[] {
  switch (c.family) {
    case 'matmul':
      return [
        { name: 'naive', select: naiveMatmul, baseline: true },
        { name: 'no subgroups', select: knobbed(null, {}, { subgroups: false }) },
        { name: 'default' },
      ];
    case 'conv3x3':
      return [
        {
          name: 'direct',
          select: (n, c) => withKnobs(WINOGRAD, { disabled: true }, () => knobbed(TUNING, { maxSegment: 0 })(n, c)),
          baseline: true,
        },
        { name: 'igemm, no subgroups', select: knobbed(WINOGRAD, { disabled: true }, { subgroups: false }) },
        { name: 'igemm (no Winograd)', select: knobbed(WINOGRAD, { disabled: true }) },
        // F(2x2, 3x3) where it applies (stride 1); the same as igemm elsewhere
        { name: 'winograd 2x2 TM8 TT2', select: knobbed(WINOGRAD, { force: true, tm: 8, tt: 2 }) },
        { name: 'winograd 2x2 TM8 TT4', select: knobbed(WINOGRAD, { force: true, tm: 8, tt: 4 }) },
        { name: 'winograd 2x2 TM16 TT2', select: knobbed(WINOGRAD, { force: true, tm: 16, tt: 2 }) },
        { name: 'default' },
      ];
    case 'conv1x1':
      return [
        { name: 'direct', select: knobbed(TUNING, { maxSegment: 0 }), baseline: true },
        { name: 'igemm, no subgroups', select: knobbed(TUNING, { noSubgroups: true }) },
        { name: 'default' },
      ];
    case 'depthwise':
      return [
        { name: 'direct', select: knobbed(TUNING, { maxSegment: 0 }), baseline: true },
        { name: 'scalar row loads, 2 output rows per lane', select: knobbed(TUNING, { depthwiseVec4: false }) },
        { name: 'vec4 rows where aligned, 1 output row per lane', select: knobbed(TUNING, { depthwiseTm: 1 }) },
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
