// conv (NCHW, 2-D): the candidates that can run a node; a tuning profile picks one (convDecision), else the
// portable default (gemm1x1 for unit 1x1 convs, else igemm; dw_vec4 for depthwise). Bias, activation and residual come
// through the epilogue.
//   dw_vec4/rows group == C == OC                                  conv2d_depthwise(_vec4).wgsl
//   dw_regs      group == C == OC, 4 pixels per lane in registers  conv2d_depthwise_regs.wgsl
//   gemm1x1_sg   1x1, stride 1, no pad, H*W % 4 == 0, subgroups     conv2d_gemm1x1_sg.wgsl
//   gemm1x1      1x1, stride 1, no pad, H*W % 4 == 0, registers     conv2d_gemm1x1_regs.wgsl
//   igemm_regs   any kernel, 8 channels x 4 pixels in registers     conv2d_igemm_regs.wgsl
//   winograd     3x3, stride 1, dilation 1                         conv2d_winograd.wgsl
//   igemm(_sg)   KW <= 7, register-tiled                           conv2d_igemm.wgsl / conv2d_igemm_sg.wgsl
//   direct       wider kernels, 1x1 outputs, grids past the limit  conv2d_direct.wgsl
// Tile sizes come from measurements on lavapipe (see test/kernels/conv-timing.ts): there every buffer
// load is a per-lane scalar loop, so the kernels are organized around loading less, not computing less.
import { bytesPerElement } from '../core/dtype.js';
import type { KernelCall, KernelCaps, KernelDef, KNode, KNodeOf } from './types.js';
import type { UniformBytes } from '../core/uniform-struct.js';
import { grid1d } from './params.js';
import { CONV_PARAMS } from './uniforms.js';
import { winogradApplies, winogradConv } from './conv-winograd.js';
import { type ConvKnobs, knobsOf } from './knobs.js';
import { type Candidate, type Decision, type TuningLookup, bucket4, decide } from './tuning.js';
// conv2d.tiled (conv-tiled.ts) is not a candidate yet: on SwiftShader its KxK pipelines exhausted 24 GB of memory
// in the driver's compile (OOM kill; the 1x1 ones compile in ~2 s), so the bench's rungs and its lavapipe tests
// reach it, and kernel choice does not.

export interface ConvGeometry {
  n: number;
  cin: number;
  h: number;
  w: number;
  cout: number;
  oh: number;
  ow: number;
  kh: number;
  kw: number;
  strideH: number;
  strideW: number;
  dilH: number;
  dilW: number;
  padT: number;
  padL: number;
  group: number;
  /** Bytes per stored element (4 for f32, 2 for f16). */
  elemBytes: number;
}

export function convGeometry(node: KNodeOf<'conv' | 'convTranspose'>): ConvGeometry {
  const a = node.attrs;
  const [n, cin, h, w] = node.inputs[0]!.shape;
  const [, , kh, kw] = node.inputs[1]!.shape;
  const [, cout, oh, ow] = node.outputs[0].shape;
  return {
    n,
    cin,
    h,
    w,
    cout,
    oh,
    ow,
    kh,
    kw,
    strideH: a.strides[0],
    strideW: a.strides[1],
    dilH: a.dilations[0],
    dilW: a.dilations[1],
    padT: a.pads[0],
    padL: a.pads[1],
    group: a.group,
    elemBytes: bytesPerElement(node.outputs[0].dtype),
  };
}

export interface ConvBlocks {
  ocBlocks: number;
  owBlocks: number;
  lanes: number;
  phaseRows?: number;
  phaseCols?: number;
  phasesW?: number;
}

/** The ConvParams uniform every conv2d / conv_transpose2d shader reads. */
export function convParams(g: ConvGeometry, b: ConvBlocks, cinG: number, coutG: number): UniformBytes {
  const { cin, h, w, cout, oh, ow, kh, kw, strideH, strideW, dilH, dilW, padT, padL } = g;
  return CONV_PARAMS.pack({
    ...{ cin, h, w, cout, oh, ow, kh, kw, strideH, strideW, dilH, dilW, padT, padL },
    cinG,
    coutG,
    ocBlocks: b.ocBlocks,
    owBlocks: b.owBlocks,
    lanes: b.lanes,
    phaseRows: b.phaseRows ?? 0,
    phaseCols: b.phaseCols ?? 0,
    phasesW: b.phasesW ?? 0,
  });
}

