// Reduce (sum, mean, max, min, prod, sumSquare, l1, l2, logSum, logSumExp) over any set of axes. The
// kernel selection merges adjacent dims, so an output's elements sit at `base + offset(r)` where base
// walks the kept dims and offset the reduced ones (one strided dim in the common cases).
// ROW_LANES = WG: a workgroup per output (long reductions); ROW_LANES = 1: a lane per output.
// Stored as elem_t (f32 or f16); the math and the state stay f32.
// kestrel:requires lib/index4.wgsl lib/rowreduce.wgsl
// kestrel:prelude elem_t

override WG: u32 = 64u;
override ROW_LANES: u32 = 64u;
// REDUCE_KINDS in src/kernels/reduce.ts
override KIND: u32 = 0u;

@group(0) @binding(0) var<uniform> params: ReduceParams;
@group(0) @binding(1) var<storage, read_write> x: array<elem_t>;
@group(0) @binding(2) var<storage, read_write> y: array<elem_t>;

fn combine_op() -> u32 {
  switch KIND {
    case 2u: { return COMBINE_MAX; }
    case 3u: { return COMBINE_MIN; }
    case 4u: { return COMBINE_PROD; }
    case 9u: { return COMBINE_SOFTMAX; }
    default: { return COMBINE_SUM; }
  }
}

fn lift(v: f32) -> vec2<f32> {
  switch KIND {
    case 5u, 7u: { return vec2<f32>(v * v, 0.0); }
    case 6u: { return vec2<f32>(abs(v), 0.0); }
    case 9u: { return vec2<f32>(v, 1.0); }
    default: { return vec2<f32>(v, 0.0); }
  }
}

fn finish(s: vec2<f32>) -> f32 {
  switch KIND {
    case 1u: { return s.x / f32(params.len); }
    case 7u: { return sqrt(s.x); }
    case 8u: { return log(s.x); }
    case 9u: { return s.x + log(s.y); }
    default: { return s.x; }
  }
}

fn element_offset(r: u32) -> u32 {
  if (params.red_rank <= 1u) {
    return r * params.red_strides.w;
  }
  return offset4(r, params.red_shape, params.red_strides);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let out_raw = (wid.x + wid.y * nwg.x) * (WG / ROW_LANES) + lid / ROW_LANES;
  let o = min(out_raw, params.outputs - 1u);
  let lane = lid % ROW_LANES;
  let base = offset4(o, params.kept_shape, params.kept_strides);
  let op = combine_op();
  var st = params.init;
  for (var r = lane; r < params.len; r += ROW_LANES) {
    st = combine(op, st, lift(f32(x[base + element_offset(r)])), false);
  }
  if (ROW_LANES > 1u) {
    st = workgroup_reduce(op, st, lid, false);
  }
  if (out_raw < params.outputs && lane == 0u) {
    y[out_raw] = elem_t(finish(st));
  }
}
