// conv2d.tiled: the register-blocked implicit GEMM of shaders/conv2d_tiled.wgsl, a candidate for adapters
// whose compiler keeps loops rolled (SwiftShader). A pure function of (geometry, caps, knobs): the per-adapter
// timing cache tries the knob sets in TILED_CONV_KNOBS and keeps the winner; nothing here is a default.
import type { KernelCall, KernelCaps } from './types.js';
import { type ConvGeometry, convParams, smallWorkgroup } from './conv.js';

export interface TiledConvKnobs {
  /** Output channels per lane: 4, 8, 12 or 16. */
  tm: number;
  /** Output pixels per lane along a row: 4 or 8. */
  tn: number;
  /** Lanes per workgroup (shrunk for small images). */
  wg: number;
  /** Input channels per trip of the channel loop: 1 or 2. */
  cUnroll?: number;
}

/**
 * Knob sets worth timing, best first on SwiftShader (det 3x3 neck 96->24@80 and 1x1 192@20; see
 * docs/ADAPTER-FINDINGS.md). 8x4 serves small images, where 8-wide blocks leave lanes idle.
 */
export const TILED_CONV_KNOBS: TiledConvKnobs[] = [
  { tm: 8, tn: 8, wg: 64, cUnroll: 2 },
  { tm: 16, tn: 8, wg: 64 },
  { tm: 8, tn: 8, wg: 64 },
  { tm: 8, tn: 4, wg: 64 },
];

/**
 * The shader's register window (win) and tap count. SwiftShader's compile of the fully inlined body grows past
 * bounds with the window (a 17-column one passed 0.6 GB and kept climbing; 9-10 columns take 130-170 MB), so a
 * geometry whose 8-pixel window is wider runs 4 pixels per lane.
 */
export const MAX_SEGMENT = 12;
const MAX_KW = 7;

/** Input columns one lane reads per kernel row. */
export function tiledSegment(tn: number, kw: number, strideW: number, dilW: number): number {
  return (tn - 1) * strideW + (kw - 1) * dilW + 1;
}

function isPointwise(g: ConvGeometry): boolean {
  return g.kh === 1 && g.kw === 1 && g.strideH === 1 && g.strideW === 1 && g.padT === 0 && g.padL === 0 && g.oh === g.h;
}

/**
 * The tiled conv call, or null where it does not apply: depthwise (one channel per group leaves a 4-row
 * tile idle), kernels wider than 7, or a row segment past the register window even at 4 pixels per lane.
 */
export function tiledConvCall(g: ConvGeometry, caps: KernelCaps, knobs: TiledConvKnobs): KernelCall | null {
  const { tm, wg } = knobs;
  if (![4, 8, 12, 16].includes(tm) || ![4, 8].includes(knobs.tn) || ![1, 2].includes(knobs.cUnroll ?? 1) || wg < 1)
    return null;
  const cinG = g.cin / g.group;
  const coutG = g.cout / g.group;
  if (coutG === 1 || g.kw > MAX_KW) return null;
  // a 1x1 stride-1 unpadded conv is a GEMM over the whole image: one long row, no edge blocks per row
  const geo = isPointwise(g) ? { ...g, h: 1, w: g.h * g.w, oh: 1, ow: g.oh * g.ow } : g;
  const tn = tiledSegment(knobs.tn, geo.kw, geo.strideW, geo.dilW) > MAX_SEGMENT ? 4 : knobs.tn;
  if (tiledSegment(tn, geo.kw, geo.strideW, geo.dilW) > MAX_SEGMENT) return null;
  // no padding, and every real output's window inside the image: loads need no edge tests (lanes past the
  // last output may read past a row, into values they never store)
  const inside =
    g.padT === 0 &&
    g.padL === 0 &&
    (geo.oh - 1) * geo.strideH + (geo.kh - 1) * geo.dilH < geo.h &&
    (geo.ow - 1) * geo.strideW + (geo.kw - 1) * geo.dilW < geo.w;
  const ocBlocks = Math.ceil(coutG / tm);
  const owBlocks = Math.ceil(geo.ow / tn);
  const lanes = geo.oh * owBlocks;
  const wgUsed = smallWorkgroup(wg, lanes);
  const workgroups: [number, number, number] = [Math.ceil(lanes / wgUsed), g.group * ocBlocks, g.n];
  if (workgroups.some((d) => d > caps.maxWorkgroupsPerDim)) return null;
  const flops = 2 * g.n * g.cout * g.oh * g.ow * cinG * g.kh * g.kw;
  const bytes = g.elemBytes * (g.n * g.cin * g.h * g.w + g.cout * cinG * g.kh * g.kw + g.n * g.cout * g.oh * g.ow);
  return {
    variant: `conv2d.tiled${tm}x${tn}${(knobs.cUnroll ?? 1) > 1 ? 'u2' : ''}.${g.kh}x${g.kw}`,
    shader: {
      file: 'conv2d_tiled.wgsl',
      prelude: { TM: tm, TN: tn, KW: geo.kw, SW: geo.strideW, DW: geo.dilW },
      overrides: { WG: wgUsed, EDGES: !inside, ONE_ROW: g.kh === 1, C_UNROLL: knobs.cUnroll ?? 1 },
    },
    params: convParams(geo, { ocBlocks, owBlocks, lanes }, cinG, coutG),
    bindings: [
      { io: 'in', index: 0 },
      { io: 'in', index: 1 },
      { io: 'out', index: 0 },
    ],
    workgroups,
    flops,
    bytes,
  };
}