const BINDINGS = [
  { io: 'in', index: 0 },
  { io: 'in', index: 1 },
  { io: 'out', index: 0 },
] as const;

function flopsOf(g: ConvGeometry): number {
  return 2 * g.n * g.cout * g.oh * g.ow * (g.cin / g.group) * g.kh * g.kw;
}

function bytesOf(g: ConvGeometry): number {
  return (
    g.elemBytes * (g.n * g.cin * g.h * g.w + g.cout * (g.cin / g.group) * g.kh * g.kw + g.n * g.cout * g.oh * g.ow)
  );
}

/** Input columns one lane reads per kernel row for `tn` outputs. */
function segment(g: ConvGeometry, tn: number): number {
  return (tn - 1) * g.strideW + (g.kw - 1) * g.dilW + 1;
}

function fits(wg: [number, number, number], caps: KernelCaps): boolean {
  return wg.every((d) => d <= caps.maxWorkgroupsPerDim);
}

function rowTile(ow: number, preferred: number): number {
  return ow <= preferred / 2 ? Math.max(1, preferred / 2) : preferred;
}

function depthwiseVec4(g: ConvGeometry, caps: KernelCaps, knobs: ConvKnobs): KernelCall | null {
  const { wg, depthwiseTm: tm } = knobs;
  const tn = rowTile(g.ow, knobs.depthwiseTn);
  if (
    !knobs.depthwiseVec4 ||
    Math.max(g.kh, g.kw) > knobs.depthwiseVec4MaxK ||
    g.w % 4 ||
    g.ow % 4 ||
    tn % 4 ||
    segment(g, tn) > knobs.maxSegment
  )
    return null;
  const owBlocks = Math.ceil(g.ow / tn);
  const lanes = Math.ceil(g.oh / tm) * owBlocks;
  const wgUsed = smallWorkgroup(wg, lanes);
  const workgroups: [number, number, number] = [Math.ceil(lanes / wgUsed), g.cout, g.n];
  if (!fits(workgroups, caps)) return null;
  const off = ((-g.padL % 4) + 4) % 4;
  return {
    variant: `conv2d.depthwise_vec4.${g.kh}x${g.kw}${g.strideH > 1 || g.strideW > 1 ? `s${g.strideH}` : ''}`,
    shader: {
      file: 'conv2d_depthwise_vec4.wgsl',
      prelude: { TN: tn, TM: tm, KH: g.kh, KW: g.kw, SH: g.strideH, SW: g.strideW, DH: g.dilH, DW: g.dilW, OFF: off },
      overrides: { WG: wgUsed },
    },
    params: convParams(g, { ocBlocks: 1, owBlocks, lanes }, 1, 1),
    bindings: [...BINDINGS],
    workgroups,
    flops: flopsOf(g),
    bytes: bytesOf(g),
  };
}

/**
 * Row block of the scalar depthwise kernel: a divisor of the row in [max/2, max] if there is one (20- and
 * 10-wide rows both get 5, so they share a pipeline), else equal blocks of at most `max`.
 */
export function rowBlock(ow: number, max: number): number {
  for (let t = max; t >= Math.ceil(max / 2); t--) if (ow % t === 0) return t;
  return Math.ceil(ow / Math.ceil(ow / max));
}

function depthwiseRegs(g: ConvGeometry, caps: KernelCaps): KernelCall | null {
  const owBlocks = Math.ceil(g.ow / 4);
  const lanes = g.oh * owBlocks;
  const wgUsed = smallWorkgroup(64, lanes);
  const workgroups: [number, number, number] = [Math.ceil(lanes / wgUsed), g.cout, g.n];
  if (!fits(workgroups, caps)) return null;
  return {
    variant: `conv2d.depthwise_regs.${g.kh}x${g.kw}${g.strideH > 1 || g.strideW > 1 ? `s${g.strideH}` : ''}`,
    shader: { file: 'conv2d_depthwise_regs.wgsl', overrides: { WG: wgUsed } },
    params: convParams(g, { ocBlocks: 1, owBlocks, lanes }, 1, 1),
    bindings: [...BINDINGS],
    workgroups,
    flops: flopsOf(g),
    bytes: bytesOf(g),
  };
}

