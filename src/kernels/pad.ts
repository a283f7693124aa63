// Pad: one pipeline per mode and storage element (32-bit words or f16); a word constant travels as raw bits.
import { gpuDType } from '../core/dtype.js';
import { sizeOf, stridesOf } from '../core/shape.js';
import type { KernelDef } from './types.js';
import { grid1d, rankDims } from './params.js';
import { PAD_PARAMS } from './uniforms.js';
import { storageElem } from './data-movement.js';

const WG = 256;
const MODES = { constant: 0, reflect: 1, edge: 2, wrap: 3 } as const;

/** The pad constant as the 32-bit word the output dtype stores. */
export function padValueBits(value: number, dtype: string): number {
  const g = gpuDType(dtype as never);
  if (g === 'f32') return new Uint32Array(new Float32Array([value]).buffer)[0];
  if (g === 'u32') return dtype === 'bool' ? (value ? 1 : 0) : value >>> 0;
  return (Math.trunc(value) | 0) >>> 0;
}

export const padKernel: KernelDef<'pad'> = {
  op: 'pad',
  select(node, caps) {
    const x = node.inputs[0]!;
    const elem = storageElem(x);
    const a = node.attrs;
    const r = x.shape.length;
    const out = node.outputs[0].shape;
    const count = sizeOf(out);
    if (count === 0) return { calls: [] };
    const mode = sizeOf(x.shape) === 0 ? MODES.constant : MODES[a.mode];
    // Negative pads crop first (as ONNX Runtime does), so reflect/edge/wrap act on the cropped tensor.
    const cropBegin = x.shape.map((_, d) => Math.max(0, -a.pads[d]));
    const cropLen = x.shape.map((n, d) => n - cropBegin[d] - Math.max(0, -a.pads[d + r]));
    const padBegin = x.shape.map((_, d) => Math.max(0, a.pads[d]));
    const axes = mergeUnpadded(
      x.shape.map((n, d) => ({
        size: out[d],
        stride: 1,
        cropBegin: cropBegin[d],
        cropLen: cropLen[d],
        padBegin: padBegin[d],
        padded: out[d] !== n || a.pads[d] !== 0,
      })),
      stridesOf(x.shape),
    );
    const params = PAD_PARAMS.pack({
      count,
      rank: axes.length,
      valueF32: a.value,
      valueBits: padValueBits(a.value, x.dtype),
      outShape: rankDims(
        axes.map((m) => m.size),
        1,
      ),
      inStrides: rankDims(axes.map((m) => m.stride)),
      cropBegin: rankDims(axes.map((m) => m.cropBegin)),
      cropLen: rankDims(axes.map((m) => m.cropLen)),
      padBegin: rankDims(axes.map((m) => m.padBegin)),
    });
    return {
      calls: [
        {
          variant: `pad.${a.mode}`,
          shader: { file: 'pad.wgsl', prelude: { elem_t: elem }, overrides: { MODE: mode, WG, HALF: elem === 'f16' } },
          params,
          bindings: [
            { io: 'in', index: 0 },
            { io: 'out', index: 0 },
          ],
          workgroups: grid1d(Math.ceil(count / WG), caps.maxWorkgroupsPerDim),
          bytes: count * 8,
        },
      ],
    };
  },
};

interface PadAxis {
  size: number;
  stride: number;
  cropBegin: number;
  cropLen: number;
  padBegin: number;
  padded: boolean;
}

/** Merges each run of neighbouring unpadded axes into one: padding H,W of [N,C,H,W] loops over 3 axes, not 4. */
function mergeUnpadded(axes: PadAxis[], inStrides: number[]): PadAxis[] {
  const out: PadAxis[] = [];
  axes.forEach((ax, d) => {
    const last = out[out.length - 1];
    if (last && !ax.padded && !last.padded) {
      last.size *= ax.size;
      last.cropLen = last.size;
      last.stride = inStrides[d];
    } else {
      out.push({ ...ax, stride: inStrides[d] });
    }
  });
  return out;
}
