// Layer-by-layer parity: every ONNX value both sides produce, in topological order, with the first value
// over tolerance. Values fused into a step or folded at import are listed as such, not silently skipped.
import type { HostTensor } from '../core/tensor.js';
import type { Model } from '../onnx/decode.js';
import { decodeModelProto, encodeModelProto } from '../onnx/proto.js';
import type { GpuContext } from '../runtime/device.js';
import { PipelineCache } from '../runtime/pipelines.js';
import { type InternalSessionOptions, Session } from '../runtime/session.js';
import { type Diff, diff } from './metrics.js';
import { runOnnxruntime } from './ort.js';

export interface LayerRow {
  /** Position in the ONNX graph's topological order. */
  depth: number;
  value: string;
  node: string;
  op: string;
  status: 'compared' | 'fused' | 'folded' | 'no-reference';
  /** The Kestrel step (IR node) that computes this value, or that it was fused into. */
  step?: string;
  diff?: Diff;
  ok?: boolean;
}

export interface PerLayerReport {
  tolerance: number;
  rows: LayerRow[];
  firstBad: LayerRow | null;
}

/** The model with every node output also declared a graph output, so onnxruntime returns them all. */
export function withAllOutputs(bytes: Uint8Array): { bytes: Uint8Array; names: string[] } {
  const m = decodeModelProto(bytes);
  const have = new Set(m.graph!.output.map((o) => o.name));
  const names: string[] = [];
  for (const n of m.graph!.node) for (const o of n.output) if (o && n.opType !== 'Constant') names.push(o);
  for (const n of names) if (!have.has(n)) m.graph!.output.push({ name: n });
  return { bytes: encodeModelProto(m), names };
}

/** Reference values for every node output from onnxruntime-node. */
export async function ortAllValues(
  bytes: Uint8Array,
  feeds: Record<string, HostTensor>,
): Promise<Record<string, HostTensor>> {
  const all = withAllOutputs(bytes);
  return runOnnxruntime(all.bytes, feeds, all.names);
}

function onnxOrder(model: Model): { node: string; op: string; outputs: string[] }[] {
  return model.graph.node.map((n, i) => ({
    node: n.name || `${n.opType}_${i}`,
    op: n.opType,
    outputs: n.output.filter(Boolean),
  }));
}

export interface ParityRunOptions {
  tolerance: number;
  failFast?: boolean;
  session?: Omit<InternalSessionOptions, 'capture'>;
}

export async function perLayerParity(
  model: Model,
  feeds: Record<string, HostTensor>,
  ref: Record<string, HostTensor>,
  opts: ParityRunOptions,
): Promise<PerLayerReport> {
  const shapes = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, t.shape]));
  const session = await Session.create(model, { ...opts.session, shapes, capture: 'all' });
  try {
    const r = await session.runDetailed(feeds);
    const ours = r.outputs;
    const irByOrigin = new Map<string, string>();
    for (const n of r.plan.graph.nodes) for (const o of n.origin) irByOrigin.set(o, n.name);
    const rows: LayerRow[] = [];
    let firstBad: LayerRow | null = null;
    let depth = 0;
    for (const n of onnxOrder(model)) {
      if (n.op === 'Constant') continue;
      for (const v of n.outputs) {
        const row: LayerRow = {
          depth: depth++,
          value: v,
          node: n.node,
          op: n.op,
          status: 'compared',
          step: irByOrigin.get(n.node),
        };
        const mine = ours.get(v);
        const theirs = ref[v];
        if (!theirs) row.status = 'no-reference';
        else if (mine) {
          row.diff = diff(mine, theirs);
          row.ok = row.diff.relL2 <= opts.tolerance && row.diff.nanInf === 0;
          if (!row.ok && !firstBad) firstBad = row;
        } else row.status = r.plan.graph.values.get(v)?.data || !row.step ? 'folded' : 'fused';
        rows.push(row);
        if (firstBad && opts.failFast) return { tolerance: opts.tolerance, rows, firstBad };
      }
    }
    return { tolerance: opts.tolerance, rows, firstBad };
  } finally {
    session.release();
  }
}

export interface BisectResult {
  /** The first step whose output is over tolerance (null: none). */
  step: string | null;
  value: string | null;
  diff: Diff | null;
  probes: number;
  candidates: number;
}

/**
 * Binary search over the plan's steps for the first one whose output diverges, reading back one value
 * per probe instead of all of them. Assumes divergence persists downstream, as a wrong kernel's does.
 */
export async function bisectParity(
  model: Model,
  feeds: Record<string, HostTensor>,
  ref: Record<string, HostTensor>,
  opts: ParityRunOptions & { context?: GpuContext },
): Promise<BisectResult> {
  const shapes = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, t.shape]));
  const base = await Session.create(model, { ...opts.session, shapes, context: opts.context });
  const ctx = base.ctx;
  const cache = new PipelineCache(ctx);
  let order: { step: string; value: string }[];
  try {
    const plan = await base.plan(new Map(Object.entries(shapes)));
    order = plan.graph.nodes.flatMap((n) => n.outputs.filter((o) => ref[o]).map((o) => ({ step: n.name, value: o })));
  } finally {
    base.release();
  }
  let probes = 0;
  const probe = async (i: number): Promise<Diff> => {
    probes++;
    const s = await Session.create(model, {
      ...opts.session,
      shapes,
      context: ctx,
      pipelineCache: cache,
      capture: [order[i].value],
    });
    try {
      const out = await s.runDetailed(feeds);
      return diff(out.outputs.get(order[i].value)!, ref[order[i].value]);
    } finally {
      s.release();
    }
  };
  const bad = (d: Diff) => !(d.relL2 <= opts.tolerance) || d.nanInf > 0;
  let lo = 0,
    hi = order.length - 1;
  let found: { i: number; d: Diff } | null = null;
  if (order.length && bad(await probe(hi))) {
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const d = await probe(mid);
      if (bad(d)) {
        found = { i: mid, d };
        hi = mid - 1;
      } else lo = mid + 1;
    }
  }
  return {
    step: found ? order[found.i].step : null,
    value: found ? order[found.i].value : null,
    diff: found?.d ?? null,
    probes,
    candidates: order.length,
  };
}