function depthwiseRows(g: ConvGeometry, caps: KernelCaps, knobs: ConvKnobs): KernelCall | null {
  const { wg } = knobs;
  const tm = 2; // the shader's row pair
  const tn = rowBlock(g.ow, knobs.depthwiseTn);
  if (segment(g, tn) > knobs.maxSegment) return null;
  const owBlocks = Math.ceil(g.ow / tn);
  const lanes = Math.ceil(g.oh / tm) * owBlocks;
  const wgUsed = smallWorkgroup(wg, lanes);
  const workgroups: [number, number, number] = [Math.ceil(lanes / wgUsed), g.cout, g.n];
  if (!fits(workgroups, caps)) return null;
  return {
    variant: `conv2d.depthwise${g.kh}x${g.kw}${g.strideH > 1 || g.strideW > 1 ? `s${g.strideH}` : ''}`,
    shader: {
      file: 'conv2d_depthwise.wgsl',
      prelude: { TN: tn, KW: g.kw, SH: g.strideH, SW: g.strideW, DH: g.dilH, DW: g.dilW },
      overrides: { WG: wgUsed },
    },
    params: convParams(g, { ocBlocks: 1, owBlocks, lanes }, 1, 1),
    bindings: [...BINDINGS],
    workgroups,
    flops: flopsOf(g),
    bytes: bytesOf(g),
  };
}

function implicitGemm(g: ConvGeometry, caps: KernelCaps, knobs: ConvKnobs, useSubgroups: boolean): KernelCall | null {
  const { wg } = knobs;
  const tm = useSubgroups ? knobs.tm : knobs.portableTm;
  const tn = rowTile(g.ow, knobs.tn);
  // the shaders write out up to 7 kernel columns (see tap() in conv2d_igemm*.wgsl)
  if (g.kw > 7 || segment(g, tn) > knobs.maxSegment) return null;
  const cinG = g.cin / g.group;
  const coutG = g.cout / g.group;
  const ocBlocks = Math.ceil(coutG / tm);
  const owBlocks = Math.ceil(g.ow / tn);
  const lanes = g.oh * owBlocks;
  const wgUsed = smallWorkgroup(wg, lanes);
  const workgroups: [number, number, number] = [Math.ceil(lanes / wgUsed), g.group * ocBlocks, g.n];
  if (!fits(workgroups, caps)) return null;
  const shape = g.kh === 1 && g.kw === 1 ? '1x1' : `${g.kh}x${g.kw}`;
  return {
    variant: `conv2d.igemm${useSubgroups ? '_sg' : ''}.${shape}`,
    shader: {
      file: useSubgroups ? 'conv2d_igemm_sg.wgsl' : 'conv2d_igemm.wgsl',
      prelude: { TM: tm, TN: tn, KW: g.kw, SW: g.strideW, DW: g.dilW },
      overrides: useSubgroups ? { WG: wgUsed, MIN_SUBGROUP: knobs.minSubgroup } : { WG: wgUsed },
    },
    params: convParams(g, { ocBlocks, owBlocks, lanes }, cinG, coutG),
    bindings: [...BINDINGS],
    workgroups,
    flops: flopsOf(g),
    bytes: bytesOf(g),
  };
}

function pointwise(g: ConvGeometry, caps: KernelCaps, knobs: ConvKnobs): KernelCall | null {
  const { wg } = knobs;
  const tm = knobs.pointwiseTm;
  const tn = knobs.pointwiseTn;
  const hw = g.h * g.w;
  const cinG = g.cin / g.group;
  const coutG = g.cout / g.group;
  const ocBlocks = Math.ceil(coutG / tm);
  const lanes = Math.ceil(hw / tn);
  const wgUsed = smallWorkgroup(wg, lanes);
  const workgroups: [number, number, number] = [Math.ceil(lanes / wgUsed), g.group * ocBlocks, g.n];
  if (!fits(workgroups, caps)) return null;
  return {
    variant: 'conv2d.gemm1x1_sg',
    shader: {
      file: 'conv2d_gemm1x1_sg.wgsl',
      prelude: { TM: tm, TN: tn },
      overrides: { WG: wgUsed, MIN_SUBGROUP: knobs.minSubgroup },
    },
    params: convParams(g, { ocBlocks, owBlocks: 1, lanes }, cinG, coutG),
    bindings: [...BINDINGS],
    workgroups,
    flops: flopsOf(g),
    bytes: bytesOf(g),
  };
}

