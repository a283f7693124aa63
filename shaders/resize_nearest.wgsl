// Nearest-neighbour resize over any rank (<= 8), on elem_t values: u32 words (so masks and indices resize
// too) or f16 halves.
// kestrel:prelude elem_t
// kestrel:requires lib/indexing.wgsl lib/resize_coord.wgsl

override WG: u32 = 256u;
// elem_t is f16: the extrapolation value comes from extrapolation_f32 (elem_t(u32) would convert the bits)
override HALF: bool = false;

@group(0) @binding(0) var<uniform> params: ResizeNearestParams;
@group(0) @binding(1) var<storage, read_write> x: array<elem_t>;
@group(0) @binding(2) var<storage, read_write> y: array<elem_t>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg, WG);
  if (i >= params.count) {
    return;
  }
  var rem = i;
  var src = 0u;
  var stride = 1u;
  var outside = false;
  // a constant trip count with a uniform guard: lavapipe runs a loop bounded by a uniform 2-4x slower
  for (var d = 7; d >= 0; d--) {
    if (u32(d) >= params.rank) {
      continue;
    }
    let a = params.axes[d];
    // the outermost coordinate needs no division: i < count bounds it
    let q = select(rem / a.out_len, 0u, d == 0);
    let o = rem - q * a.out_len;
    rem = q;
    let c = resize_source_coord(a, o);
    let same = a.identity != 0u;
    outside = outside || (params.crop != 0u && !same && resize_outside(a, c));
    src += select(resize_nearest_index(c, params.nearest_mode, a.in_len), o, same) * stride;
    stride *= a.in_len;
  }
  let fill = select(elem_t(params.extrapolation_bits), elem_t(params.extrapolation_f32), HALF);
  y[i] = select(x[src], fill, outside);
}
