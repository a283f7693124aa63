// Convolution, pooling, normalization, matmul and softmax: ONNX -> IR.
import { normAxis, sizeOf } from '../../core/shape.js';
import { hostTensor } from '../../core/tensor.js';
import type { ImportContext } from '../context.js';
import type { Lowering } from './types.js';

/** Resolves auto_pad / pads into IR [top, left, bottom, right] for 2-D spatial dims. */
function spatialPads(
  c: ImportContext,
  inDims: number[],
  kernel: number[],
  strides: number[],
  dilations: number[],
): number[] {
  const autoPad = c.attrs.string('auto_pad', 'NOTSET');
  const r = inDims.length;
  if (autoPad === 'NOTSET') {
    const p = c.attrs.ints('pads', new Array<number>(2 * r).fill(0));
    if (p.length !== 2 * r) c.fail(`pads has ${p.length} entries, expected ${2 * r}`);
    if (p.some((v) => v < 0)) c.fail(`negative pads [${p}]`);
    return p;
  }
  if (autoPad === 'VALID') return new Array<number>(2 * r).fill(0);
  if (autoPad !== 'SAME_UPPER' && autoPad !== 'SAME_LOWER') c.fail(`unknown auto_pad '${autoPad}'`);
  const begins: number[] = [];
  const ends: number[] = [];
  for (let i = 0; i < r; i++) {
    const out = Math.ceil(inDims[i] / strides[i]);
    const total = Math.max(0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - inDims[i]);
    const small = Math.floor(total / 2);
    begins.push(autoPad === 'SAME_UPPER' ? small : total - small);
    ends.push(autoPad === 'SAME_UPPER' ? total - small : small);
  }
  return [...begins, ...ends];
}

/** Geometry attributes reach kernels as 32-bit uniforms: anything larger is refused, not truncated. */
function checkI32(c: ImportContext, attrs: Record<string, number[]>): void {
  for (const [name, v] of Object.entries(attrs)) {
    if (v.some((x) => !Number.isSafeInteger(x) || Math.abs(x) > 0x7fffffff))
      c.fail(`${name} [${v}] is out of the 32-bit range`);
  }
}

/** 1-D spatial ops run as 2-D with H = 1: these lift attrs and shapes. */
function lift1d(v: number[], fill: number): number[] {
  return [fill, ...v];
}
function liftPads1d(p: number[]): number[] {
  return [0, p[0], 0, p[1]];
}

function reshapeTo(c: ImportContext, x: string, shape: number[], out?: string): string {
  return c.emit('reshape', { shape }, [x], out);
}

function conv(c: ImportContext, transpose: boolean): void {
  lowerConv(c, c.requireInput(0, 'X'), c.requireInput(1, 'W'), c.input(2), transpose, c.outputName());
}

