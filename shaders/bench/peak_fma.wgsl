// Adapter ceiling: peak multiply-add throughput. Each invocation runs eight independent vec4 chains, two
// rounds per loop trip, with no memory traffic in the loop. FLOPs = invocations * iters * 8 chains * 2 * 8.
// FUSED picks fma() or a * m + c: lavapipe runs fma() about 2x slower, so the ceiling takes the faster form.
// m and c come from the uniform so that nothing folds. out[i] is the sum of the chains (checked on the CPU).
// kestrel:prelude elem_t

override WG: u32 = 64u;
override FUSED: bool = false;

@group(0) @binding(0) var<uniform> params: PeakParams;
@group(0) @binding(1) var<storage, read_write> out: array<vec4<f32>>;

fn step(a: vec4<elem_t>, m: vec4<elem_t>, c: vec4<elem_t>) -> vec4<elem_t> {
  if (FUSED) {
    return fma(a, m, c);
  }
  return a * m + c;
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  let s = elem_t(f32(i % 13u) * 0.001);
  let m = vec4<elem_t>(elem_t(params.m));
  let c = vec4<elem_t>(elem_t(params.c));
  let d = vec4<elem_t>(elem_t(0.001));
  var a0 = vec4<elem_t>(s);
  var a1 = a0 + d;
  var a2 = a1 + d;
  var a3 = a2 + d;
  var a4 = a3 + d;
  var a5 = a4 + d;
  var a6 = a5 + d;
  var a7 = a6 + d;
  for (var k = 0u; k < params.iters; k++) {
    a0 = step(step(a0, m, c), m, c);
    a1 = step(step(a1, m, c), m, c);
    a2 = step(step(a2, m, c), m, c);
    a3 = step(step(a3, m, c), m, c);
    a4 = step(step(a4, m, c), m, c);
    a5 = step(step(a5, m, c), m, c);
    a6 = step(step(a6, m, c), m, c);
    a7 = step(step(a7, m, c), m, c);
  }
  if (i < params.invocations) {
    out[i] = vec4<f32>(((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)));
  }
}
