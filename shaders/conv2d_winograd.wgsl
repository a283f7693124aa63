// conv2d 3x3, stride 1, dilation 1, by Winograd F(2x2, 3x3): Y = A^T [ sum_c U_c . (B^T d_c B) ] A,
// 16 multiplies per 2x2 outputs and input channel instead of 36. Each lane owns TT tiles of one tile row
// for the TM output channels of its workgroup. On lavapipe every buffer load is a per-lane scalar loop
// (even at an address all lanes share), so each lane of an 8-lane subgroup loads the 3x3 weights of one
// output channel (per 8 of TM), transforms them to U = G g G^T itself, and subgroupBroadcast hands the 16
// values to the other lanes: no weight-transform pass, and 9 loads per channel instead of 16. The input
// window is loaded once per channel and its column transform is shared by neighbouring tiles. Subgroups
// smaller than 8 compute each output directly instead. Any pads, groups; TM a multiple of 8.
// Stored as elem_t (f32 or f16), computed in f32.
// kestrel:requires lib/epilogue.wgsl lib/weights.wgsl
// kestrel:prelude TM TT
// kestrel:example TM=8 TT=2
// kestrel:enable subgroups

override WG: u32 = 8u;
// subgroups smaller than this take the direct path (tests raise it to exercise that path)
override MIN_SUBGROUP: u32 = 8u;

const TM4 = TM / 4u;
const TM8 = TM / 8u;
// input columns of TT neighbouring tiles
const SEG = 2u * TT + 2u;
const ACC = TM4 * 16u * TT;

@group(0) @binding(0) var<uniform> params: WinogradParams;
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
  // weight rows this lane loads (rows past the group's end are clamped, never stored)
  var w_row: array<u32, TM8>;
  for (var r = 0u; r < TM8; r++) {
    w_row[r] = (g * params.cout_g + min(oc0 + r * 8u + sg_lane % 8u, params.cout_g - 1u)) * params.cin_g * 9u;
  }
  var k = 0u;
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
    // written out (not a loop) so every index into v and acc is a constant
    weight_row(0u, k, w_row, &v, &acc);
    weight_row(1u, k, w_row, &v, &acc);
    x_chan += hw;
    k += 9u;
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

// Output-channel row r (lane l: channel oc0 + 8r + l): this lane's U = G g G^T from its 3x3 weights,
// then each of the 16 transformed elements into every tile. No-op past TM8.
fn weight_row(r: u32, k: u32, w_row: array<u32, TM8>, v: ptr<function, array<vec4<f32>, 4u * TT>>,
    acc: ptr<function, array<vec4<f32>, ACC>>) {
  if (r >= TM8) {
    return;
  }
  let at = w_row[r] + k;
  // G g: rows of G are (1,0,0), (1/2,1/2,1/2), (1/2,-1/2,1/2), (0,0,1), applied down each kernel column
  let top = vec3<f32>(w_at(at), w_at(at + 1u), w_at(at + 2u));
  let mid = vec3<f32>(w_at(at + 3u), w_at(at + 4u), w_at(at + 5u));
  let bot = vec3<f32>(w_at(at + 6u), w_at(at + 7u), w_at(at + 8u));
  let g0 = top;
  let g1 = 0.5 * (top + mid + bot);
  let g2 = 0.5 * (top - mid + bot);
  let g3 = bot;
  // ... G^T across each row
  let u0 = vec4<f32>(g0.x, 0.5 * (g0.x + g0.y + g0.z), 0.5 * (g0.x - g0.y + g0.z), g0.z);
  let u1 = vec4<f32>(g1.x, 0.5 * (g1.x + g1.y + g1.z), 0.5 * (g1.x - g1.y + g1.z), g1.z);
  let u2 = vec4<f32>(g2.x, 0.5 * (g2.x + g2.y + g2.z), 0.5 * (g2.x - g2.y + g2.z), g2.z);
  let u3 = vec4<f32>(g3.x, 0.5 * (g3.x + g3.y + g3.z), 0.5 * (g3.x - g3.y + g3.z), g3.z);
  term(r, 0u, u0.x, v, acc);
  term(r, 1u, u0.y, v, acc);
  term(r, 2u, u0.z, v, acc);
  term(r, 3u, u0.w, v, acc);
  term(r, 4u, u1.x, v, acc);
  term(r, 5u, u1.y, v, acc);
  term(r, 6u, u1.z, v, acc);
  term(r, 7u, u1.w, v, acc);
  term(r, 8u, u2.x, v, acc);
  term(r, 9u, u2.y, v, acc);
  term(r, 10u, u2.z, v, acc);
  term(r, 11u, u2.w, v, acc);
  term(r, 12u, u3.x, v, acc);
  term(r, 13u, u3.y, v, acc);
  term(r, 14u, u3.z, v, acc);
  term(r, 15u, u3.w, v, acc);
}

// Transformed element e of output-channel row r into every tile: lanes 0..3 of the subgroup hold the
// row's first vec4 of channels, lanes 4..7 the second; acc[R][e][t] += U[R][e] * V_t[e].
fn term(r: u32, e: u32, mine: f32, v: ptr<function, array<vec4<f32>, 4u * TT>>,
    acc: ptr<function, array<vec4<f32>, ACC>>) {
  let wa = vec4<f32>(subgroupBroadcast(mine, 0u), subgroupBroadcast(mine, 1u), subgroupBroadcast(mine, 2u),
      subgroupBroadcast(mine, 3u));
  let wb = vec4<f32>(subgroupBroadcast(mine, 4u), subgroupBroadcast(mine, 5u), subgroupBroadcast(mine, 6u),
      subgroupBroadcast(mine, 7u));
  let lo = (2u * r * 16u + e) * TT;
  let hi = ((2u * r + 1u) * 16u + e) * TT;
  for (var t = 0u; t < TT; t++) {
    let ve = vec4<f32>((*v)[4u * t + e % 4u][e / 4u]);
    (*acc)[lo + t] = fma(wa, ve, (*acc)[lo + t]);
    (*acc)[hi + t] = fma(wb, ve, (*acc)[hi + t]);
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
          let w_base = (channel * params.cin_g + c) * 9u;
          for (var ky = 0u; ky < 3u; ky++) {
            let ih = i32(y + ky) - params.pad_t;
            for (var kx = 0u; kx < 3u; kx++) {
              let iw = i32(xo + kx) - params.pad_l;
              if (ih >= 0 && ih < i32(params.h) && iw >= 0 && iw < i32(params.w)) {
                sum += f32(x[x_chan + u32(ih) * params.w + u32(iw)]) * w_at(w_base + ky * 3u + kx);
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
