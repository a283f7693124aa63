// Static activation quantization: calibrate ranges on sample inputs, then put QuantizeLinear ->
// DequantizeLinear (uint8, asymmetric) on the activation inputs of Conv, ConvTranspose, MatMul, Gemm and
// the average pools.
//
// Reproducible mode (power-of-two scales): a QuantizeLinear turns a one-ulp difference in its input into
// a whole quantization step, and the next layers amplify it, so two engines agree on a full-int8 model
// only if every quantized value is computed bit for bit alike. With power-of-two scales a conv/matmul/pool
// over dequantized inputs sums exact binary fractions (any order gives the same bits), and single
// elementwise ops round once; exp, sigmoid, softmax, sqrt and reductions over float values are computed
// differently by every engine. So only tensors whose values follow from exact sums and single roundings
// are quantized there; the rest stay float and are reported.
import type { HostTensor } from '../core/tensor.js';
import type { Model } from '../onnx/decode.js';
import type { OnnxModel, OnnxNode } from '../onnx/proto.js';
import { Session } from '../runtime/session.js';
import type { GpuContext } from '../runtime/device.js';
import { pow2Ceil } from './weights.js';
import { Constants, DT, floatTensor, makeNode, tensorProto } from './onnx-edit.js';

export const TARGET_OPS = new Set(['Conv', 'ConvTranspose', 'MatMul', 'Gemm', 'GlobalAveragePool', 'AveragePool']);
/** Ops whose result is one correctly rounded operation per element (or none): the same bits in any engine. */
const SINGLE_ROUNDING = new Set([
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Relu',
  'Clip',
  'Max',
  'Min',
  'Neg',
  'Abs',
  'HardSigmoid',
  'LeakyRelu',
  'Identity',
  'Reshape',
  'Transpose',
  'Flatten',
  'Squeeze',
  'Unsqueeze',
  'Concat',
  'Slice',
  'Split',
  'Gather',
  'Pad',
  'MaxPool',
  'Cast',
  'Shape',
  'Constant',
  'DequantizeLinear',
  'QuantizeLinear',
]);
const RESERVOIR = 65536;

export type CalibrationMethod = 'minmax' | 'percentile';
export interface Range {
  tensor: string;
  min: number;
  max: number;
  scale: number;
  zeroPoint: number;
}

const dataInputs = (n: OnnxNode) => (n.opType === 'MatMul' ? [n.input[0], n.input[1]] : [n.input[0]]);

export interface Targets {
  /** Tensors to quantize. */
  tensors: string[];
  /** Reproducible mode: inputs of target ops kept float, and why. */
  kept: { tensor: string; reason: string }[];
}

/**
 * The activation tensors to quantize: non-constant data inputs of the target ops; with `reproducible`,
 * only those computed bit for bit alike by any engine. `weightsOnGrid(node)`: its weights will be
 * power-of-two int8 (so its products are exact).
 */
export function activationTargets(
  model: OnnxModel,
  exclude: Set<string>,
  reproducible = false,
  weightsOnGrid: (n: OnnxNode) => boolean = () => false,
): Targets {
  const consts = new Constants(model);
  const out = new Set<string>();
  const kept = new Map<string, string>();
  // why a value is not reproducible ('' when it is)
  const why = new Map<string, string>(model.graph!.input.map((i) => [i.name, '']));
  const whyOf = (v: string) => (!v || consts.has(v) ? '' : (why.get(v) ?? 'unknown producer'));
  for (const n of model.graph!.node) {
    const target = TARGET_OPS.has(n.opType) && !exclude.has(n.name);
    const ins = target ? dataInputs(n).filter((i) => i && !consts.has(i)) : [];
    for (const i of ins) {
      if (!reproducible || whyOf(i) === '') out.add(i);
      else kept.set(i, whyOf(i));
    }
    let reason = '';
    if (target) {
      if (ins.some((i) => !out.has(i))) reason = `${n.opType} '${n.name}' sums float (unquantized) inputs`;
      else if (
        ['Conv', 'ConvTranspose', 'MatMul', 'Gemm'].includes(n.opType) &&
        n.input[1] &&
        consts.has(n.input[1]) &&
        !weightsOnGrid(n)
      )
        reason = `${n.opType} '${n.name}' has float weights`;
    } else if (SINGLE_ROUNDING.has(n.opType) || (n.opType === 'Resize' && isNearest(n))) {
      reason = n.input.map(whyOf).find((r) => r !== '') ?? '';
    } else if (TARGET_OPS.has(n.opType)) {
      reason = `${n.opType} '${n.name}' is excluded, so it computes in float`;
    } else {
      reason = `computed by ${n.opType} '${n.name}' (engines round it differently)`;
    }
    for (const o of n.output) why.set(o, reason);
  }
  return {
    tensors: [...out],
    kept: [...kept].filter(([t]) => !out.has(t)).map(([tensor, reason]) => ({ tensor, reason })),
  };
}

