// Shape and data-movement ONNX ops -> IR. Shape computations fold to constants at import.
import { allocTyped } from '../../core/dtype.js';
import { normAxis, sizeOf } from '../../core/shape.js';
import { type HostTensor, hostTensor, toNumbers } from '../../core/tensor.js';
import type { ImportContext } from '../context.js';
import type { Lowering } from './types.js';

const i64 = (values: number[], shape = [values.length]): HostTensor => hostTensor('i64', shape, values);

function constant(c: ImportContext): void {
  const t = c.attrs.tensor('value', c.limits);
  let v: HostTensor | undefined = t;
  if (!v && c.attrs.has('value_float')) v = hostTensor('f32', [], [c.attrs.float('value_float')]);
  if (!v && c.attrs.has('value_floats')) {
    const f = c.attrs.floats('value_floats');
    v = hostTensor('f32', [f.length], f);
  }
  if (!v && c.attrs.has('value_int')) v = i64([c.attrs.int('value_int')], []);
  if (!v && c.attrs.has('value_ints')) v = i64(c.attrs.ints('value_ints'));
  if (!v) c.unsupported('Constant without a tensor, float(s) or int(s) value');
  c.constant(v, c.outputName());
}

function constantOfShape(c: ImportContext): void {
  const shape = c.constInts(0, 'shape') ?? [];
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) c.fail(`invalid shape [${shape}]`);
  const n = sizeOf(shape);
  if (n > c.limits.maxTensorElements) c.fail(`shape [${shape}] exceeds maxTensorElements`);
  const v = c.attrs.tensor('value', c.limits) ?? hostTensor('f32', [1], [0]);
  const data = allocTyped(v.dtype, n);
  (data as Float32Array).fill(v.data[0] as never);
  c.constant({ dtype: v.dtype, shape, data }, c.outputName());
}

function shapeOp(c: ImportContext): void {
  const xs = c.shape(c.requireInput(0, 'data'));
  const r = xs.length;
  const clampAxis = (a: number) => Math.min(Math.max(a < 0 ? a + r : a, 0), r);
  const start = clampAxis(c.attrs.int('start', 0));
  const end = clampAxis(c.attrs.int('end', r));
  c.constant(i64(xs.slice(start, Math.max(start, end))), c.outputName());
}

function reshape(c: ImportContext): void {
  const x = c.requireInput(0, 'data');
  const xs = c.shape(x);
  const raw = c.opset < 5 ? c.attrs.ints('shape') : c.requiredInts(1, 'shape');
  const allowZero = c.attrs.int('allowzero', 0) === 1;
  const shape = raw.map((d, i) => (d === 0 && !allowZero ? xs[i] : d));
  if (shape.some((d) => d === undefined || d < -1 || !Number.isSafeInteger(d)))
    c.fail(`invalid target shape [${raw}] for input [${xs}]`);
  const infer = shape.indexOf(-1);
  if (infer >= 0) {
    if (shape.lastIndexOf(-1) !== infer) c.fail(`more than one -1 in shape [${raw}]`);
    const known = sizeOf(shape.filter((d) => d !== -1));
    if (known === 0 || sizeOf(xs) % known !== 0) c.fail(`cannot reshape [${xs}] to [${raw}]`);
    shape[infer] = sizeOf(xs) / known;
  }
  c.emit('reshape', { shape }, [x], c.outputName());
}

function flatten(c: ImportContext): void {
  const x = c.requireInput(0, 'input');
  const xs = c.shape(x);
  let axis = c.attrs.int('axis', 1);
  if (axis < 0) axis += xs.length;
  if (axis < 0 || axis > xs.length) c.fail(`axis out of range for rank ${xs.length}`);
  c.emit('reshape', { shape: [sizeOf(xs.slice(0, axis)), sizeOf(xs.slice(axis))] }, [x], c.outputName());
}

