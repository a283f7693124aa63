// Accuracy-driven mixed precision (`kestrel quantize --activations int8 --max-error E`): measure how much each
// layer's quantized input costs on the calibration set, then keep the fewest, most costly per MAC layers
// reading float inputs (their weights stay int8) until the outputs are within E of the float model.
//
// Metric: relative L2 over the whole calibration set, sqrt(sum |q - f|^2 / sum |f|^2), the worst output. For
// det's sigmoid probability map this weighs logit errors by how far they move probabilities: saturated
// background and text interiors contribute nothing, boundaries near the 0.3 threshold count fully.
//
// Sensitivity of layer L: the error with only L's inputs quantized (weights int8 everywhere), in excess of the
// weight-only error in quadrature (e_L^2 - e_w^2), which is additive for independent noise sources.
import { KestrelError } from '../core/errors.js';
import type { HostTensor } from '../core/tensor.js';
import { nodeFlops } from '../ir/cost.js';
import { decodeModel } from '../onnx/decode.js';
import { importModel, resolveInputShapes } from '../onnx/import.js';
import { decodeModelProto } from '../onnx/proto.js';
import { loadOnnxruntime } from '../parity/ort.js';
import { Session } from '../runtime/session.js';
import { TARGET_OPS } from './activations.js';
import { type QuantizeOptions, type QuantizeResult, quantizeModel } from './quantize.js';

const MAC_OPS = new Set(['Conv', 'ConvTranspose', 'MatMul', 'Gemm']);

export interface LayerSensitivity {
  node: string;
  /** Multiply-accumulates at the calibration shape (0 for pools). */
  macs: number;
  /** Output error with only this layer's inputs quantized. */
  error: number;
  /** e^2 - e_weights^2 (see above). */
  sensitivity: number;
}

export interface MixedReport {
  maxError: number;
  /** Every layer's inputs quantized. */
  fullError: number;
  /** No activation quantized: the floor any choice of float layers can reach. */
  weightOnlyError: number;
  /** The chosen model's error. */
  error: number;
  /** Layers kept reading float, most sensitive per MAC first. */
  keptFloat: LayerSensitivity[];
  /** Share of conv/matmul MACs whose inputs and weights are both int8. */
  int8MacShare: number;
  evaluations: number;
  ms: number;
  engine: 'onnxruntime' | 'kestrel';
}

type Outputs = Float32Array[][];
type Evaluate = (bytes: Uint8Array) => Promise<Outputs>;

/** Runs every calibration sample on onnxruntime-node (fast to create sessions), else on Kestrel. */
async function evaluator(
  samples: Record<string, HostTensor>[],
  context: QuantizeOptions['context'],
): Promise<{ run: Evaluate; engine: MixedReport['engine'] }> {
  const shapes = Object.fromEntries(Object.entries(samples[0]).map(([k, t]) => [k, t.shape]));
  try {
    const ort = await loadOnnxruntime('--max-error');
    return {
      engine: 'onnxruntime',
      run: async (bytes) => {
        const s = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
        try {
          const out: Outputs = [];
          for (const x of samples) {
            const feeds = Object.fromEntries(
              Object.entries(x).map(([k, t]) => [k, new ort.Tensor('float32', t.data, t.shape)]),
            );
            const r = await s.run(feeds);
            out.push(s.outputNames.map((n: string) => Float32Array.from(r[n].data as Float32Array)));
          }
          return out;
        } finally {
          await s.release?.();
        }
      },
    };
  } catch {
    return {
      engine: 'kestrel',
      run: async (bytes) => {
        const s = await Session.create(bytes, { shapes, context });
        try {
          const out: Outputs = [];
          for (const x of samples) {
            const r = await s.run(x);
            out.push(Object.values(r).map((t) => Float32Array.from(t.data as Float32Array)));
          }
          return out;
        } finally {
          s.release();
        }
      },
    };
  }
}

/** Relative L2 over all samples, worst output. */
export function datasetError(got: Outputs, ref: Outputs): number {
  let worst = 0;
  for (let k = 0; k < ref[0].length; k++) {
    let num = 0,
      den = 0;
    for (let i = 0; i < ref.length; i++) {
      const a = got[i][k],
        b = ref[i][k];
      for (let j = 0; j < b.length; j++) {
        num += (a[j] - b[j]) ** 2;
        den += b[j] ** 2;
      }
    }
    worst = Math.max(worst, den > 0 ? Math.sqrt(num / den) : Math.sqrt(num));
  }
  return worst;
}