/** Conv / ConvTranspose on given value names (QLinearConv and ConvInteger reuse it); returns the output. */
export function lowerConv(
  c: ImportContext,
  x: string,
  w: string,
  b: string,
  transpose: boolean,
  outName?: string,
): string {
  const xs = c.shape(x);
  const ws = c.shape(w);
  const sr = xs.length - 2;
  if (sr !== 1 && sr !== 2) c.unsupported(`${sr}-D convolution (only 1-D and 2-D)`);
  if (ws.length !== xs.length) c.fail(`weight rank ${ws.length} differs from input rank ${xs.length}`);
  const kernel = c.attrs.ints('kernel_shape', ws.slice(2));
  const strides = c.attrs.ints('strides', new Array<number>(sr).fill(1));
  const dilations = c.attrs.ints('dilations', new Array<number>(sr).fill(1));
  const group = c.attrs.int('group', 1);
  if (strides.length !== sr || dilations.length !== sr || kernel.length !== sr)
    c.fail('strides/dilations/kernel_shape rank mismatch');
  if (strides.some((s) => s < 1) || dilations.some((d) => d < 1) || group < 1)
    c.fail(`strides [${strides}], dilations [${dilations}] and group ${group} must be >= 1`);
  checkI32(c, { strides, dilations, kernel_shape: kernel });
  let pads: number[];
  let outputPadding = c.attrs.ints('output_padding', new Array<number>(sr).fill(0));
  if (transpose) {
    const outShape = c.attrs.has('output_shape') ? c.attrs.ints('output_shape') : null;
    const autoPad = c.attrs.string('auto_pad', 'NOTSET');
    if (outShape || autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
      const target = outShape ? outShape.slice(-sr) : xs.slice(2).map((d, i) => d * strides[i]);
      const begins: number[] = [],
        ends: number[] = [];
      for (let i = 0; i < sr; i++) {
        const total = strides[i] * (xs[2 + i] - 1) + outputPadding[i] + (kernel[i] - 1) * dilations[i] + 1 - target[i];
        if (total < 0) {
          outputPadding = [...outputPadding];
          outputPadding[i] -= total;
          begins.push(0);
          ends.push(0);
          continue;
        }
        const half = Math.floor(total / 2);
        begins.push(autoPad === 'SAME_UPPER' ? half : total - half);
        ends.push(autoPad === 'SAME_UPPER' ? total - half : half);
      }
      pads = [...begins, ...ends];
    } else {
      pads =
        autoPad === 'VALID'
          ? new Array<number>(2 * sr).fill(0)
          : c.attrs.ints('pads', new Array<number>(2 * sr).fill(0));
    }
  } else {
    pads = spatialPads(c, xs.slice(2), kernel, strides, dilations);
  }
  if (kernel.some((k, i) => k !== ws[2 + i])) c.fail(`kernel_shape [${kernel}] differs from weight ${ws.slice(2)}`);
  let xi = x,
    wi = w;
  const attrs =
    sr === 1
      ? {
          strides: lift1d(strides, 1),
          dilations: lift1d(dilations, 1),
          pads: liftPads1d(pads),
          group,
          outputPadding: lift1d(outputPadding, 0),
        }
      : { strides, dilations, pads, group, outputPadding };
  if (sr === 1) {
    xi = reshapeTo(c, x, [xs[0], xs[1], 1, xs[2]]);
    wi = reshapeTo(c, w, [ws[0], ws[1], 1, ws[2]]);
  }
  const out = sr === 1 ? undefined : outName;
  const epilogue = b ? { act: 'none' as const, alpha: 0, beta: 0, bias: b } : undefined;
  if (b && c.shape(b).length !== 1) c.fail(`bias must be 1-D, got rank ${c.shape(b).length}`);
  const y = c.emit(transpose ? 'convTranspose' : 'conv', attrs, [xi, wi], out, epilogue);
  if (b && c.shape(b)[0] !== c.shape(y)[1])
    c.fail(`bias has ${c.shape(b)[0]} values for ${c.shape(y)[1]} output channels`);
  if (sr === 1) {
    const ys = c.shape(y);
    return reshapeTo(c, y, [ys[0], ys[1], ys[3]], outName);
  }
  return y;
}

function pool(kind: 'max' | 'avg'): Lowering {
  return (c) => {
    if (c.node.output.length > 1 && c.node.output[1]) c.unsupported('the Indices output of MaxPool');
    const x = c.requireInput(0, 'X');
    const xs = c.shape(x);
    const sr = xs.length - 2;
    if (sr !== 1 && sr !== 2) c.unsupported(`${sr}-D pooling (only 1-D and 2-D)`);
    const kernel = c.attrs.ints('kernel_shape');
    const strides = c.attrs.ints('strides', new Array<number>(sr).fill(1));
    const dilations = c.attrs.ints('dilations', new Array<number>(sr).fill(1));
    if (kernel.length !== sr || strides.length !== sr || dilations.length !== sr)
      c.fail('kernel_shape/strides/dilations rank mismatch');
    if (c.attrs.int('storage_order', 0) !== 0) c.unsupported('storage_order=1');
    checkI32(c, { kernel_shape: kernel, strides, dilations });
    let pads = spatialPads(c, xs.slice(2), kernel, strides, dilations);
    // as in onnxruntime: a window made only of padding has no defined max or average
    if (pads.some((p, i) => p >= kernel[i % sr]))
      c.fail(`pads [${pads}] must be smaller than kernel_shape [${kernel}]`);
    const ceilMode = c.attrs.int('ceil_mode', 0) === 1;
    const countIncludePad = c.attrs.int('count_include_pad', 0) === 1;
    if (c.attrs.string('auto_pad', 'NOTSET') !== 'NOTSET' && ceilMode)
      c.unsupported('auto_pad together with ceil_mode');
    let xi = x;
    let attrs = { kind, kernel, strides, pads, dilations, countIncludePad, ceilMode };
    if (sr === 1) {
      xi = reshapeTo(c, x, [xs[0], xs[1], 1, xs[2]]);
      pads = liftPads1d(pads);
      attrs = {
        ...attrs,
        kernel: lift1d(kernel, 1),
        strides: lift1d(strides, 1),
        dilations: lift1d(dilations, 1),
        pads,
      };
    }
    const y = c.emit('pool', attrs, [xi], sr === 1 ? undefined : c.outputName());
    if (sr === 1) {
      const ys = c.shape(y);
      reshapeTo(c, y, [ys[0], ys[1], ys[3]], c.outputName());
    }
  };
}

