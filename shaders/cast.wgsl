// Cast between the GPU's 32-bit element kinds, on raw words. Kinds: 0 f32, 1 i32, 2 u32 (also bool 0/1).
// ONNX semantics: float -> int truncates toward zero; anything -> bool is "nonzero".
// kestrel:requires lib/indexing.wgsl

override FROM: u32 = 0u;
override TO: u32 = 0u;
// The target is bool: store 0/1 rather than the numeric value.
override TO_BOOL: bool = false;
// Narrow integer targets wrap as two's complement: 0 none, 1 uint8, 2 int8.
override WRAP: u32 = 0u;
override WG: u32 = 256u;

struct Params {
  count: u32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> x: array<u32>;
@group(0) @binding(2) var<storage, read_write> y: array<u32>;

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
  if (WRAP == 1u) {
    v = v & 0xffu;
  } else if (WRAP == 2u) {
    v = bitcast<u32>((bitcast<i32>(v << 24u)) >> 24u);
  }
  return v;
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg, WG);
  if (i >= params.count) {
    return;
  }
  y[i] = convert(x[i]);
}
