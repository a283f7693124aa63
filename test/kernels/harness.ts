// Runs one IR op on the GPU through the real planner and executor, with the arena poisoned (NaN) first.
import type { HostTensor } from '../../src/core/tensor.js';
import {
  type Epilogue,
  type Graph,
  type IrOp,
  type Node,
  type OpAttrs,
  type Value,
  makeNode,
} from '../../src/ir/graph.js';
import { inferNode } from '../../src/ir/infer-shapes.js';
import { type GpuContext, createGpuContext } from '../../src/runtime/device.js';
import { Executor } from '../../src/runtime/executor.js';
import { PipelineCache } from '../../src/runtime/pipelines.js';
import type { TuningLookup } from '../../src/kernels/tuning.js';
import { type KnobOverrides, withKnobs } from '../../src/kernels/knobs.js';
import { shippedTuning } from '../../src/runtime/tuning/lookup.js';
import type { SelectOverride } from '../../src/plan/schedule.js';

let ctxPromise: Promise<GpuContext> | null = null;
let cache: PipelineCache | null = null;
/** The kernel choice runOp plans with (undefined: the adapter's shipped profile, as sessions do). */
let tuning: TuningLookup | undefined;

/** Runs `body` with kernel selection answered by `lookup` (e.g. forceChoice('igemm_sg')). */
export async function withTuning(lookup: TuningLookup, body: () => Promise<void>): Promise<void> {
  const had = tuning;
  tuning = lookup;
  try {
    await body();
  } finally {
    tuning = had;
  }
}

/** Runs `body` with kernel knobs other than the frozen defaults, over the current kernel choice. */
export async function withKernelKnobs(knobs: KnobOverrides, body: () => Promise<void>): Promise<void> {
  return withTuning(withKnobs(tuning ?? shippedTuning(await testGpu()), knobs), body);
}

/** The test device. No adapter is a hard failure, never a skip. */
export async function testGpu(): Promise<GpuContext> {
  ctxPromise ??= createGpuContext();
  return ctxPromise;
}

export interface RunOpOptions {
  epilogue?: Epilogue;
  /** Marks inputs as constants (uploaded as weights rather than written per run). */
  consts?: boolean[];
  /** Extra epilogue operand tensors: per-channel scale, bias and residual. */
  scale?: HostTensor;
  bias?: HostTensor;
  residual?: HostTensor;
  /** A kernel choice for the node instead of the registry's (variant tests). */
  select?: SelectOverride;
}

export async function runOp<K extends IrOp>(
  op: K,
  attrs: OpAttrs[K],
  inputs: (HostTensor | null)[],
  opts: RunOpOptions = {},
): Promise<HostTensor[]> {
  const ctx = await testGpu();
  cache ??= new PipelineCache(ctx);
  const values = new Map<string, Value>();
  const graphInputs: string[] = [];
  const names = inputs.map((t, i) => {
    if (!t) return '';
    const name = `in${i}`;
    const isConst = opts.consts?.[i] ?? false;
    values.set(name, { name, shape: t.shape, dtype: t.dtype, data: isConst ? t : undefined });
    if (!isConst) graphInputs.push(name);
    return name;
  });
  const feeds = new Map<string, HostTensor>();
  inputs.forEach((t, i) => {
    if (t && !opts.consts?.[i]) feeds.set(names[i], t);
  });
  let epilogue = opts.epilogue;
  if (opts.scale) {
    values.set('scale', { name: 'scale', shape: opts.scale.shape, dtype: opts.scale.dtype, data: opts.scale });
    epilogue = { ...(epilogue ?? { act: 'none', alpha: 0, beta: 0 }), scale: 'scale' };
  }
  if (opts.bias) {
    values.set('bias', { name: 'bias', shape: opts.bias.shape, dtype: opts.bias.dtype, data: opts.bias });
    epilogue = { ...(epilogue ?? { act: 'none', alpha: 0, beta: 0 }), bias: 'bias' };
  }
  if (opts.residual) {
    values.set('res', { name: 'res', shape: opts.residual.shape, dtype: opts.residual.dtype });
    graphInputs.push('res');
    feeds.set('res', opts.residual);
    epilogue = { ...(epilogue ?? { act: 'none', alpha: 0, beta: 0 }), residual: 'res' };
  }
  const node: Node = makeNode(op, attrs, { name: `${op}0`, inputs: names, outputs: [], epilogue, origin: [] });
  const infos = inferNode(
    node,
    names.map((n) => (n ? values.get(n) : undefined)),
  );
  node.outputs = infos.map((_, i) => `out${i}`);
  infos.forEach((info, i) => values.set(`out${i}`, { name: `out${i}`, ...info }));
  const graph: Graph = { values, nodes: [node], inputs: graphInputs, outputs: node.outputs };
  const ex = await Executor.create(ctx, cache, graph, { poison: true, tuning, select: opts.select });
  try {
    const r = await ex.run(feeds);
    return node.outputs.map((o) => r.outputs.get(o)!);
  } finally {
    ex.release();
  }
}
