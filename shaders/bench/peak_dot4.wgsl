// Adapter ceiling: peak packed int8 dot-product throughput (dot4I8Packed, 4 MACs = 8 ops each). Eight
// independent chains per invocation feed each result back as the next operand, so nothing can be hoisted.

override WG: u32 = 64u;

@group(0) @binding(0) var<uniform> params: PeakParams;
@group(0) @binding(1) var<storage, read_write> out: array<vec4<u32>>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  let y = 0x01fe03fdu;
  var x0 = i * 0x9e3779b9u;
  var x1 = x0 + 1u;
  var x2 = x0 + 2u;
  var x3 = x0 + 3u;
  var x4 = x0 + 4u;
  var x5 = x0 + 5u;
  var x6 = x0 + 6u;
  var x7 = x0 + 7u;
  for (var k = 0u; k < params.iters; k++) {
    x0 = bitcast<u32>(dot4I8Packed(x0, y));
    x1 = bitcast<u32>(dot4I8Packed(x1, y));
    x2 = bitcast<u32>(dot4I8Packed(x2, y));
    x3 = bitcast<u32>(dot4I8Packed(x3, y));
    x4 = bitcast<u32>(dot4I8Packed(x4, y));
    x5 = bitcast<u32>(dot4I8Packed(x5, y));
    x6 = bitcast<u32>(dot4I8Packed(x6, y));
    x7 = bitcast<u32>(dot4I8Packed(x7, y));
  }
  if (i < params.invocations) {
    out[i] = vec4<u32>(x0 ^ x4, x1 ^ x5, x2 ^ x6, x3 ^ x7);
  }
}
