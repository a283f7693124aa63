// Unary functions on integers (abs, neg, sign, relu): exact, unlike a round trip through f32.
// kestrel:requires lib/indexing.wgsl

override ACT: u32 = 14u;
override WG: u32 = 256u;

@group(0) @binding(0) var<uniform> params: CountParams;
@group(0) @binding(1) var<storage, read_write> x: array<i32>;
@group(0) @binding(2) var<storage, read_write> y: array<i32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg, WG);
  if (i >= params.count) {
    return;
  }
  let v = x[i];
  // codes from ACT_CODES: relu 1, abs 14, neg 15, sign 25
  switch ACT {
    case 1u: { y[i] = max(v, 0); }
    case 14u: { y[i] = abs(v); }
    case 15u: { y[i] = -v; }
    case 25u: { y[i] = sign(v); }
    default: { y[i] = v; }
  }
}