const isNearest = (n: OnnxNode) => {
  const mode = n.attribute.find((a) => a.name === 'mode')?.s;
  return !mode || new TextDecoder().decode(mode) === 'nearest';
};

class Tracker {
  min = Infinity;
  max = -Infinity;
  sample: number[] = [];
  seen = 0;
  add(data: Float32Array): void {
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (v < this.min) this.min = v;
      if (v > this.max) this.max = v;
      // reservoir sample (deterministic stride) for percentiles
      this.seen++;
      if (this.sample.length < RESERVOIR) this.sample.push(v);
      else if (this.seen % Math.ceil(this.seen / RESERVOIR) === 0) this.sample[this.seen % RESERVOIR] = v;
    }
  }
  range(method: CalibrationMethod, percentile: number): [number, number] {
    if (method === 'minmax' || this.sample.length === 0) return [this.min, this.max];
    const s = Float32Array.from(this.sample).sort();
    const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.round((p / 100) * (s.length - 1))))];
    return [at(100 - percentile), at(percentile)];
  }
}

export async function calibrate(
  model: Model,
  samples: Record<string, HostTensor>[],
  targets: string[],
  opts: {
    method: CalibrationMethod;
    percentile: number;
    pow2?: boolean;
    context?: GpuContext;
    progress?: (done: number, total: number) => void;
  },
): Promise<Range[]> {
  const trackers = new Map(targets.map((t) => [t, new Tracker()]));
  const shapes = Object.fromEntries(Object.entries(samples[0]).map(([k, t]) => [k, t.shape]));
  const session = await Session.create(model, { shapes, keep: targets, capture: targets, context: opts.context });
  try {
    for (let k = 0; k < samples.length; k++) {
      const r = await session.runDetailed(samples[k]);
      for (const t of targets) {
        const v = r.outputs.get(t) ?? samples[k][t];
        if (v && v.dtype === 'f32') trackers.get(t)!.add(v.data as Float32Array);
      }
      opts.progress?.(k + 1, samples.length);
    }
  } finally {
    session.release();
  }
  return targets.map((t) => {
    const [lo, hi] = trackers.get(t)!.range(opts.method, opts.percentile);
    const rmin = Math.min(0, Number.isFinite(lo) ? lo : 0),
      rmax = Math.max(0, Number.isFinite(hi) ? hi : 0);
    const scale = rmax > rmin ? (opts.pow2 ? pow2Ceil((rmax - rmin) / 255) : (rmax - rmin) / 255) : 1;
    const zeroPoint = Math.max(0, Math.min(255, Math.round(-rmin / scale)));
    return { tensor: t, min: rmin, max: rmax, scale, zeroPoint };
  });
}

/** The ranges some target op outside `skip` reads (the rest would leave dangling QDQ pairs). */
export function rangesRead(model: OnnxModel, ranges: Range[], skip: Set<string>): Range[] {
  const read = new Set<string>();
  for (const n of model.graph!.node)
    if (TARGET_OPS.has(n.opType) && !skip.has(n.name)) for (const i of dataInputs(n)) read.add(i);
  return ranges.filter((r) => read.has(r.tensor));
}

/** Inserts x -> QuantizeLinear -> DequantizeLinear before every reader of each calibrated tensor. */
export function insertQdq(model: OnnxModel, ranges: Range[], exclude: Set<string>): number {
  const consts = new Constants(model);
  const byTensor = new Map(ranges.map((r) => [r.tensor, r]));
  const nodes: OnnxNode[] = [];
  const replaced = new Map<string, string>();
  const emitPair = (x: string, r: Range): string => {
    const s = consts.add(floatTensor(`${x}_qscale`, [], [r.scale]));
    const z = consts.add(tensorProto(`${x}_qzero`, [], DT.UINT8, new Uint8Array([r.zeroPoint])));
    nodes.push(makeNode('QuantizeLinear', [x, s, z], [`${x}_q`], `${x}_quantize`));
    nodes.push(makeNode('DequantizeLinear', [`${x}_q`, s, z], [`${x}_qdq`], `${x}_dequantize`));
    return `${x}_qdq`;
  };
  // graph inputs that are targets get their pair first
  for (const i of model.graph!.input) {
    const r = byTensor.get(i.name);
    if (r) replaced.set(i.name, emitPair(i.name, r));
  }
  for (const n of model.graph!.node) {
    if (TARGET_OPS.has(n.opType) && !exclude.has(n.name)) {
      n.input = n.input.map((i) => replaced.get(i) ?? i);
    }
    nodes.push(n);
    for (const o of n.output) {
      const r = byTensor.get(o);
      if (r && !replaced.has(o)) replaced.set(o, emitPair(o, r));
    }
  }
  model.graph!.node = nodes;
  return replaced.size;
}
