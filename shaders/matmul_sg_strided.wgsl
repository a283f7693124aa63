// Batched matmul with subgroups for any strides and sizes (transA, odd K or N): the layout of
// matmul_sg.wgsl with scalar reads through element strides. Slower and larger to compile, so it is only
// used where the vec4 kernel cannot read the operands. Stored as elem_t (f32 or f16), computed in f32.
// kestrel:requires lib/matmul_tile.wgsl lib/matmul_strided.wgsl
// kestrel:prelude TM TNV
// kestrel:example TM=16 TNV=1
// kestrel:enable subgroups

override WG: u32 = 8u;
// tests only: take the 4-lane path on wider subgroups (it stays correct there)
override EMULATE_NARROW: bool = false;

@group(0) @binding(0) var<uniform> params: MatmulParams;
@group(0) @binding(1) var<storage, read_write> a: array<elem_t>;
@group(0) @binding(3) var<storage, read_write> out: array<elem_t>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32, @builtin(subgroup_invocation_id) sid: u32,
        @builtin(subgroup_size) sg_size: u32) {
  let t = matmul_tile(wid, nwg, lid);
  let narrow = sg_size < 8u || EMULATE_NARROW;
  var a_rows: array<u32, TM / 8u>;
  var a_hi_rows: array<u32, TM / 8u>;
  for (var j = 0u; j < TM / 8u; j++) {
    a_rows[j] = a_row_offset(t, t.m0 + j * 8u + (sid & 7u));
    // 4-lane subgroups also fetch rows 4..7 of each group of 8
    a_hi_rows[j] = a_row_offset(t, t.m0 + j * 8u + (sid & 7u) + 4u);
  }
  var cols: array<vec4<u32>, TNV>;
  for (var c = 0u; c < TNV; c++) {
    cols[c] = b_col_offsets(t, c);
  }
  var acc: array<vec4<f32>, TM * TNV>;
  for (var k = 0u; k < params.k; k += 4u) {
    var bv: array<array<vec4<f32>, 4>, TNV>;
    for (var c = 0u; c < TNV; c++) {
      bv[c] = load_b4x4(t.b_base, k, cols[c]);
    }
    for (var j = 0u; j < TM / 8u; j++) {
      let av = load_a4(a_rows[j], k);
      var hi = vec4<f32>(0.0);
      if (narrow) {
        hi = load_a4(a_hi_rows[j], k);
      }
      // the lane index of subgroupBroadcast must be a constant
      let a0 = subgroupBroadcast(av, 0u);
      let a1 = subgroupBroadcast(av, 1u);
      let a2 = subgroupBroadcast(av, 2u);
      let a3 = subgroupBroadcast(av, 3u);
      let a4 = select(subgroupBroadcast(av, 4u), subgroupBroadcast(hi, 0u), narrow);
      let a5 = select(subgroupBroadcast(av, 5u), subgroupBroadcast(hi, 1u), narrow);
      let a6 = select(subgroupBroadcast(av, 6u), subgroupBroadcast(hi, 2u), narrow);
      let a7 = select(subgroupBroadcast(av, 7u), subgroupBroadcast(hi, 3u), narrow);
      let r = j * 8u * TNV;
      for (var c = 0u; c < TNV; c++) {
        acc[r + c] = fma4(acc[r + c], a0, bv[c]);
        acc[r + TNV + c] = fma4(acc[r + TNV + c], a1, bv[c]);
        acc[r + 2u * TNV + c] = fma4(acc[r + 2u * TNV + c], a2, bv[c]);
        acc[r + 3u * TNV + c] = fma4(acc[r + 3u * TNV + c], a3, bv[c]);
        acc[r + 4u * TNV + c] = fma4(acc[r + 4u * TNV + c], a4, bv[c]);
        acc[r + 5u * TNV + c] = fma4(acc[r + 5u * TNV + c], a5, bv[c]);
        acc[r + 6u * TNV + c] = fma4(acc[r + 6u * TNV + c], a6, bv[c]);
        acc[r + 7u * TNV + c] = fma4(acc[r + 7u * TNV + c], a7, bv[c]);
      }
    }
  }
  store_tile(&acc, t);
}
