// ArgMax / ArgMin along one axis of an [outer, len, inner] view, as i32 indices (exact for len < 2^24):
// the first index on ties, or the last with SELECT_LAST. ROW_LANES = WG: a workgroup per output; ROW_LANES = 1: a lane
// per output.
// The input is stored as elem_t (f32 or f16), compared in f32.
// kestrel:requires lib/rowreduce.wgsl
// kestrel:prelude elem_t

override WG: u32 = 64u;
override ROW_LANES: u32 = 64u;
override WANT_MAX: bool = true;
override SELECT_LAST: bool = false;

@group(0) @binding(0) var<uniform> params: ArgReduceParams;
@group(0) @binding(1) var<storage, read_write> x: array<elem_t>;
@group(0) @binding(2) var<storage, read_write> y: array<i32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row_raw = (wid.x + wid.y * nwg.x) * (WG / ROW_LANES) + lid / ROW_LANES;
  let row = min(row_raw, params.rows - 1u);
  let lane = lid % ROW_LANES;
  let base = axis_row_base(row, params.len, params.inner);
  let op = select(COMBINE_ARGMIN, COMBINE_ARGMAX, WANT_MAX);
  // a sentinel index that loses every tie against a real element
  var st = vec2<f32>(params.init, select(3.0e38, -1.0, SELECT_LAST));
  for (var r = lane; r < params.len; r += ROW_LANES) {
    st = combine(op, st, vec2<f32>(f32(x[base + r * params.inner]), f32(r)), SELECT_LAST);
  }
  if (ROW_LANES > 1u) {
    st = workgroup_reduce(op, st, lid, SELECT_LAST);
  }
  if (row_raw < params.rows && lane == 0u) {
    // all-NaN rows keep the sentinel: report index 0
    y[row_raw] = select(i32(st.y), 0, st.y < 0.0 || st.y > 1.0e30);
  }
}
