// Where every byte of a plan lives, decided before any buffer exists: activations in the arena (liveness ->
// offsets), the constants the steps read packed into one weights buffer, each step's uniforms, and the readback
// staging. runtime/executor.ts creates the buffers and bind groups from it.
import { toGpuBytes } from '../core/convert.js';
import type { HostTensor } from '../core/tensor.js';
import type { Graph } from '../ir/graph.js';
import { EPILOGUE_PARAMS } from '../kernels/uniforms.js';
import { type Lifetime, type MemoryPlan, alignUp, planMemory } from './memory.js';
import { type Schedule, rootOf, valueBytes } from './schedule.js';

export const EPILOGUE_UNIFORM_BYTES = EPILOGUE_PARAMS.bindingSize;

export interface BufferLayout {
  /** Non-constant values (by alias root) in the one activation arena. */
  arena: MemoryPlan;
  /** Constants (by alias root): their GPU bytes and offsets in the weights buffer. */
  weights: { offsets: Map<string, number>; data: Map<string, Uint8Array>; bytes: number };
  /** Per step: the offset of its params and of its epilogue params (-1: none). */
  uniforms: { offsets: { params: number; ep: number }[]; bytes: number };
  /** Non-constant values read after the run: their offsets in the staging buffer. */
  readback: { offsets: Map<string, number>; bytes: number };
}

export interface LayoutAlignment {
  storage: number;
  uniform: number;
}

/** Whether `name` (or the value it views) is a constant of the graph. */
export function isConstant(graph: Graph, schedule: Schedule, name: string): boolean {
  return graph.values.get(rootOf(schedule.aliases, name))?.data !== undefined;
}

/** The bytes a value (or a step's scratch buffer) takes on the GPU. */
export function storedBytes(graph: Graph, schedule: Schedule, name: string): number {
  const s = schedule.scratch.get(name);
  if (s !== undefined) return s;
  const v = graph.values.get(name)!;
  if (schedule.packed.has(name)) return v.data!.data.byteLength;
  return valueBytes(v);
}

export function layoutBuffers(
  graph: Graph,
  schedule: Schedule,
  readNames: readonly string[],
  align: LayoutAlignment,
): BufferLayout {
  const { steps, aliases } = schedule;
  const isConst = (name: string) => isConstant(graph, schedule, name);
  const operands = (s: Schedule['steps'][number]) => [
    ...s.bindings,
    s.epilogue?.scale ?? '',
    s.epilogue?.bias ?? '',
    s.epilogue?.residual ?? '',
  ];

  // Liveness over roots of non-constant values.
  const life = new Map<string, Lifetime>();
  const touch = (name: string | null, i: number) => {
    if (!name || isConst(name)) return;
    const root = rootOf(aliases, name);
    const lt = life.get(root) ?? { name: root, bytes: storedBytes(graph, schedule, root), first: i, last: i };
    lt.first = Math.min(lt.first, i);
    lt.last = Math.max(lt.last, i);
    life.set(root, lt);
  };
  for (const n of graph.inputs) touch(n, -1);
  steps.forEach((s, i) => operands(s).forEach((b) => touch(b, i)));
  for (const n of readNames) touch(n, Number.POSITIVE_INFINITY);
  const arena = planMemory([...life.values()], align.storage);

  // Weights: every constant a step reads, packed once.
  const constNames = new Set<string>();
  for (const s of steps) for (const b of operands(s)) if (b && isConst(b)) constNames.add(rootOf(aliases, b));
  const weights: BufferLayout['weights'] = { offsets: new Map(), data: new Map(), bytes: 0 };
  for (const n of constNames) {
    const data = graph.values.get(n)!.data!;
    const bytes = schedule.packed.has(n) ? packedBytes(data.data) : toGpuBytes(data, `constant '${n}'`);
    weights.data.set(n, bytes);
    weights.offsets.set(n, weights.bytes);
    weights.bytes = alignUp(weights.bytes + Math.max(bytes.byteLength, 4), align.storage);
  }

  // Uniforms: every step's params (and epilogue params) in one buffer.
  const uniforms: BufferLayout['uniforms'] = { offsets: [], bytes: 0 };
  for (const s of steps) {
    const params = uniforms.bytes;
    uniforms.bytes = alignUp(uniforms.bytes + s.call.params.bytes.byteLength, align.uniform);
    let ep = -1;
    if (s.epilogue) {
      ep = uniforms.bytes;
      uniforms.bytes = alignUp(uniforms.bytes + EPILOGUE_UNIFORM_BYTES, align.uniform);
    }
    uniforms.offsets.push({ params, ep });
  }

  // Readback staging for outputs and captured values.
  const readback: BufferLayout['readback'] = { offsets: new Map(), bytes: 0 };
  for (const n of readNames) {
    if (isConst(n)) continue;
    readback.offsets.set(n, readback.bytes);
    readback.bytes = alignUp(readback.bytes + alignUp(storedBytes(graph, schedule, n), 4), 8);
  }
  return { arena, weights, uniforms, readback };
}

/** The raw bytes of a packed integer constant, padded to a whole number of u32 words. */
function packedBytes(data: HostTensor['data']): Uint8Array {
  const out = new Uint8Array(Math.ceil(data.byteLength / 4) * 4);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return out;
}
