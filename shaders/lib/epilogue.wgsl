// The fused epilogue: bias, activation and residual add, applied by producer kernels before the store.
// Selected by overrides; the operands live in bind group 1 (dummies when absent), so bindings never change.
// Needs lib/activations.wgsl. Operands are stored as elem_t (f32 or f16); the math is f32.
// kestrel:prelude elem_t

override EP_ACT: u32 = 0u;
override EP_BIAS: bool = false;
// 0: no residual, 1: act(v + bias + residual) * s + t, 2: act(v + bias) * s + t + residual
override EP_RES: u32 = 0u;

// EP_ACT_PWL: the piecewise-linear activations (none, relu, clip, hardSigmoid, hardSwish) as data,
// g = clamp(alpha * v + beta, lo, hi), then g or v * g: one pipeline serves them all (cold start).
const EP_ACT_PWL: u32 = 1000u;

struct EpilogueParams {
  alpha: f32,
  beta: f32,
  post_scale: f32,
  post_shift: f32,
  lo: f32,
  hi: f32,
  // 0: g, 1: v * g
  times_input: f32,
  _pad0: f32,
}

@group(1) @binding(0) var<storage, read_write> ep_bias: array<elem_t>;
@group(1) @binding(1) var<storage, read_write> ep_residual: array<elem_t>;
@group(1) @binding(2) var<uniform> ep: EpilogueParams;

fn apply_epilogue(acc: f32, channel: u32, index: u32) -> f32 {
  var v = acc;
  if (EP_BIAS) {
    v += f32(ep_bias[channel]);
  }
  if (EP_RES == 1u) {
    v += f32(ep_residual[index]);
  }
  if (EP_ACT == EP_ACT_PWL) {
    let g = clamp(fma(ep.alpha, v, ep.beta), ep.lo, ep.hi);
    v = g * fma(ep.times_input, v - 1.0, 1.0);
  } else {
    v = act_apply(EP_ACT, v, ep.alpha, ep.beta);
  }
  v = v * ep.post_scale + ep.post_shift;
  if (EP_RES == 2u) {
    v += f32(ep_residual[index]);
  }
  return v;
}
