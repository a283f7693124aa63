// conv 3x3, stride 1, dilation 1 by Winograd F(2x2, 3x3) in one call (conv2d_winograd.wgsl): weight
// transform, input transform, the 16 elementwise products summed over channels, output transform and
// epilogue. Transforming the weights in the kernel (each lane its own output channel, then shared by
// subgroup broadcast) measured faster than a separate weight pass into scratch (det 96->24 @10: 0.24 vs
// 0.33 ms, @80: 10.9 vs 11.6 ms), since it loads 9 weights per channel instead of 16 and saves a dispatch.
// It does 2.25x fewer multiplies than the implicit GEMM but pays a transform per input tile and channel,
// so it is a tuning candidate: it runs where the adapter's profile measured it to win (src/kernels/tuning.ts).
import type { ConvGeometry } from './conv.js';
import type { KernelCaps, KernelSelection } from './types.js';
import type { UniformBytes } from '../core/uniform-struct.js';
import { WINOGRAD_PARAMS } from './uniforms.js';
import type { WinogradKnobs } from './knobs.js';

/** Stride 1, dilation 1, 3x3: the shapes the F(2x2, 3x3) transforms are defined for. */
export function winogradApplies(g: ConvGeometry): boolean {
  return (
    g.kh === 3 &&
    g.kw === 3 &&
    g.strideH === 1 &&
    g.strideW === 1 &&
    g.dilH === 1 &&
    g.dilW === 1 &&
    g.oh >= 1 &&
    g.ow >= 1
  );
}

function winogradParams(g: ConvGeometry, ocBlocks: number, tileBlocksW: number, lanes: number): UniformBytes {
  const { cin, h, w, cout, oh, ow, padT, padL } = g;
  return WINOGRAD_PARAMS.pack({
    ...{ cin, h, w, cout, oh, ow, padT, padL },
    cinG: g.cin / g.group,
    coutG: g.cout / g.group,
    ocBlocks,
    tileBlocksW,
    lanes,
  });
}

export function winogradConv(
  g: ConvGeometry,
  caps: KernelCaps,
  knobs: WinogradKnobs,
  flops: number,
  bytes: number,
): KernelSelection | null {
  const { tm, tt, wg } = knobs;
  const coutG = g.cout / g.group;
  const tilesH = Math.ceil(g.oh / 2);
  const tileBlocksW = Math.ceil(Math.ceil(g.ow / 2) / tt);
  const lanes = tilesH * tileBlocksW;
  const ocBlocks = Math.ceil(coutG / tm);
  const workgroups: [number, number, number] = [Math.ceil(lanes / wg), g.group * ocBlocks, g.n];
  if (!caps.subgroups || (tm !== 8 && tm !== 16) || workgroups.some((d) => d > caps.maxWorkgroupsPerDim)) return null;
  return {
    calls: [
      {
        variant: 'conv2d.winograd2x2.3x3',
        shader: {
          file: 'conv2d_winograd.wgsl',
          prelude: { TM: tm, TT: tt },
          overrides: { WG: wg, MIN_SUBGROUP: knobs.minSubgroup },
        },
        params: winogradParams(g, ocBlocks, tileBlocksW, lanes),
        bindings: [
          { io: 'in', index: 0 },
          { io: 'in', index: 1 },
          { io: 'out', index: 0 },
        ],
        workgroups,
        flops,
        bytes,
      },
    ],
  };
}
