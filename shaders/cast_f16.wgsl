// f16 -> f32: halves are stored two per u32 word (fp16 weights stay half size in GPU memory);
// unpack2x16float needs no shader-f16 support.
// kestrel:requires lib/indexing.wgsl

override WG: u32 = 256u;

@group(0) @binding(0) var<uniform> params: CountParams;
@group(0) @binding(1) var<storage, read_write> x: array<u32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg, WG);
  if (i >= params.count) {
    return;
  }
  y[i] = unpack2x16float(x[i >> 1u])[i & 1u];
}
