// 2-D pooling on NCHW f32 or f16 (math in f32). Whole-plane windows (global pooling, e.g. 1x480x80x80 -> 1x480x1x1)
// take a
// workgroup reduction per plane; everything else one output per invocation.
import { bytesPerElement } from '../core/dtype.js';
import { sizeOf } from '../core/shape.js';
import type { KernelDef } from './types.js';
import { grid1d } from './params.js';
import { GLOBAL_POOL_PARAMS, POOL_PARAMS } from './uniforms.js';
import { unsupported } from './unsupported.js';

const WG = 256;
const MAX_CONST_WINDOW = 49;
// Measured on lavapipe at 1x480x80x80: vec4 loads with 16-32 lanes per plane beat scalar loads 2-4x.
const GLOBAL_WG = 32;

export const poolKernel: KernelDef<'pool'> = {
  op: 'pool',
  select(node, caps) {
    const x = node.inputs[0]!;
    if (x.dtype !== 'f32' && x.dtype !== 'f16') unsupported(node, `pooling of ${x.dtype} values`);
    const eb = bytesPerElement(x.dtype);
    const a = node.attrs;
    const [n, c, h, w] = x.shape;
    const [, , oh, ow] = node.outputs[0].shape;
    const count = sizeOf(node.outputs[0].shape);
    const kind = a.kind === 'max' ? 0 : 1;
    if (count === 0) return { calls: [] };
    const bindings = [
      { io: 'in', index: 0 },
      { io: 'out', index: 0 },
    ] as const;
    const globalWindow =
      oh === 1 &&
      ow === 1 &&
      a.kernel[0] === h &&
      a.kernel[1] === w &&
      a.pads.every((p) => p === 0) &&
      (h === 1 || a.dilations[0] === 1) &&
      (w === 1 || a.dilations[1] === 1);
    if (globalWindow) {
      const planes = n * c;
      const vec4 = (h * w) % 4 === 0;
      return {
        calls: [
          {
            variant: `pool.global.${a.kind}${vec4 ? '.vec4' : ''}`,
            shader: {
              file: vec4 ? 'pool_global_vec4.wgsl' : 'pool_global.wgsl',
              overrides: { KIND: kind, WG: GLOBAL_WG },
            },
            params: GLOBAL_POOL_PARAMS.pack({ planes, planeSize: h * w }),
            bindings: [...bindings],
            workgroups: grid1d(planes, caps.maxWorkgroupsPerDim),
            flops: planes * h * w,
            bytes: planes * (h * w + 1) * eb,
          },
        ],
      };
    }
    const params = POOL_PARAMS.pack({
      count,
      inH: h,
      inW: w,
      outH: oh,
      outW: ow,
      kernelH: a.kernel[0],
      kernelW: a.kernel[1],
      strideH: a.strides[0],
      strideW: a.strides[1],
      padTop: a.pads[0],
      padLeft: a.pads[1],
      dilationH: a.dilations[0],
      dilationW: a.dilations[1],
      paddedH: h + a.pads[2],
      paddedW: w + a.pads[3],
      countIncludePad: a.countIncludePad ? 1 : 0,
    });
    // Small windows become pipeline constants (one pipeline per window size; larger ones stay uniform).
    const constWindow = a.kernel[0] * a.kernel[1] <= MAX_CONST_WINDOW;
    const overrides = { KIND: kind, WG, KH: constWindow ? a.kernel[0] : 0, KW: constWindow ? a.kernel[1] : 0 };
    return {
      calls: [
        {
          variant: `pool.${a.kind}`,
          shader: { file: 'pool.wgsl', overrides },
          params,
          bindings: [...bindings],
          workgroups: grid1d(Math.ceil(count / WG), caps.maxWorkgroupsPerDim),
          flops: count * a.kernel[0] * a.kernel[1],
          bytes: count * (a.kernel[0] * a.kernel[1] + 1) * eb,
        },
      ],
    };
  },
};
