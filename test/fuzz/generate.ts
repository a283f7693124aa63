// Random small ONNX graphs: a chain of ops over one image input, with attribute values that are
// sane most of the time and absurd (stride 0, group not dividing channels, pads past the input,
// kernels larger than the input, out-of-range axes, huge shapes) some of the time.
import { type IoSpec, type NodeSpec, type TensorSpec, float, graph, io, node, tensor } from '../onnx-builder.js';
import { type Rng, int, pick } from './mutate.js';

interface Val {
  name: string;
  shape: number[];
}

interface Gen {
  r: Rng;
  absurd: () => boolean;
  nodes: NodeSpec[];
  inits: TensorSpec[];
  vals: Val[];
  n: number;
}

const fresh = (g: Gen, p: string) => `${p}${g.n++}`;
const randn = (r: Rng, n: number) => Array.from({ length: n }, () => Math.round((r() * 2 - 1) * 1000) / 1000);
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

function constant(g: Gen, wanted: number[], values?: number[], dtype: 'f32' | 'i64' = 'f32'): string {
  // tracked shapes can be absurd after an absurd op: weights stay small (the mismatch is the point)
  let dims = wanted.map((d) => (Number.isSafeInteger(d) && d >= 0 ? Math.min(d, 64) : 1));
  if (size(dims) > 65536) dims = dims.map(() => 2);
  const name = fresh(g, dtype === 'i64' ? 'k' : 'w');
  g.inits.push(tensor(name, dims, values && size(dims) === values.length ? values : randn(g.r, size(dims)), dtype));
  return name;
}
function ints(g: Gen, values: number[]): string {
  if (values.some((v) => !Number.isFinite(v))) throw new Error(`generator bug: int64 values [${values}]`);
  return constant(g, [values.length], values, 'i64');
}

type Op = (g: Gen, x: Val) => Val | null;

function conv(g: Gen, x: Val): Val | null {
  if (x.shape.length !== 4) return null;
  const { r } = g;
  const [, c, h, w] = x.shape;
  const depthwise = r() < 0.3;
  let group = depthwise ? c : 1;
  const cout = depthwise ? c : int(r, 1, 8);
  let k = int(r, 1, 3),
    stride = int(r, 1, 2),
    pad = int(r, 0, 1),
    dil = int(r, 1, 2);
  let wIn = c / group;
  if (g.absurd()) {
    const which = int(r, 0, 5);
    if (which === 0) stride = pick(r, [0, -1]);
    else if (which === 1) {
      group = pick(r, [3, 5, c + 1, 0, -2]);
      wIn = Math.max(1, Math.floor(c / Math.max(1, group)));
    } else if (which === 2) pad = pick(r, [1000, -2, 2 ** 40]);
    else if (which === 3) k = Math.max(h, w) + pick(r, [5, 100]);
    else if (which === 4) dil = pick(r, [0, 1000]);
    else wIn = c + 1;
  }
  const wName = constant(
    g,
    [cout, wIn, Math.max(k, 1), Math.max(k, 1)].map((d) => Math.min(d, 200)),
  );
  const ins = [x.name, wName];
  if (r() < 0.5) ins.push(constant(g, [cout]));
  const out = fresh(g, 'conv');
  const attrs: Record<string, number[] | number | string> = { strides: [stride, stride], dilations: [dil, dil], group };
  if (r() < 0.2) attrs.auto_pad = pick(r, ['SAME_UPPER', 'SAME_LOWER', 'VALID']);
  else attrs.pads = [pad, pad, pad, pad];
  if (r() < 0.5) attrs.kernel_shape = [k, k];
  g.nodes.push(node('Conv', ins, [out], attrs));
  const oh = Math.floor((h + 2 * pad - dil * (k - 1) - 1) / Math.max(stride, 1)) + 1;
  const ow = Math.floor((w + 2 * pad - dil * (k - 1) - 1) / Math.max(stride, 1)) + 1;
  return { name: out, shape: [x.shape[0], cout, Math.max(oh, 1), Math.max(ow, 1)] };
}

