// Matmul: batched with numpy batch broadcasting, transposes as strides, alpha and the fused epilogue.
// Variants: register-blocked tiles with subgroup broadcast of A and vec4 reads (matmul_sg), the same with
// strided scalar reads for transA or odd sizes (matmul_sg_strided), strided without subgroups (matmul),
// and a matrix-vector kernel when M or N is 1 (matmul_gemv).
import { bytesPerElement } from '../core/dtype.js';
import { KestrelError } from '../core/errors.js';
import { broadcastStrides, sizeOf } from '../core/shape.js';
import type { KernelCall, KernelCaps, KernelDef, KNode, KNodeOf } from './types.js';
import type { UniformBytes } from '../core/uniform-struct.js';
import { grid1d } from './params.js';
import { MATMUL_PARAMS } from './uniforms.js';
import { type Candidate, type Decision, bucket4, decide } from './tuning.js';

export interface MatmulGeometry {
  m: number;
  n: number;
  k: number;
  batches: number;
  batchShape: number[];
  aBatchStrides: number[];
  bBatchStrides: number[];
  /** Element strides of A along m and k, and of B along k and n (transposes live here). */
  aSm: number;
  aSk: number;
  bSk: number;
  bSn: number;
  alpha: number;
  /** Bytes per stored element (4 for f32, 2 for f16). */
  elemBytes: number;
}

export function matmulGeometry(node: KNodeOf<'matmul'>): MatmulGeometry {
  const at = node.attrs;
  const [a, b] = node.inputs as { shape: number[] }[];
  const out = node.outputs[0].shape;
  const m = out[out.length - 2];
  const n = out[out.length - 1];
  const k = at.transA ? a.shape[a.shape.length - 2] : a.shape[a.shape.length - 1];
  const batchShape = out.slice(0, -2);
  const aBatchStrides = broadcastStrides(a.shape.slice(0, -2), batchShape).map((s) => s * m * k);
  const bBatchStrides = broadcastStrides(b.shape.slice(0, -2), batchShape).map((s) => s * k * n);
  // B shared by every batch and A a contiguous stack of row-major matrices: one [batches*m, k] product,
  // so row tiles span batch boundaries instead of padding each batch's last tile.
  const foldRows =
    !at.transA &&
    m > 1 &&
    batchShape.length > 0 &&
    bBatchStrides.every((s) => s === 0) &&
    a.shape.length - 2 === batchShape.length &&
    a.shape.slice(0, -2).every((d, i) => d === batchShape[i]);
  const rows = foldRows ? m * sizeOf(batchShape) : m;
  return {
    m: rows,
    n,
    k,
    batches: foldRows ? 1 : sizeOf(batchShape),
    batchShape: foldRows ? [] : batchShape,
    aBatchStrides: foldRows ? [] : aBatchStrides,
    bBatchStrides: foldRows ? [] : bBatchStrides,
    aSm: at.transA ? 1 : k,
    aSk: at.transA ? m : 1,
    bSk: at.transB ? 1 : n,
    bSn: at.transB ? k : 1,
    alpha: at.alpha ?? 1,
    elemBytes: bytesPerElement(node.outputs[0].dtype),
  };
}

/** A tile shape: TM rows (a multiple of 8 for the subgroup kernels) by WG lanes x 4*TNV columns. */
export interface TileConfig {
  tm: number;
  tnv: number;
  wg: number;
}

/** The register-blocked kernels: vec4 reads with subgroups, strided reads with or without subgroups. */
export type TiledKind = 'sg' | 'sgStrided' | 'plain' | 'regs';

const TILED_FILES: Record<TiledKind, string> = {
  sg: 'matmul_sg.wgsl',
  sgStrided: 'matmul_sg_strided.wgsl',
  plain: 'matmul.wgsl',
  regs: 'matmul_regs.wgsl',
};

const IO = [
  { io: 'in', index: 0 },
  { io: 'in', index: 1 },
  { io: 'out', index: 0 },
] as const;

