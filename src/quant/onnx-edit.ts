// Editing decoded ONNX models (plain objects from src/onnx/proto.ts): constants, new tensors and nodes. Used by the
// quantize tool, which writes standard ONNX that onnxruntime runs as well.
import { ModelFormatError } from '../core/errors.js';
import type { HostTensor } from '../core/tensor.js';
import { DEFAULT_LIMITS } from '../core/limits.js';
import type { OnnxAttribute, OnnxModel, OnnxNode, OnnxTensor } from '../onnx/proto.js';
import { decodeTensor } from '../onnx/tensor.js';

export const DT = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, FLOAT16: 10 } as const;

export function tensorProto(name: string, dims: number[], dataType: number, raw: Uint8Array): OnnxTensor {
  return { name, dims, dataType, rawData: raw } as unknown as OnnxTensor;
}
export function floatTensor(name: string, dims: number[], values: ArrayLike<number>): OnnxTensor {
  const f = Float32Array.from(values);
  return tensorProto(name, dims, DT.FLOAT, new Uint8Array(f.buffer));
}
export function int64Tensor(name: string, values: number[]): OnnxTensor {
  const v = BigInt64Array.from(values.map((x) => BigInt(x)));
  return tensorProto(name, [values.length], DT.INT64, new Uint8Array(v.buffer));
}

type AttrValue = number | number[] | string | { float: number };
export function attr(name: string, v: AttrValue): OnnxAttribute {
  if (typeof v === 'string') return { name, type: 3, s: new TextEncoder().encode(v) } as unknown as OnnxAttribute;
  if (typeof v === 'number') return { name, type: 2, i: v } as unknown as OnnxAttribute;
  if (Array.isArray(v)) return { name, type: 7, ints: v } as unknown as OnnxAttribute;
  return { name, type: 1, f: v.float } as unknown as OnnxAttribute;
}

export function makeNode(
  opType: string,
  inputs: string[],
  outputs: string[],
  name: string,
  attrs: OnnxAttribute[] = [],
  domain = '',
): OnnxNode {
  return { opType, input: inputs, output: outputs, name, attribute: attrs, domain };
}

/** Constant tensors of a model, from initializers and Constant nodes, by value name. */
export class Constants {
  private protos = new Map<string, OnnxTensor>();
  private producers = new Map<string, OnnxNode>();
  constructor(private readonly model: OnnxModel) {
    for (const t of model.graph!.initializer) this.protos.set(t.name, t);
    for (const n of model.graph!.node) {
      if (n.opType !== 'Constant') continue;
      const a = n.attribute.find((x) => x.name === 'value');
      if (a?.t) {
        this.protos.set(n.output[0], a.t);
        this.producers.set(n.output[0], n);
      }
    }
  }
  has(name: string): boolean {
    return this.protos.has(name);
  }
  get(name: string): HostTensor | undefined {
    const t = this.protos.get(name);
    return t ? decodeTensor(t, `constant '${name}'`, DEFAULT_LIMITS) : undefined;
  }
  /** Adds an initializer (the graph's weights live there after quantization). */
  add(t: OnnxTensor): string {
    if (this.protos.has(t.name)) throw new ModelFormatError(`constant '${t.name}' already exists`);
    this.model.graph!.initializer.push(t);
    this.protos.set(t.name, t);
    return t.name;
  }
}

/** Every reader of each value. */
export function readers(model: OnnxModel): Map<string, OnnxNode[]> {
  const m = new Map<string, OnnxNode[]>();
  for (const n of model.graph!.node) for (const i of n.input) if (i) m.set(i, [...(m.get(i) ?? []), n]);
  return m;
}

/** Drops Constant nodes and initializers no node reads any more. */
export function pruneConstants(model: OnnxModel): void {
  const used = new Set<string>(model.graph!.output.map((o) => o.name));
  for (const n of model.graph!.node) for (const i of n.input) used.add(i);
  model.graph!.node = model.graph!.node.filter((n) => n.opType !== 'Constant' || used.has(n.output[0]));
  model.graph!.initializer = model.graph!.initializer.filter((t) => used.has(t.name));
}

export function setOpset(model: OnnxModel, domain: string, version: number): void {
  const o = model.opsetImport.find((x) => (x.domain || '') === domain || (domain === '' && x.domain === 'ai.onnx'));
  if (o) o.version = version;
  else model.opsetImport.push({ domain, version });
}