function globalPool(kind: 'max' | 'avg'): Lowering {
  return (c) => {
    const x = c.requireInput(0, 'X');
    const xs = c.shape(x);
    if (xs.length < 3) c.fail(`global pooling needs rank >= 3, got ${xs.length}`);
    if (kind === 'avg' && xs.length === 4) {
      c.emit(
        'pool',
        {
          kind: 'avg',
          kernel: [xs[2], xs[3]],
          strides: [1, 1],
          pads: [0, 0, 0, 0],
          dilations: [1, 1],
          countIncludePad: false,
          ceilMode: false,
        },
        [x],
        c.outputName(),
      );
      return;
    }
    const axes = xs.slice(2).map((_, i) => i + 2);
    c.emit('reduce', { kind: kind === 'avg' ? 'mean' : 'max', axes, keepDims: true }, [x], c.outputName());
  };
}

function batchNorm(c: ImportContext): void {
  if (c.node.output.slice(1).some(Boolean)) c.unsupported('training-mode outputs (running mean/var)');
  const ins = [0, 1, 2, 3, 4].map((i) => c.requireInput(i, ['X', 'scale', 'B', 'mean', 'var'][i]));
  if (c.shape(ins[0]).length < 2) c.fail(`input must have rank >= 2 (N, C, ...), got [${c.shape(ins[0])}]`);
  const C = c.shape(ins[0])[1];
  for (let i = 1; i < 5; i++)
    if (sizeOf(c.shape(ins[i])) !== C) c.fail(`parameter ${i} has ${sizeOf(c.shape(ins[i]))} values for ${C} channels`);
  c.emit('batchNorm', { epsilon: c.attrs.float('epsilon', 1e-5) }, ins, c.outputName());
}

function instanceNorm(c: ImportContext): void {
  const x = c.requireInput(0, 'input');
  const scale = c.requireInput(1, 'scale');
  const bias = c.requireInput(2, 'B');
  const xs = c.shape(x);
  const [n, ch] = xs;
  const s = sizeOf(xs.slice(2));
  const flat = reshapeTo(c, x, [n, ch, s]);
  const ones = c.constant(hostTensor('f32', [s], new Float32Array(s).fill(1)));
  const normed = c.emit('layerNorm', { axis: 2, epsilon: c.attrs.float('epsilon', 1e-5) }, [flat, ones, '']);
  const sc = reshapeTo(c, scale, [ch, 1]);
  const bi = reshapeTo(c, bias, [ch, 1]);
  const y = c.emit('binary', { kind: 'add' }, [c.emit('binary', { kind: 'mul' }, [normed, sc]), bi]);
  reshapeTo(c, y, xs, c.outputName());
}

function layerNorm(c: ImportContext): void {
  const x = c.requireInput(0, 'X');
  const r = c.shape(x).length;
  const axis = normAxis(c.attrs.int('axis', -1), r, `node '${c.nodeName}' axis`);
  const epsilon = c.attrs.float('epsilon', 1e-5);
  c.emit('layerNorm', { axis, epsilon }, [x, c.requireInput(1, 'Scale'), c.input(2)], c.outputName());
  const [, meanOut, invStdOut] = c.node.output;
  if (!meanOut && !invStdOut) return;
  // the optional statistics outputs, computed on their own (rarely read at inference)
  const axes = [...Array(r - axis).keys()].map((i) => i + axis);
  const mean = c.emit('reduce', { kind: 'mean', axes, keepDims: true }, [x], meanOut || undefined);
  if (!invStdOut) return;
  const d = c.emit('binary', { kind: 'sub' }, [x, mean]);
  const variance = c.emit('reduce', { kind: 'mean', axes, keepDims: true }, [
    c.emit('binary', { kind: 'mul' }, [d, d]),
  ]);
  const eps = c.constant(hostTensor('f32', [], [epsilon]));
  const std = c.emit('unary', { act: 'sqrt', alpha: 0, beta: 0 }, [c.emit('binary', { kind: 'add' }, [variance, eps])]);
  c.emit('unary', { act: 'reciprocal', alpha: 0, beta: 0 }, [std], invStdOut);
}

