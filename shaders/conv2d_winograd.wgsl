// conv2d 3x3, stride 1, dilation 1, by Winograd F(2x2, 3x3): Y = A^T [ sum_c U_c . (B^T d_c B) ] A,
// 16 multiplies per 2x2 outputs and input channel instead of 36. Each lane owns TT tiles of one tile row
// for the TM output channels of its workgroup. On lavapipe every buffer load is a per-lane scalar loop
// (even at an address all lanes share), so the 16 x TM transformed weights U (conv2d_winograd_weights.wgsl)
// of a channel are loaded as 2*TM/4 vec4 per lane of an 8-lane subgroup and handed around with
// subgroupBroadcast; the input window is loaded once per channel and its column transform is shared by
// neighbouring tiles. Subgroups smaller than 8 compute each output directly from the weights instead.
// Any pads, groups; TM a multiple of 4. Stored as elem_t (f32 or f16), computed in f32.
// kestrel:requires lib/winograd_params.wgsl lib/activations.wgsl lib/epilogue.wgsl
// kestrel:prelude TM TT
// kestrel:example TM=8 TT=2
// kestrel:enable subgroups

override WG: u32 = 16u;
// subgroups smaller than this take the direct path (tests raise it to exercise that path)
override MIN_SUBGROUP: u32 = 8u;

const TM4 = TM / 4u;
// input columns of TT neighbouring tiles
const SEG = 2u * TT + 2u;
const ACC = TM4 * 16u * TT;
// vec4 of U each lane of an 8-lane subgroup loads per channel
const ULOADS = 2u * TM4;

@group(0) @binding(0) var<uniform> params: WinogradParams;
@group(0) @binding(1) var<storage, read_write> x: array<elem_t>;
@group(0) @binding(2) var<storage, read_write> wt: array<elem_t>;
@group(0) @binding(3) var<storage, read_write> u: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> out: array<elem_t>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(subgroup_invocation_id) sg_lane: u32, @builtin(subgroup_size) sg_size: u32) {
  let n = wid.z;
  let g = wid.y / params.oc_blocks;
  let oc0 = (wid.y % params.oc_blocks) * TM;
  let q = wid.x * WG + lid.x;
  // out-of-range lanes compute a clamped block and skip the store
  let qc = min(q, params.lanes - 1u);
  let ty = qc / params.tile_blocks_w;
  let tx0 = (qc % params.tile_blocks_w) * TT;
  let ih0 = i32(2u * ty) - params.pad_t;
  let iw0 = i32(2u * tx0) - params.pad_l;
  let hw = params.h * params.w;
  if (sg_size < max(MIN_SUBGROUP, 8u)) {
    if (q < params.lanes) {
      block_without_subgroups(n, g, oc0, 2u * ty, 2u * tx0);
    }
    return;
  }
  // window validity does not change with the channel
  var row_ok: array<bool, 4>;
  var row_at: array<u32, 4>;
  for (var r = 0u; r < 4u; r++) {
    let ih = ih0 + i32(r);
    row_ok[r] = ih >= 0 && ih < i32(params.h);
    row_at[r] = u32(clamp(ih, 0, i32(params.h) - 1)) * params.w;
  }
  var col_ok: array<bool, SEG>;
  var col_at: array<u32, SEG>;
  for (var s = 0u; s < SEG; s++) {
    let iw = iw0 + i32(s);
    col_ok[s] = iw >= 0 && iw < i32(params.w);
    col_at[s] = u32(clamp(iw, 0, i32(params.w) - 1));
  }
  var x_chan = (n * params.cin + g * params.cin_g) * hw;
  var u_at = (g * params.cin_g * params.oc_blocks + wid.y % params.oc_blocks) * 4u * TM + sg_lane % 8u;
  // acc[(r * 16 + e) * TT + t]: transformed outputs e of tile t for output channels oc0 + 4r .. +3
  var acc: array<vec4<f32>, ACC>;
  for (var c = 0u; c < params.cin_g; c++) {
    // B^T d down each window column: cols[s] = rows 0..3 of the transform
    var cols: array<vec4<f32>, SEG>;
    for (var s = 0u; s < SEG; s++) {
      var d: vec4<f32>;
      for (var r = 0u; r < 4u; r++) {
        d[r] = select(0.0, f32(x[x_chan + row_at[r] + col_at[s]]), row_ok[r] && col_ok[s]);
      }
      cols[s] = vec4<f32>(d.x - d.z, d.y + d.z, d.z - d.y, d.y - d.w);
    }
    // ... B across each tile's four columns: v[4t + j] = column j of tile t's V
    var v: array<vec4<f32>, 4u * TT>;
    for (var t = 0u; t < TT; t++) {
      let a = cols[2u * t];
      let b = cols[2u * t + 1u];
      let m = cols[2u * t + 2u];
      let z = cols[2u * t + 3u];
      v[4u * t] = a - m;
      v[4u * t + 1u] = b + m;
      v[4u * t + 2u] = m - b;
      v[4u * t + 3u] = b - z;
    }
    var mine: array<vec4<f32>, ULOADS>;
    for (var k = 0u; k < ULOADS; k++) {
      mine[k] = u[u_at + 8u * k];
    }
    // written out (not a loop) so every index into mine, v and acc is a constant even where Mesa's
    // unroller gives up on a body this large
    spread(0u, &mine, &v, &acc);
    spread(1u, &mine, &v, &acc);
    spread(2u, &mine, &v, &acc);
    spread(3u, &mine, &v, &acc);
    spread(4u, &mine, &v, &acc);
    spread(5u, &mine, &v, &acc);
    spread(6u, &mine, &v, &acc);
    spread(7u, &mine, &v, &acc);
    x_chan += hw;
    u_at += params.oc_blocks * 4u * TM;
  }
  if (q >= params.lanes) {
    return;
  }
  // A^T M A per tile, then the epilogue; a data-dependent trip count keeps the store loop rolled
  var res: array<vec4<f32>, 4u * TM4 * TT>;
  for (var r = 0u; r < TM4; r++) {
    for (var t = 0u; t < TT; t++) {
      var p: array<vec4<f32>, 8>;
      for (var j = 0u; j < 4u; j++) {
        let m0 = acc[(r * 16u + j) * TT + t];
        let m1 = acc[(r * 16u + 4u + j) * TT + t];
        let m2 = acc[(r * 16u + 8u + j) * TT + t];
        let m3 = acc[(r * 16u + 12u + j) * TT + t];
        p[j] = m0 + m1 + m2;
        p[4u + j] = m1 - m2 - m3;
      }
      for (var a = 0u; a < 2u; a++) {
        res[((r * TT + t) * 2u + a) * 2u] = p[4u * a] + p[4u * a + 1u] + p[4u * a + 2u];
        res[((r * TT + t) * 2u + a) * 2u + 1u] = p[4u * a + 1u] - p[4u * a + 2u] - p[4u * a + 3u];
      }
    }
  }
  let rows = min(TM, params.cout_g - oc0);
  let plane = params.oh * params.ow;
  let oy = 2u * ty;
  let ox = 2u * tx0;
  var chan_at = ((n * params.cout + g * params.cout_g + oc0) * params.oh + oy) * params.ow + ox;
  for (var i = 0u; i < rows; i++) {
    let channel = g * params.cout_g + oc0 + i;
    for (var t = 0u; t < TT; t++) {
      for (var a = 0u; a < 2u; a++) {
        for (var b = 0u; b < 2u; b++) {
          let px = ox + 2u * t + b;
          if (oy + a < params.oh && px < params.ow) {
            let idx = chan_at + a * params.ow + 2u * t + b;
            let val = res[(((i / 4u) * TT + t) * 2u + a) * 2u + b][i % 4u];
            out[idx] = elem_t(apply_epilogue(val, channel, idx));
          }
        }
      }
    }
    chan_at += plane;
  }
}