function work(g: MatmulGeometry): { flops: number; bytes: number } {
  return {
    flops: 2 * g.m * g.n * g.k * g.batches,
    bytes: g.elemBytes * g.batches * (g.m * g.k + g.k * g.n + g.m * g.n),
  };
}

/**
 * Batch dims with size-1 dims dropped and neighbours merged where both operands stay row-major across
 * them, padded at the front to the 4 dims the shaders take.
 */
export function mergedBatch(g: MatmulGeometry, node: string): { shape: number[]; a: number[]; b: number[] } {
  const dims: { size: number; a: number; b: number }[] = [];
  g.batchShape.forEach((size, i) => {
    if (size === 1) return;
    const a = g.aBatchStrides[i];
    const b = g.bBatchStrides[i];
    const prev = dims[dims.length - 1];
    if (prev && prev.a === a * size && prev.b === b * size) {
      prev.size *= size;
      prev.a = a;
      prev.b = b;
    } else {
      dims.push({ size, a, b });
    }
  });
  if (dims.length > 4)
    throw new KestrelError('USAGE', `node '${node}': matmul batch broadcasting needs more than 4 merged dims`);
  while (dims.length < 4) dims.unshift({ size: 1, a: 0, b: 0 });
  return { shape: dims.map((d) => d.size), a: dims.map((d) => d.a), b: dims.map((d) => d.b) };
}

function stridedParams(g: MatmulGeometry, tilesN: number, tilesM: number, node: string): UniformBytes {
  const batch = mergedBatch(g, node);
  const { m, n, k, batches, alpha, aSm, aSk, bSk, bSn } = g;
  return MATMUL_PARAMS.pack({
    ...{ m, n, k, batches, alpha, aSm, aSk, bSk, bSn },
    tilesN,
    tilesM,
    batchShape: batch.shape,
    aBatchStrides: batch.a,
    bBatchStrides: batch.b,
  });
}

/** Workgroup counts, or none at all for an empty output (the executor skips a zero dispatch). */
function grid(workgroups: number, g: MatmulGeometry, caps: KernelCaps): [number, number, number] {
  return g.m * g.n * g.batches === 0 ? [0, 1, 1] : grid1d(workgroups, caps.maxWorkgroupsPerDim);
}

/** The call for a register-blocked kernel; 'sg' falls back to 'sgStrided' where vec4 reads cannot work. */
export function tiledCall(
  g: MatmulGeometry,
  caps: KernelCaps,
  requested: TiledKind,
  cfg: TileConfig,
  node = 'matmul',
): KernelCall {
  const kind = requested === 'sg' && !vec4Readable(g) ? 'sgStrided' : requested;
  const tilesN = Math.ceil(g.n / (cfg.wg * 4 * cfg.tnv));
  const tilesM = Math.ceil(g.m / cfg.tm);
  const bTrans = g.bSk === 1 && g.bSn !== 1;
  const overrides: Record<string, number | boolean> = { WG: cfg.wg };
  if (kind === 'sg') overrides.B_TRANS = bTrans;
  return {
    variant: `matmul.${kind}${cfg.tm}x${cfg.tnv * 4}${kind === 'sg' && bTrans ? '.bt' : ''}`,
    shader: { file: TILED_FILES[kind], prelude: { TM: cfg.tm, TNV: cfg.tnv }, overrides },
    params: stridedParams(g, tilesN, tilesM, node),
    bindings: [...IO],
    workgroups: grid(tilesN * tilesM * g.batches, g, caps),
    ...work(g),
  };
}

/** Whether matmul_sg.wgsl can read the operands as vec4s (A along k, B along n or, transposed, along k). */
export function vec4Readable(g: MatmulGeometry): boolean {
  const aRowMajor = g.aSk === 1;
  const bTrans = g.bSk === 1 && g.bSn !== 1;
  return aRowMajor && g.k % 4 === 0 && (bTrans ? g.k % 4 === 0 : g.n % 4 === 0);
}

