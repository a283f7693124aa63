// Adapter ceiling: storage-buffer bandwidth, as a vec4 copy (bytes moved = 2 * buffer size). Each invocation
// copies PER_LANE vec4s, a grid-stride apart so neighbouring lanes touch neighbouring vec4s.

override WG: u32 = 256u;
override PER_LANE: u32 = 1u;

@group(0) @binding(0) var<uniform> params: CountParams;
@group(0) @binding(1) var<storage, read_write> src: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> dst: array<vec4<f32>>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let lanes = nwg.x * nwg.y * WG;
  let i = gid.x + gid.y * nwg.x * WG;
  for (var r = 0u; r < PER_LANE; r++) {
    let j = i + r * lanes;
    if (j < params.count) {
      dst[j] = src[j];
    }
  }
}