/** The portable 1x1 GEMM: 8 output channels x 4 pixels per lane in registers. */
function pointwiseRegs(g: ConvGeometry, caps: KernelCaps): KernelCall | null {
  const lanes = (g.h * g.w) / 4;
  const coutG = g.cout / g.group;
  const ocBlocks = Math.ceil(coutG / 8);
  const wgUsed = smallWorkgroup(64, lanes);
  const workgroups: [number, number, number] = [Math.ceil(lanes / wgUsed), g.group * ocBlocks, g.n];
  if (!fits(workgroups, caps)) return null;
  return {
    variant: 'conv2d.gemm1x1',
    shader: { file: 'conv2d_gemm1x1_regs.wgsl', overrides: { WG: wgUsed } },
    params: convParams(g, { ocBlocks, owBlocks: 1, lanes }, g.cin / g.group, coutG),
    bindings: [...BINDINGS],
    workgroups,
    flops: flopsOf(g),
    bytes: bytesOf(g),
  };
}

/** The portable implicit GEMM in registers: 8 output channels x 4 pixels of a row per lane, any kernel. */
function implicitGemmRegs(g: ConvGeometry, caps: KernelCaps): KernelCall | null {
  const coutG = g.cout / g.group;
  const ocBlocks = Math.ceil(coutG / 8);
  const owBlocks = Math.ceil(g.ow / 4);
  const lanes = g.oh * owBlocks;
  const wgUsed = smallWorkgroup(64, lanes);
  const workgroups: [number, number, number] = [Math.ceil(lanes / wgUsed), g.group * ocBlocks, g.n];
  if (!fits(workgroups, caps)) return null;
  return {
    variant: `conv2d.igemm_regs.${g.kh}x${g.kw}`,
    shader: { file: 'conv2d_igemm_regs.wgsl', overrides: { WG: wgUsed } },
    params: convParams(g, { ocBlocks, owBlocks, lanes }, g.cin / g.group, coutG),
    bindings: [...BINDINGS],
    workgroups,
    flops: flopsOf(g),
    bytes: bytesOf(g),
  };
}

function direct(g: ConvGeometry, caps: KernelCaps, knobs: ConvKnobs): KernelCall {
  const { wg } = knobs;
  const count = g.n * g.cout * g.oh * g.ow;
  return {
    variant: 'conv2d.direct',
    shader: { file: 'conv2d_direct.wgsl', overrides: { WG: wg } },
    params: convParams(g, { ocBlocks: 1, owBlocks: g.ow, lanes: count }, g.cin / g.group, g.cout / g.group),
    bindings: [...BINDINGS],
    workgroups: grid1d(Math.ceil(count / wg), caps.maxWorkgroupsPerDim),
    flops: flopsOf(g),
    bytes: bytesOf(g),
  };
}

export const convKernel: KernelDef<'conv'> = {
  op: 'conv',
  select(node, caps, tuning) {
    const g = convGeometry(node);
    const isDepthwise = g.group === g.cin && g.group === g.cout;
    // a 1x1 output (squeeze-excitation convs) is a few hundred MACs: the simple direct kernel is as fast
    // and compiles in a fraction of the time of a register-tiled one
    if (g.oh * g.ow === 1 && !isDepthwise) return { calls: [direct(g, caps, knobsOf(tuning, 'conv'))] };
    return decide(convDecision(node, g, caps, isDepthwise, tuning), tuning);
  },
};

function isPointwise(g: ConvGeometry): boolean {
  const unit = g.kh === 1 && g.kw === 1 && g.strideH === 1 && g.strideW === 1;
  return unit && g.padT === 0 && g.padL === 0 && g.oh === g.h && g.ow === g.w;
}