function pool(g: Gen, x: Val): Val | null {
  if (x.shape.length !== 4) return null;
  const { r } = g;
  const [n, c, h, w] = x.shape;
  let k = int(r, 1, 3),
    stride = int(r, 1, 2),
    pad = int(r, 0, Math.max(0, k - 1));
  if (g.absurd()) {
    const which = int(r, 0, 2);
    if (which === 0) stride = pick(r, [0, -1]);
    else if (which === 1) k = Math.max(h, w) + 10;
    else pad = pick(r, [100, -1]);
  }
  const op = pick(r, ['MaxPool', 'AveragePool']);
  const out = fresh(g, 'pool');
  g.nodes.push(
    node(op, [x.name], [out], {
      kernel_shape: [k, k],
      strides: [stride, stride],
      pads: [pad, pad, pad, pad],
      ceil_mode: r() < 0.3 ? 1 : 0,
    }),
  );
  const o = (d: number) => Math.max(1, Math.floor((d + 2 * pad - k) / Math.max(stride, 1)) + 1);
  return { name: out, shape: [n, c, o(h), o(w)] };
}

function unary(g: Gen, x: Val): Val {
  const { r } = g;
  const op = pick(r, [
    'Relu',
    'Sigmoid',
    'Tanh',
    'LeakyRelu',
    'HardSigmoid',
    'Abs',
    'Neg',
    'Exp',
    'Sqrt',
    'Log',
    'Softplus',
    'Elu',
    'HardSwish',
    'Identity',
  ]);
  const out = fresh(g, 'u');
  const attrs =
    op === 'LeakyRelu' || op === 'Elu'
      ? { alpha: float(g.absurd() ? pick(r, [NaN, Infinity, -1e38]) : 0.1) }
      : undefined;
  g.nodes.push(node(op, [x.name], [out], attrs));
  return { name: out, shape: x.shape };
}

function clip(g: Gen, x: Val): Val {
  const out = fresh(g, 'clip');
  const lo = g.absurd() ? pick(g.r, [NaN, 5, Infinity]) : 0;
  g.nodes.push(node('Clip', [x.name, constant(g, [], [lo]), constant(g, [], [6])], [out]));
  return { name: out, shape: x.shape };
}

function binary(g: Gen, x: Val): Val {
  const { r } = g;
  const op = pick(r, ['Add', 'Mul', 'Sub', 'Div', 'Max', 'Min', 'Pow', 'PRelu']);
  let other: string;
  if (r() < 0.3 && g.vals.length > 1) other = pick(r, g.vals).name;
  else {
    let shape = x.shape.map((d) => (r() < 0.5 ? 1 : d)).slice(int(r, 0, x.shape.length));
    if (g.absurd()) shape = x.shape.map((d) => d + 1);
    other = constant(g, shape);
  }
  const out = fresh(g, 'b');
  g.nodes.push(node(op, r() < 0.5 ? [x.name, other] : [other, x.name], [out]));
  return { name: out, shape: x.shape };
}

function reshape(g: Gen, x: Val): Val {
  const { r } = g;
  const n = size(x.shape);
  let shape = pick(r, [[1, -1], [-1], [x.shape[0] ?? 1, -1], [...x.shape].reverse(), [0, -1]]);
  if (g.absurd()) shape = pick(r, [[-1, -1], [n + 1], [-2, 1], [2 ** 40, 0], [0, 0, 0, 0, 0], [7, -1]]);
  const out = fresh(g, 'reshape');
  g.nodes.push(node('Reshape', [x.name, ints(g, shape)], [out]));
  const known = shape.filter((d) => d > 0).reduce((a, b) => a * b, 1);
  const outShape = shape.map((d, i) =>
    d === -1 ? Math.max(1, Math.floor(n / known)) : d === 0 ? (x.shape[i] ?? 1) : d,
  );
  return { name: out, shape: outShape };
}

function transpose(g: Gen, x: Val): Val {
  const { r } = g;
  const perm = [...x.shape.keys()].sort(() => r() - 0.5);
  if (g.absurd()) perm[0] = pick(r, [perm.length, -1, perm[perm.length - 1] ?? 0]);
  const out = fresh(g, 't');
  g.nodes.push(node('Transpose', [x.name], [out], { perm }));
  return { name: out, shape: perm.map((p) => x.shape[p] ?? 1) };
}

