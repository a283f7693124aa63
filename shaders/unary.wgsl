// Elementwise unary function (ACT_CODES), stored as elem_t (f32 or f16), computed in f32; also the plain copy (act
// none).
// kestrel:prelude elem_t
// kestrel:requires lib/indexing.wgsl lib/activations.wgsl

override ACT: u32 = 0u;
override WG: u32 = 256u;

@group(0) @binding(0) var<uniform> params: UnaryParams;
@group(0) @binding(1) var<storage, read_write> x: array<elem_t>;
@group(0) @binding(2) var<storage, read_write> y: array<elem_t>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg, WG);
  if (i >= params.count) {
    return;
  }
  y[i] = elem_t(act_apply(ACT, f32(x[i]), params.alpha, params.beta));
}
