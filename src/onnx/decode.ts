// Bytes -> a decoded ONNX model with typed metadata. Sizes are bounded before anything is allocated.
import { type DType, ONNX_DTYPE, ONNX_DTYPE_NAME } from '../core/dtype.js';
import { KestrelError, LimitError, ModelFormatError } from '../core/errors.js';
import { type Limits, withLimits } from '../core/limits.js';
import { type OnnxGraph, type OnnxModel, type OnnxValueInfo, decodeModelProto, int64 } from './proto.js';
import type { ExternalReader } from './tensor.js';

export const MIN_OPSET = 7;
export const MAX_OPSET = 22;

export interface IoInfo {
  name: string;
  dtype: DType;
  /** Dims: a number, or the symbolic name of a dynamic dim. */
  dims: (number | string)[];
}

export interface Model {
  /** @internal */
  proto: OnnxModel;
  /** @internal */
  graph: OnnxGraph;
  opset: number;
  /** Other domains' opsets (com.microsoft, ...). */
  domains: Map<string, number>;
  inputs: IoInfo[];
  outputs: IoInfo[];
  byteLength: number;
  producer: string;
  limits: Limits;
  /** @internal */
  external?: ExternalReader;
}

function ioInfo(v: OnnxValueInfo, what: string): IoInfo {
  const tt = v.type?.tensorType;
  if (!tt) throw new ModelFormatError(`${what} '${v.name}': only tensor types are supported`);
  const dtype = ONNX_DTYPE[tt.elemType];
  if (!dtype)
    throw new ModelFormatError(
      `${what} '${v.name}': element type ${ONNX_DTYPE_NAME[tt.elemType] ?? tt.elemType} is not supported`,
    );
  const dims = (tt.shape?.dim ?? []).map((d, i) => {
    if (d.dimParam) return d.dimParam;
    if (d.dimValue === undefined || d.dimValue === null) return `${v.name}_dim${i}`;
    const n = int64(d.dimValue);
    if (!Number.isSafeInteger(n) || n < 0) throw new ModelFormatError(`${what} '${v.name}': invalid dim ${n}`);
    return n;
  });
  return { name: v.name, dtype, dims };
}

export interface LoadOptions {
  limits?: Partial<Limits>;
  /** @internal */
  external?: ExternalReader;
}

export function decodeModel(bytes: Uint8Array, opts: LoadOptions = {}): Model {
  const limits = withLimits(opts.limits);
  if (!(bytes instanceof Uint8Array)) throw new KestrelError('USAGE', 'loadModel expects a Uint8Array or a file path');
  if (bytes.length > limits.maxModelBytes)
    throw new LimitError(`model is ${bytes.length} bytes, over maxModelBytes (${limits.maxModelBytes})`);
  if (bytes.length === 0) throw new ModelFormatError('model is empty (0 bytes)');
  let proto: OnnxModel;
  try {
    proto = decodeModelProto(bytes);
  } catch (e) {
    throw new ModelFormatError(`not a valid ONNX protobuf (truncated or corrupt): ${(e as Error).message}`);
  }
  const graph = proto.graph;
  if (!graph) throw new ModelFormatError('model has no graph');
  if (graph.node.length > limits.maxNodes)
    throw new LimitError(`graph has ${graph.node.length} nodes, over maxNodes (${limits.maxNodes})`);
  const domains = new Map<string, number>();
  for (const o of proto.opsetImport) domains.set(o.domain === 'ai.onnx' ? '' : o.domain, int64(o.version));
  const opset = domains.get('') ?? (proto.opsetImport.length === 0 ? 1 : 0);
  if (opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new ModelFormatError(
      `default-domain opset ${opset} is not supported (supported: ${MIN_OPSET}..${MAX_OPSET})`,
    );
  }
  const initNames = new Set(graph.initializer.map((t) => t.name));
  const inputs = graph.input.filter((v) => !initNames.has(v.name)).map((v) => ioInfo(v, 'graph input'));
  const outputs = graph.output.map((v) => ioInfo(v, 'graph output'));
  if (outputs.length === 0) throw new ModelFormatError('graph has no outputs');
  const names = new Set<string>();
  for (const i of inputs) {
    if (names.has(i.name)) throw new ModelFormatError(`duplicate graph input name '${i.name}'`);
    names.add(i.name);
  }
  return {
    proto,
    graph,
    opset,
    domains,
    inputs,
    outputs,
    byteLength: bytes.length,
    producer: `${proto.producerName} ${proto.producerVersion}`.trim(),
    limits,
    external: opts.external,
  };
}
