// Adapter ceiling: peak packed int8 dot-product throughput (dot4I8Packed, 4 MACs = 8 ops each). Eight
// independent accumulators per invocation take acc += dot4(x, y_j), as an int8 GEMM does; x changes every trip
// (one add per eight dot4s) so nothing is hoisted. out[i] is checked on the CPU.

override WG: u32 = 64u;

@group(0) @binding(0) var<uniform> params: PeakParams;
@group(0) @binding(1) var<storage, read_write> out: array<vec4<u32>>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  var x = i * 0x9e3779b9u;
  let y0 = 0x01fe03fdu ^ i;
  let y1 = y0 * 3u;
  let y2 = y0 * 5u;
  let y3 = y0 * 7u;
  let y4 = y0 * 11u;
  let y5 = y0 * 13u;
  let y6 = y0 * 17u;
  let y7 = y0 * 19u;
  var c0 = 0i;
  var c1 = 0i;
  var c2 = 0i;
  var c3 = 0i;
  var c4 = 0i;
  var c5 = 0i;
  var c6 = 0i;
  var c7 = 0i;
  for (var k = 0u; k < params.iters; k++) {
    c0 += dot4I8Packed(x, y0);
    c1 += dot4I8Packed(x, y1);
    c2 += dot4I8Packed(x, y2);
    c3 += dot4I8Packed(x, y3);
    c4 += dot4I8Packed(x, y4);
    c5 += dot4I8Packed(x, y5);
    c6 += dot4I8Packed(x, y6);
    c7 += dot4I8Packed(x, y7);
    x += 0x01030507u;
  }
  if (i < params.invocations) {
    out[i] = vec4<u32>(bitcast<u32>(c0 ^ c4), bitcast<u32>(c1 ^ c5), bitcast<u32>(c2 ^ c6), bitcast<u32>(c3 ^ c7));
  }
}
