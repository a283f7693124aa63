// `kestrel quantize`: float ONNX in, standard quantized ONNX out (onnxruntime runs it too).
import type { HostTensor } from '../core/tensor.js';
import { KestrelError } from '../core/errors.js';
import { decodeModel } from '../onnx/decode.js';
import { type OnnxNode, decodeModelProto, encodeModelProto } from '../onnx/proto.js';
import type { GpuContext } from '../runtime/device.js';
import {
  type CalibrationMethod,
  type Range,
  type Targets,
  activationTargets,
  calibrate,
  insertQdq,
  rangesRead,
} from './activations.js';
import { type Fp16Report, convertToFp16 } from './fp16.js';
import { pruneConstants } from './onnx-edit.js';
import { upgradeOpset } from './opset-upgrade.js';
import { foldConvAffine } from './fold-affine.js';
import { type WeightMode, type WeightReport, quantizeWeights, weightSlot } from './weights.js';
import { Constants } from './onnx-edit.js';

export interface QuantizeOptions {
  weights?: WeightMode;
  /** fp16: the whole model computes in f16 (inputs and outputs stay f32, Cast at the boundaries). */
  compute?: 'fp16';
  blockSize?: number;
  activations?: 'int8';
  /** Calibration samples (feeds), needed for activations. */
  calibration?: Record<string, HostTensor>[];
  method?: CalibrationMethod;
  percentile?: number;
  exclude?: Set<string>;
  /** Nodes whose activation inputs stay float while their weights follow `weights` (chosen by --max-error). */
  floatLayers?: Set<string>;
  /** Calibrated ranges from an earlier call on the same model and options: skips calibration. */
  ranges?: Range[];
  /**
   * With --activations int8. pow2 (default): every scale a power of two, so dequantized sums are exact, and activations
   * are
   * quantized only where every engine computes the same bits (see activations.ts): onnxruntime and
   * Kestrel then agree on full-int8 models. float: scale = range / 255, every target quantized.
   */
  scales?: 'float' | 'pow2';
  /**
   * pow2 weights keep the full int8 grid (max|w| / 127 per channel) and the mantissa of that scale is multiplied
   * back by a Mul after the layer (default true); false rounds the grid itself up to a power of two (up to 2x coarser).
   */
  weightMantissa?: boolean;
  context?: GpuContext;
  progress?: (done: number, total: number) => void;
}

export interface QuantizeResult {
  bytes: Uint8Array;
  weights: WeightReport[];
  ranges: Range[];
  /** Every calibrated range (a superset of `ranges` when floatLayers leave some unread): reusable as `ranges`. */
  calibrated: Range[];
  /** Activation inputs left float in pow2 mode, and why. */
  kept: Targets['kept'];
  /** Nodes rewritten to move the model to opset 13 (per-axis DequantizeLinear needs it). */
  upgraded: number;
  /** Batch norms and constant affines folded into the conv before them. */
  folded?: number;
  fp16?: Fp16Report;
}

export async function quantizeModel(input: Uint8Array, opts: QuantizeOptions): Promise<QuantizeResult> {
  if (!opts.weights && !opts.activations && !opts.compute)
    throw new KestrelError('USAGE', 'nothing to do: give --weights, --activations or --compute');
  const exclude = opts.exclude ?? new Set<string>();
  const model = decodeModelProto(input);
  if (opts.compute === 'fp16') {
    if (opts.weights || opts.activations)
      throw new KestrelError(
        'USAGE',
        '--compute fp16 converts the whole model: it does not combine with --weights or --activations',
      );
    const fp16 = convertToFp16(model);
    pruneConstants(model);
    if (model.producerName !== undefined)
      model.producerName = `${model.producerName || 'unknown'} + kestrel quantize --compute fp16`;
    return {
      bytes: encodeModelProto(model),
      weights: [],
      ranges: [],
      calibrated: [],
      kept: [],
      upgraded: 0,
      fp16,
    };
  }
  const needsQdq = opts.activations === 'int8' || opts.weights === 'int8' || opts.weights === 'int4';
  const upgraded = needsQdq ? upgradeOpset(model) : 0;
  const folded = needsQdq || opts.weights === 'fp16' ? foldConvAffine(model) : 0;
  let ranges: Range[] = [];
  let kept: Targets['kept'] = [];
  let calibrated: Range[] | undefined;
  // weight-only int8 has no quantized sums to reproduce: there range / 127 keeps the finer grid
  const pow2 = opts.activations === 'int8' && (opts.scales ?? 'pow2') === 'pow2';
  if (opts.activations === 'int8') {
    if (!opts.calibration?.length)
      throw new KestrelError(
        'USAGE',
        '--activations int8 needs calibration samples (--calibration DIR of .npy inputs)',
      );
    // calibrate on the float model (after the opset rewrite, which keeps value names)
    const floatModel = decodeModel(encodeModelProto(model));
    const consts = new Constants(model);
    // int8 weights (with --weights int4, the non-MatMul ones) get power-of-two scales; MatMulNBits blocks do not
    const onGrid = (n: OnnxNode) =>
      pow2 &&
      (opts.weights === 'int8' || (opts.weights === 'int4' && n.opType !== 'MatMul')) &&
      !exclude.has(n.name) &&
      weightSlot(n, consts) !== null;
    const targets = activationTargets(model, exclude, pow2, onGrid);
    kept = targets.kept;
    ranges =
      opts.ranges ??
      (await calibrate(floatModel, opts.calibration, targets.tensors, {
        method: opts.method ?? 'minmax',
        percentile: opts.percentile ?? 99.99,
        pow2,
        context: opts.context,
        progress: opts.progress,
      }));
    const floatLayers = opts.floatLayers ?? new Set<string>();
    if (floatLayers.size) {
      calibrated = ranges;
      const skip = new Set([...exclude, ...floatLayers]);
      ranges = rangesRead(model, ranges, skip);
      kept = [...kept, ...[...floatLayers].map((n) => ({ tensor: n, reason: `kept float by --max-error` }))];
      insertQdq(model, ranges, skip);
    } else insertQdq(model, ranges, exclude);
  }
  const weights = opts.weights
    ? quantizeWeights(model, opts.weights, {
        blockSize: opts.blockSize,
        exclude,
        pow2,
        rescale: pow2 && (opts.weightMantissa ?? true),
      })
    : [];
  pruneConstants(model);
  if (model.producerName !== undefined) model.producerName = `${model.producerName || 'unknown'} + kestrel quantize`;
  return {
    bytes: encodeModelProto(model),
    weights,
    ranges,
    calibrated: calibrated ?? ranges,
    kept,
    upgraded,
    folded,
  };
}
