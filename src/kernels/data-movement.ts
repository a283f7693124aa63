// Data movement. Transpose, slice, expand and every input of a concat are one strided-copy shader:
// dst[dst_base + sum(idx*dst_stride)] = src[src_base + sum(idx*src_stride)] over a logical shape, on
// 32-bit words (one pipeline serves f32, i32 and bool) or on f16 halves. Gather has its own small shader.
import { gpuDType } from '../core/dtype.js';
import { broadcastStrides, normAxis, sizeOf, stridesOf } from '../core/shape.js';
import type { TensorInfo } from '../ir/infer-shapes.js';
import type { BindingRef, KernelCall, KernelCaps, KernelDef } from './types.js';
import { grid1d, rankDims } from './params.js';
import { COPY_STRIDED_PARAMS, GATHER_PARAMS, PIXEL_SHUFFLE_PARAMS } from './uniforms.js';

const WG = 256;

export interface StridedCopy {
  shape: number[];
  srcStrides: number[];
  dstStrides: number[];
  srcBase: number;
  dstBase: number;
}

/** The storage element a value-moving shader uses (its elem_t): f16 halves, or 32-bit words for every other dtype. */
export function storageElem(t: TensorInfo): 'f16' | 'u32' {
  return gpuDType(t.dtype) === 'f16' ? 'f16' : 'u32';
}

/** Drops size-1 dims and merges neighbours contiguous in both source and destination: fewer div/mods per element. */
export function coalesce(c: StridedCopy): StridedCopy {
  const shape: number[] = [];
  const src: number[] = [];
  const dst: number[] = [];
  for (let d = 0; d < c.shape.length; d++) {
    if (c.shape[d] === 1) continue;
    const k = shape.length - 1;
    if (k >= 0 && src[k] === c.srcStrides[d] * c.shape[d] && dst[k] === c.dstStrides[d] * c.shape[d]) {
      shape[k] *= c.shape[d];
      src[k] = c.srcStrides[d];
      dst[k] = c.dstStrides[d];
    } else {
      shape.push(c.shape[d]);
      src.push(c.srcStrides[d]);
      dst.push(c.dstStrides[d]);
    }
  }
  return { shape, srcStrides: src, dstStrides: dst, srcBase: c.srcBase, dstBase: c.dstBase };
}

/** One strided-copy call, or none when the copy is empty. */
export function stridedCopyCalls(
  copy: StridedCopy,
  caps: KernelCaps,
  variant: string,
  src: BindingRef,
  dst: BindingRef,
  elem: 'f16' | 'u32',
): KernelCall[] {
  const count = sizeOf(copy.shape);
  if (count === 0) return [];
  const c = coalesce(copy);
  const small = c.shape.length <= 4;
  const pad = (v: number[], fill: number) => (small ? [...new Array<number>(4 - v.length).fill(fill), ...v] : v);
  const params = COPY_STRIDED_PARAMS.pack({
    count,
    rank: c.shape.length,
    srcBase: c.srcBase,
    dstBase: c.dstBase,
    shape: rankDims(pad(c.shape, 1), 1),
    srcStrides: rankDims(pad(c.srcStrides, 0)),
    dstStrides: rankDims(pad(c.dstStrides, 0)),
  });
  return [
    {
      variant,
      shader: { file: 'copy_strided.wgsl', prelude: { elem_t: elem }, overrides: { WG, SMALL: small } },
      params,
      bindings: [src, dst],
      workgroups: grid1d(Math.ceil(count / WG), caps.maxWorkgroupsPerDim),
      bytes: count * (elem === 'f16' ? 4 : 8),
    },
  ];
}

const IN0: BindingRef = { io: 'in', index: 0 };
const OUT0: BindingRef = { io: 'out', index: 0 };

export const transposeKernel: KernelDef<'transpose'> = {
  op: 'transpose',
  select(node, caps) {
    const x = node.inputs[0]!;
    const perm = node.attrs.perm;
    const xs = stridesOf(x.shape);
    const out = node.outputs[0].shape;
    const elem = storageElem(x);
    // pixel_shuffle.wgsl moves 32-bit words; 2-byte elements take the strided copy
    const shuffle = elem === 'u32' ? pixelShuffle(x.shape, perm, caps) : null;
    if (shuffle) return { calls: [shuffle] };
    const copy = { shape: out, srcStrides: perm.map((p) => xs[p]), dstStrides: stridesOf(out), srcBase: 0, dstBase: 0 };
    return { calls: stridedCopyCalls(copy, caps, 'transpose', IN0, OUT0, elem) };
  },
};

