// `kestrel quantize IN.onnx OUT.onnx`: int8 / int4 / fp16 weights, static int8 activations or a whole-fp16
// model (--compute fp16), with a report.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HostTensor } from '../core/tensor.js';
import { parseNpy } from '../io/npy.js';
import { decodeModel } from '../onnx/decode.js';
import { diff } from '../parity/metrics.js';
import { frameSamples } from '../demo/calibration.js';
import { FRAME_SET_NAMES, type FrameSet } from '../demo/frames.js';
import { chooseFloatLayers } from '../quant/mixed.js';
import { describeOutputError, outputError } from '../quant/error-report.js';
import { quantizeModel } from '../quant/quantize.js';
import { textLikeImage } from '../quant/text-pages.js';
import type { WeightMode } from '../quant/weights.js';
import { Session } from '../runtime/session.js';
import { UsageError } from './args.js';
import type { Command } from './command.js';
import { MODEL_FLAGS, feedsFor, parseShapes } from './model-args.js';
import { stderrIsTTY } from './output.js';

/**
 * `dir`: a folder of .npy samples, `pages` (generated text-like pages) or `frames[:signs|gaps|all]` (a bundled demo
 * frame set, default signs).
 */
function readCalibration(dir: string, inputName: string, shape: number[] | undefined): Record<string, HostTensor>[] {
  const frames = /^frames(?::(.*))?$/.exec(dir);
  if (dir === 'pages' || frames) {
    if (!shape || shape.length !== 4) throw new UsageError(`--calibration ${dir} needs --shape ${inputName}=1x3xHxW`);
    const set = frames?.[1] ?? 'signs';
    if (frames && set !== 'all' && !(FRAME_SET_NAMES as string[]).includes(set))
      throw new UsageError(
        `--calibration ${dir}: unknown frame set '${set}' (one of ${FRAME_SET_NAMES.join(', ')}, all)`,
      );
    const sets = set === 'all' ? FRAME_SET_NAMES : [set as FrameSet];
    const samples = frames
      ? sets.flatMap((s) => frameSamples(shape, s))
      : PAGE_SEEDS.map((s) => textLikeImage(shape, s));
    return samples.map((t) => ({ [inputName]: t }));
  }
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith('.npy'))
      .sort();
  } catch (e) {
    throw new UsageError(`cannot read --calibration ${dir}: ${(e as Error).message}`);
  }
  if (!files.length) throw new UsageError(`--calibration ${dir} has no .npy files`);
  return files.map((f) => ({ [inputName]: parseNpy(new Uint8Array(readFileSync(join(dir, f))), f) }));
}

/** A progress bar on stderr, only when stderr is a terminal (a log file gets no \r lines). */
function progressBar(label = 'calibrating'): ((done: number, total: number) => void) | undefined {
  if (!stderrIsTTY()) return undefined;
  return (done, total) => {
    const w = 30,
      fill = Math.round((w * done) / total);
    process.stderr.write(
      `\r${label} [${'#'.repeat(fill)}${'.'.repeat(w - fill)}] ${done}/${total}${done === total ? '\n' : ''}`,
    );
  };
}

const PAGE_SEEDS = [3, 5, 8, 13];
const kb = (b: number) => `${(b / 1024).toFixed(1)} KiB`;

