// conv2d as an implicit GEMM, weights shared through subgroups: M = output channels of a group,
// N = output pixels, K = C/group * KH * KW. Each lane owns TM output channels x TN consecutive
// pixels of one output row. On lavapipe every buffer load is a per-lane scalar loop, so loads are
// what cost: per tap each lane of an 8-lane group loads TM/8 of the block's weights and
// subgroupBroadcast hands them to all lanes, and the input segment a lane needs for all KW taps of
// a kernel row is loaded once (lib/conv_igemm_core.wgsl). Subgroups smaller than 8 take a plain per-output loop instead
// (kept out of the unrolled body, whose LLVM compile time grows with every load in it).
// Handles groups, strides, asymmetric pads and dilation. TM must be a multiple of 8, KW at most 7.
// Stored as elem_t (f32 or f16), computed in f32.
// kestrel:requires lib/conv_igemm_core.wgsl lib/conv_direct.wgsl lib/weights.wgsl
// kestrel:prelude TM TN KW SW DW
// kestrel:example TM=8 TN=8 KW=3 SW=1 DW=1
// kestrel:enable subgroups

override WG: u32 = 64u;
// subgroups smaller than this take the per-output loop (tests raise it to exercise that path)
override MIN_SUBGROUP: u32 = 8u;

const TM8 = TM / 8u;

@group(0) @binding(0) var<uniform> params: ConvParams;
@group(0) @binding(1) var<storage, read_write> x: array<elem_t>;
@group(0) @binding(3) var<storage, read_write> out: array<elem_t>;

// the weight rows this lane loads for its group (rows past the block's end are clamped, never stored)
alias TapWeights = array<u32, TM8>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(subgroup_invocation_id) sg_lane: u32, @builtin(subgroup_size) sg_size: u32) {
  let l = igemm_lane(wid, lid);
  if (sg_size < max(MIN_SUBGROUP, 8u)) {
    if (l.q < params.lanes) {
      tile_without_subgroups(l.n, l.g * params.cout_g + l.oc0, l.oh, l.ow0);
    }
    return;
  }
  let k_len = params.cin_g * params.kh * KW;
  var w_row: TapWeights;
  for (var r = 0u; r < TM8; r++) {
    w_row[r] = (l.g * params.cout_g + min(l.oc0 + r * 8u + sg_lane % 8u, params.cout_g - 1u)) * k_len;
  }
  var acc: array<vec4<f32>, ACC>;
  igemm_accumulate(l, w_row, &acc);
  igemm_store(l, &acc);
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
    w_row: TapWeights) {
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