/** MACs of every conv/matmul node of the ONNX model at the samples' shapes. */
export function layerMacs(input: Uint8Array, shapes: Record<string, number[]>): Map<string, number> {
  const model = decodeModel(input);
  const g = importModel(model, resolveInputShapes(model, shapes));
  const macs = new Map<string, number>();
  for (const n of g.nodes)
    if (['conv', 'convTranspose', 'matmul'].includes(n.op)) macs.set(n.name, nodeFlops(g, n) / 2);
  return macs;
}

/** Share of conv/matmul MACs (with constant weights) whose activation inputs are all quantized. */
export function int8Share(q: QuantizeResult, macs: Map<string, number>): number {
  const m = decodeModelProto(q.bytes);
  const dq = new Set(m.graph!.node.filter((n) => n.opType === 'DequantizeLinear').map((n) => n.output[0]));
  let all = 0,
    int8 = 0;
  for (const n of m.graph!.node) {
    if (!MAC_OPS.has(n.opType) || !dq.has(n.input[1])) continue;
    const c = macs.get(n.name) ?? 0;
    all += c;
    if (dq.has(n.input[0])) int8 += c;
  }
  return all ? int8 / all : 0;
}

/** Chooses the float layers for `opts` (activations int8) so that the outputs are within `maxError`. */
export async function chooseFloatLayers(
  input: Uint8Array,
  opts: QuantizeOptions,
  maxError: number,
  log: (line: string) => void = () => undefined,
): Promise<{ result: QuantizeResult; report: MixedReport }> {
  if (opts.activations !== 'int8' || !opts.calibration?.length)
    throw new KestrelError('USAGE', '--max-error chooses which activations stay float: it needs --activations int8');
  if (!(maxError > 0)) throw new KestrelError('USAGE', '--max-error must be a positive number (relative L2)');
  const t0 = performance.now();
  const samples = opts.calibration;
  const { run, engine } = await evaluator(samples, opts.context);
  const ref = await run(input);
  let evaluations = 0;
  const full = await quantizeModel(input, opts);
  const ranges = full.calibrated;
  const variant = async (floatLayers: Set<string>) => {
    const q = await quantizeModel(input, { ...opts, ranges, floatLayers });
    evaluations++;
    return { q, error: datasetError(await run(q.bytes), ref) };
  };
  const fullError = datasetError(await run(full.bytes), ref);
  const model = decodeModelProto(input);
  const quantized = new Set(ranges.map((r) => r.tensor));
  const layers = model.graph!.node.filter((n) => TARGET_OPS.has(n.opType) && n.input.some((i) => quantized.has(i)));
  const targetNames = layers.map((n) => n.name);
  const weightOnly = await variant(new Set(targetNames));
  const macs = layerMacs(input, Object.fromEntries(Object.entries(samples[0]).map(([k, t]) => [k, t.shape])));
  const report = (q: QuantizeResult, error: number, keptFloat: LayerSensitivity[]): MixedReport => ({
    maxError,
    fullError,
    weightOnlyError: weightOnly.error,
    error,
    keptFloat,
    int8MacShare: int8Share(q, macs),
    evaluations,
    ms: performance.now() - t0,
    engine,
  });
  log(`mixed precision: all int8 ${fullError.toExponential(2)}, weights only ${weightOnly.error.toExponential(2)}`);
  if (fullError <= maxError) return { result: full, report: report(full, fullError, []) };
  const sens: LayerSensitivity[] = [];
  for (const [i, name] of targetNames.entries()) {
    const { error } = await variant(new Set(targetNames.filter((t) => t !== name)));
    sens.push({ node: name, macs: macs.get(name) ?? 0, error, sensitivity: error ** 2 - weightOnly.error ** 2 });
    opts.progress?.(i + 1, targetNames.length);
  }
  // most error removed per MAC kept float first; a pool (no MACs) counts as one output's worth
  const order = sens
    .filter((s) => s.sensitivity > 0)
    .sort((a, b) => b.sensitivity / Math.max(b.macs, 1) - a.sensitivity / Math.max(a.macs, 1));
  // the error falls (nearly) monotonically along `order`: binary-search the shortest prefix within maxError
  let lo = 0,
    hi = order.length;
  let best = await variant(new Set(order.map((s) => s.node)));
  if (best.error > maxError) {
    log(`mixed precision: ${maxError} is out of reach (all sensitive layers float: ${best.error.toExponential(2)})`);
    return { result: best.q, report: report(best.q, best.error, order) };
  }
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    const v = await variant(new Set(order.slice(0, mid).map((s) => s.node)));
    if (v.error <= maxError) {
      hi = mid;
      best = v;
    } else lo = mid;
  }
  return { result: best.q, report: report(best.q, best.error, order.slice(0, hi)) };
}
