// CPU evaluation of IR nodes whose inputs are all constants: shape arithmetic, weight transposes and
// the like fold away at import, for the given input shapes. Returns null where folding is not offered.
// f16 values are computed on as f32/f64 numbers and rounded back to f16 when the output is f16.
import { allocTyped, f16ToF32, f32ToF16, isFloat, toInt64 } from '../core/dtype.js';
import { broadcastStrides, sizeOf, stridesOf } from '../core/shape.js';
import type { HostTensor } from '../core/tensor.js';
import type * as A from './graph.js';
import type { TensorInfo } from './infer-shapes.js';

type Num = number;
const toNum = (v: number | bigint): Num => (typeof v === 'bigint' ? Number(v) : v);

function make(info: TensorInfo, values: ArrayLike<number>): HostTensor {
  const data = allocTyped(info.dtype, values.length);
  if (data instanceof BigInt64Array) for (let i = 0; i < values.length; i++) data[i] = toInt64(values[i]);
  else if (info.dtype === 'bool') for (let i = 0; i < values.length; i++) data[i] = values[i] ? 1 : 0;
  else if (info.dtype === 'f16') for (let i = 0; i < values.length; i++) data[i] = f32ToF16(values[i]);
  else (data as Float32Array).set(Array.from(values, (v) => (isFloat(info.dtype) ? v : Math.trunc(v))));
  return { dtype: info.dtype, shape: [...info.shape], data };
}

function nums(t: HostTensor): Num[] {
  if (t.dtype === 'f16') return Array.from(t.data as Uint16Array, f16ToF32);
  return Array.from(t.data as ArrayLike<number | bigint>, toNum);
}

/** Gathers `src` at strided offsets over `shape` (the engine of transpose/slice/expand). */
function strided(src: Num[], shape: number[], strides: number[], base: number): Num[] {
  const n = sizeOf(shape);
  const out = new Array<Num>(n);
  const r = shape.length;
  for (let i = 0; i < n; i++) {
    let rem = i;
    let off = base;
    for (let d = r - 1; d >= 0; d--) {
      off += (rem % shape[d]) * strides[d];
      rem = Math.floor(rem / shape[d]);
    }
    out[i] = src[off];
  }
  return out;
}

const BIN: Record<string, (x: Num, y: Num, int: boolean) => Num> = {
  add: (x, y) => x + y,
  sub: (x, y) => x - y,
  mul: (x, y) => x * y,
  div: (x, y, int) => (int ? (y === 0 ? 0 : Math.trunc(x / y)) : x / y),
  pow: (x, y) => x ** y,
  max: (x, y) => Math.max(x, y),
  min: (x, y) => Math.min(x, y),
  mod: (x, y) => {
    const r = x % y;
    return r !== 0 && r < 0 !== y < 0 ? r + y : r;
  },
  fmod: (x, y) => x % y,
  prelu: (x, y) => (x >= 0 ? x : x * y),
  equal: (x, y) => +(x === y),
  less: (x, y) => +(x < y),
  greater: (x, y) => +(x > y),
  lessOrEqual: (x, y) => +(x <= y),
  greaterOrEqual: (x, y) => +(x >= y),
  and: (x, y) => +(!!x && !!y),
  or: (x, y) => +(!!x || !!y),
  xor: (x, y) => +(!!x !== !!y),
};
const UN: Partial<Record<A.ActKind, (x: Num, a: number, b: number) => Num>> = {
  none: (x) => x,
  relu: (x) => Math.max(x, 0),
  neg: (x) => -x,
  abs: Math.abs,
  sqrt: Math.sqrt,
  exp: Math.exp,
  log: Math.log,
  floor: Math.floor,
  ceil: Math.ceil,
  reciprocal: (x) => 1 / x,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  clip: (x, a, b) => Math.min(Math.max(x, a), b),
  not: (x) => +(x === 0),
  sign: Math.sign,
  tanh: Math.tanh,
  sin: Math.sin,
  cos: Math.cos,
};