function slice(g: Gen, x: Val): Val | null {
  const { r } = g;
  if (!x.shape.length) return null;
  const axis = int(r, 0, x.shape.length - 1);
  const d = x.shape[axis];
  let start = int(r, 0, Math.max(0, d - 1)),
    end = pick(r, [d, 2 ** 62, -1, int(r, start + 1, d + 1)]),
    step = pick(r, [1, 1, 2, -1]);
  let ax = axis;
  if (step < 0) {
    start = d - 1;
    end = -(2 ** 62);
  }
  if (g.absurd()) {
    const w = int(r, 0, 2);
    if (w === 0) step = 0;
    else if (w === 1) ax = pick(r, [9, -9]);
    else start = -(2 ** 62);
  }
  const out = fresh(g, 'slice');
  g.nodes.push(node('Slice', [x.name, ints(g, [start]), ints(g, [end]), ints(g, [ax]), ints(g, [step])], [out]));
  const shape = [...x.shape];
  shape[axis] = Math.max(1, step > 0 ? Math.ceil((Math.min(end < 0 ? end + d : end, d) - start) / step) : d);
  return { name: out, shape };
}

function concat(g: Gen, x: Val): Val {
  const { r } = g;
  const other = pick(r, g.vals);
  let axis = x.shape.length > 1 ? 1 : 0;
  if (g.absurd()) axis = pick(r, [7, -9]);
  const out = fresh(g, 'cat');
  g.nodes.push(node('Concat', [x.name, other.name], [out], { axis }));
  const shape = [...x.shape];
  if (axis >= 0 && axis < shape.length) shape[axis] += other.shape[axis] ?? 0;
  return { name: out, shape };
}

function padOp(g: Gen, x: Val): Val {
  const { r } = g;
  const rank = x.shape.length;
  const mode = pick(r, ['constant', 'reflect', 'edge']);
  let pads = Array.from({ length: 2 * rank }, (_, i) => (i % rank >= rank - 2 ? int(r, 0, 2) : 0));
  if (g.absurd()) pads = pads.map(() => pick(r, [-1000, 1000, 2 ** 40, 50]));
  const out = fresh(g, 'pad');
  g.nodes.push(node('Pad', [x.name, ints(g, pads)], [out], { mode }));
  return { name: out, shape: x.shape.map((d, i) => Math.max(1, d + pads[i] + pads[i + rank])) };
}

function resize(g: Gen, x: Val): Val | null {
  if (x.shape.length !== 4) return null;
  const { r } = g;
  let s = pick(r, [2, 0.5, 1, 1.5]);
  if (g.absurd()) s = pick(r, [0, -1, NaN, Infinity, 1e6]);
  const out = fresh(g, 'rs');
  const mode = pick(r, ['nearest', 'linear', 'cubic']);
  g.nodes.push(node('Resize', [x.name, '', constant(g, [4], [1, 1, s, s])], [out], { mode }));
  return {
    name: out,
    shape: [
      x.shape[0],
      x.shape[1],
      Math.max(1, Math.floor(x.shape[2] * s) || 1),
      Math.max(1, Math.floor(x.shape[3] * s) || 1),
    ],
  };
}

function softmax(g: Gen, x: Val): Val {
  const out = fresh(g, 'sm');
  g.nodes.push(
    node(pick(g.r, ['Softmax', 'LogSoftmax']), [x.name], [out], { axis: g.absurd() ? pick(g.r, [10, -10]) : -1 }),
  );
  return { name: out, shape: x.shape };
}

function batchNorm(g: Gen, x: Val): Val | null {
  if (x.shape.length < 2) return null;
  const c = g.absurd() ? x.shape[1] + 1 : x.shape[1];
  const out = fresh(g, 'bn');
  const v = constant(
    g,
    [c],
    Array.from({ length: c }, () => 0.5 + g.r()),
  );
  g.nodes.push(
    node('BatchNormalization', [x.name, constant(g, [c]), constant(g, [c]), constant(g, [c]), v], [out], {
      epsilon: float(g.absurd() ? -1 : 1e-5),
    }),
  );
  return { name: out, shape: x.shape };
}

function matmul(g: Gen, x: Val): Val | null {
  if (!x.shape.length) return null;
  const k = x.shape[x.shape.length - 1];
  const n = int(g.r, 1, 6);
  const out = fresh(g, 'mm');
  g.nodes.push(node('MatMul', [x.name, constant(g, [g.absurd() ? k + 1 : k, n])], [out]));
  return { name: out, shape: [...x.shape.slice(0, -1), n] };
}

function gemm(g: Gen, x: Val): Val | null {
  const flat = fresh(g, 'flat');
  g.nodes.push(node('Flatten', [x.name], [flat], { axis: g.absurd() ? 9 : 1 }));
  const k = size(x.shape.slice(1));
  const n = int(g.r, 1, 6);
  const out = fresh(g, 'gemm');
  g.nodes.push(
    node('Gemm', [flat, constant(g, [n, k]), constant(g, [n])], [out], {
      transB: 1,
      alpha: float(1),
      beta: float(g.absurd() ? NaN : 1),
    }),
  );
  return { name: out, shape: [x.shape[0] ?? 1, n] };
}

