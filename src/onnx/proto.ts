// The subset of onnx.proto that Kestrel reads and the quantizer writes (field numbers from onnx.proto3),
// decoded and encoded by the table-driven wire format in wire.ts and wire-encode.ts.
import { type FieldSpec, type Schemas, decodeMessage } from './wire.js';
import { encodeMessage } from './wire-encode.js';

const f = (name: string, kind: string, more: Partial<FieldSpec> = {}): FieldSpec => ({ name, kind, ...more });
const rep = (name: string, kind: string): FieldSpec => ({ name, kind, repeated: true });

const ONNX: Schemas = {
  ModelProto: {
    1: f('irVersion', 'int64'),
    8: rep('opsetImport', 'OperatorSetIdProto'),
    2: f('producerName', 'string'),
    3: f('producerVersion', 'string'),
    4: f('domain', 'string'),
    5: f('modelVersion', 'int64'),
    6: f('docString', 'string'),
    7: f('graph', 'GraphProto'),
    14: rep('metadataProps', 'StringStringEntryProto'),
    25: rep('functions', 'FunctionProto'),
  },
  OperatorSetIdProto: { 1: f('domain', 'string'), 2: f('version', 'int64') },
  StringStringEntryProto: { 1: f('key', 'string'), 2: f('value', 'string') },
  GraphProto: {
    1: rep('node', 'NodeProto'),
    2: f('name', 'string'),
    5: rep('initializer', 'TensorProto'),
    15: rep('sparseInitializer', 'SparseTensorProto'),
    10: f('docString', 'string'),
    11: rep('input', 'ValueInfoProto'),
    12: rep('output', 'ValueInfoProto'),
    13: rep('valueInfo', 'ValueInfoProto'),
  },
  FunctionProto: { 1: f('name', 'string'), 10: f('domain', 'string') },
  NodeProto: {
    1: rep('input', 'string'),
    2: rep('output', 'string'),
    3: f('name', 'string'),
    4: f('opType', 'string'),
    7: f('domain', 'string'),
    5: rep('attribute', 'AttributeProto'),
    6: f('docString', 'string'),
  },
  AttributeProto: {
    1: f('name', 'string'),
    21: f('refAttrName', 'string'),
    13: f('docString', 'string'),
    20: f('type', 'int32'),
    2: f('f', 'float'),
    3: f('i', 'int64'),
    4: f('s', 'bytes'),
    5: f('t', 'TensorProto'),
    6: f('g', 'GraphProto'),
    22: f('sparseTensor', 'SparseTensorProto'),
    7: rep('floats', 'float'),
    8: rep('ints', 'int64'),
    9: rep('strings', 'bytes'),
    10: rep('tensors', 'TensorProto'),
    11: rep('graphs', 'GraphProto'),
  },
  ValueInfoProto: { 1: f('name', 'string'), 2: f('type', 'TypeProto'), 3: f('docString', 'string') },
  TypeProto: {
    1: f('tensorType', 'TypeProtoTensor'),
    4: f('sequenceType', 'TypeProtoSequence'),
    5: f('mapType', 'TypeProtoMap'),
    9: f('optionalType', 'TypeProtoOptional'),
    8: f('sparseTensorType', 'TypeProtoTensor'),
    6: f('denotation', 'string'),
  },
  TypeProtoTensor: { 1: f('elemType', 'int32'), 2: f('shape', 'TensorShapeProto') },
  TypeProtoSequence: { 1: f('elemType', 'TypeProto') },
  TypeProtoMap: { 1: f('keyType', 'int32'), 2: f('valueType', 'TypeProto') },
  TypeProtoOptional: { 1: f('elemType', 'TypeProto') },
  TensorShapeProto: { 1: rep('dim', 'Dimension') },
  // dim_value and dim_param are a oneof: neither set means an unknown dim
  Dimension: {
    1: f('dimValue', 'int64', { presence: true }),
    2: f('dimParam', 'string', { presence: true }),
    3: f('denotation', 'string'),
  },
  TensorProto: {
    1: rep('dims', 'int64'),
    2: f('dataType', 'int32'),
    4: rep('floatData', 'float'),
    5: rep('int32Data', 'int32'),
    6: rep('stringData', 'bytes'),
    7: rep('int64Data', 'int64'),
    8: f('name', 'string'),
    12: f('docString', 'string'),
    9: f('rawData', 'bytes'),
    13: rep('externalData', 'StringStringEntryProto'),
    14: f('dataLocation', 'int32'),
    10: rep('doubleData', 'double'),
    11: rep('uint64Data', 'uint64'),
  },
  SparseTensorProto: {
    1: f('values', 'TensorProto'),
    2: f('indices', 'TensorProto'),
    3: rep('dims', 'int64'),
  },
};

export const decodeModelProto = (bytes: Uint8Array): OnnxModel =>
  decodeMessage(ONNX, 'ModelProto', bytes) as unknown as OnnxModel;
export const encodeModelProto = (model: OnnxModel): Uint8Array => encodeMessage(ONNX, 'ModelProto', model);
export const decodeTensorProto = (bytes: Uint8Array): OnnxTensor =>
  decodeMessage(ONNX, 'TensorProto', bytes) as unknown as OnnxTensor;
export const encodeTensorProto = (tensor: OnnxTensor): Uint8Array => encodeMessage(ONNX, 'TensorProto', tensor);

/** int64 fields decode to numbers (exact to 2^53; INT64_MAX-style sentinels keep sign and magnitude). */
type Int64 = number;
export interface OnnxTensor {
  dims: Int64[];
  dataType: number;
  floatData: number[];
  int32Data: number[];
  int64Data: Int64[];
  doubleData: number[];
  uint64Data: Int64[];
  name: string;
  rawData: Uint8Array;
  externalData: { key: string; value: string }[];
  dataLocation: number;
  stringData: Uint8Array[];
}
export interface OnnxAttribute {
  name: string;
  type: number;
  f: number;
  i: Int64;
  s: Uint8Array;
  t?: OnnxTensor;
  g?: OnnxGraph;
  floats: number[];
  ints: Int64[];
  strings: Uint8Array[];
  tensors: OnnxTensor[];
  graphs: OnnxGraph[];
  refAttrName: string;
}
export interface OnnxNode {
  input: string[];
  output: string[];
  name: string;
  opType: string;
  domain: string;
  attribute: OnnxAttribute[];
}
export interface OnnxDim {
  dimValue?: Int64;
  dimParam?: string;
}
export interface OnnxValueInfo {
  name: string;
  type?: {
    tensorType?: { elemType: number; shape?: { dim: OnnxDim[] } };
    sequenceType?: unknown;
    mapType?: unknown;
    optionalType?: unknown;
  };
}
export interface OnnxGraph {
  node: OnnxNode[];
  name: string;
  initializer: OnnxTensor[];
  sparseInitializer: unknown[];
  input: OnnxValueInfo[];
  output: OnnxValueInfo[];
  valueInfo: OnnxValueInfo[];
}
export interface OnnxModel {
  irVersion: Int64;
  opsetImport: { domain: string; version: Int64 }[];
  producerName: string;
  producerVersion: string;
  graph?: OnnxGraph;
  metadataProps: { key: string; value: string }[];
  functions: unknown[];
}

/** An int64 field's value, 0 when absent. */
export function int64(v: Int64 | undefined | null): number {
  return v ?? 0;
}
