// conv2d as an implicit GEMM, weights shared through subgroups: M = output channels of a group,
// N = output pixels, K = C/group * KH * KW. Each lane owns TM output channels x TN consecutive
// pixels of one output row. On lavapipe every buffer load is a per-lane scalar loop, so loads are
// what cost: per tap each lane of an 8-lane group loads TM/8 of the block's weights and
// subgroupBroadcast hands them to all lanes, and the input segment a lane needs for all KW taps of
// a kernel row is loaded once. Subgroups smaller than 8 take a plain per-output loop instead
// (kept out of the unrolled body, whose LLVM compile time grows with every load in it).
// Handles groups, strides, asymmetric pads and dilation. TM must be a multiple of 8, KW at most 7.
// Stored as elem_t (f32 or f16), computed in f32.
// kestrel:requires lib/conv_params.wgsl lib/conv_direct.wgsl lib/epilogue.wgsl lib/weights.wgsl
// kestrel:prelude TM TN KW SW DW
// kestrel:example TM=8 TN=8 KW=3 SW=1 DW=1
// kestrel:enable subgroups

override WG: u32 = 64u;
// subgroups smaller than this take the per-output loop (tests raise it to exercise that path)
override MIN_SUBGROUP: u32 = 8u;

// input columns one lane reads per kernel row
const SEG = (TN - 1u) * SW + (KW - 1u) * DW + 1u;
const TM8 = TM / 8u;
const ACC = TM8 * 2u * TN;

@group(0) @binding(0) var<uniform> params: ConvParams;
@group(0) @binding(1) var<storage, read_write> x: array<elem_t>;
@group(0) @binding(3) var<storage, read_write> out: array<elem_t>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(subgroup_invocation_id) sg_lane: u32, @builtin(subgroup_size) sg_size: u32) {
  let n = wid.z;
  let g = wid.y / params.oc_blocks;
  let oc0 = (wid.y % params.oc_blocks) * TM;
  let q = wid.x * WG + lid.x;
  // out-of-range lanes compute a clamped block and skip the store
  let qc = min(q, params.lanes - 1u);
  let oh = qc / params.ow_blocks;
  let ow0 = (qc % params.ow_blocks) * TN;
  let ih0 = i32(oh * params.stride_h) - params.pad_t;
  let iw0 = i32(ow0 * SW) - params.pad_l;
  let hw = params.h * params.w;
  if (sg_size < max(MIN_SUBGROUP, 8u)) {
    if (q < params.lanes) {
      tile_without_subgroups(n, g * params.cout_g + oc0, oh, ow0);
    }
    return;
  }
  let x_base = (n * params.cin + g * params.cin_g) * hw;
  let k_len = params.cin_g * params.kh * KW;
  // weight rows this lane loads for the group (rows past the block's end are clamped, never stored)
  var w_row: array<u32, TM8>;
  for (var r = 0u; r < TM8; r++) {
    w_row[r] = (g * params.cout_g + min(oc0 + r * 8u + sg_lane % 8u, params.cout_g - 1u)) * k_len;
  }
  // column validity does not change with channel or kernel row
  var col_ok: array<bool, SEG>;
  var col_at: array<u32, SEG>;
  for (var s = 0u; s < SEG; s++) {
    let col = iw0 + i32(s);
    col_ok[s] = col >= 0 && col < i32(params.w);
    col_at[s] = clamp_index(col, params.w);
  }
  // acc[r4 * TN + j]: output channels oc0 + 4*r4 .. +3 at pixel j
  var acc: array<vec4<f32>, ACC>;
  var k = 0u;
  for (var c = 0u; c < params.cin_g; c++) {
    let x_chan = x_base + c * hw;
    for (var ky = 0u; ky < params.kh; ky++) {
      let ih = ih0 + i32(ky * params.dil_h);
      let row_ok = ih >= 0 && ih < i32(params.h);
      let x_row = x_chan + clamp_index(ih, params.h) * params.w;
      var win: array<f32, SEG>;
      for (var s = 0u; s < SEG; s++) {
        win[s] = select(0.0, f32(x[x_row + col_at[s]]), row_ok && col_ok[s]);
      }
      // taps written out (not a loop) so every index into win and acc is a constant even when
      // Mesa's unroller would give up on a loop body this large
      tap(0u, k, &win, &acc, w_row);
      tap(1u, k, &win, &acc, w_row);
      tap(2u, k, &win, &acc, w_row);
      tap(3u, k, &win, &acc, w_row);
      tap(4u, k, &win, &acc, w_row);
      tap(5u, k, &win, &acc, w_row);
      tap(6u, k, &win, &acc, w_row);
      k += KW;
    }
  }
  if (q >= params.lanes) {
    return;
  }
  // A data-dependent trip count discourages unrolling TM*TN copies of the epilogue (each a few
  // per-lane loads and a store on lavapipe); the loop reads a copy so acc itself stays in registers.
  var res = acc;
  let rows = min(TM, params.cout_g - oc0);
  let plane = params.oh * params.ow;
  var idx = ((n * params.cout + g * params.cout_g + oc0) * params.oh + oh) * params.ow + ow0;
  for (var i = 0u; i < rows; i++) {
    let channel = g * params.cout_g + oc0 + i;
    for (var j = 0u; j < TN; j++) {
      if (ow0 + j < params.ow) {
        out[idx + j] = elem_t(apply_epilogue(res[(i / 4u) * TN + j][i % 4u], channel, idx + j));
      }
    }
    idx += plane;
  }
}

// The lane's TM x TN outputs one at a time, for subgroups too small to share weights.
fn tile_without_subgroups(n: u32, oc0: u32, oh: u32, ow0: u32) {
  let last = (oc0 / params.cout_g + 1u) * params.cout_g;
  for (var oc = oc0; oc < min(oc0 + TM, last); oc++) {
    let row = ((n * params.cout + oc) * params.oh + oh) * params.ow;
    for (var ow = ow0; ow < min(ow0 + TN, params.ow); ow++) {
      out[row + ow] = elem_t(apply_epilogue(conv_output(n, oc, oh, ow), oc, row + ow));
    }
  }
}

// Kernel column kx of one kernel row: acc += W[:, k + kx] (x) win[j * SW + kx * DW]. No-op past KW.
fn tap(kx: u32, k: u32, win: ptr<function, array<f32, SEG>>, acc: ptr<function, array<vec4<f32>, ACC>>,
    w_row: array<u32, TM8>) {
  if (kx >= KW) {
    return;
  }
  for (var r = 0u; r < TM8; r++) {
    let mine = w_at(w_row[r] + k + kx);
    let wa = vec4<f32>(subgroupBroadcast(mine, 0u), subgroupBroadcast(mine, 1u), subgroupBroadcast(mine, 2u),
        subgroupBroadcast(mine, 3u));
    let wb = vec4<f32>(subgroupBroadcast(mine, 4u), subgroupBroadcast(mine, 5u), subgroupBroadcast(mine, 6u),
        subgroupBroadcast(mine, 7u));
    for (var j = 0u; j < TN; j++) {
      let xj = vec4<f32>((*win)[j * SW + kx * DW]);
      (*acc)[2u * r * TN + j] = fma(wa, xj, (*acc)[2u * r * TN + j]);
      (*acc)[(2u * r + 1u) * TN + j] = fma(wb, xj, (*acc)[(2u * r + 1u) * TN + j]);
    }
  }
}
