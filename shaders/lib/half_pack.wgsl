// f32 -> packed f16 with IEEE results outside f16's finite range: WGSL leaves pack2x16float indeterminate
// there, and SwiftShader packs +Inf as NaN (0x7fff). Round to nearest even; |x| >= 65520 overflows to Inf.

fn pack_half(v: f32) -> u32 {
  let bits = bitcast<u32>(v);
  let sign = (bits >> 16u) & 0x8000u;
  let mag = bits & 0x7fffffffu;
  if (mag > 0x7f800000u) {
    return sign | 0x7e00u;
  }
  if (mag >= 0x477ff000u) {
    return sign | 0x7c00u;
  }
  // (65504, 65520) rounds down to 65504: clamp so the builtin only sees finite f16 values
  return pack2x16float(vec2<f32>(clamp(v, -65504.0, 65504.0), 0.0)) & 0xffffu;
}

fn pack_halves(v: vec2<f32>) -> u32 {
  return pack_half(v.x) | (pack_half(v.y) << 16u);
}
