// The fused epilogue: bias, activation and residual add, applied by producer kernels before the store.
// Selected by overrides; the operands live in bind group 1 (dummies when absent), so bindings never change.
// Operands are stored as elem_t (f32 or f16); the math is f32. EpilogueParams, EP_ACT_PWL and EP_RES_* come
// from src/kernels/uniforms.ts through the prelude.
// kestrel:prelude elem_t
// kestrel:requires lib/activations.wgsl

override EP_ACT: u32 = ACT_NONE;
override EP_BIAS: bool = false;
// a per-channel multiplier before the bias (a batch norm folded in where the weights could not take it)
override EP_SCALE: bool = false;
// EP_RES_NONE, EP_RES_BEFORE_ACT: act(v + bias + residual) * s + t, EP_RES_AFTER_ACT: act(v + bias) * s + t + residual
override EP_RES: u32 = EP_RES_NONE;
// QuantizeLinear then DequantizeLinear of the finished value (a QDQ pair whose only input this is),
// computed as quantize.wgsl and dequantize.wgsl compute them. With EP_ACT_PWL it is data instead (on when
// the scale fake_quant.x > 0), so conv pipelines do not split on it (cold start).
override EP_FQ: bool = false;

// EP_ACT == EP_ACT_PWL: the piecewise-linear activations (none, relu, clip, hardSigmoid, hardSwish) as data,
// g = clamp(alpha * v / divisor + beta, lo, hi), then g or v * g / t: one pipeline serves them all (cold start).

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
  if (EP_RES == EP_RES_BEFORE_ACT) {
    v += f32(ep_residual[index]);
  }
  let p0 = ep.act_affine;
  if (EP_ACT == EP_ACT_PWL) {
    let p1 = ep.act_range;
    // the same expressions as act_apply's, so a QDQ model rounds each value as the unfused path does
    let g = clamp(p0.x * v / p1.w + p0.y, p1.x, p1.y);
    v = select(g, v * g / p1.z, p1.z != 0.0);
  } else {
    v = act_apply(EP_ACT, v, p0.x, p0.y);
  }
  v = v * p0.z + p0.w;
  if (EP_RES == EP_RES_AFTER_ACT) {
    v += f32(ep_residual[index]);
  }
  if (EP_FQ || EP_ACT == EP_ACT_PWL) {
    let p2 = ep.fake_quant;
    if (EP_FQ || p2.x > 0.0) {
      let q = clamp(round(v / p2.x) + p2.y, p2.z, p2.w);
      v = (q - p2.y) * p2.x;
    }
  }
  return v;
}
