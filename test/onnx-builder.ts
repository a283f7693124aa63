// Builds small ONNX models in tests: graph(nodes, inputs, outputs, initializers, opset) -> bytes.
// Plain objects are encoded by protobufjs (test/onnx-protobufjs.ts), independent of the engine's decoder.
import { ModelProtoType, TensorProtoType } from './onnx-protobufjs.js';

/** ONNX element type codes by Kestrel-ish name (plus a few Kestrel does not support, for negative tests). */
export const ELEM = {
  f32: 1,
  u8: 2,
  i8: 3,
  u16: 4,
  i16: 5,
  i32: 6,
  i64: 7,
  string: 8,
  bool: 9,
  f16: 10,
  f64: 11,
  u32: 12,
  u64: 13,
  bf16: 16,
  i4: 22,
} as const;
export type ElemName = keyof typeof ELEM;

/** A float attribute even when the value is integral (plain numbers that are integers become INT). */
export class FloatAttr {
  constructor(readonly value: number | number[]) {}
}
export const float = (v: number | number[]): FloatAttr => new FloatAttr(v);

export type AttrValue = number | number[] | string | FloatAttr | TensorSpec;

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, AttrValue>;
  name?: string;
  domain?: string;
}

export interface IoSpec {
  name: string;
  /** Numbers are static dims, strings are symbolic (dynamic) dims. */
  dims: (number | string)[];
  dtype?: ElemName | number;
}

export interface TensorSpec {
  name: string;
  dims: number[];
  dtype?: ElemName | number;
  /** Stored as typed fields (float_data / int32_data / int64_data). */
  values?: number[];
  /** Stored as raw_data, taken byte for byte. */
  raw?: Uint8Array;
  /** External data (data_location = EXTERNAL). */
  external?: { location: string; offset?: number; length?: number };
}

export function node(
  op: string,
  inputs: string[],
  outputs: string[],
  attrs?: Record<string, AttrValue>,
  name?: string,
): NodeSpec {
  return { op, inputs, outputs, attrs, name: name ?? `${op}_${outputs[0] ?? ''}` };
}
export function io(name: string, dims: (number | string)[], dtype: ElemName | number = 'f32'): IoSpec {
  return { name, dims, dtype };
}
export function tensor(
  name: string,
  dims: number[],
  values: number[] | Float32Array,
  dtype: ElemName | number = 'f32',
): TensorSpec {
  return { name, dims, dtype, values: Array.from(values) };
}
/** A tensor whose payload is raw_data in little-endian bytes of the given typed array. */
export function rawTensor(
  name: string,
  dims: number[],
  data: ArrayBufferView,
  dtype: ElemName | number = 'f32',
): TensorSpec {
  return { name, dims, dtype, raw: new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice() };
}

const code = (d: ElemName | number | undefined): number => (typeof d === 'number' ? d : ELEM[d ?? 'f32']);

export function tensorObject(t: TensorSpec): Record<string, unknown> {
  const dataType = code(t.dtype);
  const o: Record<string, unknown> = { name: t.name, dims: t.dims, dataType };
  if (t.raw) o.rawData = t.raw;
  if (t.values) {
    if (dataType === ELEM.f32) o.floatData = t.values;
    else if (dataType === ELEM.i64) o.int64Data = t.values;
    else if (dataType === ELEM.f64) o.doubleData = t.values;
    else o.int32Data = t.values;
  }
  if (t.external) {
    o.dataLocation = 1;
    o.externalData = Object.entries(t.external)
      .filter(([, v]) => v !== undefined)
      .map(([key, value]) => ({ key, value: String(value) }));
  }
  return o;
}

function attrObject(name: string, v: AttrValue): Record<string, unknown> {
  if (v instanceof FloatAttr)
    return Array.isArray(v.value) ? { name, type: 6, floats: v.value } : { name, type: 1, f: v.value };
  if (typeof v === 'string') return { name, type: 3, s: new TextEncoder().encode(v) };
  if (typeof v === 'number') return Number.isInteger(v) ? { name, type: 2, i: v } : { name, type: 1, f: v };
  if (Array.isArray(v)) return v.every(Number.isInteger) ? { name, type: 7, ints: v } : { name, type: 6, floats: v };
  return { name, type: 4, t: tensorObject(v) };
}

function valueInfo(v: IoSpec): Record<string, unknown> {
  const dim = v.dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name: v.name, type: { tensorType: { elemType: code(v.dtype), shape: { dim } } } };
}

/** The ModelProto as a plain object (mutate it, then `encodeModel`). */
export function modelObject(
  nodes: NodeSpec[],
  inputs: IoSpec[],
  outputs: IoSpec[],
  initializers: TensorSpec[] = [],
  opset = 17,
): Record<string, unknown> {
  return {
    irVersion: 8,
    producerName: 'kestrel-test',
    opsetImport: [{ domain: '', version: opset }],
    graph: {
      name: 'test',
      node: nodes.map((n) => ({
        opType: n.op,
        input: n.inputs,
        output: n.outputs,
        name: n.name ?? '',
        domain: n.domain ?? '',
        attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attrObject(k, v)),
      })),
      input: inputs.map(valueInfo),
      output: outputs.map(valueInfo),
      initializer: initializers.map(tensorObject),
    },
  };
}

export function encodeModel(obj: Record<string, unknown>): Uint8Array {
  return ModelProtoType.encode(ModelProtoType.fromObject(obj)).finish();
}

/** The whole thing in one call: nodes, graph inputs, graph outputs, initializers, default-domain opset. */
export function graph(
  nodes: NodeSpec[],
  inputs: IoSpec[],
  outputs: IoSpec[],
  initializers: TensorSpec[] = [],
  opset = 17,
): Uint8Array {
  return encodeModel(modelObject(nodes, inputs, outputs, initializers, opset));
}

/** One TensorProto on its own (e.g. for .pb test data). */
export function encodeTensor(t: TensorSpec): Uint8Array {
  return TensorProtoType.encode(TensorProtoType.fromObject(tensorObject(t))).finish();
}