export function foldNode(node: A.Node, ins: (HostTensor | null)[], outs: TensorInfo[]): HostTensor[] | null {
  const x = ins[0];
  const out = outs[0];
  const at = node.attrs;
  switch (node.op) {
    case 'identity':
    case 'reshape':
      return [{ dtype: out.dtype, shape: [...out.shape], data: x!.data.slice() }];
    case 'cast':
      // fp16-stored weights (--weights fp16) stay half size on the GPU: their widening Cast runs there
      if (x!.dtype === 'f16' && out.dtype === 'f32' && x!.data.length > 64) return null;
      return [make(out, nums(x!))];
    case 'binary': {
      const f = BIN[(at as A.BinaryAttrs).kind];
      const a = ins[0]!,
        b = ins[1]!;
      if (!f) return null;
      const av = nums(a),
        bv = nums(b);
      const sa = broadcastStrides(a.shape, out.shape),
        sb = broadcastStrides(b.shape, out.shape);
      const ga = strided(av, out.shape, sa, 0),
        gb = strided(bv, out.shape, sb, 0);
      const intIn = !isFloat(a.dtype);
      return [
        make(
          out,
          ga.map((v, i) => f(v, gb[i], intIn)),
        ),
      ];
    }
    case 'unary': {
      const a = at as A.UnaryAttrs;
      const f = UN[a.act];
      if (!f) return null;
      return [
        make(
          out,
          nums(x!).map((v) => f(v, a.alpha, a.beta)),
        ),
      ];
    }
    case 'where': {
      const [c, a, b] = ins as HostTensor[];
      const gc = strided(nums(c), out.shape, broadcastStrides(c.shape, out.shape), 0);
      const ga = strided(nums(a), out.shape, broadcastStrides(a.shape, out.shape), 0);
      const gb = strided(nums(b), out.shape, broadcastStrides(b.shape, out.shape), 0);
      return [
        make(
          out,
          gc.map((v, i) => (v ? ga[i] : gb[i])),
        ),
      ];
    }
    case 'transpose': {
      if (x!.dtype === 'i4') return null;
      const st = stridesOf(x!.shape);
      const perm = (at as A.TransposeAttrs).perm;
      return [
        make(
          out,
          strided(
            nums(x!),
            out.shape,
            perm.map((p) => st[p]),
            0,
          ),
        ),
      ];
    }
    case 'expand':
      return [make(out, strided(nums(x!), out.shape, broadcastStrides(x!.shape, out.shape), 0))];
    case 'slice': {
      const a = at as A.SliceAttrs;
      const st = stridesOf(x!.shape);
      const base = a.starts.reduce((s, v, i) => s + v * st[i], 0);
      return [
        make(
          out,
          strided(
            nums(x!),
            out.shape,
            st.map((s, i) => s * a.steps[i]),
            base,
          ),
        ),
      ];
    }
    case 'concat': {
      const parts = ins.filter((t): t is HostTensor => !!t && sizeOf(t.shape) > 0);
      const axis =
        (at as A.ConcatAttrs).axis < 0 ? (at as A.ConcatAttrs).axis + out.shape.length : (at as A.ConcatAttrs).axis;
      const outer = sizeOf(out.shape.slice(0, axis));
      const vals: Num[] = [];
      const partNums = parts.map(nums);
      for (let o = 0; o < outer; o++) {
        for (const [j, p] of parts.entries()) {
          const inner = sizeOf(p.shape.slice(axis));
          const pv = partNums[j];
          for (let k = 0; k < inner; k++) vals.push(pv[o * inner + k]);
        }
      }
      return [make(out, vals)];
    }
    case 'gather': {
      const [d, idx] = ins as HostTensor[];
      const axis =
        (at as A.GatherAttrs).axis < 0 ? (at as A.GatherAttrs).axis + d.shape.length : (at as A.GatherAttrs).axis;
      const outer = sizeOf(d.shape.slice(0, axis));
      const inner = sizeOf(d.shape.slice(axis + 1));
      const dim = d.shape[axis];
      const dv = nums(d);
      const iv = nums(idx).map((i) => (i < 0 ? i + dim : i));
      if (iv.some((i) => i < 0 || i >= dim)) return null; // let the error surface with the node's name upstream
      const vals: Num[] = [];
      for (let o = 0; o < outer; o++)
        for (const i of iv) for (let k = 0; k < inner; k++) vals.push(dv[(o * dim + i) * inner + k]);
      return [make(out, vals)];
    }
    case 'reduce': {
      const a = at as A.ReduceAttrs;
      if (!['sum', 'mean', 'max', 'min', 'prod'].includes(a.kind)) return null;
      const xs = x!.shape;
      const keptShape = xs.map((d, i) => (a.axes.includes(i) ? 1 : d));
      const acc = new Array<Num>(sizeOf(keptShape)).fill(
        a.kind === 'max' ? -Infinity : a.kind === 'min' ? Infinity : a.kind === 'prod' ? 1 : 0,
      );
      const kst = stridesOf(keptShape);
      const xv = nums(x!);
      for (let i = 0; i < xv.length; i++) {
        let rem = i,
          o = 0;
        for (let d = xs.length - 1; d >= 0; d--) {
          const c = rem % xs[d];
          rem = Math.floor(rem / xs[d]);
          if (!a.axes.includes(d)) o += c * kst[d];
        }
        const v = xv[i];
        acc[o] =
          a.kind === 'max'
            ? Math.max(acc[o], v)
            : a.kind === 'min'
              ? Math.min(acc[o], v)
              : a.kind === 'prod'
                ? acc[o] * v
                : acc[o] + v;
      }
      const cnt = a.axes.reduce((p, ax) => p * xs[ax], 1);
      return [make(out, a.kind === 'mean' ? acc.map((v) => v / cnt) : acc)];
    }
    case 'dequantize': {
      // int32 biases fold here; int8/int4 weights stay packed for the GPU
      const [q, s, zp] = ins;
      const a = at as A.QuantAttrs;
      if (
        q!.dtype !== 'i32' ||
        !isFloat(s!.dtype) ||
        (a.axis >= 0 && a.axis !== 0) ||
        a.blockSize ||
        q!.shape.length > 1
      )
        return null;
      const qv = nums(q!),
        sv = nums(s!),
        zv = zp ? nums(zp) : null;
      return [
        make(
          out,
          qv.map((v, i) => (v - (zv ? zv[zv.length === 1 ? 0 : i] : 0)) * sv[sv.length === 1 ? 0 : i]),
        ),
      ];
    }
    default:
      return null;
  }
}
