// CPU references for the bench cases: test/ref/*.ts where it exists (conv, pool, resize, elementwise,
// unary), plain f64 loops here for matmul and softmax.
import type { HostTensor } from '../src/core/tensor.js';
import type { MatmulAttrs, SoftmaxAttrs } from '../src/ir/graph.js';
import { conv2dRef, convTranspose2dRef } from '../test/ref/conv.js';
import { binaryRef } from '../test/ref/elementwise.js';
import { poolRef } from '../test/ref/pool.js';
import { resizeRef } from '../test/ref/resize.js';
import { UNARY_REF } from '../test/ref/unary.js';
import type { KernelCase } from './cases/types.js';

/** Batched matmul with numpy batch broadcasting; A [..., M, K], B [..., K, N] (no transposes). */
export function matmulRef(a: HostTensor, b: HostTensor, at: MatmulAttrs): Float64Array {
  if (at.transA || at.transB) throw new Error('matmulRef: transposes are not used by the bench');
  const M = a.shape[a.shape.length - 2],
    K = a.shape[a.shape.length - 1],
    N = b.shape[b.shape.length - 1];
  const aB = a.shape.slice(0, -2).reduce((p, q) => p * q, 1);
  const bB = b.shape.slice(0, -2).reduce((p, q) => p * q, 1);
  const batches = Math.max(aB, bB);
  if (aB !== batches && aB !== 1) throw new Error('matmulRef: only full or absent batch broadcast');
  const A = a.data as Float32Array,
    B = b.data as Float32Array;
  const out = new Float64Array(batches * M * N);
  const row = new Float64Array(N);
  for (let t = 0; t < batches; t++) {
    const ao = (aB === 1 ? 0 : t) * M * K,
      bo = (bB === 1 ? 0 : t) * K * N;
    for (let i = 0; i < M; i++) {
      row.fill(0);
      for (let k = 0; k < K; k++) {
        const av = A[ao + i * K + k];
        const bo2 = bo + k * N;
        for (let j = 0; j < N; j++) row[j] += av * B[bo2 + j];
      }
      out.set(row, (t * M + i) * N);
    }
  }
  const alpha = at.alpha ?? 1;
  if (alpha !== 1) for (let i = 0; i < out.length; i++) out[i] *= alpha;
  return out;
}

export function softmaxRef(x: HostTensor, at: SoftmaxAttrs): Float64Array {
  const rank = x.shape.length;
  const axis = at.axis < 0 ? at.axis + rank : at.axis;
  const len = x.shape[axis];
  const inner = x.shape.slice(axis + 1).reduce((p, q) => p * q, 1);
  const outer = x.shape.slice(0, axis).reduce((p, q) => p * q, 1);
  const X = x.data as Float32Array;
  const out = new Float64Array(X.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at0 = o * len * inner + i;
      let mx = -Infinity;
      for (let k = 0; k < len; k++) mx = Math.max(mx, X[at0 + k * inner]);
      let s = 0;
      for (let k = 0; k < len; k++) s += Math.exp(X[at0 + k * inner] - mx);
      for (let k = 0; k < len; k++) {
        const e = X[at0 + k * inner] - mx;
        out[at0 + k * inner] = at.log ? e - Math.log(s) : Math.exp(e) / s;
      }
    }
  }
  return out;
}

const BINARY: Record<string, (x: number, y: number) => number> = {
  add: (x, y) => x + y,
  sub: (x, y) => x - y,
  mul: (x, y) => x * y,
  div: (x, y) => x / y,
};

const f32 = (t: HostTensor) => ({ shape: t.shape, data: t.data as Float32Array });

/** The reference output of a case, or null when none is written for its op. */
export function referenceFor(c: KernelCase, inputs: HostTensor[]): ArrayLike<number> | null {
  const [x, y] = inputs;
  switch (c.op) {
    case 'matmul':
      return matmulRef(x, y, c.attrs);
    case 'conv':
      return conv2dRef(x, y, c.attrs).data;
    case 'convTranspose':
      return convTranspose2dRef(x, y, c.attrs).data;
    case 'softmax':
      return softmaxRef(x, c.attrs);
    case 'pool': {
      const a = c.attrs;
      const kh = a.kernel[0],
        kw = a.kernel[1];
      const oh = Math.floor((x.shape[2] + a.pads[0] + a.pads[2] - a.dilations[0] * (kh - 1) - 1) / a.strides[0]) + 1;
      const ow = Math.floor((x.shape[3] + a.pads[1] + a.pads[3] - a.dilations[1] * (kw - 1) - 1) / a.strides[1]) + 1;
      return poolRef(f32(x), [oh, ow], a);
    }
    case 'resize':
      return resizeRef(f32(x), c.attrs);
    case 'binary': {
      const f = BINARY[(c.attrs as { kind: string }).kind];
      return f ? binaryRef(x, y, f).data : null;
    }
    case 'unary': {
      const a = c.attrs as { act: string; alpha: number; beta: number };
      const f = UNARY_REF[a.act];
      if (!f) return null;
      const X = x.data as Float32Array;
      const out = new Float64Array(X.length);
      for (let i = 0; i < X.length; i++) out[i] = f(X[i], a.alpha, a.beta);
      return out;
    }
    default:
      return null;
  }
}

/** Max |gpu - ref| over max |ref| (1 when the reference is all zeros); NaN anywhere gives Infinity. */
export function maxError(gpu: ArrayLike<number>, ref: ArrayLike<number>): number {
  if (gpu.length !== ref.length) return Infinity;
  let scale = 0;
  let err = 0;
  for (let i = 0; i < ref.length; i++) {
    const g = Number(gpu[i]);
    const r = Number(ref[i]);
    if (!Number.isFinite(g) && g !== r) return Infinity;
    scale = Math.max(scale, Math.abs(r));
    err = Math.max(err, Math.abs(g - r));
  }
  return err / (scale || 1);
}
