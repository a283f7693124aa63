// The importer's working state: ONNX value names -> IR values, attribute access, and `emit`, which
// infers shapes and folds nodes whose inputs are all constant.
import type { DType } from '../core/dtype.js';
import { KestrelError, LimitError, ModelFormatError, ShapeError, UnsupportedOpError } from '../core/errors.js';
import type { Limits } from '../core/limits.js';
import { sizeOf, shapeStr } from '../core/shape.js';
import { type HostTensor, toNumbers } from '../core/tensor.js';
import { foldNode } from '../ir/fold.js';
import { type Epilogue, type Graph, type IrOp, type Node, type OpAttrs, type Value, makeNode } from '../ir/graph.js';
import { inferNode } from '../ir/infer-shapes.js';
import { type OnnxAttribute, type OnnxNode, int64 } from './proto.js';
import { type ExternalReader, decodeTensor } from './tensor.js';

export class Attrs {
  private map = new Map<string, OnnxAttribute>();
  constructor(
    node: OnnxNode,
    private readonly where: string,
  ) {
    for (const a of node.attribute) this.map.set(a.name, a);
  }
  has(name: string): boolean {
    return this.map.has(name);
  }
  private bad(name: string, msg: string): never {
    throw new ModelFormatError(`${this.where}: attribute '${name}' ${msg}`);
  }
  int(name: string, def?: number): number {
    const a = this.map.get(name);
    if (!a) {
      if (def === undefined) this.bad(name, 'is required');
      return def;
    }
    const v = int64(a.i);
    if (!Number.isSafeInteger(v)) this.bad(name, `has invalid value ${v}`);
    return v;
  }
  ints(name: string, def?: number[]): number[] {
    const a = this.map.get(name);
    if (!a) {
      if (def === undefined) this.bad(name, 'is required');
      return def;
    }
    return a.ints.map((x) => {
      const v = int64(x);
      if (!Number.isFinite(v)) this.bad(name, `has invalid value ${v}`);
      return v;
    });
  }
  float(name: string, def?: number): number {
    const a = this.map.get(name);
    if (!a) {
      if (def === undefined) this.bad(name, 'is required');
      return def;
    }
    return a.f;
  }
  floats(name: string, def?: number[]): number[] {
    const a = this.map.get(name);
    if (!a) {
      if (def === undefined) this.bad(name, 'is required');
      return def;
    }
    return [...a.floats];
  }
  string(name: string, def?: string): string {
    const a = this.map.get(name);
    if (!a) {
      if (def === undefined) this.bad(name, 'is required');
      return def;
    }
    return new TextDecoder().decode(a.s);
  }
  tensor(name: string, limits: Limits): HostTensor | undefined {
    const a = this.map.get(name);
    if (!a) return undefined;
    if (!a.t) this.bad(name, 'is not a tensor');
    return decodeTensor(a.t, `${this.where} attribute '${name}'`, limits);
  }
}

/** Import needs the value (not just the shape) of a graph input, e.g. Pad's pads given as an input. */
export class NeedsInputValue extends KestrelError {
  constructor(
    readonly input: string,
    node: string,
  ) {
    super(
      'INPUT',
      `node '${node}' needs the value of graph input '${input}' to plan (its value is baked into the plan)`,
    );
  }
}

export class ImportContext {
  readonly g: Graph = { values: new Map(), nodes: [], inputs: [], outputs: [] };
  node!: OnnxNode;
  nodeName = '';
  attrs!: Attrs;
  private tmpCount = 0;
  private emitted = 0;

  constructor(
    readonly opset: number,
    readonly limits: Limits,
    readonly external?: ExternalReader,
  ) {}

  begin(node: OnnxNode, name: string): void {
    this.node = node;
    this.nodeName = name;
    this.attrs = new Attrs(node, `node '${name}' (${node.opType})`);
    this.emitted = 0;
  }

  fail(msg: string): never {
    throw new ShapeError(`node '${this.nodeName}' (${this.node.opType}): ${msg}`);
  }
  unsupported(detail: string): never {
    throw new UnsupportedOpError(this.nodeName, this.node.opType, this.opset, detail);
  }

