// Casts with an f16 side other than f16<->f32 (f16 <-> i32/u32/bool/u8/i8, f16 -> f16), through f32.
// Halves are packed two per u32 word (pack2x16float / unpack2x16float): no shader-f16 needed, and an f16
// output is written one whole word per invocation so no two invocations share a word.
// Kinds: 1 i32, 2 u32 (also bool 0/1), 3 f16. ONNX: float -> int truncates toward zero, -> bool is nonzero.
// kestrel:requires lib/indexing.wgsl lib/cast_words.wgsl lib/half_pack.wgsl

fn load_f32(i: u32) -> f32 {
  if (FROM == 3u) {
    return unpack2x16float(x[i >> 1u])[i & 1u];
  }
  if (FROM == 1u) {
    return f32(bitcast<i32>(x[i]));
  }
  return f32(x[i]);
}

fn is_nonzero(i: u32) -> bool {
  if (FROM == 3u) {
    // on the raw bits: NaN is nonzero, -0.0 is zero
    return ((x[i >> 1u] >> ((i & 1u) * 16u)) & 0x7fffu) != 0u;
  }
  return x[i] != 0u;
}

fn to_word(i: u32) -> u32 {
  if (TO_BOOL) {
    return select(0u, 1u, is_nonzero(i));
  }
  let v = load_f32(i);
  return wrap_narrow(select(u32(v), bitcast<u32>(i32(v)), TO == 1u));
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let g = linear_index(gid, nwg, WG);
  if (TO != 3u) {
    if (g < params.count) {
      y[g] = to_word(g);
    }
    return;
  }
  let i = 2u * g;
  if (i >= params.count) {
    return;
  }
  // an odd count leaves the last word's upper half zero
  let hi = select(0.0, load_f32(min(i + 1u, params.count - 1u)), i + 1u < params.count);
  y[g] = pack_halves(vec2<f32>(load_f32(i), hi));
}
