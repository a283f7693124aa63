// One bench case through the real planner and executor: a one-node graph (weights as constants), the
// rung's kernel selection, GPU time per run from timestamp queries, and the error against the CPU reference.
import type { HostTensor } from '../src/core/tensor.js';
import { nodeBytes, nodeFlops } from '../src/ir/cost.js';
import { type Graph, type Node, type Value, withOpOf } from '../src/ir/graph.js';
import { inferNode } from '../src/ir/infer-shapes.js';
import type { GpuContext } from '../src/runtime/device.js';
import { Executor } from '../src/runtime/executor.js';
import type { PipelineCache } from '../src/runtime/pipelines.js';
import { randomTensor } from '../test/util.js';
import type { KernelCase } from './cases/types.js';
import { quantizeInt8 } from '../src/quant/weights.js';
import type { Rung } from './ladders.js';
import { maxError } from './ref.js';

export interface CaseData {
  graph: Graph;
  node: Node;
  inputs: HostTensor[];
  feeds: Map<string, HostTensor>;
  flops: number;
  bytes: number;
  outShape: number[];
}

/** `kestrel quantize`'s int8 weights (symmetric per output channel), and the dequantized tensor for the reference. */
function int8Weights(t: HostTensor): { q: HostTensor; scale: HostTensor; dequantized: HostTensor } {
  const { q, scale } = quantizeInt8(t, 0);
  const oc = t.shape[0];
  const per = q.length / oc;
  return {
    q: { dtype: 'i8', shape: t.shape, data: q },
    scale: { dtype: 'f32', shape: [oc], data: scale },
    dequantized: { dtype: 'f32', shape: t.shape, data: Float32Array.from(q, (v, i) => v * scale[Math.floor(i / per)]) },
  };
}

/** Seeded inputs in [-1, 1) and the one-node graph. */
export function caseData(c: KernelCase, seed = 1): CaseData {
  const inputs = c.inputs.map((inp, i) => randomTensor(inp.shape, seed * 31 + i));
  const values = new Map<string, Value>();
  const feeds = new Map<string, HostTensor>();
  let wScale: string | undefined;
  const names = inputs.map((t, i) => {
    const name = `in${i}`;
    const weight = !!c.inputs[i].weight;
    if (weight && c.inputs[i].int8) {
      const w = int8Weights(t);
      inputs[i] = w.dequantized;
      wScale = `${name}#scale`;
      values.set(name, { name, shape: t.shape, dtype: 'i8', data: w.q });
      values.set(wScale, { name: wScale, shape: w.scale.shape, dtype: 'f32', data: w.scale });
      return name;
    }
    values.set(name, { name, shape: t.shape, dtype: 'f32', data: weight ? t : undefined });
    if (!weight) feeds.set(name, t);
    return name;
  });
  const node: Node = withOpOf(c, { name: c.id, inputs: names, outputs: [], origin: [c.id] });
  if (wScale) node.epilogue = { act: 'none', alpha: 0, beta: 0, scale: wScale };
  const infos = inferNode(
    node,
    names.map((n) => values.get(n)),
  );
  node.outputs = infos.map((_, i) => `out${i}`);
  infos.forEach((info, i) => values.set(`out${i}`, { name: `out${i}`, ...info }));
  const graph: Graph = { values, nodes: [node], inputs: [...feeds.keys()], outputs: node.outputs };
  return {
    graph,
    node,
    inputs,
    feeds,
    flops: nodeFlops(graph, node),
    bytes: nodeBytes(graph, node),
    outShape: infos[0].shape,
  };
}

export interface PreparedRung {
  rung: string;
  /** The kernel variants the rung dispatches (more than one for multi-pass kernels). */
  variants: string[];
  /** Runs once and returns the max error against `ref` (relative to max |ref|). */
  check(ref: ArrayLike<number> | null): Promise<number | null>;
  /** One timed run: GPU ms summed over the node's steps (timestamps), else wall-clock ms. */
  sample(): Promise<number>;
  release(): void;
}

export async function prepareRung(
  ctx: GpuContext,
  cache: PipelineCache,
  data: CaseData,
  rung: Rung,
): Promise<PreparedRung> {
  const ex = await Executor.create(ctx, cache, data.graph, { select: rung.select });
  const timestamps = ctx.features.timestampQuery;
  return {
    rung: rung.name,
    variants: [...new Set(ex.steps.map((s) => s.call.variant))],
    async check(ref) {
      const r = await ex.run(data.feeds);
      const out = r.outputs.get(data.node.outputs[0])!;
      return ref ? maxError(out.data as Float32Array, ref) : null;
    },
    async sample() {
      if (!timestamps) {
        const t0 = performance.now();
        await ex.run(data.feeds);
        return performance.now() - t0;
      }
      const r = await ex.run(data.feeds, true);
      return (r.timings ?? []).reduce((a, t) => a + t.gpuMs, 0);
    },
    release: () => ex.release(),
  };
}
