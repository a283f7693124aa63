// `kestrel quantize --compute fp16`: a whole-fp16 model, as onnxconverter-common's float16 conversion
// with keep_io_types writes it. Every float constant and activation becomes f16; Casts convert at the
// graph inputs and outputs (which stay f32). Slots ONNX types as float only (Resize scales/roi), ops with
// no f16 type (Range, quantization, other domains) and the shape arithmetic that only feeds such slots
// stay f32, with Casts where an f16 value meets them.
import { f32ToF16 } from '../core/dtype.js';
import { ModelFormatError } from '../core/errors.js';
import type { OnnxModel, OnnxNode, OnnxTensor } from '../onnx/proto.js';
import { Constants, DT, attr, floatTensor, makeNode, tensorProto } from './onnx-edit.js';

/** Inputs typed tensor(float) whatever the op's T is: they keep f32. */
const F32_SLOTS: Record<string, number[]> = { Resize: [1, 2], Upsample: [1] };
/** Ops whose types exclude f16 (or that we do not rewrite): computed in f32 between Casts. */
const F32_OPS = new Set([
  'Range',
  'NonMaxSuppression',
  'RoiAlign',
  'QuantizeLinear',
  'DequantizeLinear',
  'DynamicQuantizeLinear',
  'QLinearConv',
  'QLinearMatMul',
  'MatMulInteger',
  'ConvInteger',
  'RandomNormal',
  'RandomUniform',
  'RandomNormalLike',
  'RandomUniformLike',
  'Multinomial',
]);
const BOOL_OPS = new Set([
  'Equal',
  'Less',
  'LessOrEqual',
  'Greater',
  'GreaterOrEqual',
  'Not',
  'And',
  'Or',
  'Xor',
  'IsNaN',
  'IsInf',
]);
const INT64_OPS = new Set(['Shape', 'Size', 'NonZero', 'ArgMax', 'ArgMin']);
/** The largest finite f16: larger weights clamp rather than become infinite. */
const F16_MAX = 65504;

export interface Fp16Report {
  constants: number;
  casts: number;
  keptF32: string[];
  bytesBefore: number;
  bytesAfter: number;
  /** Batch norms whose variance (or other parameter) exceeds the f16 range, rewritten with variance 1. */
  rescaledBatchNorms: number;
}

type Elem = number;

function attrOf(n: OnnxNode, name: string) {
  return n.attribute.find((a) => a.name === name);
}

/** ONNX element types of each node's outputs, from its inputs' types (enough rules for the float question). */
function outputTypes(n: OnnxNode, t: (name: string) => Elem | undefined): Elem[] {
  const first = n.input.map(t).find((e) => e !== undefined) ?? DT.FLOAT;
  const all = (e: Elem) => n.output.map(() => e);
  if (BOOL_OPS.has(n.opType)) return all(9);
  if (INT64_OPS.has(n.opType)) return all(DT.INT64);
  switch (n.opType) {
    case 'Cast':
      return all(Number(attrOf(n, 'to')?.i ?? DT.FLOAT));
    case 'CastLike':
      return all(t(n.input[1]) ?? first);
    case 'Constant': {
      const a = n.attribute[0];
      if (a?.t) return all(a.t.dataType);
      return all(a?.name === 'value_float' || a?.name === 'value_floats' ? DT.FLOAT : DT.INT64);
    }
    case 'ConstantOfShape':
      return all(attrOf(n, 'value')?.t?.dataType ?? DT.FLOAT);
    case 'DequantizeLinear':
      return all(t(n.input[1]) ?? DT.FLOAT);
    case 'QuantizeLinear':
      return all(n.input[2] ? (t(n.input[2]) ?? DT.UINT8) : DT.UINT8);
    case 'Where':
      return all(t(n.input[1]) ?? first);
    case 'TopK':
      return [first, DT.INT64];
    case 'MaxPool':
      return [first, DT.INT64];
    case 'Dropout':
      return [first, 9];
    default:
      return all(first);
  }
}

