// Inference batch normalization of x [N, C, ...spatial], step 2: x * mul[c] + add[c] with the folded
// statistics of batchnorm_fold.wgsl (two reads per element instead of four), then the epilogue (channel c).
// x and y are stored as elem_t (f32 or f16); the folded statistics stay f32.
// kestrel:requires lib/indexing.wgsl lib/epilogue.wgsl

override WG: u32 = 256u;

@group(0) @binding(0) var<uniform> params: BatchNormParams;
@group(0) @binding(1) var<storage, read_write> x: array<elem_t>;
// [mul[0..C), add[0..C)]
@group(0) @binding(2) var<storage, read_write> folded: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<elem_t>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg, WG);
  if (i >= params.count) {
    return;
  }
  let c = (i / params.spatial) % params.channels;
  y[i] = elem_t(apply_epilogue(f32(x[i]) * folded[c] + folded[params.channels + c], c, i));
}
