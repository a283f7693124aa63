// Elementwise unary function (ACT_CODES) on f32; also the plain copy (act none).
// kestrel:requires lib/indexing.wgsl lib/activations.wgsl

override ACT: u32 = 0u;
override WG: u32 = 256u;

struct Params {
  count: u32,
  alpha: f32,
  beta: f32,
  _pad0: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg, WG);
  if (i >= params.count) {
    return;
  }
  y[i] = act_apply(ACT, x[i], params.alpha, params.beta);
}
