// convTranspose (NCHW, 2-D) as a phase-split gather; see shaders/conv_transpose2d.wgsl.
import { LimitError } from '../core/errors.js';
import type { KernelCall, KernelCaps, KernelDef, KNode } from './types.js';
import { type ConvGeometry, convGeometry, convParams } from './conv.js';
import { bucket4, decide } from './tuning.js';
import { type ConvTransposeKnobs, knobsOf } from './knobs.js';

export const convTransposeKernel: KernelDef<'convTranspose'> = {
  op: 'convTranspose',
  select(node, caps, tuning) {
    const g = convGeometry(node);
    const knobs = knobsOf(tuning, 'convTranspose');
    const sg = caps.subgroups && !knobs.noSubgroups;
    const build = (useSubgroups: boolean) => () => ({ calls: [gatherCall(node, g, caps, knobs, useSubgroups)] });
    const w = node.inputs[1]!.dtype === node.outputs[0].dtype ? '' : `/w:${node.inputs[1]!.dtype}`;
    const tag = `${node.outputs[0].dtype}${w} k${g.kh}x${g.kw} s${g.strideH}x${g.strideW}`;
    return decide(
      {
        key: `convTranspose ${tag} n${g.n} ${g.cin}->${g.cout} g${g.group} ${g.h}x${g.w}->${g.oh}x${g.ow}`,
        classKey: `convTranspose ${tag} cin${bucket4(g.cin)} px${bucket4(g.oh * g.ow)}`,
        defaultId: 'gather',
        candidates: [{ id: 'gather', build: build(false) }, ...(sg ? [{ id: 'gather_sg', build: build(true) }] : [])],
      },
      tuning,
    );
  },
};

function gatherCall(
  node: KNode,
  g: ConvGeometry,
  caps: KernelCaps,
  knobs: ConvTransposeKnobs,
  useSubgroups: boolean,
): KernelCall {
  const tm = useSubgroups ? knobs.tm : knobs.portableTm;
  const tn = useSubgroups ? knobs.tn : knobs.portableTn;
  const wg = knobs.wg;
  const cinG = g.cin / g.group;
  const coutG = g.cout / g.group;
  const ocBlocks = Math.ceil(coutG / tm);
  // every phase gets the largest phase's sub-grid; pixels past the output are masked
  const phaseRows = Math.ceil(g.oh / g.strideH);
  const phaseCols = Math.ceil(g.ow / g.strideW);
  const owBlocks = Math.ceil(phaseCols / tn);
  const lanes = phaseRows * owBlocks;
  const flops = 2 * g.n * g.cin * g.h * g.w * coutG * g.kh * g.kw;
  const workgroups: [number, number, number] = [Math.ceil(lanes / wg), g.group * ocBlocks, g.n * g.strideH * g.strideW];
  if (workgroups.some((d) => d > caps.maxWorkgroupsPerDim)) {
    throw new LimitError(
      `node '${node.name}': convTranspose grid ${workgroups.join('x')} exceeds ${caps.maxWorkgroupsPerDim} ` +
        `workgroups per dimension`,
    );
  }
  const call: KernelCall = {
    variant: `convTranspose2d.gather${useSubgroups ? '_sg' : ''}.${g.kh}x${g.kw}s${g.strideH}`,
    shader: useSubgroups
      ? {
          file: 'conv_transpose2d_sg.wgsl',
          prelude: { TM: tm, TN: tn },
          overrides: { WG: wg, MIN_SUBGROUP: knobs.minSubgroup },
        }
      : { file: 'conv_transpose2d.wgsl', prelude: { TM: tm, TN: tn }, overrides: { WG: wg } },
    params: convParams(g, { ocBlocks, owBlocks, lanes, phaseRows, phaseCols, phasesW: g.strideW }, cinG, coutG),
    bindings: [
      { io: 'in', index: 0 },
      { io: 'in', index: 1 },
      { io: 'out', index: 0 },
    ],
    workgroups,
    flops,
    bytes: g.elemBytes * (g.n * g.cin * g.h * g.w + g.cin * coutG * g.kh * g.kw + g.n * g.cout * g.oh * g.ow),
  };
  return call;
}
