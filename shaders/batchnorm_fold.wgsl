// Inference batch normalization, step 1: folds (scale, bias, mean, var) into a per-channel multiplier
// and offset, [mul[0..C), add[0..C)], for batchnorm.wgsl. Reads elem_t (f32 or f16), writes f32.
// kestrel:requires lib/indexing.wgsl
// kestrel:prelude elem_t

override WG: u32 = 64u;

@group(0) @binding(0) var<uniform> params: BatchNormParams;
@group(0) @binding(1) var<storage, read_write> scale: array<elem_t>;
@group(0) @binding(2) var<storage, read_write> bias: array<elem_t>;
@group(0) @binding(3) var<storage, read_write> mean: array<elem_t>;
@group(0) @binding(4) var<storage, read_write> variance: array<elem_t>;
@group(0) @binding(5) var<storage, read_write> folded: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let c = linear_index(gid, nwg, WG);
  if (c >= params.channels) {
    return;
  }
  let mul = f32(scale[c]) * inverseSqrt(f32(variance[c]) + params.epsilon);
  folded[c] = mul;
  folded[params.channels + c] = f32(bias[c]) - f32(mean[c]) * mul;
}
