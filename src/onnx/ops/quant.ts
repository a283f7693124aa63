// Quantized ONNX ops -> IR. Weights stay packed int8/int4 in GPU memory and are dequantized by a
// dequantize step right before the float conv/matmul that reads them (the float-kernel fallback).
import { type DType, f16ToF32 } from '../../core/dtype.js';
import { normAxis, sizeOf } from '../../core/shape.js';
import { type HostTensor, hostTensor } from '../../core/tensor.js';
import type { ImportContext } from '../context.js';
import { lowerConv, lowerMatmul } from './nn.js';
import type { Lowering } from './types.js';

const QTYPES = new Set<DType>(['u8', 'i8', 'i4', 'u4', 'i32']);

/** A scale as an f32 value (f16 constants are widened at import). */
function f32Scale(c: ImportContext, s: string): string {
  if (c.dtype(s) === 'f32') return s;
  const t = c.constOf(s);
  if (c.dtype(s) !== 'f16' || !t) c.unsupported(`scale '${s}' of type ${c.dtype(s)} (f32, or constant f16)`);
  return c.constant(hostTensor('f32', t.shape, Float32Array.from(t.data as Uint16Array, f16ToF32)));
}

/** Axis for the scale layout: -1 when per tensor. */
function quantAxis(c: ImportContext, x: string, s: string, blockSize: number): number {
  const n = sizeOf(c.shape(s));
  if (n === 1 && !blockSize) return -1;
  return normAxis(c.attrs.int('axis', 1), c.shape(x).length, `node '${c.nodeName}' axis`);
}

/** keepHalf: an f16 scale stays f16 and so does the output (DequantizeLinear's own output type); the
 * QLinear lowerings feed f32 kernels and widen it. */
export function dequantize(
  c: ImportContext,
  x: string,
  s: string,
  zp: string,
  axis: number,
  blockSize: number,
  out?: string,
  keepHalf = false,
): string {
  if (!QTYPES.has(c.dtype(x))) c.unsupported(`DequantizeLinear of ${c.dtype(x)}`);
  if (zp && c.dtype(zp) !== c.dtype(x)) c.fail(`zero point type ${c.dtype(zp)} differs from input type ${c.dtype(x)}`);
  const scale = keepHalf && c.dtype(s) === 'f16' ? s : f32Scale(c, s);
  return c.emit('dequantize', { axis, blockSize }, [x, scale, zp], out);
}

export function quantize(
  c: ImportContext,
  x: string,
  s: string,
  zp: string,
  to: DType,
  axis: number,
  blockSize: number,
  out?: string,
  integerRequant = false,
): string {
  if (!['u8', 'i8', 'u4', 'i4'].includes(to)) c.unsupported(`QuantizeLinear to ${to}`);
  const scale = c.dtype(x) === 'f16' && c.dtype(s) === 'f16' ? s : f32Scale(c, s);
  return c.emit(
    'quantize',
    integerRequant ? { axis, blockSize, to, saturate: true, integerRequant } : { axis, blockSize, to, saturate: true },
    [x, scale, zp],
    out,
  );
}

function dequantizeLinear(c: ImportContext): void {
  const x = c.requireInput(0, 'x'),
    s = c.requireInput(1, 'x_scale'),
    zp = c.input(2);
  const blockSize = c.attrs.int('block_size', 0);
  dequantize(c, x, s, zp, quantAxis(c, x, s, blockSize), blockSize, c.outputName(), true);
}

function quantizeLinear(c: ImportContext): void {
  const x = c.requireInput(0, 'x'),
    s = c.requireInput(1, 'y_scale'),
    zp = c.input(2);
  const blockSize = c.attrs.int('block_size', 0);
  const to: DType = zp
    ? c.dtype(zp)
    : c.attrs.has('output_dtype')
      ? (({ 2: 'u8', 3: 'i8', 21: 'u4', 22: 'i4' } as Record<number, DType>)[c.attrs.int('output_dtype')] ?? 'u8')
      : 'u8';
  if (c.attrs.int('saturate', 1) !== 1) c.unsupported('saturate=0');
  quantize(c, x, s, zp, to, quantAxis(c, x, s, blockSize), blockSize, c.outputName());
}

/** Per-output-channel (axis 0) or per-tensor dequantization of a conv weight. */
function weightAxis(c: ImportContext, s: string, axis: number): number {
  return sizeOf(c.shape(s)) === 1 ? -1 : axis;
}

function qlinearConv(c: ImportContext): void {
  const [x, xs, xzp, w, ws, wzp, ys, yzp] = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => c.input(i));
  const b = c.input(8);
  if (!x || !xs || !w || !ws || !ys) c.fail('missing a required input');
  const xd = dequantize(c, x, xs, xzp, -1, 0);
  const wd = dequantize(c, w, ws, wzp, weightAxis(c, ws, 0), 0);
  let bias = '';
  if (b) {
    // int32 bias with scale x_scale * w_scale[oc], zero point 0: folded to f32 here
    const bt = c.constOf(b),
      xst = c.constOf(xs),
      wst = c.constOf(ws);
    if (!bt || !xst || !wst) c.unsupported('a non-constant bias or scales');
    const oc = bt.data.length;
    const sx = f32Of(xst)[0];
    const sw = f32Of(wst);
    bias = c.constant(
      hostTensor(
        'f32',
        [oc],
        Float32Array.from(bt.data as Int32Array, (v, i) => v * sx * sw[sw.length === 1 ? 0 : i]),
      ),
    );
  }
  const y = lowerConv(c, xd, wd, bias, false);
  quantize(c, y, ys, yzp, yzp ? c.dtype(yzp) : 'u8', -1, 0, c.outputName(), true);
}