// vec4 f = 8k + l of the block's U sits in lane l's mine[k]: broadcast the eight (a broadcast's lane
// must be a constant) and accumulate each. No-op past ULOADS (so TM is at most 16).
fn spread(k: u32, mine: ptr<function, array<vec4<f32>, ULOADS>>, v: ptr<function, array<vec4<f32>, 4u * TT>>, acc: ptr<function, array<vec4<f32>, ACC>>) {
  if (k >= ULOADS) {
    return;
  }
  mac(8u * k, subgroupBroadcast((*mine)[k], 0u), v, acc);
  mac(8u * k + 1u, subgroupBroadcast((*mine)[k], 1u), v, acc);
  mac(8u * k + 2u, subgroupBroadcast((*mine)[k], 2u), v, acc);
  mac(8u * k + 3u, subgroupBroadcast((*mine)[k], 3u), v, acc);
  mac(8u * k + 4u, subgroupBroadcast((*mine)[k], 4u), v, acc);
  mac(8u * k + 5u, subgroupBroadcast((*mine)[k], 5u), v, acc);
  mac(8u * k + 6u, subgroupBroadcast((*mine)[k], 6u), v, acc);
  mac(8u * k + 7u, subgroupBroadcast((*mine)[k], 7u), v, acc);
}

// U's vec4 f = e * TM4 + r (transformed element e, output channels 4r .. 4r+3) into every tile:
// acc[r][e][t] += uw * V_t[e].
fn mac(f: u32, uw: vec4<f32>, v: ptr<function, array<vec4<f32>, 4u * TT>>, acc: ptr<function, array<vec4<f32>, ACC>>) {
  let e = f / TM4;
  let r = f % TM4;
  for (var t = 0u; t < TT; t++) {
    (*acc)[(r * 16u + e) * TT + t] = fma(uw, vec4<f32>((*v)[4u * t + e % 4u][e / 4u]), (*acc)[(r * 16u + e) * TT + t]);
  }
}

// The lane's block one output at a time from the untransformed weights, for subgroups too small to share U.
fn block_without_subgroups(n: u32, g: u32, oc0: u32, oy: u32, ox: u32) {
  let hw = params.h * params.w;
  for (var o = oc0; o < min(oc0 + TM, params.cout_g); o++) {
    let channel = g * params.cout_g + o;
    for (var y = oy; y < min(oy + 2u, params.oh); y++) {
      for (var xo = ox; xo < min(ox + 2u * TT, params.ow); xo++) {
        var sum = 0.0;
        for (var c = 0u; c < params.cin_g; c++) {
          let x_chan = (n * params.cin + g * params.cin_g + c) * hw;
          let w_at = (channel * params.cin_g + c) * 9u;
          for (var ky = 0u; ky < 3u; ky++) {
            let ih = i32(y + ky) - params.pad_t;
            for (var kx = 0u; kx < 3u; kx++) {
              let iw = i32(xo + kx) - params.pad_l;
              if (ih >= 0 && ih < i32(params.h) && iw >= 0 && iw < i32(params.w)) {
                sum += f32(x[x_chan + u32(ih) * params.w + u32(iw)]) * f32(wt[w_at + ky * 3u + kx]);
              }
            }
          }
        }
        let idx = ((n * params.cout + channel) * params.oh + y) * params.ow + xo;
        out[idx] = elem_t(apply_epilogue(sum, channel, idx));
      }
    }
  }
}
