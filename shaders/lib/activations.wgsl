// Every unary function, selected by a code (ACT_CODES in src/ir/graph.ts). Called with an override
// as `kind`, so the switch folds away at pipeline creation.

fn erf_approx(x: f32) -> f32 {
  // Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7)
  let t = 1.0 / (1.0 + 0.3275911 * abs(x));
  let y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * exp(-x * x);
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
    case 0u: { return x; }
    case 1u: { return max(x, 0.0); }
    case 2u: { return min(max(x, alpha), beta); }
    case 3u: { return sigmoid_f(x); }
    case 4u: { return clamp(alpha * x + beta, 0.0, 1.0); }
    case 5u: { return x * clamp(x / 6.0 + 0.5, 0.0, 1.0); }
    case 6u: { return x * sigmoid_f(x); }
    case 7u: { return 0.5 * x * (1.0 + erf_approx(x * 0.7071067811865476)); }
    case 8u: { return select(alpha * x, x, x >= 0.0); }
    case 9u: { return tanh_f(x); }
    case 10u: { return erf_approx(x); }
    case 11u: { return sqrt(x); }
    case 12u: { return exp(x); }
    case 13u: { return log(x); }
    case 14u: { return abs(x); }
    case 15u: { return -x; }
    case 16u: { return 1.0 / x; }
    case 17u: { return floor(x); }
    case 18u: { return ceil(x); }
    case 19u: { return round(x); }
    case 20u: { return sin(x); }
    case 21u: { return cos(x); }
    case 22u: { return softplus_f(x); }
    case 23u: { return select(alpha * (exp(x) - 1.0), x, x > 0.0); }
    case 24u: { return beta * select(alpha * (exp(x) - 1.0), x, x > 0.0); }
    case 25u: { return sign(x); }
    case 26u: { return select(0.0, 1.0, x == 0.0); }
    case 27u: { return 0.5 * x * (1.0 + tanh_f(0.7978845608028654 * (x + 0.044715 * x * x * x))); }
    case 28u: { return x / (1.0 + abs(x)); }
    case 29u: { return max(0.0, x) + min(0.0, alpha * (exp(x / alpha) - 1.0)); }
    case 30u: { return select(0.0, x, x > alpha); }
    case 31u: { return x * tanh_f(softplus_f(x)); }
    case 32u: { return select(0.0, 1.0, is_nan_f(x)); }
    case 33u: {
      let bits = bitcast<u32>(x);
      let pos = bits == 0x7f800000u && alpha != 0.0;
      let neg = bits == 0xff800000u && beta != 0.0;
      return select(0.0, 1.0, pos || neg);
    }
    case 34u: { return tan(x); }
    case 35u: { return asin(x); }
    case 36u: { return acos(x); }
    case 37u: { return atan(x); }
    case 38u: { return sinh(x); }
    case 39u: { return cosh(x); }
    case 40u: { return asinh(x); }
    case 41u: { return acosh(x); }
    case 42u: { return atanh(x); }
    case 43u: { return x * clamp(x + 3.0, 0.0, 6.0) / 6.0; }
    case 44u: { return x * clamp(alpha * x + beta, 0.0, 1.0); }
    default: { return x; }
  }
}