export const quantizeCommand: Command = {
  name: 'quantize',
  summary:
    'write a quantized ONNX model (int8/int4/fp16 weights, static int8 activations, or fp16 compute) and report its ' +
    'error',
  usage:
    'quantize IN.onnx OUT.onnx [--weights int8|int4|fp16] [--block-size 32] [--activations int8 --calibration DIR] ' +
    '[--method minmax|percentile] [--scales pow2|float] [--exclude NODE,...] [--max-error E] [--per-layer] | ' +
    'quantize IN.onnx OUT.onnx --compute fp16',
  args: {
    positionals: ['IN.onnx', 'OUT.onnx'],
    minPositionals: 2,
    flags: [
      ...MODEL_FLAGS,
      {
        name: 'weights',
        type: 'string',
        valueName: 'int8|int4|fp16',
        summary: 'weight format (int4: MatMul weights as MatMulNBits, convs int8)',
      },
      { name: 'block-size', type: 'string', valueName: 'N', summary: 'int4 block size along K (default 32)' },
      {
        name: 'activations',
        type: 'string',
        valueName: 'int8',
        summary: 'static QDQ on conv/matmul activation inputs',
      },
      {
        name: 'compute',
        type: 'string',
        valueName: 'fp16',
        summary: 'whole model in f16 (weights and activations; inputs/outputs stay f32 behind Casts)',
      },
      {
        name: 'calibration',
        type: 'string',
        valueName: 'DIR|pages|frames[:signs|gaps|all]',
        summary:
          'folder of .npy samples of the model input; pages: generated text-like pages, frames: a bundled demo ' +
          'frame set (default signs; sign-line crops for inputs 48 high), both at --shape',
      },
      {
        name: 'max-error',
        type: 'string',
        valueName: 'E',
        summary:
          'with --activations int8: keep the fewest, most sensitive layers reading float until every output is ' +
          'within relative L2 E of the float model on the calibration set',
      },
      {
        name: 'method',
        type: 'string',
        valueName: 'minmax|percentile',
        summary: 'calibration range method (default minmax)',
      },
      {
        name: 'percentile',
        type: 'string',
        valueName: 'P',
        summary: 'percentile for --method percentile (default 99.99)',
      },
      {
        name: 'scales',
        type: 'string',
        valueName: 'pow2|float',
        summary:
          'with --activations int8: pow2 (default) uses power-of-two scales and quantizes activations only where ' +
          'every engine computes the same bits, so onnxruntime and Kestrel agree; float uses range / 255 everywhere',
      },
      { name: 'exclude', type: 'string', valueName: 'NODE,...', summary: 'keep these nodes in float' },
      {
        name: 'sample',
        type: 'string',
        valueName: 'FILE.npy',
        summary:
          'a representative model input for the accuracy check (default: the first calibration sample, else noise)',
      },
      { name: 'per-layer', type: 'boolean', summary: 'report the error of every layer, not only the outputs' },
      { name: 'quiet', type: 'boolean', summary: 'print only the summary' },
    ],
  },
  async run(args, io) {
    const [inPath, outPath] = args.positionals;
    const weights = args.flags.weights as WeightMode | undefined;
    if (weights && !['int8', 'int4', 'fp16'].includes(weights))
      throw new UsageError('--weights must be int8, int4 or fp16');
    const compute = args.flags.compute as string | undefined;
    if (compute && compute !== 'fp16') throw new UsageError('--compute supports only fp16');
    if (compute && (weights || args.flags.activations))
      throw new UsageError('--compute fp16 converts the whole model: leave out --weights and --activations');
    const activations = args.flags.activations as string | undefined;
    if (activations && activations !== 'int8') throw new UsageError('--activations supports only int8');
    const method = (args.flags.method as string | undefined) ?? 'minmax';
    if (!['minmax', 'percentile'].includes(method)) throw new UsageError('--method must be minmax or percentile');
    const scales = (args.flags.scales as string | undefined) ?? 'pow2';
    if (!['pow2', 'float'].includes(scales)) throw new UsageError('--scales must be pow2 or float');
    const blockSize = Number(args.flags['block-size'] ?? 32);
    if (!(blockSize >= 16 && (blockSize & (blockSize - 1)) === 0))
      throw new UsageError('--block-size must be a power of two >= 16');
    const input = new Uint8Array(readFileSync(inPath));
    const floatModel = decodeModel(input);
    if (activations && !args.flags.calibration) throw new UsageError('--activations int8 needs --calibration DIR');
    if (activations && floatModel.inputs.length !== 1)
      throw new UsageError('calibration folders support single-input models');
    const maxError = args.flags['max-error'] === undefined ? undefined : Number(args.flags['max-error']);
    if (maxError !== undefined && !activations)
      throw new UsageError('--max-error chooses which activations stay float: it needs --activations int8');
    if (maxError !== undefined && !(maxError > 0)) throw new UsageError('--max-error must be a positive number');
    const calibration = args.flags.calibration
      ? readCalibration(
          args.flags.calibration as string,
          floatModel.inputs[0].name,
          parseShapes(args)[floatModel.inputs[0].name],
        )
      : undefined;
    const options = {
      weights,
      blockSize,
      activations: activations as 'int8' | undefined,
      calibration,
      compute: compute as 'fp16' | undefined,
      method: method as 'minmax' | 'percentile',
      scales: scales as 'pow2' | 'float',
      percentile: Number(args.flags.percentile ?? 99.99),
      exclude: new Set(((args.flags.exclude as string | undefined) ?? '').split(',').filter(Boolean)),
      progress: progressBar(),
    };
    let r = await quantizeModel(input, options);
    if (maxError !== undefined) {
      const m = await chooseFloatLayers(
        input,
        { ...options, ranges: r.calibrated, progress: progressBar('layer sensitivity') },
        maxError,
        io.out,
      );
      r = m.result;
      const p = m.report;
      io.out(
        `mixed precision (${p.engine}, ${calibration!.length} samples, ${p.evaluations} evaluations, ` +
          `${(p.ms / 1000).toFixed(1)} s): error ${p.error.toExponential(2)} (max ${maxError}; all int8 ` +
          `${p.fullError.toExponential(2)}, weights only ${p.weightOnlyError.toExponential(2)})`,
      );
      for (const k of p.keptFloat)
        io.out(
          `  float layer ${k.node.padEnd(28)} sensitivity ${k.sensitivity.toExponential(2).padStart(10)}  alone ` +
            `${k.error.toExponential(2)}  ${(k.macs / 1e6).toFixed(2).padStart(8)} M MACs`,
        );
      io.out(
        `int8 MACs: ${(100 * p.int8MacShare).toFixed(1)}% of conv/matmul MACs, ${p.keptFloat.length} layers kept float`,
      );
    }
    writeFileSync(outPath, r.bytes);
    const quiet = !!args.flags.quiet;
    if (r.fp16) {
      const f = r.fp16;
      const kept = f.keptF32.length
        ? ` (${f.keptF32.slice(0, 8).join(', ')}${f.keptF32.length > 8 ? ', ...' : ''})`
        : '';
      io.out(
        `fp16: ${f.constants} float constants -> f16 (${kb(f.bytesBefore)} -> ${kb(f.bytesAfter)}), ${f.casts} ` +
          `Casts, ${f.keptF32.length} nodes kept f32${kept}`,
      );
      if (f.rescaledBatchNorms)
        io.out(`fp16: ${f.rescaledBatchNorms} batch norms rescaled to variance 1 (parameters beyond the f16 range)`);
    }
    if (r.upgraded) io.out(`opset raised to 13 for per-axis DequantizeLinear (${r.upgraded} nodes rewritten)`);
    if (!quiet)
      for (const w of r.weights)
        io.out(
          `  ${w.tensor.padEnd(36)} ${w.format.padEnd(18)} ${kb(w.bytesBefore).padStart(10)} -> ` +
            `${kb(w.bytesAfter).padStart(10)}`,
        );
    const before = r.weights.reduce((a, w) => a + w.bytesBefore, 0),
      after = r.weights.reduce((a, w) => a + w.bytesAfter, 0);
    if (r.weights.length)
      io.out(`weights: ${r.weights.length} tensors, ${kb(before)} -> ${kb(after)} (${(after / before).toFixed(3)}x)`);
    if (!quiet)
      for (const q of r.ranges)
        io.out(
          `  range ${q.tensor.padEnd(36)} [${q.min.toPrecision(4)}, ${q.max.toPrecision(4)}] scale ` +
            `${q.scale.toExponential(3)} zero ${q.zeroPoint}`,
        );
    if (r.folded) io.out(`folded ${r.folded} batch norms / constant affines into the convs before them`);
    if (!quiet) for (const k of r.kept) io.out(`  float ${k.tensor.padEnd(36)} ${k.reason}`);
    if (r.ranges.length)
      io.out(
        `activations: ${r.ranges.length} tensors quantized (uint8, ${method}, ${scales} ` +
          `scales)${r.kept.length ? `, ${r.kept.length} kept float (not reproducible across engines)` : ''}`,
      );
    io.out(`wrote ${outPath} (${kb(input.length)} -> ${kb(r.bytes.length)})`);
    // accuracy: float vs quantized on --sample, the first calibration sample, or seeded data of the given shape
    const shapeArgs = parseShapes(args);
    const samplePath = args.flags.sample as string | undefined;
    if (samplePath && floatModel.inputs.length !== 1) throw new UsageError('--sample supports single-input models');
    const sample = samplePath
      ? { [floatModel.inputs[0].name]: parseNpy(new Uint8Array(readFileSync(samplePath)), samplePath) }
      : undefined;
    const dynamic = floatModel.inputs.find((i) => !shapeArgs[i.name] && i.dims.some((d) => typeof d !== 'number'));
    if (!sample && !calibration && dynamic) {
      // the file is written; the accuracy check needs concrete input shapes
      io.out(
        `accuracy: not measured (input '${dynamic.name}' has dynamic dims: give --sample FILE.npy, --shape ` +
          `${dynamic.name}=... or --calibration DIR)`,
      );
      return 0;
    }
    const feeds = sample ?? calibration?.[0] ?? feedsFor(floatModel.inputs, {}, shapeArgs);
    const inputWords = sample
      ? `the sample ${samplePath}`
      : calibration
        ? 'the first calibration sample'
        : 'seeded random input (noise, not representative: give --sample FILE.npy for a real one)';
    const shapes = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, t.shape]));
    const perLayer = !!args.flags['per-layer'];
    const a = await Session.create(floatModel, { shapes, capture: perLayer ? 'all' : undefined });
    let b: Session;
    try {
      b = await Session.create(r.bytes, { shapes, capture: perLayer ? 'all' : undefined, context: a.ctx });
    } catch (e) {
      a.release();
      // the file is written; an adapter without shader-f16 just cannot show its error here
      if (!r.fp16) throw e;
      io.out(`not compared: ${(e as Error).message}`);
      return 0;
    }
    try {
      const ra = await a.runDetailed(feeds),
        rb = await b.runDetailed(feeds);
      if (perLayer) {
        const names = [...ra.outputs.keys()].filter((k) => rb.outputs.has(k));
        io.out(`${'value'.padEnd(40)} ${'rel L2'.padStart(10)} ${'cosine'.padStart(10)}`);
        for (const n of names) {
          const d = diff(rb.outputs.get(n)!, ra.outputs.get(n)!);
          io.out(`${n.padEnd(40)} ${d.relL2.toExponential(2).padStart(10)} ${d.cosine.toFixed(6).padStart(10)}`);
        }
      }
      for (const o of floatModel.outputs)
        io.out(
          `accuracy: ` +
            `${describeOutputError(outputError(o.name, rb.outputs.get(o.name)!, ra.outputs.get(o.name)!), inputWords)}`,
        );
    } finally {
      b.release();
      a.release();
    }
    return 0;
  },
};