function gemm(c: ImportContext): void {
  const a = c.requireInput(0, 'A');
  const b = c.requireInput(1, 'B');
  const cc = c.input(2);
  const transA = c.attrs.int('transA', 0) === 1;
  const transB = c.attrs.int('transB', 0) === 1;
  const alpha = c.attrs.float('alpha', 1);
  const beta = c.attrs.float('beta', 1);
  if (c.shape(a).length !== 2 || c.shape(b).length !== 2) c.fail('Gemm needs 2-D A and B');
  const n = transB ? c.shape(b)[0] : c.shape(b)[1];
  const cData = cc ? c.constOf(cc) : undefined;
  const cs = cc ? c.shape(cc) : [];
  if (cc && beta !== 0 && cData && sizeOf(cs) === n && cs[cs.length - 1] === n && cData.dtype === 'f32') {
    const bias = c.constant(
      hostTensor(
        'f32',
        [n],
        (cData.data as Float32Array).map((v) => v * beta),
      ),
    );
    c.emit('matmul', { transA, transB, alpha }, [a, b], c.outputName(), { act: 'none', alpha: 0, beta: 0, bias });
    return;
  }
  if (!cc || beta === 0) {
    c.emit('matmul', { transA, transB, alpha }, [a, b], c.outputName());
    return;
  }
  const y = c.emit('matmul', { transA, transB, alpha }, [a, b]);
  const scaled =
    beta === 1 ? cc : c.emit('binary', { kind: 'mul' }, [cc, c.constant(hostTensor(c.dtype(cc), [], [beta]))]);
  c.emit('binary', { kind: 'add' }, [y, scaled], c.outputName());
}

function matmul(c: ImportContext): void {
  lowerMatmul(c, c.requireInput(0, 'A'), c.requireInput(1, 'B'), c.outputName());
}

/** numpy-style MatMul on given value names (QLinearMatMul and MatMulInteger reuse it); returns the output. */
export function lowerMatmul(c: ImportContext, a: string, b: string, outName?: string): string {
  const as = c.shape(a),
    bs = c.shape(b);
  if (as.length === 0 || bs.length === 0) c.fail('MatMul operands must be at least 1-D');
  const liftA = as.length === 1,
    liftB = bs.length === 1;
  if (liftA) a = reshapeTo(c, a, [1, as[0]]);
  if (liftB) b = reshapeTo(c, b, [bs[0], 1]);
  if (!liftA && !liftB) return c.emit('matmul', { transA: false, transB: false, alpha: 1 }, [a, b], outName);
  const y = c.emit('matmul', { transA: false, transB: false, alpha: 1 }, [a, b]);
  const ys = c.shape(y);
  const shape = ys.filter((_, i) => !((liftA && i === ys.length - 2) || (liftB && i === ys.length - 1)));
  return reshapeTo(c, y, shape, outName);
}

function softmax(log: boolean): Lowering {
  return (c) => {
    const x = c.requireInput(0, 'input');
    const xs = c.shape(x);
    if (c.opset >= 13) {
      c.emit(
        'softmax',
        { axis: normAxis(c.attrs.int('axis', -1), xs.length, `node '${c.nodeName}' axis`), log },
        [x],
        c.outputName(),
      );
      return;
    }
    // before opset 13 the input is coerced to 2-D at `axis`
    const axis = normAxis(c.attrs.int('axis', 1), Math.max(xs.length, 1), `node '${c.nodeName}' axis`);
    const flat = reshapeTo(c, x, [sizeOf(xs.slice(0, axis)), sizeOf(xs.slice(axis))]);
    const y = c.emit('softmax', { axis: 1, log }, [flat]);
    reshapeTo(c, y, xs, c.outputName());
  };
}

export const NN: Record<string, Lowering> = {
  Conv: (c) => conv(c, false),
  ConvTranspose: (c) => conv(c, true),
  MaxPool: pool('max'),
  AveragePool: pool('avg'),
  GlobalAveragePool: globalPool('avg'),
  GlobalMaxPool: globalPool('max'),
  BatchNormalization: batchNorm,
  InstanceNormalization: instanceNorm,
  LayerNormalization: layerNorm,
  Gemm: gemm,
  MatMul: matmul,
  Softmax: softmax(false),
  LogSoftmax: softmax(true),
};
