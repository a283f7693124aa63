// conv_transpose2d.wgsl with the weights shared through subgroups: per contributing tap, each lane
// of an 8-lane group loads TM/8 of the block's TM weights and subgroupBroadcast hands them to all
// lanes (on lavapipe every buffer load is a per-lane scalar loop). Same phase-split gather: a lane
// owns TM output channels x TN phase columns of one phase row. TM must be a multiple of 8.
// Subgroups smaller than 8 take a plain per-output loop. Stored as elem_t (f32 or f16), computed in f32.
// kestrel:requires lib/conv_params.wgsl lib/conv_transpose_taps.wgsl lib/epilogue.wgsl lib/weights.wgsl
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

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(subgroup_invocation_id) sg_lane: u32, @builtin(subgroup_size) sg_size: u32) {
  let phases = params.stride_h * params.stride_w;
  let n = wid.z / phases;
  let phase = wid.z % phases;
  let ph = phase / params.phases_w;
  let pw = phase % params.phases_w;
  let g = wid.y / params.oc_blocks;
  let oc0 = (wid.y % params.oc_blocks) * TM;
  let q = wid.x * WG + lid.x;
  let qc = min(q, params.lanes - 1u);
  let prow = qc / params.ow_blocks;
  let pcol0 = (qc % params.ow_blocks) * TN;
  let oh = ph + prow * params.stride_h;
  if (sg_size < max(MIN_SUBGROUP, 8u)) {
    if (q < params.lanes && oh < params.oh) {
      tile_without_subgroups(n, g, oc0, oh, pw, pcol0);
    }
    return;
  }
  let hw = params.h * params.w;
  let taps = params.kh * params.kw;
  // the weight column (output channel) this lane loads for each group of 8
  var w_col: array<u32, TM8>;
  for (var r = 0u; r < TM8; r++) {
    w_col[r] = min(oc0 + r * 8u + sg_lane % 8u, params.cout_g - 1u) * taps;
  }
  // acc[(2r + h) * TN + j]: output channels oc0 + 8r + 4h .. +3 at phase column pcol0 + j
  var acc: array<vec4<f32>, TM8 * 2u * TN>;
  for (var c = 0u; c < params.cin_g; c++) {
    let cin = g * params.cin_g + c;
    let x_chan = (n * params.cin + cin) * hw;
    let w_chan = cin * params.cout_g * taps;
    for (var ky = 0u; ky < params.kh; ky++) {
      let dy = tap_offset(ph, params.pad_t, ky, params.dil_h, params.stride_h, params.kh);
      if (dy == NO_TAP) {
        continue;
      }
      let ih = i32(prow) + dy;
      let row_ok = ih >= 0 && ih < i32(params.h);
      let x_row = x_chan + clamp_index(ih, params.h) * params.w;
      for (var kx = 0u; kx < params.kw; kx++) {
        let dx = tap_offset(pw, params.pad_l, kx, params.dil_w, params.stride_w, params.kw);
        if (dx == NO_TAP) {
          continue;
        }
        var xv: array<f32, TN>;
        for (var j = 0u; j < TN; j++) {
          let iw = i32(pcol0 + j) + dx;
          xv[j] = select(0.0, f32(x[x_row + clamp_index(iw, params.w)]), row_ok && iw >= 0 && iw < i32(params.w));
        }
        let w_tap = w_chan + ky * params.kw + kx;
        for (var r = 0u; r < TM8; r++) {
          let mine = w_at(w_tap + w_col[r]);
          let wa = vec4<f32>(subgroupBroadcast(mine, 0u), subgroupBroadcast(mine, 1u), subgroupBroadcast(mine, 2u),
              subgroupBroadcast(mine, 3u));
          let wb = vec4<f32>(subgroupBroadcast(mine, 4u), subgroupBroadcast(mine, 5u), subgroupBroadcast(mine, 6u),
              subgroupBroadcast(mine, 7u));
          for (var j = 0u; j < TN; j++) {
            acc[2u * r * TN + j] = fma(wa, vec4<f32>(xv[j]), acc[2u * r * TN + j]);
            acc[(2u * r + 1u) * TN + j] = fma(wb, vec4<f32>(xv[j]), acc[(2u * r + 1u) * TN + j]);
          }
        }
      }
    }
  }
  if (q >= params.lanes || oh >= params.oh) {
    return;
  }
  // a data-dependent trip count discourages unrolling TM*TN copies of the epilogue; it reads a copy
  // so acc itself stays in registers
  var res = acc;
  let rows = min(TM, params.cout_g - oc0);
  for (var i = 0u; i < rows; i++) {
    let channel = g * params.cout_g + oc0 + i;
    let row = ((n * params.cout + channel) * params.oh + oh) * params.ow;
    for (var j = 0u; j < TN; j++) {
      let ow = pw + (pcol0 + j) * params.stride_w;
      if (ow < params.ow) {
        out[row + ow] = elem_t(apply_epilogue(res[(i / 4u) * TN + j][i % 4u], channel, row + ow));
      }
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
