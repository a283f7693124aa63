// Host-side preparation of integer conv/matmul operands: int8 weights packed 4 per u32 along K, and the
// per-channel i32 bias / f32 requantization constants (see QLinearAttrs in graph.ts).

const fround = Math.fround;

/** Round half to even, like WGSL round() and ONNX QuantizeLinear. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Packs int8 weights laid out [OC][C][taps] into u32 words [OC][taps][ceil(C/4)] (channel bytes low first,
 * missing channels 0) and sums each output channel's weights (for the activation zero-point correction).
 */
export function packWeights(
  w: ArrayLike<number>,
  oc: number,
  c: number,
  taps: number,
): { packed: Uint32Array; sums: Int32Array } {
  const c4 = Math.ceil(c / 4);
  const packed = new Uint32Array(oc * taps * c4);
  const sums = new Int32Array(oc);
  for (let o = 0; o < oc; o++) {
    for (let ci = 0; ci < c; ci++) {
      for (let t = 0; t < taps; t++) {
        const v = w[(o * c + ci) * taps + t];
        sums[o] += v;
        const word = (o * taps + t) * c4 + (ci >> 2);
        packed[word] = (packed[word] | ((v & 0xff) << ((ci & 3) * 8))) >>> 0;
      }
    }
  }
  return { packed, sums };
}

/** B [K, N] (row-major) as [N][K], the layout packWeights takes for a matmul (taps = 1). */
export function transposeKN(b: ArrayLike<number>, k: number, n: number): Int32Array {
  const t = new Int32Array(k * n);
  for (let i = 0; i < k; i++) for (let j = 0; j < n; j++) t[j * k + i] = b[i * n + j];
  return t;
}

export interface Requant {
  /** i32 bias per channel: the integer bias plus (xOffset - xZero) * sum(w). */
  bias: Int32Array;
  /** [mult..., shift...] (see requantParams). */
  requant: Float32Array;
  yDiv: number;
  /** Channels whose float bias was an exact multiple of sx*sw and went into the i32 accumulator. */
  intBiasChannels: number;
}

/**
 * integer (onnxruntime's QLinearConv / QLinearMatMul): mult = sx*sw/sy in f32, yDiv = 1, and a float bias
 * that is an integer multiple of sx*sw (the int32 bias) goes into the i32 accumulator; any other float
 * bias is added after scaling (shift = b / sy).
 * float (a QDQ chain, which onnxruntime runs as float conv then QuantizeLinear): mult = sx*sw, shift = b,
 * yDiv = sy, so the epilogue repeats the float conv's bias add and QuantizeLinear's division.
 */
export function requantParams(
  sx: number,
  sw: ArrayLike<number>,
  sy: number,
  bias: ArrayLike<number> | null,
  sums: Int32Array,
  xOffset: number,
  xZero: number,
  integer = true,
): Requant {
  const oc = sums.length;
  const out: Requant = {
    bias: new Int32Array(oc),
    requant: new Float32Array(2 * oc),
    intBiasChannels: 0,
    yDiv: integer ? 1 : fround(sy),
  };
  for (let o = 0; o < oc; o++) {
    const bs = fround(sx * sw[sw.length === 1 ? 0 : o]);
    const b = bias ? bias[o] : 0;
    out.bias[o] = (xOffset - xZero) * sums[o];
    if (!integer) {
      out.requant[o] = bs;
      out.requant[oc + o] = fround(b);
      continue;
    }
    out.requant[o] = fround(bs / sy);
    let ib = 0;
    const q = b / bs;
    if (Math.abs(q - Math.round(q)) <= 1e-4 * Math.max(1, Math.abs(q)) && Math.abs(q) < 2 ** 30) {
      ib = Math.round(q);
      out.intBiasChannels++;
    } else {
      out.requant[oc + o] = fround(b / sy);
    }
    out.bias[o] += ib;
  }
  return out;
}

/** The integer a float quantizes to: clamp(round(v / s) + zp, lo, hi), as QuantizeLinear computes it. */
export function quantizeScalar(v: number, s: number, zp: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, roundHalfEven(fround(v / s)) + zp));
}