function f32Of(t: HostTensor): Float32Array {
  return t.dtype === 'f16'
    ? Float32Array.from(t.data as Uint16Array, f16ToF32)
    : Float32Array.from(t.data as Float32Array);
}

function qlinearMatmul(c: ImportContext): void {
  const [a, as, azp, b, bs, bzp, ys, yzp] = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => c.input(i));
  if (!a || !as || !b || !bs || !ys) c.fail('missing a required input');
  const ad = dequantize(c, a, as, azp, sizeOf(c.shape(as)) === 1 ? -1 : c.shape(a).length - 2, 0);
  const bd = dequantize(c, b, bs, bzp, sizeOf(c.shape(bs)) === 1 ? -1 : c.shape(b).length - 1, 0);
  const y = lowerMatmul(c, ad, bd);
  quantize(c, y, ys, yzp, yzp ? c.dtype(yzp) : 'u8', -1, 0, c.outputName(), true);
}

/** ConvInteger / MatMulInteger: exact integer results via f32 (exact below 2^24), zero points per tensor or axis. */
function integerOp(conv: boolean): Lowering {
  return (c) => {
    const [x, w, xzp, wzp] = [0, 1, 2, 3].map((i) => c.input(i));
    if (!x || !w) c.fail('missing a required input');
    const ones = (n: number) => c.constant(hostTensor('f32', [n], new Float32Array(n).fill(1)));
    const xn = xzp ? sizeOf(c.shape(xzp)) : 1;
    const wn = wzp ? sizeOf(c.shape(wzp)) : 1;
    const xAxis = xn === 1 ? -1 : conv ? 1 : c.shape(x).length - 2;
    const wAxis = wn === 1 ? -1 : conv ? 0 : c.shape(w).length - 1;
    const xd = dequantize(c, x, ones(xn), xzp, xAxis, 0);
    const wd = dequantize(c, w, ones(wn), wzp, wAxis, 0);
    const y = conv ? lowerConv(c, xd, wd, '', false) : lowerMatmul(c, xd, wd);
    c.emit('cast', { to: 'i32' }, [c.emit('unary', { act: 'round', alpha: 0, beta: 0 }, [y])], c.outputName());
  };
}

/** com.microsoft MatMulNBits: 4-bit blockwise weights [N, blocks, blob] with per-block scales. */
function matMulNBits(c: ImportContext): void {
  const a = c.requireInput(0, 'A'),
    b = c.requireInput(1, 'B'),
    s = c.requireInput(2, 'scales');
  const zp = c.input(3);
  if (c.input(4)) c.unsupported('g_idx');
  const bias = c.input(5);
  const K = c.attrs.int('K'),
    N = c.attrs.int('N'),
    bits = c.attrs.int('bits', 4),
    bs = c.attrs.int('block_size');
  if (bits !== 4) c.unsupported(`bits=${bits} (only 4)`);
  if (bs < 16 || (bs & (bs - 1)) !== 0) c.fail(`block_size ${bs} must be a power of two >= 16`);
  const bt = c.constOf(b);
  if (!bt || c.dtype(b) !== 'u8') c.unsupported('non-constant or non-uint8 B');
  const nb = Math.ceil(K / bs);
  if (bt.data.length !== N * nb * (bs / 2))
    c.fail(`B has ${bt.data.length} bytes, expected N*blocks*block_size/2 = ${N * nb * (bs / 2)}`);
  const wq = c.constant({ dtype: 'u4', shape: [N, nb * bs], data: bt.data });
  const scale = c.emit('reshape', { shape: [N, nb] }, [f32Scale(c, s)]);
  if (sizeOf(c.shape(scale)) !== N * nb) c.fail(`scales has ${sizeOf(c.shape(s))} values, expected ${N * nb}`);
  // zero points: packed uint4 rows of ceil(blocks/2) bytes, repacked to [N, blocks]; default 8
  const zpVals = new Uint8Array(N * nb).fill(8);
  if (zp) {
    const zt = c.constOf(zp);
    if (!zt || c.dtype(zp) !== 'u8') c.unsupported('zero_points that are not constant packed uint8');
    const row = Math.ceil(nb / 2);
    for (let n = 0; n < N; n++)
      for (let k = 0; k < nb; k++)
        zpVals[n * nb + k] = ((zt.data[n * row + (k >> 1)] as number) >> ((k & 1) * 4)) & 0xf;
  }
  const packed = new Uint8Array(Math.ceil((N * nb) / 2));
  zpVals.forEach((v, i) => {
    packed[i >> 1] |= v << ((i & 1) * 4);
  });
  const zpName = c.constant({ dtype: 'u4', shape: [N, nb], data: packed });
  let wd = c.emit('dequantize', { axis: 1, blockSize: bs }, [wq, scale, zpName]);
  if (nb * bs !== K) wd = c.emit('slice', { starts: [0, 0], ends: [N, K], steps: [1, 1] }, [wd]);
  const ep = bias ? { act: 'none' as const, alpha: 0, beta: 0, bias } : undefined;
  const as = c.shape(a);
  if (as.length < 2) c.fail('A must be at least 2-D');
  c.emit('matmul', { transA: false, transB: true, alpha: 1 }, [a, wd], c.outputName(), ep);
}

export const QUANT: Record<string, Lowering> = {
  DequantizeLinear: dequantizeLinear,
  QuantizeLinear: quantizeLinear,
  QLinearConv: qlinearConv,
  QLinearMatMul: qlinearMatmul,
  ConvInteger: integerOp(true),
  MatMulInteger: integerOp(false),
};
/** Ops of the com.microsoft domain Kestrel imports. */
export const MS_OPS: Record<string, Lowering> = { MatMulNBits: matMulNBits };