/**
 * [.., KH, KW, H, W] -> [.., H, KH, W, KW] with power-of-two KH, KW and output rows of whole vec4s: pixel_shuffle.wgsl.
 */
function pixelShuffle(shape: number[], perm: number[], caps: KernelCaps): KernelCall | null {
  const r = shape.length;
  if (
    r < 4 ||
    perm.slice(0, r - 4).some((p, i) => p !== i) ||
    perm.slice(r - 4).join() !== [r - 2, r - 4, r - 1, r - 3].join()
  )
    return null;
  const [kh, kw, h, w] = shape.slice(r - 4);
  const pow2 = (v: number) => (v & (v - 1)) === 0;
  const planes = sizeOf(shape.slice(0, r - 4));
  if (!pow2(kh) || !pow2(kw) || (w * kw) % 4) return null;
  const cols4 = (w * kw) / 4,
    rows = h * kh;
  const workgroups: [number, number, number] = [Math.ceil(cols4 / 16), Math.ceil(rows / 4), planes];
  if (workgroups.some((d) => d > caps.maxWorkgroupsPerDim) || planes === 0) return null;
  return {
    variant: 'transpose.pixel_shuffle',
    shader: { file: 'pixel_shuffle.wgsl', overrides: { WG_X: 16, WG_Y: 4 } },
    params: PIXEL_SHUFFLE_PARAMS.pack({ cols4, rows, w, hw: h * w, shiftH: Math.log2(kh), shiftW: Math.log2(kw) }),
    bindings: [IN0, OUT0],
    workgroups,
    bytes: sizeOf(shape) * 8,
  };
}

export const sliceKernel: KernelDef<'slice'> = {
  op: 'slice',
  select(node, caps) {
    const x = node.inputs[0]!;
    const a = node.attrs;
    const out = node.outputs[0].shape;
    if (sizeOf(out) === 0) return { calls: [] };
    const xs = stridesOf(x.shape);
    const srcBase = a.starts.reduce((acc, s, d) => acc + s * xs[d], 0);
    const copy = {
      shape: out,
      srcStrides: a.steps.map((st, d) => st * xs[d]),
      dstStrides: stridesOf(out),
      srcBase,
      dstBase: 0,
    };
    return { calls: stridedCopyCalls(copy, caps, 'slice', IN0, OUT0, storageElem(x)) };
  },
};

export const expandKernel: KernelDef<'expand'> = {
  op: 'expand',
  select(node, caps) {
    const x = node.inputs[0]!;
    const out = node.outputs[0].shape;
    const copy = {
      shape: out,
      srcStrides: broadcastStrides(x.shape, out),
      dstStrides: stridesOf(out),
      srcBase: 0,
      dstBase: 0,
    };
    return { calls: stridedCopyCalls(copy, caps, 'expand', IN0, OUT0, storageElem(x)) };
  },
};

/** One call per non-empty input, each writing its slab of the output. */
export const concatKernel: KernelDef<'concat'> = {
  op: 'concat',
  select(node, caps) {
    const out = node.outputs[0].shape;
    const axis = normAxis(node.attrs.axis, out.length, `node '${node.name}' axis`);
    const os = stridesOf(out);
    const calls: KernelCall[] = [];
    let offset = 0;
    node.inputs.forEach((t, index) => {
      if (!t) return;
      const copy = {
        shape: t.shape,
        srcStrides: stridesOf(t.shape),
        dstStrides: os,
        srcBase: 0,
        dstBase: offset * os[axis],
      };
      calls.push(...stridedCopyCalls(copy, caps, 'concat', { io: 'in', index }, OUT0, storageElem(t)));
      offset += t.shape[axis];
    });
    return { calls };
  },
};

export const gatherKernel: KernelDef<'gather'> = {
  op: 'gather',
  select(node, caps) {
    const [x, idx] = node.inputs as TensorInfo[];
    const elem = storageElem(x);
    const axis = normAxis(node.attrs.axis, x.shape.length, `node '${node.name}' axis`);
    const count = sizeOf(node.outputs[0].shape);
    if (count === 0) return { calls: [] };
    const inner = sizeOf(x.shape.slice(axis + 1));
    const params = GATHER_PARAMS.pack({ count, inner, nIdx: sizeOf(idx.shape), axisDim: x.shape[axis] });
    return {
      calls: [
        {
          variant: 'gather',
          shader: { file: 'gather.wgsl', prelude: { elem_t: elem }, overrides: { WG } },
          params,
          bindings: [IN0, { io: 'in', index: 1 }, OUT0],
          workgroups: grid1d(Math.ceil(count / WG), caps.maxWorkgroupsPerDim),
          bytes: count * (elem === 'f16' ? 8 : 12),
        },
      ],
    };
  },
};
