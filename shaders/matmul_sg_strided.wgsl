// Batched matmul with subgroups for any strides and sizes (transA, odd K or N): the layout of
// matmul_sg.wgsl (the same k loop, lib/matmul_sg_core.wgsl) with scalar reads through element strides.
// Slower and larger to compile, so it is only used where the vec4 kernel cannot read the operands. Stored
// as elem_t (f32 or f16), computed in f32.
// kestrel:requires lib/matmul_sg_core.wgsl lib/matmul_strided.wgsl
// kestrel:prelude TM TNV
// kestrel:example TM=16 TNV=1
// kestrel:enable subgroups

override WG: u32 = 8u;
// tests only: take the 4-lane path on wider subgroups (it stays correct there)
override EMULATE_NARROW: bool = false;

@group(0) @binding(0) var<uniform> params: MatmulParams;
@group(0) @binding(1) var<storage, read_write> a: array<elem_t>;
@group(0) @binding(3) var<storage, read_write> out: array<elem_t>;

// element offsets of the lane's A rows: [0] its own rows, [1] the rows 4 below (4-lane subgroups)
alias ARows = array<array<u32, TM / 8u>, 2>;
// element offsets of the 4 columns of each of the lane's column groups along B's n axis
alias BCols = array<vec4<u32>, TNV>;

fn read_a(t: MatmulTile, rows: ptr<function, ARows>, j: u32, k: u32, hi: bool) -> vec4<f32> {
  return load_a4((*rows)[u32(hi)][j], k);
}

fn read_b(t: MatmulTile, cols: ptr<function, BCols>, c: u32, k: u32) -> array<vec4<f32>, 4> {
  return load_b4x4(t.b_base, k, (*cols)[c]);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32, @builtin(subgroup_invocation_id) sid: u32,
        @builtin(subgroup_size) sg_size: u32) {
  let t = matmul_tile(wid, nwg, lid);
  let narrow = sg_size < 8u || EMULATE_NARROW;
  var a_rows: ARows;
  for (var j = 0u; j < TM / 8u; j++) {
    a_rows[0][j] = a_row_offset(t, t.m0 + j * 8u + (sid & 7u));
    // 4-lane subgroups also fetch rows 4..7 of each group of 8
    a_rows[1][j] = a_row_offset(t, t.m0 + j * 8u + (sid & 7u) + 4u);
  }
  var cols: BCols;
  for (var c = 0u; c < TNV; c++) {
    cols[c] = b_col_offsets(t, c);
  }
  var acc: array<vec4<f32>, TM * TNV>;
  sg_accumulate(t, &a_rows, &cols, narrow, &acc);
  store_tile(&acc, t);
}