function toHalfTensor(name: string, t: { shape: number[]; data: Float32Array }): OnnxTensor {
  const h = Uint16Array.from(t.data, (v) => f32ToF16(Math.max(-F16_MAX, Math.min(F16_MAX, v))));
  return tensorProto(name, t.shape, DT.FLOAT16, new Uint8Array(h.buffer));
}

/** Rewrites `model` in place to compute in f16 with f32 inputs and outputs. */
export function convertToFp16(model: OnnxModel): Fp16Report {
  const g = model.graph!;
  for (const n of g.node) {
    if (n.attribute.some((a) => a.g || a.graphs?.length))
      throw new ModelFormatError(
        `--compute fp16: node '${n.name}' (${n.opType}) has a subgraph; control flow is not converted`,
      );
  }
  const consts = new Constants(model);
  const report: Fp16Report = {
    constants: 0,
    casts: 0,
    keptF32: [],
    bytesBefore: 0,
    bytesAfter: 0,
    rescaledBatchNorms: 0,
  };
  for (const n of g.node)
    if (n.opType === 'BatchNormalization' && rescaleBatchNorm(n, consts)) report.rescaledBatchNorms++;
  // original element types, propagated in node order (ONNX nodes are topologically sorted)
  const orig = new Map<string, Elem>();
  for (const i of g.input) orig.set(i.name, i.type?.tensorType?.elemType ?? DT.FLOAT);
  for (const t of g.initializer) orig.set(t.name, t.dataType);
  for (const n of g.node)
    outputTypes(n, (v) => orig.get(v)).forEach((e, k) => {
      if (n.output[k]) orig.set(n.output[k], e);
    });
  const isF32 = (v: string) => !!v && orig.get(v) === DT.FLOAT;

  // nodes that stay f32: the F32_OPS, other domains, and float arithmetic read only by f32 slots (shape math)
  const keep = new Set<OnnxNode>(
    g.node.filter((n) => F32_OPS.has(n.opType) || (n.domain !== '' && n.domain !== 'ai.onnx')),
  );
  const readersOf = new Map<string, [OnnxNode, number][]>();
  g.node.forEach((n) =>
    n.input.forEach((v, k) => {
      if (v) readersOf.set(v, [...(readersOf.get(v) ?? []), [n, k]]);
    }),
  );
  const outputs = new Set(g.output.map((o) => o.name));
  for (const n of [...g.node].reverse()) {
    if (keep.has(n) || n.opType === 'Constant' || !n.output.some(isF32)) continue;
    const uses = n.output.flatMap((o) => readersOf.get(o) ?? []);
    const f32Only =
      uses.length > 0 &&
      !n.output.some((o) => outputs.has(o)) &&
      uses.every(([r, k]) => F32_SLOTS[r.opType]?.includes(k) || keep.has(r));
    if (f32Only) keep.add(n);
  }
  report.keptF32 = g.node.filter((n) => keep.has(n) && n.output.some(isF32)).map((n) => n.name || n.opType);

  // a value in the wanted float type: converted constants and Casts are made once, on first use
  const now = new Map<string, Elem>(orig);
  const converted = new Map<string, string>();
  const nodes: OnnxNode[] = [];
  const want = (v: string, e: Elem): string => {
    if (!v || (now.get(v) !== DT.FLOAT && now.get(v) !== DT.FLOAT16) || now.get(v) === e) return v;
    const key = `${v}|${e}`;
    const done = converted.get(key);
    if (done) return done;
    const name = `${v}__${e === DT.FLOAT16 ? 'fp16' : 'fp32'}`;
    const c = consts.get(v);
    if (c && e === DT.FLOAT16 && c.dtype === 'f32') {
      consts.add(toHalfTensor(name, { shape: c.shape, data: c.data as Float32Array }));
      report.constants++;
      report.bytesBefore += c.data.byteLength;
      report.bytesAfter += c.data.byteLength / 2;
    } else {
      nodes.push(makeNode('Cast', [v], [name], `${name}_cast`, [attr('to', e)]));
      report.casts++;
    }
    now.set(name, e);
    converted.set(key, name);
    return name;
  };

  for (const n of g.node) {
    if (n.opType === 'Constant') {
      nodes.push(n);
      continue;
    }
    const f32 = keep.has(n);
    n.input = n.input.map((v, k) =>
      isF32(v) || orig.get(v) === DT.FLOAT16
        ? want(v, f32 || F32_SLOTS[n.opType]?.includes(k) ? DT.FLOAT : DT.FLOAT16)
        : v,
    );
    if (!f32) retypeAttributes(n);
    nodes.push(n);
    outputTypes(n, (v) => now.get(v)).forEach((e, k) => {
      if (n.output[k]) now.set(n.output[k], e);
    });
  }
  // graph outputs keep their f32 type: the f16 value is renamed and a Cast writes the output
  for (const o of g.output) {
    if (!isF32(o.name) || now.get(o.name) === DT.FLOAT) continue;
    const half = `${o.name}__fp16`;
    for (const n of nodes) {
      n.output = n.output.map((v) => (v === o.name ? half : v));
      n.input = n.input.map((v) => (v === o.name ? half : v));
    }
    nodes.push(makeNode('Cast', [half], [o.name], `${o.name}_cast`, [attr('to', DT.FLOAT)]));
    report.casts++;
  }
  g.node = nodes;
  // intermediate value types changed: let the runtime infer them again
  g.valueInfo = [];
  return report;
}

