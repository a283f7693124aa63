// q = saturate(round_half_even(x / scale) + zero_point), written as i32 words; x and scale are elem_t (f32 or f16), the
// math f32.
// FAKE (f32 only): a QuantizeLinear -> DequantizeLinear pair in one pass, writing the bits of (q - zero_point) * scale.
// kestrel:prelude elem_t
// kestrel:requires lib/indexing.wgsl lib/quant.wgsl

override WG: u32 = 256u;
override ZP_MODE: u32 = 0u;
override HAS_ZP: bool = false;
// One scale and zero point: no index math (integer division is a per-lane loop on lavapipe).
override PER_TENSOR: bool = false;
override FAKE: bool = false;
// elements per lane (per tensor only): the scale and zero point are loaded once for all of them
override PER_LANE: u32 = 1u;

@group(0) @binding(0) var<uniform> params: QuantizeParams;
@group(0) @binding(1) var<storage, read_write> x: array<elem_t>;
@group(0) @binding(2) var<storage, read_write> scale: array<elem_t>;
@group(0) @binding(3) var<storage, read_write> zero_point: array<u32>;
@group(0) @binding(4) var<storage, read_write> y: array<i32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i0 = linear_index(gid, nwg, WG) * PER_LANE;
  if (i0 >= params.count) {
    return;
  }
  var p = 0u;
  if (!PER_TENSOR) {
    p = quant_param_index(i0, params.q);
  }
  var zp = 0;
  if (HAS_ZP) {
    zp = unpack_int(zero_point[packed_word_index(p, ZP_MODE)], p, ZP_MODE);
  }
  let s = f32(scale[p]);
  let z = f32(zp);
  for (var i = i0; i < min(i0 + PER_LANE, params.count); i++) {
    // clamp in f32 first: an out-of-range quotient must saturate, not wrap through i32
    let r = clamp(round(f32(x[i]) / s) + z, f32(params.qmin), f32(params.qmax));
    if (FAKE) {
      y[i] = bitcast<i32>((r - z) * s);
    } else {
      y[i] = i32(r);
    }
  }
}