function globalPool(g: Gen, x: Val): Val | null {
  if (x.shape.length < 3) return null;
  const out = fresh(g, 'gp');
  g.nodes.push(node(pick(g.r, ['GlobalAveragePool', 'GlobalMaxPool']), [x.name], [out]));
  return { name: out, shape: [...x.shape.slice(0, 2), ...x.shape.slice(2).map(() => 1)] };
}

function gather(g: Gen, x: Val): Val | null {
  if (!x.shape.length) return null;
  const axis = int(g.r, 0, x.shape.length - 1);
  const d = x.shape[axis];
  const idx = g.absurd() ? [d, -d - 1, 2 ** 40] : [0, d - 1, -1];
  const out = fresh(g, 'gat');
  g.nodes.push(node('Gather', [x.name, ints(g, idx)], [out], { axis }));
  const shape = [...x.shape];
  shape.splice(axis, 1, 3);
  return { name: out, shape };
}

function expandOp(g: Gen, x: Val): Val {
  const shape = g.absurd() ? pick(g.r, [[100000, 100000, 100], [-1, 2], [2 ** 40]]) : [2, ...x.shape];
  const out = fresh(g, 'ex');
  g.nodes.push(node('Expand', [x.name, ints(g, shape)], [out]));
  return { name: out, shape: [2, ...x.shape] };
}

function shapeArith(g: Gen, x: Val): Val {
  // Shape -> Gather -> ConstantOfShape / Range / Tile chains that fold at import
  const { r } = g;
  const s = fresh(g, 'shape');
  g.nodes.push(node('Shape', [x.name], [s]));
  const out = fresh(g, 'sa');
  const kind = int(r, 0, 2);
  if (kind === 0) {
    const shp = g.absurd() ? ints(g, [2 ** 20, 2 ** 20]) : s;
    g.nodes.push(node('ConstantOfShape', [shp], [out], { value: tensor('v', [1], [g.absurd() ? NaN : 1]) }));
    return { name: out, shape: x.shape };
  }
  if (kind === 1) {
    const reps = g.absurd()
      ? ints(
          g,
          x.shape.map(() => 100000),
        )
      : ints(
          g,
          x.shape.map(() => 1),
        );
    g.nodes.push(node('Tile', [x.name, reps], [out]));
    return { name: out, shape: x.shape };
  }
  const limit = g.absurd() ? pick(r, [2 ** 40, -(2 ** 40)]) : 5;
  const delta = g.absurd() ? 0 : 1;
  g.nodes.push(node('Range', [ints(g, [0]), ints(g, [limit]), ints(g, [delta])], [out]));
  return { name: out, shape: [5] };
}

function reduce(g: Gen, x: Val): Val | null {
  if (!x.shape.length) return null;
  const axes = g.absurd() ? [x.shape.length + 3] : [int(g.r, 0, x.shape.length - 1)];
  const out = fresh(g, 'red');
  const op = pick(g.r, ['ReduceMean', 'ReduceSum', 'ReduceMax', 'ArgMax']);
  if (op === 'ArgMax') {
    g.nodes.push(node(op, [x.name], [out], { axis: axes[0], keepdims: 1 }));
    return null;
  }
  g.nodes.push(
    node(
      op,
      op === 'ReduceSum' ? [x.name, ints(g, axes)] : [x.name],
      [out],
      op === 'ReduceSum' ? { keepdims: 1 } : { axes, keepdims: 1 },
    ),
  );
  return { name: out, shape: x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) };
}

function squeeze(g: Gen, x: Val): Val {
  const out = fresh(g, 'sq');
  if (g.r() < 0.5) {
    const axes = g.absurd() ? [0, 0] : [0];
    g.nodes.push(node('Unsqueeze', [x.name, ints(g, axes)], [out]));
    return { name: out, shape: [1, ...x.shape] };
  }
  const axes = x.shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0);
  g.nodes.push(node('Squeeze', [x.name, ints(g, g.absurd() ? [0, 1, 2, 3, 4, 5] : axes)], [out]));
  return { name: out, shape: x.shape.filter((d) => d !== 1) };
}