/**
 * scale * (x - mean) / sqrt(var + eps) + B with var = 1 and scale' = scale * sqrt(1 + eps) / sqrt(var + eps):
 * the same function, with parameters f16 can hold (PP-OCRv4 det has running variances near 1e8).
 */
function rescaleBatchNorm(n: OnnxNode, consts: Constants): boolean {
  const [, sc, b, mean, vr] = n.input;
  const t = [sc, b, mean, vr].map((v) => consts.get(v));
  if (t.some((x) => x?.dtype !== 'f32')) return false;
  const [scale, , m, v] = t.map((x) => x!.data as Float32Array);
  if (![scale, m, v].some((d) => d.some((x) => Math.abs(x) > F16_MAX))) return false;
  const eps = attrOf(n, 'epsilon')?.f ?? 1e-5;
  const c = scale.length;
  const scaled = Float32Array.from(scale, (s, i) => (s * Math.sqrt(1 + eps)) / Math.sqrt(v[i] + eps));
  const name = n.name || n.output[0];
  n.input[1] = consts.add(floatTensor(`${name}__fp16_scale`, [c], scaled));
  n.input[4] = consts.add(floatTensor(`${name}__fp16_var`, [c], new Float32Array(c).fill(1)));
  return true;
}

/** Attributes that name a float output type become f16: Cast(to), ConstantOfShape(value), EyeLike(dtype). */
function retypeAttributes(n: OnnxNode): void {
  if (n.opType === 'Cast') {
    const to = attrOf(n, 'to');
    if (to && Number(to.i) === DT.FLOAT) to.i = DT.FLOAT16;
  }
  if (n.opType === 'EyeLike') {
    const d = attrOf(n, 'dtype');
    if (d && Number(d.i) === DT.FLOAT) d.i = DT.FLOAT16;
  }
  if (n.opType === 'ConstantOfShape') {
    const v = attrOf(n, 'value');
    if (!v)
      n.attribute.push({
        name: 'value',
        type: 4,
        t: toHalfTensor('value', { shape: [1], data: new Float32Array([0]) }),
      } as never);
    else if (v.t?.dataType === DT.FLOAT) {
      const raw = v.t.rawData?.length
        ? new Float32Array(new Uint8Array(v.t.rawData).buffer)
        : Float32Array.from(v.t.floatData);
      v.t = toHalfTensor(v.t.name ?? 'value', { shape: [1], data: raw });
    }
  }
}