// Few tile shapes keep the pipeline count low. Measured on lavapipe (2 cores, loaded machine): 16x8
// runs 1024^3 10-40% faster than 16x4 but takes twice as long to compile (0.8 s vs 0.4 s), and both are
// equal on small products, so 16x8 is kept for large ones. Blocks past 16x8 stop being fully unrolled
// by lavapipe's NIR and fall back to indexed register arrays (3x slower).
const SG_TILE_SMALL: TileConfig = { tm: 16, tnv: 1, wg: 8 };
const SG_TILE_LARGE: TileConfig = { tm: 16, tnv: 2, wg: 8 };
const SG_STRIDED_TILE: TileConfig = { tm: 16, tnv: 1, wg: 8 };
const PLAIN_TILE: TileConfig = { tm: 8, tnv: 1, wg: 8 };
// matmul_regs.wgsl: WG x 4 lanes, each a 4 x 4 block in registers (tm is fixed at 16 by the shader)
const REGS_TILE: TileConfig = { tm: 16, tnv: 1, wg: 16 };

const GEMV_WG = 64;

export function gemvCall(g: MatmulGeometry, caps: KernelCaps, node = 'matmul'): KernelCall {
  const freeN = g.m === 1;
  const groups = Math.ceil((freeN ? g.n : g.m) / 4);
  return {
    variant: freeN ? 'matmul.gemv' : 'matmul.gemv.n1',
    shader: { file: 'matmul_gemv.wgsl', overrides: { WG: GEMV_WG, FREE_N: freeN } },
    params: stridedParams(g, groups, 1, node),
    bindings: [...IO],
    workgroups: grid(Math.ceil((groups * g.batches) / GEMV_WG), g, caps),
    ...work(g),
  };
}

export const matmulKernel: KernelDef<'matmul'> = {
  op: 'matmul',
  select(node, caps, tuning) {
    const g = matmulGeometry(node);
    if (g.m === 1 || g.n === 1) return { calls: [gemvCall(g, caps, node.name)] };
    return decide(matmulDecision(node, g, caps), tuning);
  },
};

/** The register-blocked candidates; the portable default (regs16x4) keeps a 4x4 block per lane in registers. */
export function matmulDecision(node: KNode, g: MatmulGeometry, caps: KernelCaps): Decision {
  const tiled = (kind: TiledKind, cfg: TileConfig) => () => ({ calls: [tiledCall(g, caps, kind, cfg, node.name)] });
  const candidates: Candidate[] = [
    { id: 'plain8x4', build: tiled('plain', PLAIN_TILE) },
    { id: 'regs16x4', build: tiled('regs', REGS_TILE) },
  ];
  if (caps.subgroups) {
    candidates.push({ id: 'sgStrided16x4', build: tiled('sgStrided', SG_STRIDED_TILE) });
    // int8 or f16 weights under f32 (dequantize folding) are read a word at a time: not by the vec4 kernel
    if (vec4Readable(g) && node.inputs[1]!.dtype === node.outputs[0].dtype) {
      candidates.push({ id: 'sg16x4', build: tiled('sg', SG_TILE_SMALL) });
      candidates.push({ id: 'sg16x8', build: tiled('sg', SG_TILE_LARGE) });
    }
  }
  const elem = node.outputs[0].dtype;
  const w = node.inputs[1]!.dtype === elem ? elem : `${elem}/w:${node.inputs[1]!.dtype}`;
  const layout = `${g.aSk === 1 ? 'a' : 'aT'}${g.bSn === 1 ? 'b' : 'bT'}`;
  return {
    key: `matmul ${w} ${layout} b${g.batches} m${g.m} n${g.n} k${g.k}`,
    classKey: `matmul ${w} ${layout} m${bucket4(g.m * g.batches)} n${bucket4(g.n)} k${bucket4(g.k)}`,
    defaultId: 'regs16x4',
    candidates,
  };
}