function squeezeAxes(c: ImportContext): number[] | undefined {
  return c.opset < 13 ? (c.attrs.has('axes') ? c.attrs.ints('axes') : undefined) : c.constInts(1, 'axes');
}

function squeeze(c: ImportContext): void {
  const x = c.requireInput(0, 'data');
  const xs = c.shape(x);
  const axes = squeezeAxes(c)?.map((a) => normAxis(a, xs.length, `node '${c.nodeName}' axes`));
  if (axes?.some((a) => xs[a] !== 1)) c.fail(`cannot squeeze a dim that is not 1 (shape [${xs}], axes [${axes}])`);
  const shape = xs.filter((d, i) => (axes ? !axes.includes(i) : d !== 1));
  c.emit('reshape', { shape }, [x], c.outputName());
}

function unsqueeze(c: ImportContext): void {
  const x = c.requireInput(0, 'data');
  const xs = c.shape(x);
  const raw = squeezeAxes(c);
  if (!raw) c.fail('missing axes');
  const r = xs.length + raw.length;
  const axes = raw.map((a) => normAxis(a, r, `node '${c.nodeName}' axes`));
  if (new Set(axes).size !== axes.length) c.fail(`duplicate axes [${raw}]`);
  const shape: number[] = [];
  let k = 0;
  for (let i = 0; i < r; i++) shape.push(axes.includes(i) ? 1 : xs[k++]);
  c.emit('reshape', { shape }, [x], c.outputName());
}

function transpose(c: ImportContext): void {
  const x = c.requireInput(0, 'data');
  const r = c.shape(x).length;
  const perm = c.attrs.ints('perm', [...Array(r).keys()].reverse());
  c.emit('transpose', { perm }, [x], c.outputName());
}

/** Normalizes ONNX slice parameters for one axis into IR {start, end, step}. */
export function normSlice(dim: number, start: number, end: number, step: number): [number, number] {
  const norm = (v: number, lo: number, hi: number) => {
    let r = v < 0 ? v + dim : v;
    if (!Number.isFinite(r)) r = v < 0 ? lo : hi;
    return Math.min(Math.max(r, lo), hi);
  };
  return step > 0 ? [norm(start, 0, dim), norm(end, 0, dim)] : [norm(start, -1, dim - 1), norm(end, -1, dim - 1)];
}

function slice(c: ImportContext): void {
  const x = c.requireInput(0, 'data');
  const xs = c.shape(x);
  const r = xs.length;
  let starts: number[], ends: number[], axes: number[] | undefined, steps: number[] | undefined;
  if (c.opset < 10) {
    starts = c.attrs.ints('starts');
    ends = c.attrs.ints('ends');
    axes = c.attrs.has('axes') ? c.attrs.ints('axes') : undefined;
  } else {
    starts = c.requiredInts(1, 'starts');
    ends = c.requiredInts(2, 'ends');
    axes = c.constInts(3, 'axes');
    steps = c.constInts(4, 'steps');
  }
  axes ??= starts.map((_, i) => i);
  steps ??= starts.map(() => 1);
  if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length)
    c.fail('starts/ends/axes/steps lengths differ');
  const a = { starts: new Array<number>(r).fill(0), ends: [...xs], steps: new Array<number>(r).fill(1) };
  axes.forEach((ax, i) => {
    const d = normAxis(ax, r, `node '${c.nodeName}' axes`);
    if (steps[i] === 0) c.fail('slice step 0');
    const [s, e] = normSlice(xs[d], starts[i], ends[i], steps[i]);
    a.starts[d] = s;
    a.ends[d] = e;
    a.steps[d] = steps[i];
  });
  c.emit('slice', a, [x], c.outputName());
}

function concat(c: ImportContext): void {
  const ins = c.node.input.map((_, i) => c.input(i)).filter((n) => n);
  if (ins.length === 0) c.fail('no inputs');
  const r = c.shape(ins[0]).length;
  const axis = normAxis(c.attrs.int('axis'), r, `node '${c.nodeName}' axis`);
  const nonEmpty = ins.filter((n) => sizeOf(c.shape(n)) > 0);
  c.emit('concat', { axis }, nonEmpty.length ? nonEmpty : [ins[0]], c.outputName());
}

