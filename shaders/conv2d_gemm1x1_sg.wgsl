// 1x1 stride-1 unpadded conv2d as a GEMM per image and group: out[oc, p] = sum_c W[oc, c] * X[c, p],
// with H*W a multiple of 4 so a lane reads its TN pixels of a channel as TN/4 aligned vec4 loads
// (on lavapipe one vec4 load costs far less than four scalar loads: about 4x faster end to end).
// Each lane owns TM output channels x TN consecutive pixels; per input channel each lane of an
// 8-lane group loads TM/8 weights and subgroupBroadcast shares them (lavapipe runs every buffer
// load as a per-lane scalar loop, so shared loads are what pay). Subgroups under 8 take a plain
// per-output loop instead (kept out of the unrolled body, whose compile time grows with its loads).
// Stored as elem_t (f32 or f16), computed in f32.
// kestrel:requires lib/epilogue.wgsl lib/weights.wgsl
// kestrel:prelude TM TN
// kestrel:example TM=8 TN=8
// kestrel:enable subgroups

override WG: u32 = 64u;
// subgroups smaller than this take the per-output loop (tests raise it to exercise that path)
override MIN_SUBGROUP: u32 = 8u;

const TM8 = TM / 8u;
const TN4 = TN / 4u;

@group(0) @binding(0) var<uniform> params: ConvParams;
@group(0) @binding(1) var<storage, read_write> x: array<vec4<elem_t>>;
// vec4 stores: on lavapipe a store costs like a load, and small-K convs spend most of their time storing
@group(0) @binding(3) var<storage, read_write> out: array<vec4<elem_t>>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(subgroup_invocation_id) sg_lane: u32, @builtin(subgroup_size) sg_size: u32) {
  let n = wid.z;
  let g = wid.y / params.oc_blocks;
  let oc0 = (wid.y % params.oc_blocks) * TM;
  let q = wid.x * WG + lid.x;
  // pixel blocks of TN; out-of-range lanes compute a clamped block and skip the store
  let p4 = min(q, params.lanes - 1u) * TN4;
  let hw4 = params.h * params.w / 4u;
  if (sg_size < max(MIN_SUBGROUP, 8u)) {
    if (q < params.lanes) {
      tile_without_subgroups(n, g * params.cout_g + oc0, p4 * 4u);
    }
    return;
  }
  var x_idx = (n * params.cin + g * params.cin_g) * hw4;
  // the last block may run past H*W (a multiple of 4, not of TN): clamp its loads, mask its stores
  var x_off: array<u32, TN4>;
  for (var j4 = 0u; j4 < TN4; j4++) {
    x_off[j4] = min(p4 + j4, hw4 - 1u);
  }
  var w_row: array<u32, TM8>;
  for (var r = 0u; r < TM8; r++) {
    w_row[r] = (g * params.cout_g + min(oc0 + r * 8u + sg_lane % 8u, params.cout_g - 1u)) * params.cin_g;
  }
  // acc[(2r + h) * TN + j]: output channels oc0 + 8r + 4h .. +3 at pixel j
  var acc: array<vec4<f32>, TM8 * 2u * TN>;
  for (var c = 0u; c < params.cin_g; c++) {
    var xv: array<vec4<f32>, TN4>;
    for (var j4 = 0u; j4 < TN4; j4++) {
      xv[j4] = vec4<f32>(x[x_idx + x_off[j4]]);
    }
    x_idx += hw4;
    for (var r = 0u; r < TM8; r++) {
      let mine = w_at(w_row[r] + c);
      let wa = vec4<f32>(subgroupBroadcast(mine, 0u), subgroupBroadcast(mine, 1u), subgroupBroadcast(mine, 2u),
          subgroupBroadcast(mine, 3u));
      let wb = vec4<f32>(subgroupBroadcast(mine, 4u), subgroupBroadcast(mine, 5u), subgroupBroadcast(mine, 6u),
          subgroupBroadcast(mine, 7u));
      for (var j = 0u; j < TN; j++) {
        let xj = vec4<f32>(xv[j / 4u][j % 4u]);
        acc[2u * r * TN + j] = fma(wa, xj, acc[2u * r * TN + j]);
        acc[(2u * r + 1u) * TN + j] = fma(wb, xj, acc[(2u * r + 1u) * TN + j]);
      }
    }
  }
  if (q >= params.lanes) {
    return;
  }
  // a data-dependent trip count discourages unrolling TM*TN copies of the epilogue; it reads a copy
  // so acc itself stays in registers
  var res = acc;
  let rows = min(TM, params.cout_g - oc0);
  let plane = params.h * params.w;
  var idx = (n * params.cout + g * params.cout_g + oc0) * plane + p4 * 4u;
  for (var i = 0u; i < rows; i++) {
    let channel = g * params.cout_g + oc0 + i;
    let k = i % 4u;
    for (var j4 = 0u; j4 < TN4; j4++) {
      let at = idx + j4 * 4u;
      if (p4 * 4u + j4 * 4u < plane) {
        let b = (i / 4u) * TN + j4 * 4u;
        out[at / 4u] = vec4<elem_t>(vec4<f32>(
          apply_epilogue(res[b][k], channel, at), apply_epilogue(res[b + 1u][k], channel, at + 1u),
          apply_epilogue(res[b + 2u][k], channel, at + 2u), apply_epilogue(res[b + 3u][k], channel, at + 3u)));
      }
    }
    idx += plane;
  }
}

// The lane's TM x TN outputs one at a time, for subgroups too small to share weights.
fn tile_without_subgroups(n: u32, oc0: u32, p0: u32) {
  let plane = params.h * params.w;
  let g = oc0 / params.cout_g;
  let last = (g + 1u) * params.cout_g;
  for (var oc = oc0; oc < min(oc0 + TM, last); oc++) {
    for (var p = p0; p < min(p0 + TN, plane); p++) {
      var acc = 0.0;
      var xi = (n * params.cin + g * params.cin_g) * plane + p;
      for (var c = 0u; c < params.cin_g; c++) {
        acc = fma(w_at(oc * params.cin_g + c), f32(x[xi / 4u][xi % 4u]), acc);
        xi += plane;
      }
      let idx = (n * params.cout + oc) * plane + p;
      out[idx / 4u][idx % 4u] = elem_t(apply_epilogue(acc, oc, idx));
    }
  }
}