/** The conv's candidates: every variant that can run it. The default is a portable (subgroup-free) kernel. */
export function convDecision(
  node: KNode,
  g: ConvGeometry,
  caps: KernelCaps,
  isDepthwise: boolean,
  tuning?: TuningLookup,
): Decision {
  const knobs = knobsOf(tuning, 'conv');
  const one = (call: () => KernelCall | null) => () => {
    const c = call();
    return c ? { calls: [c] } : null;
  };
  const key = convKey(node, g);
  const cinG = g.cin / g.group;
  const px = bucket4(g.oh * g.ow);
  if (isDepthwise) {
    return {
      key,
      classKey: `conv.dw ${elemTag(node)} k${g.kh}x${g.kw} s${g.strideH} px${px}`,
      defaultId: 'dw_vec4',
      candidates: [
        { id: 'dw_vec4', build: one(() => depthwiseVec4(g, caps, knobs)) },
        { id: 'dw_rows', build: one(() => depthwiseRows(g, caps, knobs)) },
        { id: 'direct', build: one(() => direct(g, caps, knobs)) },
        { id: 'dw_regs', build: one(() => depthwiseRegs(g, caps)) },
      ],
    };
  }
  const sg = caps.subgroups && !knobs.noSubgroups;
  const pointwiseOk = isPointwise(g) && sg && knobs.pointwiseTn > 0 && (g.h * g.w) % 4 === 0;
  const candidates: Candidate[] = [{ id: 'igemm', build: one(() => implicitGemm(g, caps, knobs, false)) }];
  if (sg) candidates.push({ id: 'igemm_sg', build: one(() => implicitGemm(g, caps, knobs, true)) });
  if (pointwiseOk) candidates.push({ id: 'gemm1x1_sg', build: one(() => pointwise(g, caps, knobs)) });
  if (isPointwise(g) && (g.h * g.w) % 4 === 0)
    candidates.push({ id: 'gemm1x1', build: one(() => pointwiseRegs(g, caps)) });
  const winograd = knobsOf(tuning, 'winograd');
  if (winogradApplies(g) && !winograd.disabled)
    candidates.push({ id: 'winograd', build: () => winogradConv(g, caps, winograd, flopsOf(g), bytesOf(g)) });
  candidates.push({ id: 'direct', build: one(() => direct(g, caps, knobs)) });
  // last: where the default cannot run (wide kernels), the fallback stays the direct kernel
  candidates.push({ id: 'igemm_regs', build: one(() => implicitGemmRegs(g, caps)) });
  const shape = isPointwise(g) ? 'pw' : `k${g.kh}x${g.kw} s${g.strideH}${g.group > 1 ? ' grouped' : ''}`;
  return {
    key,
    classKey: `conv.${shape} ${elemTag(node)} cin${bucket4(cinG)} cout${bucket4(g.cout / g.group)} px${px}`,
    // measured on lavapipe and SwiftShader: the register 1x1 GEMM beats the portable implicit GEMM on both
    defaultId: candidates.some((c) => c.id === 'gemm1x1') ? 'gemm1x1' : 'igemm',
    candidates,
  };
}

/** Storage and weight types, e.g. 'f32' or 'f32/w:i8' (int8 weights read packed). */
function elemTag(node: KNode): string {
  const out = node.outputs[0].dtype;
  const w = node.inputs[1]?.dtype ?? out;
  return w === out ? out : `${out}/w:${w}`;
}

/** The node's exact shape: decisions with equal keys run identical work. */
function convKey(node: KNode, g: ConvGeometry): string {
  const { n, cin, cout, group, kh, kw, strideH, strideW, dilH, dilW, padT, padL, h, w, oh, ow } = g;
  const geo = `k${kh}x${kw} s${strideH}x${strideW} d${dilH}x${dilW} p${padT},${padL}`;
  return `conv ${elemTag(node)} n${n} ${cin}->${cout} g${group} ${geo} ${h}x${w}->${oh}x${ow}`;
}

/**
 * Small images (PP-OCR's 10x10 stage has 13 pixel lanes, SE blocks have 1) would leave most of a 64-lane
 * workgroup idle, and idle lanes still run the whole channel loop on a software rasterizer: shrink the
 * workgroup to the next power of two (at least one 8-lane subgroup).
 */
export function smallWorkgroup(wg: number, lanes: number): number {
  return Math.min(wg, Math.max(8, 2 ** Math.ceil(Math.log2(Math.max(lanes, 1)))));
}
