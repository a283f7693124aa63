// TensorFlow.js WebGPU (tfjs-backend-webgpu 4.22) running the same ops at the same shapes, in NHWC (its
// native layout): matmul, conv2d, depthwise conv and softmax. Times are tf.time()'s kernelMs (GPU timestamps).
import type { HostTensor } from '../../src/core/tensor.js';
import type * as TfCore from '@tensorflow/tfjs-core';
import type { KernelCase } from '../cases/types.js';
import { maxError } from '../ref.js';

type Tf = typeof TfCore;
type Padding4 = [[number, number], [number, number], [number, number], [number, number]];

export interface PeerOp {
  check(ref: ArrayLike<number> | null): Promise<number | null>;
  sample(): Promise<number>;
  release(): void;
}

export interface TfPeer {
  version: string;
  timing: 'timestamp' | 'wall-clock';
  prepare(c: KernelCase, inputs: HostTensor[]): PeerOp | null;
}

function nchwToNhwc(t: HostTensor): Float32Array {
  const [n, c, h, w] = t.shape;
  const src = t.data as Float32Array;
  const out = new Float32Array(src.length);
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          out[((b * h + y) * w + x) * c + ch] = src[((b * c + ch) * h + y) * w + x];
        }
  return out;
}

function nhwcToNchw(src: Float32Array, [n, c, h, w]: number[]): Float32Array {
  const out = new Float32Array(src.length);
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          out[((b * c + ch) * h + y) * w + x] = src[((b * h + y) * w + x) * c + ch];
        }
  return out;
}

/** OIHW (group 1) → HWIO, or depthwise [C,1,kh,kw] → [kh,kw,C,1]. */
function filterHwio(t: HostTensor, depthwise: boolean): { data: Float32Array; shape: number[] } {
  const [o, i, kh, kw] = t.shape;
  const src = t.data as Float32Array;
  const out = new Float32Array(src.length);
  for (let a = 0; a < o; a++)
    for (let b = 0; b < i; b++)
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++) {
          const v = src[((a * i + b) * kh + y) * kw + x];
          if (depthwise) out[(y * kw + x) * o + a] = v;
          else out[((y * kw + x) * i + b) * o + a] = v;
        }
  return { data: out, shape: depthwise ? [kh, kw, o, 1] : [kh, kw, i, o] };
}

export async function loadTfjs(): Promise<TfPeer> {
  const tf: Tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu'))) throw new Error('TF.js could not start its webgpu backend');
  await tf.ready();
  const timestamps = !!(tf.backend() as { supportTimestampQuery?: boolean }).supportTimestampQuery;
  return {
    version: tf.version_core,
    timing: timestamps ? 'timestamp' : 'wall-clock',
    prepare(c, inputs) {
      let op: (() => TfCore.Tensor) | null = null;
      let toNchw: ((out: Float32Array) => Float32Array) | null = null;
      const held: TfCore.Tensor[] = [];
      const keep = <T extends TfCore.Tensor>(t: T): T => {
        held.push(t);
        return t;
      };
      if (c.op === 'matmul') {
        const [a, b] = inputs.map((t) => keep(tf.tensor(t.data as Float32Array, t.shape, 'float32')));
        op = () => tf.matMul(a, b);
      } else if (c.op === 'conv') {
        const at = c.attrs;
        const [x, w] = inputs;
        const depthwise = at.group > 1;
        if (depthwise && !(at.group === x.shape[1] && w.shape[0] === at.group)) return null;
        if (at.dilations.some((d) => d !== 1)) return null;
        const [n, cin, h, wd] = x.shape;
        const xt = keep(tf.tensor4d(nchwToNhwc(x), [n, h, wd, cin], 'float32'));
        const f = filterHwio(w, depthwise);
        const ft = keep(tf.tensor4d(f.data, f.shape as [number, number, number, number], 'float32'));
        const [pt, pl, pb, pr] = at.pads;
        const pad: Padding4 = [
          [0, 0],
          [pt, pb],
          [pl, pr],
          [0, 0],
        ];
        const strides: [number, number] = [at.strides[0], at.strides[1]];
        op = depthwise ? () => tf.depthwiseConv2d(xt, ft, strides, pad) : () => tf.conv2d(xt, ft, strides, pad);
        toNchw = (out) => {
          const oh = Math.floor((h + pt + pb - w.shape[2]) / strides[0]) + 1;
          const ow = Math.floor((wd + pl + pr - w.shape[3]) / strides[1]) + 1;
          return nhwcToNchw(out, [n, w.shape[0], oh, ow]);
        };
      } else if (c.op === 'softmax') {
        const axis = (c.attrs as { axis: number }).axis;
        if (axis !== -1 && axis !== inputs[0].shape.length - 1) return null;
        const x = keep(tf.tensor(inputs[0].data as Float32Array, inputs[0].shape, 'float32'));
        op = () => tf.softmax(x);
      }
      if (!op) return null;
      const run = op;
      return {
        async check(ref) {
          const out = run();
          const data = (await out.data()) as Float32Array;
          out.dispose();
          return ref ? maxError(toNchw ? toNchw(data) : data, ref) : null;
        },
        async sample() {
          let out: TfCore.Tensor | undefined;
          const t0 = performance.now();
          const info = await tf.time(() => {
            out = run();
          });
          const wall = performance.now() - t0;
          out?.dispose();
          return timestamps && typeof info.kernelMs === 'number' ? info.kernelMs : wall;
        },
        release() {
          for (const t of held) t.dispose();
        },
      };
    },
  };
}
