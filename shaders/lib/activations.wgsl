// Every unary function, selected by a code: ACT_CODES in src/ir/graph.ts, emitted into the prelude as ACT_* consts.
// Called with an override as `kind`, so the switch folds away at pipeline creation.

fn erf_approx(x: f32) -> f32 {
  // Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7)
  let t = 1.0 / (1.0 + 0.3275911 * abs(x));
  let y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t
      * exp(-x * x);
  return select(-y, y, x >= 0.0);
}

fn sigmoid_f(x: f32) -> f32 {
  return 1.0 / (1.0 + exp(-x));
}

fn tanh_f(x: f32) -> f32 {
  // tanh of large |x| overflows exp inside some drivers' builtin
  return tanh(clamp(x, -15.0, 15.0));
}

fn softplus_f(x: f32) -> f32 {
  return select(log(1.0 + exp(x)), x, x > 20.0);
}

fn is_nan_f(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u;
}

fn act_apply(kind: u32, x: f32, alpha: f32, beta: f32) -> f32 {
  switch kind {
    case ACT_NONE: { return x; }
    case ACT_RELU: { return max(x, 0.0); }
    case ACT_CLIP: { return min(max(x, alpha), beta); }
    case ACT_SIGMOID: { return sigmoid_f(x); }
    case ACT_HARD_SIGMOID: { return clamp(alpha * x + beta, 0.0, 1.0); }
    case ACT_HARD_SWISH: { return x * clamp(x / 6.0 + 0.5, 0.0, 1.0); }
    case ACT_SILU: { return x * sigmoid_f(x); }
    case ACT_GELU: { return 0.5 * x * (1.0 + erf_approx(x * 0.7071067811865476)); }
    case ACT_LEAKY_RELU: { return select(alpha * x, x, x >= 0.0); }
    case ACT_TANH: { return tanh_f(x); }
    case ACT_ERF: { return erf_approx(x); }
    case ACT_SQRT: { return sqrt(x); }
    case ACT_EXP: { return exp(x); }
    case ACT_LOG: { return log(x); }
    case ACT_ABS: { return abs(x); }
    case ACT_NEG: { return -x; }
    case ACT_RECIPROCAL: { return 1.0 / x; }
    case ACT_FLOOR: { return floor(x); }
    case ACT_CEIL: { return ceil(x); }
    case ACT_ROUND: { return round(x); }
    case ACT_SIN: { return sin(x); }
    case ACT_COS: { return cos(x); }
    case ACT_SOFTPLUS: { return softplus_f(x); }
    case ACT_ELU: { return select(alpha * (exp(x) - 1.0), x, x > 0.0); }
    case ACT_SELU: { return beta * select(alpha * (exp(x) - 1.0), x, x > 0.0); }
    case ACT_SIGN: { return sign(x); }
    case ACT_NOT: { return select(0.0, 1.0, x == 0.0); }
    case ACT_GELU_TANH: { return 0.5 * x * (1.0 + tanh_f(0.7978845608028654 * (x + 0.044715 * x * x * x))); }
    case ACT_SOFTSIGN: { return x / (1.0 + abs(x)); }
    case ACT_CELU: { return max(0.0, x) + min(0.0, alpha * (exp(x / alpha) - 1.0)); }
    case ACT_THRESHOLDED_RELU: { return select(0.0, x, x > alpha); }
    case ACT_MISH: { return x * tanh_f(softplus_f(x)); }
    case ACT_IS_NAN: { return select(0.0, 1.0, is_nan_f(x)); }
    case ACT_IS_INF: {
      let bits = bitcast<u32>(x);
      let pos = bits == 0x7f800000u && alpha != 0.0;
      let neg = bits == 0xff800000u && beta != 0.0;
      return select(0.0, 1.0, pos || neg);
    }
    case ACT_TAN: { return tan(x); }
    case ACT_ASIN: { return asin(x); }
    case ACT_ACOS: { return acos(x); }
    case ACT_ATAN: { return atan(x); }
    case ACT_SINH: { return sinh(x); }
    case ACT_COSH: { return cosh(x); }
    case ACT_ASINH: { return asinh(x); }
    case ACT_ACOSH: { return acosh(x); }
    case ACT_ATANH: { return atanh(x); }
    case ACT_HARD_SWISH_CLIP: { return x * clamp(x + 3.0, 0.0, 6.0) / 6.0; }
    case ACT_HARD_SWISH_LINEAR: { return x * clamp(alpha * x + beta, 0.0, 1.0); }
    default: { return x; }
  }
}
