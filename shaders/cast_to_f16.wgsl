// f32 -> f16: each invocation packs two results into one u32 word (pack_halves), so no two invocations
// write the same word; needs no shader-f16 support.
// kestrel:requires lib/indexing.wgsl lib/half_pack.wgsl

override WG: u32 = 256u;

@group(0) @binding(0) var<uniform> params: CountParams;
@group(0) @binding(1) var<storage, read_write> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<u32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let w = linear_index(gid, nwg, WG);
  let i = 2u * w;
  if (i >= params.count) {
    return;
  }
  // an odd count leaves the last word's upper half zero
  let hi = select(0.0, x[min(i + 1u, params.count - 1u)], i + 1u < params.count);
  y[w] = pack_halves(vec2<f32>(x[i], hi));
}
