// The fused epilogue: bias, activation and residual add, applied by producer kernels before the store.
// Selected by overrides; the operands live in bind group 1 (dummies when absent), so bindings never change.
// Needs lib/activations.wgsl. Operands are stored as elem_t (f32 or f16); the math is f32.
// kestrel:prelude elem_t

override EP_ACT: u32 = 0u;
override EP_BIAS: bool = false;
// 0: no residual, 1: act(v + bias + residual) * s + t, 2: act(v + bias) * s + t + residual
override EP_RES: u32 = 0u;

struct EpilogueParams {
  alpha: f32,
  beta: f32,
  post_scale: f32,
  post_shift: f32,
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
  v = act_apply(EP_ACT, v, ep.alpha, ep.beta) * ep.post_scale + ep.post_shift;
  if (EP_RES == 2u) {
    v += f32(ep_residual[index]);
  }
  return v;
}
