// ONNX model + concrete input shapes -> IR graph. Every ONNX op family lowers in its own file.
import { InputError, ModelFormatError, UnsupportedOpError } from '../core/errors.js';
import { shapeStr, sizeOf } from '../core/shape.js';
import type { Graph } from '../ir/graph.js';
import type { HostTensor } from '../core/tensor.js';
import { ImportContext } from './context.js';
import type { IoInfo, Model } from './decode.js';
import { ELEMENTWISE } from './ops/elementwise.js';
import { NN } from './ops/nn.js';
import { REDUCE } from './ops/reduce.js';
import { RESIZE } from './ops/resize.js';
import { TENSOR } from './ops/tensor.js';
import { MS_OPS, QUANT } from './ops/quant.js';
import type { Lowering } from './ops/types.js';
import type { OnnxNode } from './proto.js';
import { decodeTensor } from './tensor.js';

export const LOWERINGS: Record<string, Lowering> = { ...ELEMENTWISE, ...NN, ...REDUCE, ...RESIZE, ...TENSOR, ...QUANT };

/** ONNX op types Kestrel imports in the default domain. */
export function supportedOps(): string[] {
  return Object.keys(LOWERINGS).sort();
}

/** Concrete shapes for every graph input: given ones, else declared static dims. */
export function resolveInputShapes(model: Model, given: Record<string, number[]> = {}): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const name of Object.keys(given)) {
    if (!model.inputs.some((i) => i.name === name))
      throw new InputError(`unknown input '${name}' (model inputs: ${model.inputs.map((i) => i.name).join(', ')})`);
  }
  for (const io of model.inputs) {
    const g = given[io.name];
    if (g) {
      checkShape(io, g);
      out.set(io.name, [...g]);
    } else {
      const dyn = io.dims.filter((d) => typeof d === 'string');
      if (dyn.length)
        throw new InputError(
          `input '${io.name}' has dynamic dims (${dyn.join(', ')}); give its shape (e.g. --shape ` +
            `${io.name}=${io.dims.map((d) => (typeof d === 'string' ? 1 : d)).join('x')})`,
        );
      out.set(io.name, io.dims as number[]);
    }
  }
  return out;
}

export function checkShape(io: IoInfo, shape: number[]): void {
  if (shape.length !== io.dims.length)
    throw new InputError(
      `input '${io.name}' must have rank ${io.dims.length} (${shapeStr(io.dims as number[])}), got ${shapeStr(shape)}`,
    );
  shape.forEach((d, i) => {
    if (!Number.isSafeInteger(d) || d < 0) throw new InputError(`input '${io.name}': invalid dim ${d}`);
    const want = io.dims[i];
    if (typeof want === 'number' && want !== d)
      throw new InputError(`input '${io.name}' dim ${i} must be ${want}, got ${d} (shape ${shapeStr(shape)})`);
  });
}

/** Kahn's algorithm over the node list; ONNX requires topological order but files in the wild vary. */
function topoSort(model: Model): OnnxNode[] {
  const nodes = model.graph.node;
  const producer = new Map<string, number>();
  nodes.forEach((n, i) =>
    n.output.forEach((o) => {
      if (o) producer.set(o, i);
    }),
  );
  const indeg = nodes.map(() => 0);
  const users: number[][] = nodes.map(() => []);
  nodes.forEach((n, i) => {
    for (const inp of new Set(n.input)) {
      const p = producer.get(inp);
      if (p !== undefined && p !== i) {
        indeg[i]++;
        users[p].push(i);
      }
      if (p === i) throw new ModelFormatError(`node '${n.name || n.opType}' reads its own output '${inp}' (cycle)`);
    }
  });
  const order: OnnxNode[] = [];
  const ready = indeg.map((d, i) => (d === 0 ? i : -1)).filter((i) => i >= 0);
  while (ready.length) {
    const i = ready.shift()!;
    order.push(nodes[i]);
    for (const u of users[i]) if (--indeg[u] === 0) ready.push(u);
  }
  if (order.length !== nodes.length) {
    const stuck = nodes.find((_, i) => indeg[i] > 0)!;
    throw new ModelFormatError(`graph has a cycle through node '${stuck.name || stuck.opType}'`);
  }
  return order;
}

/** `values`: graph inputs whose values are baked into the plan as constants (see NeedsInputValue). */
export function importModel(
  model: Model,
  shapes: Map<string, number[]>,
  values: Map<string, HostTensor> = new Map(),
): Graph {
  const c = new ImportContext(model.opset, model.limits, model.external);
  const g = c.g;
  for (const t of model.graph.initializer) {
    if (!t.name) throw new ModelFormatError('an initializer has no name');
    c.constant(decodeTensor(t, 'initializer', model.limits, model.external), t.name);
  }
  for (const io of model.inputs) {
    const shape = shapes.get(io.name)!;
    if (sizeOf(shape) > model.limits.maxTensorElements)
      throw new InputError(`input '${io.name}' ${shapeStr(shape)} exceeds maxTensorElements`);
    const known = values.get(io.name);
    if (known) {
      c.constant(known, io.name);
      continue;
    }
    c.defineValue(io.name, shape, io.dtype);
    g.inputs.push(io.name);
  }
  const usedNames = new Set<string>();
  topoSort(model).forEach((node, i) => {
    let name = node.name || `${node.opType}_${i}`;
    if (usedNames.has(name)) name = `${name}#${i}`;
    usedNames.add(name);
    const foreign = node.domain && node.domain !== 'ai.onnx';
    if (foreign && !(node.domain === 'com.microsoft' && MS_OPS[node.opType]))
      throw new UnsupportedOpError(name, `${node.domain}.${node.opType}`, model.domains.get(node.domain) ?? 0);
    const lower = foreign ? MS_OPS[node.opType] : LOWERINGS[node.opType];
    if (!lower) throw new UnsupportedOpError(name, node.opType, model.opset);
    c.begin(node, name);
    lower(c);
    for (const o of node.output) {
      if (o && !g.values.has(o))
        throw new ModelFormatError(`node '${name}' (${node.opType}) did not define its output '${o}'`);
    }
  });
  for (const o of model.outputs) {
    if (!g.values.has(o.name)) throw new ModelFormatError(`graph output '${o.name}' is not produced by any node`);
    g.outputs.push(o.name);
  }
  return g;
}
