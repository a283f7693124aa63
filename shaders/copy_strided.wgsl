// Strided copy of elem_t values (u32 words for f32/i32/bool, f16 halves): dst[dst_base + sum(idx*dst_stride)] =
// src[src_base + sum(idx*src_stride)]
// over a logical shape. Transpose, slice (signed strides), expand (zero strides) and each concat input.
// kestrel:prelude elem_t
// kestrel:requires lib/indexing.wgsl

override WG: u32 = 256u;

@group(0) @binding(0) var<uniform> params: CopyStridedParams;
@group(0) @binding(1) var<storage, read_write> src: array<elem_t>;
@group(0) @binding(2) var<storage, read_write> dst: array<elem_t>;

// rank <= 4, right-aligned in the first vec4 of each array (outer lanes: dim 1, stride 0): fixed code
// with no dynamic indexing of the uniform arrays, which lavapipe turns into slow per-lane loads
override SMALL: bool = false;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg, WG);
  if (i >= params.count) {
    return;
  }
  if (SMALL) {
    let sh = params.shape[0];
    let ss = params.src_strides[0];
    let ds = params.dst_strides[0];
    var r = i;
    let c3 = r % sh.w;
    r = r / sh.w;
    let c2 = r % sh.z;
    r = r / sh.z;
    let c1 = r % sh.y;
    r = r / sh.y;
    let so = params.src_base + i32(c3) * ss.w + i32(c2) * ss.z + i32(c1) * ss.y + i32(r) * ss.x;
    dst[params.dst_base + c3 * ds.w + c2 * ds.z + c1 * ds.y + r * ds.x] = src[u32(so)];
    return;
  }
  var rem = i;
  var s = params.src_base;
  var t = params.dst_base;
  // A constant trip count with a uniform guard: lavapipe runs a loop bounded by a uniform 2-4x slower.
  for (var d = 7u; d >= 1u; d--) {
    if (d >= params.rank) {
      continue;
    }
    let n = params.shape[d >> 2u][d & 3u];
    let q = rem / n;
    let c = rem - q * n;
    rem = q;
    s += i32(c) * params.src_strides[d >> 2u][d & 3u];
    t += c * params.dst_strides[d >> 2u][d & 3u];
  }
  // the outermost coordinate needs no division: i < count bounds it
  s += i32(rem) * params.src_strides[0].x;
  t += rem * params.dst_strides[0].x;
  dst[t] = src[u32(s)];
}
