// Global max / average pooling: one workgroup reduces one whole channel plane (e.g. 80x80 -> 1x1).
// Stored as elem_t (f32 or f16), computed in f32.
// kestrel:requires lib/indexing.wgsl
// kestrel:prelude elem_t

// 0 max, 1 average
override KIND: u32 = 0u;
override WG: u32 = 32u;

@group(0) @binding(0) var<uniform> params: GlobalPoolParams;
@group(0) @binding(1) var<storage, read_write> x: array<elem_t>;
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
  var acc = select(0.0, -3.402823466e+38, KIND == 0u);
  if (plane < params.planes) {
    for (var k = lid; k < n; k += WG) {
      acc = combine(acc, f32(x[base + k]));
    }
  }
  partial[lid] = acc;
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
