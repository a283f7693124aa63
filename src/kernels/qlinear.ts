// Integer conv / matmul (qconv, qmatmul from passes/fuse-qdq.ts) on dot4I8Packed: one shader, where a
// matmul is a 1x1 conv over a single row of M pixels with its own strides.
import { UnsupportedOpError } from '../core/errors.js';
import { sizeOf } from '../core/shape.js';
import type { QLinearAttrs } from '../ir/graph.js';
import { QCONV_PARAMS } from './uniforms.js';
import type { BindingRef, KernelCaps, KernelDef, KernelSelection, KNode, KNodeOf } from './types.js';

const WG = 64;
const BINDINGS: BindingRef[] = [
  { io: 'in', index: 0 },
  { io: 'in', index: 1 },
  { io: 'in', index: 2 },
  { io: 'in', index: 3 },
  { io: 'out', index: 0 },
];
/**
 * Test knobs: the subgroup-free kernel, the subgroup kernel's path for subgroups narrower than 8, its dot4I8Packed
 * form.
 */
export const QLINEAR_TEST = { simpleOnly: false, noBroadcast: false, packedDot: false };

interface Geometry {
  pixels: number;
  outW: number;
  outH: number;
  outC: number;
  inH: number;
  inW: number;
  cg: number;
  kh: number;
  kw: number;
  ocPerGroup: number;
  strides: number[];
  pads: number[];
  dilations: number[];
  xStrides: number[];
  yStrides: number[];
}

function convGeometry(node: KNode, a: QLinearAttrs): Geometry {
  const [, c, h, w] = node.inputs[0]!.shape;
  const [n, oc, oh, ow] = node.outputs[0].shape;
  const conv = a.conv!;
  return {
    pixels: n * oh * ow,
    outW: ow,
    outH: oh,
    outC: oc,
    inH: h,
    inW: w,
    cg: a.wShape[1],
    kh: a.wShape[2],
    kw: a.wShape[3],
    ocPerGroup: oc / conv.group,
    strides: conv.strides,
    pads: conv.pads,
    dilations: conv.dilations,
    xStrides: [c * h * w, h * w, w, 1],
    yStrides: [oc * oh * ow, oh * ow, ow, 1],
  };
}

function matmulGeometry(node: KNode, a: QLinearAttrs): Geometry {
  const [k, n] = a.wShape;
  const m = sizeOf(node.inputs[0]!.shape) / k;
  return {
    pixels: m,
    outW: m,
    outH: 1,
    outC: n,
    inH: 1,
    inW: m,
    cg: k,
    kh: 1,
    kw: 1,
    ocPerGroup: n,
    strides: [1, 1],
    pads: [0, 0, 0, 0],
    dilations: [1, 1],
    xStrides: [0, 1, 0, k],
    yStrides: [0, 1, 0, n],
  };
}

function select(node: KNodeOf<'qconv' | 'qmatmul'>, caps: KernelCaps): KernelSelection {
  if (!caps.dot4)
    throw new UnsupportedOpError(
      node.name,
      node.op,
      0,
      'integer kernels need packed_4x8_integer_dot_product (the fuseQdq pass is skipped without it)',
    );
  const a = node.attrs;
  const geo = node.op === 'qconv' ? convGeometry(node, a) : matmulGeometry(node, a);
  const c4 = Math.ceil(geo.cg / 4);
  const oct = geo.ocPerGroup % 4 === 0 || geo.ocPerGroup === geo.outC ? 4 : 1;
  const depthwise = geo.cg === 1 && geo.ocPerGroup === 1;
  const windowed = geo.kw <= 7 && geo.strides[1] <= 4 && geo.dilations[1] <= 4;
  const prelude = { KW: geo.kw, SW: geo.strides[1], DW: geo.dilations[1] };
  const [xN, xC, xH, xW] = geo.xStrides;
  const [yN, yC, yH, yW] = geo.yStrides;
  const params = QCONV_PARAMS.pack({
    pixels: geo.pixels,
    outW: geo.outW,
    outH: geo.outH,
    outC: geo.outC,
    inH: geo.inH,
    inW: geo.inW,
    cg: geo.cg,
    c4,
    kh: geo.kh,
    kw: geo.kw,
    ocPerGroup: geo.ocPerGroup,
    wRow: geo.kh * geo.kw * c4,
    strideH: geo.strides[0],
    strideW: geo.strides[1],
    padH: geo.pads[0],
    padW: geo.pads[1],
    dilH: geo.dilations[0],
    dilW: geo.dilations[1],
    xZero: a.xZero,
    xOffset: a.xOffset,
    ...{ xN, xC, xH, xW, yN, yC, yH, yW },
    yZero: a.yZero,
    qmin: a.qmin,
    qmax: a.qmax,
    yDiv: a.yDiv,
  });
  const macs = geo.pixels * geo.outC * geo.cg * geo.kh * geo.kw;
  const bytes = 4 * (sizeOf(node.inputs[0]!.shape) + sizeOf(node.outputs[0].shape)) + 4 * sizeOf(node.inputs[1]!.shape);
  // 4 consecutive output pixels per lane, their input columns loaded once per kernel row
  const lanes = (geo.pixels / geo.outW) * Math.ceil(geo.outW / 4);
  if (depthwise && windowed && !QLINEAR_TEST.simpleOnly) {
    return {
      calls: [
        {
          variant: 'qconv2d.depthwise',
          shader: { file: 'qconv2d_depthwise.wgsl', prelude, overrides: { WG } },
          params,
          bindings: BINDINGS,
          workgroups: [Math.ceil(lanes / WG), geo.outC, 1],
          flops: 2 * macs,
          bytes,
        },
      ],
    };
  }
  // ungrouped: and 8 output channels per lane, weights shared by subgroup broadcast
  if (caps.subgroups && geo.ocPerGroup === geo.outC && windowed && !QLINEAR_TEST.simpleOnly) {
    return {
      calls: [
        {
          variant: `${node.op === 'qconv' ? 'qconv2d' : 'qmatmul'}.dot4_sg`,
          shader: {
            file: 'qconv2d_dot4_sg.wgsl',
            prelude,
            overrides: {
              WG,
              ...(QLINEAR_TEST.noBroadcast ? { MIN_SUBGROUP: 1024 } : {}),
              ...(QLINEAR_TEST.packedDot ? { PACKED_DOT: true } : {}),
            },
          },
          params,
          bindings: BINDINGS,
          workgroups: [Math.ceil(lanes / WG), Math.ceil(geo.outC / 8), 1],
          flops: 2 * macs,
          bytes,
        },
      ],
    };
  }
  return {
    calls: [
      {
        variant: `${node.op === 'qconv' ? 'qconv2d' : 'qmatmul'}.dot4${oct === 1 ? '.grouped' : ''}`,
        shader: { file: 'qconv2d_dot4.wgsl', overrides: { WG, OCT: oct } },
        params,
        bindings: BINDINGS,
        workgroups: [Math.ceil(geo.pixels / WG), Math.ceil(geo.outC / oct), 1],
        flops: 2 * macs,
        bytes,
      },
    ],
  };
}

export const qconvKernel: KernelDef<'qconv'> = { op: 'qconv', select };
export const qmatmulKernel: KernelDef<'qmatmul'> = { op: 'qmatmul', select };
