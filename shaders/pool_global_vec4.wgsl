// Global max / average pooling, one workgroup per channel plane, reading vec4 (plane size a multiple of 4):
// on lavapipe every lane-varying load is a scalar loop, so 16-byte loads cut that cost 4x.
// Stored as elem_t (f32 or f16), computed in f32.
// kestrel:requires lib/indexing.wgsl
// kestrel:prelude elem_t

// 0 max, 1 average
override KIND: u32 = 0u;
override WG: u32 = 32u;

@group(0) @binding(0) var<uniform> params: GlobalPoolParams;
@group(0) @binding(1) var<storage, read_write> x: array<vec4<elem_t>>;
@group(0) @binding(2) var<storage, read_write> y: array<elem_t>;

var<workgroup> partial: array<f32, WG>;

fn combine(a: f32, b: f32) -> f32 {
  return select(a + b, max(a, b), KIND == 0u);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32,
    @builtin(num_workgroups) nwg: vec3<u32>) {
  let plane = wid.x + wid.y * nwg.x;
  let n = params.plane_size;
  let base = plane * n;
  var acc4 = vec4<f32>(select(0.0, -3.402823466e+38, KIND == 0u));
  if (plane < params.planes) {
    let base4 = base / 4u;
    for (var k = lid; k < n / 4u; k += WG) {
      let v = vec4<f32>(x[base4 + k]);
      acc4 = select(acc4 + v, max(acc4, v), KIND == 0u);
    }
  }
  partial[lid] = combine(combine(acc4.x, acc4.y), combine(acc4.z, acc4.w));
  workgroupBarrier();
  // one barrier, then a serial sum: barriers cost more than WG adds on CPU adapters
  if (lid == 0u && plane < params.planes) {
    var total = partial[0];
    for (var j = 1u; j < WG; j++) {
      total = combine(total, partial[j]);
    }
    y[plane] = elem_t(select(total, total / f32(n), KIND == 1u));
  }
}
