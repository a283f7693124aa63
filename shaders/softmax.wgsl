// Softmax / LogSoftmax along one axis of an [outer, len, inner] view, numerically stable: one pass keeps
// an online (max, sum of exp(x - max)) per lane, the lanes of a row combine it, a second pass writes.
// ROW_LANES = WG: a workgroup per row (long rows); ROW_LANES = 1: a lane per row (short rows).
// Stored as elem_t (f32 or f16); the math and the row state stay f32.
// kestrel:requires lib/rowreduce.wgsl
// kestrel:prelude elem_t

override WG: u32 = 64u;
override ROW_LANES: u32 = 64u;
override LOG: bool = false;

@group(0) @binding(0) var<uniform> params: SoftmaxParams;
@group(0) @binding(1) var<storage, read_write> x: array<elem_t>;
@group(0) @binding(2) var<storage, read_write> y: array<elem_t>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row_raw = (wid.x + wid.y * nwg.x) * (WG / ROW_LANES) + lid / ROW_LANES;
  // lanes past the last row still join the workgroup reduction, they only skip the stores
  let row = min(row_raw, params.rows - 1u);
  let lane = lid % ROW_LANES;
  let base = axis_row_base(row, params.len, params.inner);
  let stride = params.inner;
  var st = vec2<f32>(NEG_FLT_MAX, 0.0);
  for (var r = lane; r < params.len; r += ROW_LANES) {
    st = combine(COMBINE_SOFTMAX, st, vec2<f32>(f32(x[base + r * stride]), 1.0), false);
  }
  if (ROW_LANES > 1u) {
    st = workgroup_reduce(COMBINE_SOFTMAX, st, lid, false);
  }
  if (row_raw >= params.rows) {
    return;
  }
  let inv_sum = 1.0 / st.y;
  let log_sum = st.x + log(st.y);
  for (var r = lane; r < params.len; r += ROW_LANES) {
    let i = base + r * stride;
    let v = f32(x[i]);
    y[i] = elem_t(select(exp(v - st.x) * inv_sum, v - log_sum, LOG));
  }
}
