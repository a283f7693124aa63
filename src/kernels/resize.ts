// Resize (ONNX semantics, following its reference implementation). Nearest works on any rank and any
// 32-bit dtype or f16; linear and cubic interpolate up to two axes of an f32/f16 tensor (others unchanged).
import { type StridedCopy, storageElem, stridedCopyCalls } from './data-movement.js';
import { sizeOf, stridesOf } from '../core/shape.js';
import type { CoordMode, NearestMode, ResizeAttrs } from '../ir/graph.js';
import type { KernelCall, KernelCaps, KernelDef } from './types.js';
import { grid1d } from './params.js';
import { RESIZE_2D_PARAMS, RESIZE_NEAREST_PARAMS, UPSAMPLE_PARAMS } from './uniforms.js';
import { padValueBits } from './pad.js';
import { unsupported } from './unsupported.js';

const WG = 256;
const NEAREST_MODES: Record<NearestMode, number> = { round_prefer_floor: 0, round_prefer_ceil: 1, floor: 2, ceil: 3 };

/** One axis of lib/resize_coord.wgsl's ResizeAxis: source coordinate = (x + half) * num / den + add. */
export interface ResizeAxis {
  inLen: number;
  outLen: number;
  half: number;
  num: number;
  den: number;
  add: number;
  identity: boolean;
}

/** Folds the coordinate mode of one axis, with the reference's "output length 1" cases, into a ResizeAxis. */
export function resizeAxis(
  mode: CoordMode,
  inLen: number,
  outLen: number,
  scale: number,
  roiStart: number,
  roiEnd: number,
): ResizeAxis {
  const identity = { inLen, outLen, half: 0, num: 1, den: 1, add: 0, identity: true };
  const tf = mode === 'tf_crop_and_resize';
  if (inLen === outLen && scale === 1 && (!tf || (roiStart === 0 && roiEnd === 1))) return identity;
  const ax = { ...identity, identity: false };
  // The reference's output_width is scale * input_width, not the integer output length.
  const outF = scale * inLen;
  const constant = (c: number): ResizeAxis => ({ ...ax, num: 0, add: c });
  switch (mode) {
    case 'half_pixel':
      return { ...ax, half: 0.5, den: scale, add: -0.5 };
    case 'pytorch_half_pixel':
      return outF === 1 ? constant(-0.5) : { ...ax, half: 0.5, den: scale, add: -0.5 };
    case 'half_pixel_symmetric': {
      // offset = (inLen / 2) * (1 - outLen / outF), rearranged so an exact offset (often 0.5) stays exact in f32
      const offset = (outF - outLen) / (2 * scale);
      return { ...ax, half: 0.5, den: scale, add: offset - 0.5 };
    }
    case 'asymmetric':
      return { ...ax, den: scale };
    case 'tf_half_pixel_for_nn':
      return { ...ax, half: 0.5, den: scale };
    case 'align_corners':
      return outF === 1 ? constant(0) : { ...ax, num: inLen - 1, den: outF - 1 };
    case 'tf_crop_and_resize': {
      const span = (roiEnd - roiStart) * (inLen - 1);
      const start = roiStart * (inLen - 1);
      return outF === 1 ? constant(span / 2 + start) : { ...ax, num: span, den: outF - 1, add: start };
    }
  }
}

const UNIT_AXIS: ResizeAxis = { inLen: 1, outLen: 1, half: 0, num: 1, den: 1, add: 0, identity: true };

/** Merges neighbouring unchanged axes (N and C of NCHW become one), so the shader walks fewer axes. */
function mergeIdentityAxes(axes: ResizeAxis[]): ResizeAxis[] {
  const out: ResizeAxis[] = [];
  for (const a of axes) {
    const last = out[out.length - 1];
    if (last?.identity && a.identity)
      out[out.length - 1] = { ...last, inLen: last.inLen * a.inLen, outLen: last.outLen * a.outLen };
    else out.push({ ...a });
  }
  return out;
}

function axisParams(a: ResizeAxis) {
  return {
    inLen: a.inLen,
    outLen: a.outLen,
    identity: a.identity ? 1 : 0,
    half: a.half,
    num: a.num,
    den: a.den,
    add: a.add,
  };
}