  /** IR name of ONNX input i, or '' when absent. */
  input(i: number): string {
    const n = this.node.input[i] ?? '';
    if (n && !this.g.values.has(n))
      throw new ModelFormatError(
        `node '${this.nodeName}': input '${n}' is not produced by any node, initializer or graph input`,
      );
    return n;
  }
  requireInput(i: number, what: string): string {
    const n = this.input(i);
    if (!n) this.fail(`missing required input ${i} (${what})`);
    return n;
  }
  value(name: string): Value {
    const v = this.g.values.get(name);
    if (!v) throw new KestrelError('USAGE', `value '${name}' is undefined`);
    return v;
  }
  shape(name: string): number[] {
    return this.value(name).shape;
  }
  dtype(name: string): DType {
    return this.value(name).dtype;
  }
  constOf(name: string): HostTensor | undefined {
    return name ? this.g.values.get(name)?.data : undefined;
  }
  /** A constant input's values as numbers; an error names the input if it is computed at run time. */
  constInts(i: number, what: string): number[] | undefined {
    const n = this.input(i);
    if (!n) return undefined;
    const t = this.constOf(n);
    if (!t && this.g.inputs.includes(n)) throw new NeedsInputValue(n, this.nodeName);
    if (!t) this.unsupported(`input ${i} (${what}) must be a constant for the given input shapes`);
    return toNumbers(t);
  }
  /** A constant input that must be present (Reshape's shape, Slice's starts, ...). */
  requiredInts(i: number, what: string): number[] {
    const v = this.constInts(i, what);
    if (!v) this.fail(`missing required input ${i} (${what})`);
    return v;
  }
  outputName(i = 0): string {
    return this.node.output[i] ?? '';
  }
  tmp(): string {
    return `${this.outputName(0) || this.nodeName}::${this.tmpCount++}`;
  }

  defineValue(name: string, shape: number[], dtype: DType, data?: HostTensor): void {
    if (this.g.values.has(name))
      throw new ModelFormatError(`value '${name}' is defined twice (node '${this.nodeName}')`);
    if (sizeOf(shape) > this.limits.maxTensorElements)
      throw new LimitError(
        `value '${name}' of shape ${shapeStr(shape)} exceeds maxTensorElements (${this.limits.maxTensorElements})`,
      );
    this.g.values.set(name, { name, shape, dtype, data });
  }
  constant(t: HostTensor, name = this.tmp()): string {
    this.defineValue(name, [...t.shape], t.dtype, t);
    return name;
  }

  /** Emits one IR node (or folds it when every input is constant) and returns its first output's name. */
  emit<K extends IrOp>(op: K, attrs: OpAttrs[K], inputs: string[], out?: string, epilogue?: Epilogue): string {
    const outName = out ?? this.tmp();
    const node: Node = makeNode(op, attrs, {
      name: this.emitted === 0 ? this.nodeName : `${this.nodeName}#${this.emitted}`,
      inputs,
      outputs: [outName],
      epilogue,
      origin: [this.nodeName],
    });
    this.emitted++;
    const ins = inputs.map((n) => (n ? this.value(n) : undefined));
    const [info] = inferNode(node, ins);
    // checked before folding, which would allocate the value on the host
    if (sizeOf(info.shape) > this.limits.maxTensorElements) {
      throw new LimitError(
        `node '${this.nodeName}' (${this.node.opType}): output ${shapeStr(info.shape)} exceeds maxTensorElements ` +
          `(${this.limits.maxTensorElements})`,
      );
    }
    const present = inputs.filter(Boolean);
    if (present.length > 0 && present.every((n) => this.constOf(n)) && !epilogue) {
      const folded = foldNode(
        node,
        inputs.map((n) => (n ? this.constOf(n)! : null)),
        [info],
      );
      if (folded) {
        this.defineValue(outName, info.shape, info.dtype, folded[0]);
        return outName;
      }
    }
    this.defineValue(outName, info.shape, info.dtype);
    this.g.nodes.push(node);
    return outName;
  }
}
