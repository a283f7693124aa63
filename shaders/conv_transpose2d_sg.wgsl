// conv_transpose2d.wgsl with the weights shared through subgroups: per contributing tap, each lane
// of an 8-lane group loads TM/8 of the block's TM weights and subgroupBroadcast hands them to all
// lanes (on lavapipe every buffer load is a per-lane scalar loop). Same phase-split gather: a lane
// owns TM output channels x TN phase columns of one phase row. TM must be a multiple of 8.
// Subgroups smaller than 8 take a plain per-output loop. The gather is lib/conv_transpose_core.wgsl.
// Stored as elem_t (f32 or f16), computed in f32.
// kestrel:requires lib/conv_transpose_core.wgsl lib/weights.wgsl
// kestrel:prelude TM TN
// kestrel:example TM=8 TN=8
// kestrel:enable subgroups

override WG: u32 = 64u;
// subgroups smaller than this take the per-output loop (tests raise it to exercise that path)
override MIN_SUBGROUP: u32 = 8u;

const TM8 = TM / 8u;

@group(0) @binding(0) var<uniform> params: ConvParams;
@group(0) @binding(1) var<storage, read_write> x: array<elem_t>;
@group(0) @binding(3) var<storage, read_write> out: array<elem_t>;

// the weight column (output channel) this lane loads for each group of 8
alias TapWeights = array<u32, TM8>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(subgroup_invocation_id) sg_lane: u32, @builtin(subgroup_size) sg_size: u32) {
  let b = phase_block(wid);
  let l = phase_lane(b, wid, lid);
  if (sg_size < max(MIN_SUBGROUP, 8u)) {
    if (l.q < params.lanes && l.oh < params.oh) {
      tile_without_subgroups(b.n, b.g, b.oc0, l.oh, b.pw, l.pcol0);
    }
    return;
  }
  let taps = params.kh * params.kw;
  var w_col: TapWeights;
  for (var r = 0u; r < TM8; r++) {
    w_col[r] = min(b.oc0 + r * 8u + sg_lane % 8u, params.cout_g - 1u) * taps;
  }
  var acc: array<vec4<f32>, ACC>;
  phase_accumulate(b, l, w_col, &acc);
  phase_store(b, l, &acc);
}

// One tap: each lane loads TM/8 weights and subgroupBroadcast hands them to all lanes; acc += W (x) xv.
fn tap(w_tap: u32, xv: ptr<function, array<f32, TN>>, acc: ptr<function, array<vec4<f32>, ACC>>,
    w_col: TapWeights) {
  for (var r = 0u; r < TM8; r++) {
    let mine = w_at(w_tap + w_col[r]);
    let wa = vec4<f32>(subgroupBroadcast(mine, 0u), subgroupBroadcast(mine, 1u), subgroupBroadcast(mine, 2u),
        subgroupBroadcast(mine, 3u));
    let wb = vec4<f32>(subgroupBroadcast(mine, 4u), subgroupBroadcast(mine, 5u), subgroupBroadcast(mine, 6u),
        subgroupBroadcast(mine, 7u));
    for (var j = 0u; j < TN; j++) {
      (*acc)[2u * r * TN + j] = fma(wa, vec4<f32>((*xv)[j]), (*acc)[2u * r * TN + j]);
      (*acc)[(2u * r + 1u) * TN + j] = fma(wb, vec4<f32>((*xv)[j]), (*acc)[(2u * r + 1u) * TN + j]);
    }
  }
}

// The lane's outputs one at a time, for subgroups too small to share weights.
fn tile_without_subgroups(n: u32, g: u32, oc0: u32, oh: u32, pw: u32, pcol0: u32) {
  let hw = params.h * params.w;
  let taps = params.kh * params.kw;
  for (var oc = oc0; oc < min(oc0 + TM, params.cout_g); oc++) {
    let channel = g * params.cout_g + oc;
    let row = ((n * params.cout + channel) * params.oh + oh) * params.ow;
    for (var pcol = pcol0; pcol < pcol0 + TN; pcol++) {
      let ow = pw + pcol * params.stride_w;
      if (ow >= params.ow) {
        break;
      }
      var acc = 0.0;
      for (var c = 0u; c < params.cin_g; c++) {
        let cin = g * params.cin_g + c;
        for (var ky = 0u; ky < params.kh; ky++) {
          let ty = i32(oh) + params.pad_t - i32(ky * params.dil_h);
          if (ty < 0 || ty % i32(params.stride_h) != 0 || ty / i32(params.stride_h) >= i32(params.h)) {
            continue;
          }
          for (var kx = 0u; kx < params.kw; kx++) {
            let tx = i32(ow) + params.pad_l - i32(kx * params.dil_w);
            if (tx < 0 || tx % i32(params.stride_w) != 0 || tx / i32(params.stride_w) >= i32(params.w)) {
              continue;
            }
            let xi = (n * params.cin + cin) * hw + u32(ty / i32(params.stride_h))
                * params.w + u32(tx / i32(params.stride_w));
            acc = fma(f32(x[xi]), w_at((cin * params.cout_g + oc) * taps + ky * params.kw + kx), acc);
          }
        }
      }
      out[row + ow] = elem_t(apply_epilogue(acc, channel, row + ow));
    }
  }
}
