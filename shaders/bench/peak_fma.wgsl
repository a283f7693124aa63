// Adapter ceiling: peak FMA throughput. Each invocation runs eight independent vec4 FMA chains with no
// memory traffic in the loop, so every accumulator stays in registers. FLOPs = invocations * iters * 64.
// kestrel:prelude elem_t

override WG: u32 = 64u;

@group(0) @binding(0) var<uniform> params: PeakParams;
@group(0) @binding(1) var<storage, read_write> out: array<vec4<f32>>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  let s = elem_t(f32(i % 13u) * 0.001);
  // A multiplier below 1 and a small addend keep every chain near 1: no overflow, no denormals.
  let m = vec4<elem_t>(elem_t(0.999));
  let c = vec4<elem_t>(elem_t(0.001));
  var a0 = vec4<elem_t>(s);
  var a1 = a0 + c;
  var a2 = a1 + c;
  var a3 = a2 + c;
  var a4 = a3 + c;
  var a5 = a4 + c;
  var a6 = a5 + c;
  var a7 = a6 + c;
  for (var k = 0u; k < params.iters; k++) {
    a0 = fma(a0, m, c);
    a1 = fma(a1, m, c);
    a2 = fma(a2, m, c);
    a3 = fma(a3, m, c);
    a4 = fma(a4, m, c);
    a5 = fma(a5, m, c);
    a6 = fma(a6, m, c);
    a7 = fma(a7, m, c);
  }
  if (i < params.invocations) {
    out[i] = vec4<f32>(((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)));
  }
}
