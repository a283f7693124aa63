// CPU references for every unary function (ONNX semantics), in float64.

/** erf to ~1e-15: Maclaurin series near 0, continued fraction for erfc in the tails. */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 3) {
    let term = x;
    let sum = x;
    for (let n = 1; n < 80; n++) {
      term *= (-x * x) / n;
      sum += term / (2 * n + 1);
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  if (ax > 6) return Math.sign(x);
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), evaluated backwards
  let f = ax;
  for (let k = 60; k >= 1; k--) f = ax + k / 2 / f;
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return Math.sign(x) * (1 - erfc);
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const softplus = (x: number) => Math.log1p(Math.exp(x));

/** Each function by its IR name (ACT_CODES); alpha and beta as the op's attributes. */
export const UNARY_REF: Record<string, (x: number, alpha: number, beta: number) => number> = {
  none: (x) => x,
  relu: (x) => Math.max(x, 0),
  clip: (x, lo, hi) => Math.min(Math.max(x, lo), hi),
  sigmoid,
  hardSigmoid: (x, a, b) => Math.max(0, Math.min(1, a * x + b)),
  hardSwish: (x) => x * Math.max(0, Math.min(1, x / 6 + 0.5)),
  silu: (x) => x * sigmoid(x),
  gelu: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)),
  leakyRelu: (x, a) => (x >= 0 ? x : a * x),
  tanh: Math.tanh,
  erf,
  sqrt: Math.sqrt,
  exp: Math.exp,
  log: Math.log,
  abs: Math.abs,
  neg: (x) => -x,
  reciprocal: (x) => 1 / x,
  floor: Math.floor,
  ceil: Math.ceil,
  // ONNX Round: half to even
  round: (x) => {
    const f = Math.floor(x);
    const d = x - f;
    return d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
  },
  sin: Math.sin,
  cos: Math.cos,
  softplus,
  elu: (x, a) => (x > 0 ? x : a * (Math.exp(x) - 1)),
  selu: (x, a, gamma) => gamma * (x > 0 ? x : a * (Math.exp(x) - 1)),
  sign: Math.sign,
  not: (x) => (x === 0 ? 1 : 0),
  geluTanh: (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))),
  softsign: (x) => x / (1 + Math.abs(x)),
  celu: (x, a) => Math.max(0, x) + Math.min(0, a * (Math.exp(x / a) - 1)),
  thresholdedRelu: (x, a) => (x > a ? x : 0),
  mish: (x) => x * Math.tanh(softplus(x)),
  isNaN: (x) => (Number.isNaN(x) ? 1 : 0),
  isInf: (x, pos, neg) => ((x === Infinity && pos !== 0) || (x === -Infinity && neg !== 0) ? 1 : 0),
  tan: Math.tan,
  asin: Math.asin,
  acos: Math.acos,
  atan: Math.atan,
  sinh: Math.sinh,
  cosh: Math.cosh,
  asinh: Math.asinh,
  acosh: Math.acosh,
  atanh: Math.atanh,
  hardSwishClip: (x) => (x * Math.min(Math.max(x + 3, 0), 6)) / 6,
  hardSwishLinear: (x, a, b) => x * Math.max(0, Math.min(1, a * x + b)),
};
