// The k loop that matmul_sg.wgsl (vec4 reads) and matmul_sg_strided.wgsl (reads through element strides)
// share: lane l reads the vec4 along k of rows l % 8, l % 8 + 8, ... and subgroupBroadcast hands it to the
// other lanes. The including kernel supplies the read hooks, over its own types `ARows` (where the lane's A rows
// start) and `BCols` (where its column groups start):
//   read_a(t, rows, j, k, hi) -> vec4<f32>   A[row j of the lane (+4 when hi)][k .. k+3]
//   read_b(t, cols, c, k)  -> array<vec4<f32>, 4>   B[k + kk][the 4 columns of group c], kk in 0..3
// kestrel:requires lib/matmul_tile.wgsl

// acc += A (x) B over all of K for the lane's TM x (4 * TNV) block; `narrow` (4-lane subgroups) also reads
// rows 4..7 of each group of 8 itself.
fn sg_accumulate(t: MatmulTile, rows: ptr<function, ARows>, cols: ptr<function, BCols>, narrow: bool,
    acc: ptr<function, array<vec4<f32>, TM * TNV>>) {
  for (var k = 0u; k < params.k; k += 4u) {
    var bv: array<array<vec4<f32>, 4>, TNV>;
    for (var c = 0u; c < TNV; c++) {
      bv[c] = read_b(t, cols, c, k);
    }
    for (var j = 0u; j < TM / 8u; j++) {
      let av = read_a(t, rows, j, k, false);
      var hi = vec4<f32>(0.0);
      if (narrow) {
        hi = read_a(t, rows, j, k, true);
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
        (*acc)[r + c] = fma4((*acc)[r + c], a0, bv[c]);
        (*acc)[r + TNV + c] = fma4((*acc)[r + TNV + c], a1, bv[c]);
        (*acc)[r + 2u * TNV + c] = fma4((*acc)[r + 2u * TNV + c], a2, bv[c]);
        (*acc)[r + 3u * TNV + c] = fma4((*acc)[r + 3u * TNV + c], a3, bv[c]);
        (*acc)[r + 4u * TNV + c] = fma4((*acc)[r + 4u * TNV + c], a4, bv[c]);
        (*acc)[r + 5u * TNV + c] = fma4((*acc)[r + 5u * TNV + c], a5, bv[c]);
        (*acc)[r + 6u * TNV + c] = fma4((*acc)[r + 6u * TNV + c], a6, bv[c]);
        (*acc)[r + 7u * TNV + c] = fma4((*acc)[r + 7u * TNV + c], a7, bv[c]);
      }
    }
  }
}
