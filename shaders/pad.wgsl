// Pad on elem_t values (u32 words or f16 halves): negative pads crop first, then positive pads extend the
// cropped tensor by a constant (raw bits for words, so f32 and i32 share the pipeline), reflection, edge or wrap.
// kestrel:prelude elem_t
// kestrel:requires lib/indexing.wgsl

override WG: u32 = 256u;
// 0 constant, 1 reflect, 2 edge, 3 wrap (a constant, so the per-element switch folds away)
override MODE: u32 = 0u;
// elem_t is f16: the constant comes from value_f32 (elem_t(u32) would convert the bits numerically)
override HALF: bool = false;

@group(0) @binding(0) var<uniform> params: PadParams;
@group(0) @binding(1) var<storage, read_write> x: array<elem_t>;
@group(0) @binding(2) var<storage, read_write> y: array<elem_t>;

// Maps k (may lie outside [0, n)) into [0, n) by the pad mode; -1 means "the constant".
fn pad_source(k: i32, n: i32) -> i32 {
  if (k >= 0 && k < n) {
    return k;
  }
  switch MODE {
    case 1u: {
      if (n == 1) { return 0; }
      let period = 2 * (n - 1);
      var m = abs(k) % period;
      return select(m, period - m, m >= n);
    }
    case 2u: { return clamp(k, 0, n - 1); }
    case 3u: { return ((k % n) + n) % n; }
    default: { return -1; }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg, WG);
  if (i >= params.count) {
    return;
  }
  var rem = i;
  var src = 0u;
  var inside = true;
  // a constant trip count with a uniform guard: lavapipe runs a loop bounded by a uniform 2-4x slower
  for (var d = 7; d >= 0; d--) {
    let u = u32(d);
    if (u >= params.rank) {
      continue;
    }
    let n = params.out_shape[u >> 2u][u & 3u];
    let q = select(rem / n, 0u, d == 0);
    let c = i32(rem - q * n) - i32(params.pad_begin[u >> 2u][u & 3u]);
    rem = q;
    let k = pad_source(c, i32(params.crop_len[u >> 2u][u & 3u]));
    inside = inside && k >= 0;
    src += (u32(max(k, 0)) + params.crop_begin[u >> 2u][u & 3u]) * params.in_strides[u >> 2u][u & 3u];
  }
  let fill = select(elem_t(params.value_bits), elem_t(params.value_f32), HALF);
  y[i] = select(fill, x[src], inside);
}
