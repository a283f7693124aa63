// Precision sweep: the same student in f32, fp16 weights, fp16 compute, int8 and int4 weights and full int8 (QDQ), each
// run on
// Kestrel and compared layer by layer with the f32 run, so a user sees what precision the student affords.
import { f16ToF32 } from '../core/dtype.js';
import type { HostTensor } from '../core/tensor.js';
import { decodeModel } from '../onnx/decode.js';
import { quantizeModel, type QuantizeOptions } from '../quant/quantize.js';
import type { GpuContext } from '../runtime/device.js';
import { Session } from '../runtime/session.js';
import { type Diff, diff } from './metrics.js';

export interface SweepRow {
  variant: string;
  /** Worst output error against f32. */
  output: Diff | null;
  /** First value (in f32 topological order) whose error exceeds the tolerance. */
  firstOver: { value: string; relL2: number } | null;
  weightBytes: number;
  note?: string;
}

/** Every precision `kestrel quantize` writes, with the options that write it (null: the f32 original). */
export const PRECISION_VARIANTS: [string, QuantizeOptions | null][] = [
  ['f32', null],
  ['fp16 weights', { weights: 'fp16' }],
  ['fp16 compute', { compute: 'fp16' }],
  ['int8 weights', { weights: 'int8' }],
  ['int4 matmul + int8 conv weights', { weights: 'int4' }],
  ['int8 weights + activations', { weights: 'int8', activations: 'int8' }],
  ['int8 weights + activations, float scales', { weights: 'int8', activations: 'int8', scales: 'float' }],
];

async function captureAll(
  bytes: Uint8Array,
  feeds: Record<string, HostTensor>,
  ctx: GpuContext,
): Promise<{ values: Map<string, HostTensor>; weightBytes: number }> {
  const shapes = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, t.shape]));
  const s = await Session.create(bytes, { shapes, capture: 'all', context: ctx });
  try {
    const r = await s.runDetailed(feeds);
    return { values: r.outputs, weightBytes: r.plan.executor.memory.weightBytes };
  } finally {
    s.release();
  }
}

export async function precisionSweep(
  bytes: Uint8Array,
  feeds: Record<string, HostTensor>,
  opts: { tolerance: number; context: GpuContext; calibration?: Record<string, HostTensor>[] },
): Promise<SweepRow[]> {
  const model = decodeModel(bytes);
  const order = model.graph.node.flatMap((n) => n.output.filter(Boolean));
  const outputs = model.outputs.map((o) => o.name);
  const base = await captureAll(bytes, feeds, opts.context);
  const rows: SweepRow[] = [];
  for (const [variant, q] of PRECISION_VARIANTS) {
    if (!q) {
      rows.push({ variant, output: null, firstOver: null, weightBytes: base.weightBytes, note: 'reference' });
      continue;
    }
    let qBytes: Uint8Array;
    try {
      qBytes = (await quantizeModel(bytes, { ...q, calibration: opts.calibration ?? [feeds], context: opts.context }))
        .bytes;
    } catch (e) {
      rows.push({
        variant,
        output: null,
        firstOver: null,
        weightBytes: 0,
        note: `not applicable: ${(e as Error).message}`,
      });
      continue;
    }
    let run: Awaited<ReturnType<typeof captureAll>>;
    try {
      run = await captureAll(qBytes, feeds, opts.context);
    } catch (e) {
      // fp16 compute needs shader-f16
      rows.push({
        variant,
        output: null,
        firstOver: null,
        weightBytes: 0,
        note: `cannot run here: ${(e as Error).message}`,
      });
      continue;
    }
    let worst: Diff | null = null;
    for (const o of outputs) {
      const d = diff(run.values.get(o)!, base.values.get(o)!);
      if (!worst || d.relL2 > worst.relL2) worst = d;
    }
    let firstOver: SweepRow['firstOver'] = null;
    for (const v of order) {
      const a = widen(run.values.get(v)),
        b = base.values.get(v);
      if (!a || !b || a.dtype !== 'f32' || b.dtype !== 'f32') continue;
      const d = diff(a, b);
      if (d.relL2 > opts.tolerance) {
        firstOver = { value: v, relL2: d.relL2 };
        break;
      }
    }
    rows.push({ variant, output: worst, firstOver, weightBytes: run.weightBytes });
  }
  return rows;
}

/** f16 values (fp16 compute) as f32, so they compare with the f32 run. */
function widen(t: HostTensor | undefined): HostTensor | undefined {
  return t?.dtype === 'f16'
    ? { dtype: 'f32', shape: t.shape, data: Float32Array.from(t.data as Uint16Array, f16ToF32) }
    : t;
}
