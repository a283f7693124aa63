// Cast between the GPU's 32-bit element kinds, on raw words. Kinds: 0 f32, 1 i32, 2 u32 (also bool 0/1).
// ONNX semantics: float -> int truncates toward zero; anything -> bool is "nonzero".
// kestrel:requires lib/indexing.wgsl lib/cast_words.wgsl

fn is_nonzero(w: u32) -> bool {
  if (FROM == 0u) {
    // NaN is nonzero too; -0.0 is zero
    return (w & 0x7fffffffu) != 0u;
  }
  return w != 0u;
}

fn convert(w: u32) -> u32 {
  if (TO_BOOL) {
    return select(0u, 1u, is_nonzero(w));
  }
  var v = w;
  switch FROM * 3u + TO {
    case 1u: { v = bitcast<u32>(i32(bitcast<f32>(w))); }
    case 2u: { v = u32(bitcast<f32>(w)); }
    case 3u: { v = bitcast<u32>(f32(bitcast<i32>(w))); }
    case 6u: { v = bitcast<u32>(f32(w)); }
    default: {}
  }
  return wrap_narrow(v);
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg, WG);
  if (i >= params.count) {
    return;
  }
  y[i] = convert(x[i]);
}
