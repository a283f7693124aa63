// The fused epilogue: bias, activation and residual add, applied by producer kernels before the store.
// Selected by overrides; the operands live in bind group 1 (dummies when absent), so bindings never change.
// Needs lib/activations.wgsl. Operands are stored as elem_t (f32 or f16); the math is f32.
// kestrel:prelude elem_t

override EP_ACT: u32 = 0u;
override EP_BIAS: bool = false;
// a per-channel multiplier before the bias (a batch norm folded in where the weights could not take it)
override EP_SCALE: bool = false;
// 0: no residual, 1: act(v + bias + residual) * s + t, 2: act(v + bias) * s + t + residual
override EP_RES: u32 = 0u;
// QuantizeLinear then DequantizeLinear of the finished value (a QDQ pair whose only input this is),
// computed as quantize.wgsl and dequantize.wgsl compute them. With EP_ACT_PWL it is data instead (on when
// the scale p2.x > 0), so conv pipelines do not split on it (cold start).
override EP_FQ: bool = false;

// EP_ACT_PWL: the piecewise-linear activations (none, relu, clip, hardSigmoid, hardSwish) as data,
// g = clamp(alpha * v / divisor + beta, lo, hi), then g or v * g / t: one pipeline serves them all (cold start).
const EP_ACT_PWL: u32 = 1000u;

// Whole vec4s: on lavapipe each uniform read in the (inlined, per output) epilogue
// is a load, and one vec4 load is cheaper than four scalar ones.
struct EpilogueParams {
  // alpha, beta, post_scale, post_shift
  p0: vec4<f32>,
  // lo, hi, t (0: g, else v * g / t: the clip-form hard-swish's / 6 after the product), divisor (v / 6 before it)
  p1: vec4<f32>,
  // fake quantization: scale, zero point, qmin, qmax
  p2: vec4<f32>,
}

@group(1) @binding(0) var<storage, read_write> ep_bias: array<elem_t>;
@group(1) @binding(1) var<storage, read_write> ep_residual: array<elem_t>;
@group(1) @binding(2) var<uniform> ep: EpilogueParams;
@group(1) @binding(3) var<storage, read_write> ep_scale: array<elem_t>;

fn apply_epilogue(acc: f32, channel: u32, index: u32) -> f32 {
  var v = acc;
  if (EP_SCALE) {
    v *= f32(ep_scale[channel]);
  }
  if (EP_BIAS) {
    v += f32(ep_bias[channel]);
  }
  if (EP_RES == 1u) {
    v += f32(ep_residual[index]);
  }
  let p0 = ep.p0;
  if (EP_ACT == EP_ACT_PWL) {
    let p1 = ep.p1;
    // the same expressions as act_apply's, so a QDQ model rounds each value as the unfused path does
    let g = clamp(p0.x * v / p1.w + p0.y, p1.x, p1.y);
    v = select(g, v * g / p1.z, p1.z != 0.0);
  } else {
    v = act_apply(EP_ACT, v, p0.x, p0.y);
  }
  v = v * p0.z + p0.w;
  if (EP_RES == 2u) {
    v += f32(ep_residual[index]);
  }
  if (EP_FQ || EP_ACT == EP_ACT_PWL) {
    let p2 = ep.p2;
    if (EP_FQ || p2.x > 0.0) {
      let q = clamp(round(v / p2.x) + p2.y, p2.z, p2.w);
      v = (q - p2.y) * p2.x;
    }
  }
  return v;
}
