// Reductions along "rows" shared by softmax, layer norm, reduce and argReduce: a state of two floats per
// lane, a combine step selected by a code (folded when the code is an override), and a workgroup-wide
// reduction through shared memory. Needs `override WG` (a power of two) in the including file.

const COMBINE_SUM = 0u;
// (running max, sum of exp(x - max)): online softmax / logSumExp
const COMBINE_SOFTMAX = 1u;
const COMBINE_MAX = 2u;
const COMBINE_MIN = 3u;
const COMBINE_PROD = 4u;
// (value, index as f32, exact below 2^24): ties keep the lower index, or the higher one when `last`
const COMBINE_ARGMAX = 5u;
const COMBINE_ARGMIN = 6u;
// (sum, sum of squares) of shifted values: layer norm statistics
const COMBINE_SUM2 = 7u;

// Finite stand-in for -inf in the softmax state: exp(-FLT_MAX - x) is 0 where exp(-inf - -inf) is NaN.
const NEG_FLT_MAX = -3.4028234663852886e38;

fn arg_better(p: vec2<f32>, q: vec2<f32>, want_max: bool, last: bool) -> bool {
  let strictly = select((q.x < p.x), (q.x > p.x), want_max);
  let tie_wins = select((q.y < p.y), (q.y > p.y), last);
  return strictly || (q.x == p.x && tie_wins);
}

fn combine(op: u32, p: vec2<f32>, q: vec2<f32>, last: bool) -> vec2<f32> {
  switch op {
    case 0u, 7u: { return p + q; }
    case 1u: {
      let m = max(p.x, q.x);
      return vec2<f32>(m, p.y * exp(p.x - m) + q.y * exp(q.x - m));
    }
    case 2u: { return vec2<f32>(max(p.x, q.x), 0.0); }
    case 3u: { return vec2<f32>(min(p.x, q.x), 0.0); }
    case 4u: { return vec2<f32>(p.x * q.x, 0.0); }
    case 5u: { return select(p, q, arg_better(p, q, true, last)); }
    case 6u: { return select(p, q, arg_better(p, q, false, last)); }
    default: { return p; }
  }
}

var<workgroup> wg_pairs: array<vec2<f32>, WG>;

// Combines every lane's state; all lanes get the result. Call from uniform control flow.
fn workgroup_reduce(op: u32, v: vec2<f32>, lid: u32, last: bool) -> vec2<f32> {
  wg_pairs[lid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      wg_pairs[lid] = combine(op, wg_pairs[lid], wg_pairs[lid + s], last);
    }
    workgroupBarrier();
  }
  let r = wg_pairs[0];
  // later calls overwrite wg_pairs
  workgroupBarrier();
  return r;
}

// Rows of `len` elements with stride `inner` (the axis of an [outer, len, inner] view): row i starts at
// (i / inner) * len * inner + i % inner.
fn axis_row_base(row: u32, len: u32, inner: u32) -> u32 {
  return (row / inner) * len * inner + row % inner;
}
