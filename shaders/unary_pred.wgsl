// Unary functions with a bool result (isNaN, isInf, not): read f32 or u32 words, write bool as u32 0/1.
// kestrel:requires lib/indexing.wgsl lib/activations.wgsl

override ACT: u32 = 32u;
override WG: u32 = 256u;
// 1 when the input holds bools (u32 words) rather than f32
override BOOL_IN: bool = false;

@group(0) @binding(0) var<uniform> params: UnaryParams;
@group(0) @binding(1) var<storage, read_write> x: array<u32>;
@group(0) @binding(2) var<storage, read_write> y: array<u32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg, WG);
  if (i >= params.count) {
    return;
  }
  let v = select(bitcast<f32>(x[i]), f32(x[i]), BOOL_IN);
  y[i] = select(0u, 1u, act_apply(ACT, v, params.alpha, params.beta) != 0.0);
}