function cast(g: Gen, x: Val): Val {
  const out = fresh(g, 'cast');
  g.nodes.push(node('Cast', [x.name], [out], { to: pick(g.r, [1, 6, 7, 9, 10, 11, 8, 0]) }));
  return { name: out, shape: x.shape };
}

function split(g: Gen, x: Val): Val | null {
  if (!x.shape.length) return null;
  const axis = x.shape.length - 1;
  const d = x.shape[axis];
  const a = Math.floor(d / 2);
  const sizes = g.absurd() ? [d, d] : [a, d - a];
  const o1 = fresh(g, 'sp'),
    o2 = fresh(g, 'sp');
  g.nodes.push(node('Split', [x.name, ints(g, sizes)], [o1, o2], { axis }));
  g.vals.push({ name: o2, shape: x.shape.map((v, i) => (i === axis ? d - a : v)) });
  return { name: o1, shape: x.shape.map((v, i) => (i === axis ? a : v)) };
}

function convTranspose(g: Gen, x: Val): Val | null {
  if (x.shape.length !== 4) return null;
  const c = x.shape[1];
  const s = g.absurd() ? 0 : 2;
  const out = fresh(g, 'ct');
  g.nodes.push(node('ConvTranspose', [x.name, constant(g, [c, 2, 2, 2])], [out], { strides: [s, s] }));
  return { name: out, shape: [x.shape[0], 2, x.shape[2] * 2, x.shape[3] * 2] };
}

const OPS: Op[] = [
  conv,
  conv,
  pool,
  unary,
  unary,
  clip,
  binary,
  binary,
  reshape,
  transpose,
  slice,
  concat,
  padOp,
  resize,
  softmax,
  batchNorm,
  matmul,
  gemm,
  globalPool,
  gather,
  expandOp,
  shapeArith,
  reduce,
  squeeze,
  cast,
  split,
  convTranspose,
];
/** Ops whose kernels exist today: graphs made only of these are run end-to-end on the GPU. */
export const GPU_SAFE_OPS = new Set([
  'Relu',
  'Sigmoid',
  'Tanh',
  'LeakyRelu',
  'HardSigmoid',
  'Abs',
  'Neg',
  'Exp',
  'Sqrt',
  'Log',
  'Softplus',
  'Elu',
  'HardSwish',
  'Identity',
  'Clip',
  'Add',
  'Mul',
  'Sub',
  'Div',
  'Max',
  'Min',
  'Pow',
  'PRelu',
  'Conv',
  'MaxPool',
  'AveragePool',
  'Reshape',
  'Transpose',
  'Slice',
  'Concat',
  'Pad',
  'Gather',
  'Expand',
  'Flatten',
  'MatMul',
  'Gemm',
]);

export interface Generated {
  bytes: Uint8Array;
  what: string;
  ops: string[];
  inputShape: number[];
}

export function generateGraph(r: Rng, absurdRate = 0.15): Generated {
  const c = int(r, 1, 6),
    h = int(r, 1, 12),
    w = int(r, 1, 12);
  const inputShape = [1, c, h, w];
  const g: Gen = {
    r,
    absurd: () => r() < absurdRate,
    nodes: [],
    inits: [],
    vals: [{ name: 'x', shape: inputShape }],
    n: 0,
  };
  const steps = int(r, 1, 6);
  for (let i = 0; i < steps; i++) {
    const x = r() < 0.7 ? g.vals[g.vals.length - 1] : pick(r, g.vals);
    const v = pick(r, OPS)(g, x);
    // tracked shapes are hints for the next op; after an absurd op they are kept small and valid
    if (v)
      g.vals.push({
        name: v.name,
        shape: v.shape.slice(0, 6).map((d) => (Number.isSafeInteger(d) && d > 0 ? Math.min(d, 64) : 1)),
      });
  }
  const outs: IoSpec[] = [io(g.vals[g.vals.length - 1].name, [])];
  if (g.vals.length > 2 && r() < 0.3) outs.push(io(g.vals[1].name, []));
  if (g.nodes.length === 0) {
    g.nodes.push(node('Relu', ['x'], ['y']));
    outs.splice(0, outs.length, io('y', []));
  }
  const opset = r() < 0.05 ? pick(r, [1, 999, 6, 23]) : pick(r, [11, 13, 17, 18]);
  const ops = g.nodes.map((n) => n.op);
  return {
    bytes: graph(g.nodes, [io('x', inputShape)], outs, g.inits, opset),
    what: `opset ${opset} x[${inputShape}] ${ops.join('>')}`,
    ops,
    inputShape,
  };
}
