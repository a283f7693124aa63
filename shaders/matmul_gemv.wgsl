// Matrix-vector product (M == 1 or N == 1), batched: each lane computes 4 outputs along the free axis
// (n when FREE_N, else m) with a plain k loop, so no work is spent on padded rows or columns.
// Stored as elem_t (f32 or f16), computed in f32.
// kestrel:requires lib/indexing.wgsl lib/epilogue.wgsl lib/matmul_tile.wgsl lib/matmul_strided.wgsl lib/weights.wgsl

override WG: u32 = 64u;
// true: M == 1 and lanes walk n; false: N == 1 and lanes walk m.
override FREE_N: bool = true;
// Names lib/matmul_tile.wgsl needs; this kernel's tile is 4 outputs of one lane.
const TM = 8u;
const TNV = 1u;

@group(0) @binding(0) var<uniform> params: MatmulParams;
@group(0) @binding(1) var<storage, read_write> a: array<elem_t>;
@group(0) @binding(3) var<storage, read_write> out: array<elem_t>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let lane = linear_index(gid, nwg, WG);
  // params.tiles_n holds the number of 4-output groups per batch
  let batch = lane / params.tiles_n;
  if (batch >= params.batches) {
    return;
  }
  let f0 = (lane % params.tiles_n) * 4u;
  let offsets = batch_offsets(batch);
  let a_base = offsets.x;
  let b_base = offsets.y;
  let free_len = select(params.m, params.n, FREE_N);
  let f = min(vec4<u32>(f0) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(free_len - 1u));
  var acc = vec4<f32>(0.0);
  if (FREE_N) {
    let cols = f * params.b_sn;
    for (var k = 0u; k < params.k; k += 4u) {
      acc = fma4(acc, load_a4(a_base, k), load_b4x4(b_base, k, cols));
    }
  } else {
    let rows = a_base + f * params.a_sm;
    for (var k = 0u; k < params.k; k += 4u) {
      let o = b_base + k * params.b_sk;
      let s = params.b_sk;
      let x = select(vec4<f32>(0.0), vec4<f32>(w_at(o), w_at(o + s), w_at(o + 2u * s), w_at(o + 3u * s)), k_valid(k));
      acc += vec4<f32>(dot(load_a4(rows.x, k), x), dot(load_a4(rows.y, k), x),
                       dot(load_a4(rows.z, k), x), dot(load_a4(rows.w, k), x));
    }
  }
  let base = batch * params.m * params.n;
  for (var i = 0u; i < 4u; i++) {
    let fi = f0 + i;
    if (fi < free_len) {
      let n = select(0u, fi, FREE_N);
      // with M == 1 or N == 1 the output offset within a batch is the free index
      let index = base + fi;
      out[index] = elem_t(apply_epilogue(acc[i] * params.alpha, n, index));
    }
  }
}