function split(c: ImportContext): void {
  const x = c.requireInput(0, 'input');
  const xs = c.shape(x);
  const axis = normAxis(c.attrs.int('axis', 0), xs.length, `node '${c.nodeName}' axis`);
  const n = c.node.output.length;
  let sizes = c.opset < 13 ? (c.attrs.has('split') ? c.attrs.ints('split') : undefined) : c.constInts(1, 'split');
  if (!sizes) {
    const per = Math.ceil(xs[axis] / (c.attrs.has('num_outputs') ? c.attrs.int('num_outputs') : n));
    sizes = Array.from({ length: n }, (_, i) => Math.max(0, Math.min(per, xs[axis] - i * per)));
  }
  if (sizes.length !== n || sizes.reduce((p, q) => p + q, 0) !== xs[axis])
    c.fail(`split sizes [${sizes}] do not sum to dim ${xs[axis]} over ${n} outputs`);
  let at = 0;
  sizes.forEach((s, i) => {
    const starts = new Array<number>(xs.length).fill(0);
    const ends = [...xs];
    starts[axis] = at;
    ends[axis] = at + s;
    at += s;
    if (c.node.output[i])
      c.emit('slice', { starts, ends, steps: new Array<number>(xs.length).fill(1) }, [x], c.node.output[i]);
  });
}

function gather(c: ImportContext): void {
  const data = c.requireInput(0, 'data');
  const idx = c.requireInput(1, 'indices');
  const ds = c.shape(data);
  const axis = normAxis(c.attrs.int('axis', 0), ds.length, `node '${c.nodeName}' axis`);
  const consts = c.constOf(idx);
  if (consts) {
    const bad = toNumbers(consts).find((i) => i < -ds[axis] || i >= ds[axis]);
    if (bad !== undefined) c.fail(`index ${bad} is out of range for dim ${ds[axis]}`);
  }
  c.emit('gather', { axis }, [data, idx], c.outputName());
}

function expand(c: ImportContext): void {
  const shape = c.requiredInts(1, 'shape');
  c.emit('expand', { shape }, [c.requireInput(0, 'input')], c.outputName());
}

function tile(c: ImportContext): void {
  const x = c.requireInput(0, 'input');
  const xs = c.shape(x);
  const reps = c.requiredInts(1, 'repeats');
  if (reps.length !== xs.length || reps.some((r) => r < 0)) c.fail(`repeats [${reps}] do not match rank ${xs.length}`);
  // tile = view as [1,d0,1,d1,...], broadcast to [r0,d0,r1,d1,...], flatten pairs
  const lifted = c.emit('reshape', { shape: xs.flatMap((d) => [1, d]) }, [x]);
  const wide = c.emit('expand', { shape: xs.flatMap((d, i) => [reps[i], d]) }, [lifted]);
  c.emit('reshape', { shape: xs.map((d, i) => d * reps[i]) }, [wide], c.outputName());
}

function identity(c: ImportContext): void {
  const x = c.requireInput(0, 'input');
  if (c.node.opType === 'Dropout') {
    const training = c.input(2) ? c.requiredInts(2, 'training_mode')[0] : 0;
    if (training) c.unsupported('training_mode=true (random dropout)');
    // inference: the mask is all true
    if (c.node.output[1])
      c.constant(hostTensor('bool', c.shape(x), new Uint8Array(sizeOf(c.shape(x))).fill(1)), c.node.output[1]);
  }
  c.emit('identity', {}, [x], c.outputName());
}

