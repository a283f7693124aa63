// Shared pieces of the register-blocked matmul kernels: the parameter block, the tile a workgroup owns,
// and the store of a lane's block through the epilogue. The including file declares
// `params: MatmulParams`, `out: array<elem_t>`, the consts TM and TNV (prelude) and the override WG.
// kestrel:prelude elem_t
// kestrel:requires lib/epilogue.wgsl lib/index4.wgsl

// Offsets of batch `batch`'s matrices in A and B (needs lib/index4.wgsl).
fn batch_offsets(batch: u32) -> vec2<u32> {
  let i = coords4(batch, params.batch_shape);
  return vec2<u32>(dot(i, params.a_batch_strides), dot(i, params.b_batch_strides));
}

struct MatmulTile {
  batch: u32,
  // first row of the tile
  m0: u32,
  // first 4-column group of this lane
  c0: u32,
  a_base: u32,
  b_base: u32,
}

// The tile of workgroup `wid`: workgroups enumerate (column tile, row tile, batch), fastest first.
fn matmul_tile(wid: vec3<u32>, nwg: vec3<u32>, lid: u32) -> MatmulTile {
  let index = wid.x + wid.y * nwg.x;
  let tn = index % params.tiles_n;
  let tm = (index / params.tiles_n) % params.tiles_m;
  var t: MatmulTile;
  t.batch = index / (params.tiles_n * params.tiles_m);
  t.m0 = tm * TM;
  t.c0 = tn * WG * TNV + lid;
  let base = batch_offsets(min(t.batch, params.batches - 1u));
  t.a_base = base.x;
  t.b_base = base.y;
  return t;
}

fn fma4(acc: vec4<f32>, av: vec4<f32>, bv: array<vec4<f32>, 4>) -> vec4<f32> {
  return acc + av.x * bv[0] + av.y * bv[1] + av.z * bv[2] + av.w * bv[3];
}

// alpha, the epilogue and the store of one lane's block (rows and columns past M, N skipped). The loop
// runs over a copy with a trip count unknown at compile time, so the compiler keeps one copy of the
// epilogue instead of TM * TNV * 4 (on lavapipe every unrolled store is a per-lane branch ladder).
fn store_tile(acc: ptr<function, array<vec4<f32>, TM * TNV>>, t: MatmulTile) {
  if (t.batch >= params.batches || t.m0 >= params.m) {
    return;
  }
  var block = *acc;
  // one flat loop over (row, column group, lane of the vec4): a single store site
  let count = min(TM, params.m - t.m0) * TNV * 4u;
  for (var e = 0u; e < count; e++) {
    let r = e / (TNV * 4u);
    let c = (e / 4u) % TNV;
    let n = (t.c0 + c * WG) * 4u + e % 4u;
    if (n < params.n) {
      let index = (t.batch * params.m + t.m0 + r) * params.n + n;
      out[index] = elem_t(apply_epilogue(block[r * TNV + c][e % 4u] * params.alpha, n, index));
    }
  }
}
