// Operand reads of the matmul kernels through element strides, so transposes and any M, N, K need no
// other code: k advances in steps of 4 and the steps past K read as zero. Needs lib/matmul_tile.wgsl
// and lib/weights.wgsl (B read through w_at: f32, f16 or int8 words), `a` declared as array<elem_t>.
// kestrel:requires lib/matmul_tile.wgsl lib/weights.wgsl

// Offset of row m of A (clamped: rows past M are computed but never stored).
fn a_row_offset(t: MatmulTile, m: u32) -> u32 {
  return t.a_base + min(m, params.m - 1u) * params.a_sm;
}

// Offsets of the 4 columns of column group c (clamped to N - 1) along B's n axis.
fn b_col_offsets(t: MatmulTile, c: u32) -> vec4<u32> {
  let n = (t.c0 + c * WG) * 4u;
  return min(vec4<u32>(n) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(params.n - 1u)) * params.b_sn;
}

fn k_valid(k: u32) -> vec4<bool> {
  return vec4<u32>(k) + vec4<u32>(0u, 1u, 2u, 3u) < vec4<u32>(params.k);
}

// A[m][k..k+3], zero past K.
fn load_a4(row: u32, k: u32) -> vec4<f32> {
  let s = params.a_sk;
  let o = row + k * s;
  let v = vec4<f32>(f32(a[o]), f32(a[o + s]), f32(a[o + 2u * s]), f32(a[o + 3u * s]));
  return select(vec4<f32>(0.0), v, k_valid(k));
}

// B[k + kk][4 columns] for kk in 0..3, zero rows past K.
fn load_b4x4(base: u32, k: u32, cols: vec4<u32>) -> array<vec4<f32>, 4> {
  var rows: array<vec4<f32>, 4>;
  let valid = k_valid(k);
  for (var kk = 0u; kk < 4u; kk++) {
    let o = base + (k + kk) * params.b_sk;
    let v = vec4<f32>(w_at(o + cols.x), w_at(o + cols.y), w_at(o + cols.z), w_at(o + cols.w));
    rows[kk] = select(vec4<f32>(0.0), v, valid[kk]);
  }
  return rows;
}

// The k loop without subgroups: every lane reads all TM rows of A itself.
fn accumulate_rows(acc: ptr<function, array<vec4<f32>, TM * TNV>>, t: MatmulTile) {
  var cols: array<vec4<u32>, TNV>;
  for (var c = 0u; c < TNV; c++) {
    cols[c] = b_col_offsets(t, c);
  }
  for (var k = 0u; k < params.k; k += 4u) {
    var bv: array<array<vec4<f32>, 4>, TNV>;
    for (var c = 0u; c < TNV; c++) {
      bv[c] = load_b4x4(t.b_base, k, cols[c]);
    }
    for (var r = 0u; r < TM; r++) {
      let av = load_a4(a_row_offset(t, t.m0 + r), k);
      for (var c = 0u; c < TNV; c++) {
        (*acc)[r * TNV + c] = fma4((*acc)[r * TNV + c], av, bv[c]);
      }
    }
  }
}