function range(c: ImportContext): void {
  const [start] = c.requiredInts(0, 'start');
  const [limit] = c.requiredInts(1, 'limit');
  const [delta] = c.requiredInts(2, 'delta');
  if (delta === 0) c.fail('delta is 0');
  const n = Math.max(Math.ceil((limit - start) / delta), 0);
  if (n > c.limits.maxTensorElements) c.fail(`range of ${n} elements exceeds maxTensorElements`);
  const dt = c.dtype(c.input(0));
  c.constant(
    hostTensor(
      dt,
      [n],
      Array.from({ length: n }, (_, i) => start + i * delta),
    ),
    c.outputName(),
  );
}

function size(c: ImportContext): void {
  c.constant(i64([sizeOf(c.shape(c.requireInput(0, 'data')))], []), c.outputName());
}

function pad(c: ImportContext): void {
  const x = c.requireInput(0, 'data');
  const r = c.shape(x).length;
  const mode = c.attrs.string('mode', 'constant') as 'constant' | 'reflect' | 'edge' | 'wrap';
  if (!['constant', 'reflect', 'edge', 'wrap'].includes(mode)) c.fail(`unknown mode '${mode}'`);
  let pads: number[],
    value = 0;
  if (c.opset < 11) {
    pads = c.attrs.ints('pads');
    value = c.attrs.float('value', 0);
  } else {
    pads = c.requiredInts(1, 'pads');
    if (c.input(2)) value = c.requiredInts(2, 'constant_value')[0] ?? 0;
    const axes = c.constInts(3, 'axes');
    if (axes) {
      const full = new Array<number>(2 * r).fill(0);
      axes.forEach((a, i) => {
        const d = normAxis(a, r);
        full[d] = pads[i];
        full[d + r] = pads[i + axes.length];
      });
      pads = full;
    }
  }
  if (pads.length !== 2 * r) c.fail(`pads has ${pads.length} entries for rank ${r}`);
  c.emit('pad', { pads, mode, value }, [x], c.outputName());
}

function depthToSpace(c: ImportContext): void {
  const x = c.requireInput(0, 'input');
  const [n, ch, h, w] = c.shape(x);
  const b = c.attrs.int('blocksize');
  if (b < 1 || ch % (b * b) !== 0) c.fail(`blocksize ${b} does not divide ${ch} channels`);
  const crd = c.attrs.string('mode', 'DCR') === 'CRD';
  const v = c.emit('reshape', { shape: crd ? [n, ch / (b * b), b, b, h, w] : [n, b, b, ch / (b * b), h, w] }, [x]);
  const t = c.emit('transpose', { perm: crd ? [0, 1, 4, 2, 5, 3] : [0, 3, 4, 1, 5, 2] }, [v]);
  c.emit('reshape', { shape: [n, ch / (b * b), h * b, w * b] }, [t], c.outputName());
}

function spaceToDepth(c: ImportContext): void {
  const x = c.requireInput(0, 'input');
  const [n, ch, h, w] = c.shape(x);
  const b = c.attrs.int('blocksize');
  if (b < 1 || h % b || w % b) c.fail(`blocksize ${b} does not divide ${h}x${w}`);
  const v = c.emit('reshape', { shape: [n, ch, h / b, b, w / b, b] }, [x]);
  const t = c.emit('transpose', { perm: [0, 3, 5, 1, 2, 4] }, [v]);
  c.emit('reshape', { shape: [n, ch * b * b, h / b, w / b] }, [t], c.outputName());
}

export const TENSOR: Record<string, Lowering> = {
  Constant: constant,
  ConstantOfShape: constantOfShape,
  Shape: shapeOp,
  Size: size,
  Reshape: reshape,
  Flatten: flatten,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Transpose: transpose,
  Slice: slice,
  Concat: concat,
  Split: split,
  Gather: gather,
  Expand: expand,
  Tile: tile,
  Identity: identity,
  Dropout: identity,
  Range: range,
  Pad: pad,
  DepthToSpace: depthToSpace,
  SpaceToDepth: spaceToDepth,
};
