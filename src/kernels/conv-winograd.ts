// conv 3x3, stride 1, dilation 1 by Winograd F(2x2, 3x3): two calls per node, (1) the weight transform
// U = G g G^T into an f32 scratch buffer, (2) the fused input transform, 16 elementwise GEMM terms,
// output transform and epilogue (conv2d_winograd.wgsl). It does 2.25x fewer multiplies than the implicit
// GEMM but pays a transform per input tile and channel, so it is selected only where that was measured
// to win on the adapter (see winogradWins).
import type { ConvGeometry } from './conv.js';
import type { KernelCall, KernelCaps, KernelSelection } from './types.js';
import { ParamsBuilder, grid1d } from './params.js';

/** Tile sizes; exported so kernels-bench and tests can try others. */
export const WINOGRAD_TUNING = {
  /** Output channels per workgroup (a multiple of 4, at most 16: see spread() in the shader). */
  tm: 8,
  /**
   * 2x2 tiles per lane along a row (they share the input window's column transform and each broadcast
   * weight). 4 is faster from 40x40 up (det 96->24 @80: about 9 vs 10 ms) but slower at 10x10 and
   * compiles twice as long (about 2.1 vs 1.0 s with the shader cache off).
   */
  tt: 2,
  /** Lanes per workgroup: one 8-lane subgroup (det 96->24 @20: 0.87 vs 0.99 ms with 16; even elsewhere). */
  wg: 8,
  /** Select Winograd wherever it applies (tests); otherwise only where winogradWins. */
  force: false,
  /** Never select it (kernels-bench's baseline rung). */
  disabled: false,
  /** Subgroup size below which the kernel computes each output directly (tests raise it past 8). */
  minSubgroup: 8,
};

/** Stride 1, dilation 1, 3x3: the shapes the F(2x2, 3x3) transforms are defined for. */
export function winogradApplies(g: ConvGeometry): boolean {
  return g.kh === 3 && g.kw === 3 && g.strideH === 1 && g.strideW === 1 && g.dilH === 1 && g.dilW === 1
    && g.oh >= 1 && g.ow >= 1;
}

/**
 * Where F(2x2, 3x3) beat the implicit GEMM on lavapipe (kernels-bench conv3x3 ladder; A/B interleaved GPU
 * timestamps): at 16+ input channels per group from 10x10 outputs up (96->24 @10: 0.33 vs 0.61 ms, @40:
 * 3.0 vs 3.8 ms); 8 channels are a wash (0.30 vs 0.32 ms) not worth a pipeline (its LLVM compile is about
 * 0.7 s more than the implicit GEMM's with the shader cache off); 6x6 loses (0.18 vs 0.10 ms), 8x8 untried.
 */
export function winogradWins(g: ConvGeometry): boolean {
  return g.cin / g.group >= 16 && g.oh * g.ow >= 100;
}

function winogradParams(g: ConvGeometry, ocBlocks: number, tileBlocksW: number, lanes: number, uLanes: number): ArrayBuffer {
  const coutG = g.cout / g.group;
  return new ParamsBuilder()
    .u32(g.cin).u32(g.h).u32(g.w).u32(g.cout)
    .u32(g.oh).u32(g.ow).i32(g.padT).i32(g.padL)
    .u32(g.cin / g.group).u32(coutG).u32(ocBlocks).u32(tileBlocksW)
    .u32(lanes).u32(WINOGRAD_TUNING.tm).u32(uLanes).u32(0)
    .build();
}

export function winogradConv(g: ConvGeometry, caps: KernelCaps, flops: number, bytes: number): KernelSelection | null {
  const { tm, tt, wg } = WINOGRAD_TUNING;
  const cinG = g.cin / g.group;
  const coutG = g.cout / g.group;
  const tilesH = Math.ceil(g.oh / 2);
  const tileBlocksW = Math.ceil(Math.ceil(g.ow / 2) / tt);
  const lanes = tilesH * tileBlocksW;
  const ocBlocks = Math.ceil(coutG / tm);
  const uLanes = g.group * cinG * ocBlocks * tm;
  const workgroups: [number, number, number] = [Math.ceil(lanes / wg), g.group * ocBlocks, g.n];
  if (!caps.subgroups || tm % 4 !== 0 || tm > 16 || workgroups.some((d) => d > caps.maxWorkgroupsPerDim)) return null;
  const params = winogradParams(g, ocBlocks, tileBlocksW, lanes, uLanes);
  const weights: KernelCall = {
    variant: 'conv2d.winograd_weights',
    shader: { file: 'conv2d_winograd_weights.wgsl', overrides: { WG: 64 } },
    params,
    bindings: [{ io: 'in', index: 1 }, { io: 'scratch', index: 0 }],
    workgroups: grid1d(Math.ceil(uLanes / 64), caps.maxWorkgroupsPerDim),
    flops: uLanes * 16 * 4, bytes: g.elemBytes * g.cout * cinG * 9 + uLanes * 16 * 4,
  };
  const main: KernelCall = {
    variant: 'conv2d.winograd2x2.3x3',
    shader: { file: 'conv2d_winograd.wgsl', prelude: { TM: tm, TT: tt }, overrides: { WG: wg, MIN_SUBGROUP: WINOGRAD_TUNING.minSubgroup } },
    params,
    bindings: [{ io: 'in', index: 0 }, { io: 'in', index: 1 }, { io: 'scratch', index: 0 }, { io: 'out', index: 0 }],
    workgroups, flops, bytes,
  };
  return { calls: [weights, main], scratch: [uLanes * 16 * 4] };
}