export const resizeKernel: KernelDef<'resize'> = {
  op: 'resize',
  select(node, caps) {
    const x = node.inputs[0]!;
    const elem = storageElem(x);
    const at = node.attrs;
    const out = node.outputs[0].shape;
    const r = x.shape.length;
    const count = sizeOf(out);
    if (count === 0) return { calls: [] };
    const roi = (d: number, end: boolean): number => at.roi?.[d + (end ? r : 0)] ?? (end ? 1 : 0);
    const axes = x.shape.map((n, d) => resizeAxis(at.coordMode, n, out[d], at.scales[d], roi(d, false), roi(d, true)));
    const crop = at.coordMode === 'tf_crop_and_resize' ? 1 : 0;
    const workgroups = grid1d(Math.ceil(count / WG), caps.maxWorkgroupsPerDim);
    const bindings = [
      { io: 'in', index: 0 },
      { io: 'out', index: 0 },
    ] as const;
    if (at.mode === 'nearest') {
      const up = integerUpsample(x.shape, out, at);
      if (up) {
        // upsample_nearest.wgsl moves 32-bit words only: f16 takes the strided copy until it has an elem_t variant
        const fast = elem === 'u32' ? pow2Upsample2d(x.shape, out, caps) : null;
        if (fast) return { calls: [fast] };
        return { calls: stridedCopyCalls(up, caps, 'resize.nearest.int', bindings[0], bindings[1], elem) };
      }
      const merged = mergeIdentityAxes(axes);
      const p = RESIZE_NEAREST_PARAMS.pack({
        count,
        rank: merged.length,
        nearestMode: NEAREST_MODES[at.nearestMode],
        crop,
        extrapolationBits: padValueBits(at.extrapolationValue, x.dtype),
        extrapolationF32: at.extrapolationValue,
        axes: Array.from({ length: 8 }, (_, d) => axisParams(merged[d] ?? UNIT_AXIS)),
      });
      return {
        calls: [
          {
            variant: 'resize.nearest',
            shader: { file: 'resize_nearest.wgsl', prelude: { elem_t: elem }, overrides: { WG, HALF: elem === 'f16' } },
            params: p,
            bindings: [...bindings],
            workgroups,
            bytes: count * 8,
          },
        ],
      };
    }
    if (x.dtype !== 'f32' && x.dtype !== 'f16') unsupported(node, `${at.mode} resize of ${x.dtype} values`);
    const resized = axes.flatMap((a, d) => (a.identity ? [] : [d]));
    if (resized.length > 2) {
      unsupported(node, `${at.mode} resize of more than two axes (${resized.join(', ')})`);
    }
    // View as [A, H, B, W, C]: H and W are the resized axes (a unit identity axis stands in when only one is).
    const wAxis = resized.length ? resized[resized.length - 1] : r - 1;
    const hAxis = resized.length === 2 ? resized[0] : wAxis;
    const hAx = hAxis === wAxis ? UNIT_AXIS : axes[hAxis];
    const mid = hAxis === wAxis ? 1 : sizeOf(out.slice(hAxis + 1, wAxis));
    const inner = sizeOf(out.slice(wAxis + 1));
    const p = RESIZE_2D_PARAMS.pack({
      count,
      mid,
      inner,
      crop,
      extrapolation: at.extrapolationValue,
      cubicA: at.cubicCoeffA,
      excludeOutside: at.excludeOutside ? 1 : 0,
      axes: [axisParams(hAx), axisParams(axes[wAxis])],
    });
    const taps = at.mode === 'cubic' ? 16 : 4;
    return {
      calls: [
        {
          variant: `resize.${at.mode}`,
          shader: { file: 'resize_2d.wgsl', overrides: { MODE: at.mode === 'cubic' ? 1 : 0, WG } },
          params: p,
          bindings: [...bindings],
          workgroups,
          flops: count * taps * 2,
          bytes: count * (taps + 1) * 4,
        },
      ],
    };
  },
};

/**
 * Nearest upsampling by whole factors where every output pixel reads input floor(x / s) (asymmetric with
 * floor, or the half-pixel modes with rounding, whose offsets stay inside (-0.5, 0.5)): a broadcast
 * copy over [..., H, sH, W, sW] with zero strides on the repeat dims, which runs at copy speed.
 */
function integerUpsample(inShape: number[], outShape: number[], at: ResizeAttrs): StridedCopy | null {
  const floorExact =
    (at.coordMode === 'asymmetric' && at.nearestMode === 'floor') ||
    ((at.coordMode === 'half_pixel' || at.coordMode === 'pytorch_half_pixel') && at.nearestMode.startsWith('round'));
  if (!floorExact) return null;
  const factors = inShape.map((d, i) => outShape[i] / d);
  if (factors.some((f, i) => !Number.isInteger(f) || f < 1 || at.scales[i] !== f)) return null;
  if (at.coordMode === 'pytorch_half_pixel' && outShape.some((d) => d === 1)) return null;
  const inStrides = stridesOf(inShape);
  const shape: number[] = [],
    src: number[] = [];
  inShape.forEach((d, i) => {
    shape.push(d, factors[i]);
    src.push(inStrides[i], 0);
  });
  return { shape, srcStrides: src, dstStrides: stridesOf(shape), srcBase: 0, dstBase: 0 };
}

/** Whole power-of-two factors on the last two dims only, output rows a multiple of 4: the shift-based 2-D kernel. */
function pow2Upsample2d(inShape: number[], outShape: number[], caps: KernelCaps): KernelCall | null {
  const r = inShape.length;
  if (r < 2 || inShape.slice(0, r - 2).some((d, i) => d !== outShape[i])) return null;
  const [ih, iw] = inShape.slice(r - 2),
    [oh, ow] = outShape.slice(r - 2);
  const fh = oh / ih,
    fw = ow / iw;
  const isPow2 = (f: number) => Number.isInteger(f) && f >= 1 && (f & (f - 1)) === 0;
  if (!isPow2(fh) || !isPow2(fw) || ow % 4) return null;
  const rows = sizeOf(outShape.slice(0, r - 1));
  const wg = 64;
  const wgX = 16; // one shape for all sizes: one pipeline
  const grid: [number, number, number] = [Math.ceil(ow / 4 / wgX), Math.ceil(rows / (wg / wgX)), 1];
  if (grid.some((d) => d > caps.maxWorkgroupsPerDim)) return null; // the strided copy handles the rest
  const params = UPSAMPLE_PARAMS.pack({ outW4: ow / 4, inW: iw, shiftH: Math.log2(fh), shiftW: Math.log2(fw), rows });
  return {
    variant: 'resize.nearest.pow2',
    shader: { file: 'upsample_nearest.wgsl', overrides: { WG_X: wgX, WG_Y: wg / wgX } },
    params,
    bindings: [
      { io: 'in', index: 0 },
      { io: 'out', index: 0 },
    ],
    workgroups: grid,
    bytes: sizeOf(outShape) * 8,
  };
}
