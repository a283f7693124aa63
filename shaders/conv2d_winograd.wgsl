// conv2d 3x3, stride 1, dilation 1, by Winograd F(2x2, 3x3): Y = A^T [ sum_c U_c . (B^T d_c B) ] A,
// 16 multiplies per 2x2 outputs and input channel instead of 36. Each lane owns TT tiles of one tile row
// for the TM output channels of its workgroup. The transformed weights U (conv2d_winograd_weights.wgsl)
// are indexed by workgroup and loop counters only, so their loads are uniform (one load for all lanes
// on lavapipe, where a per-lane load is a scalar loop); the input window is loaded once per channel and
// its column transform is shared by neighbouring tiles. Any pads, groups; TM a multiple of 4.
// Stored as elem_t (f32 or f16), computed in f32.
// kestrel:requires lib/winograd_params.wgsl lib/activations.wgsl lib/epilogue.wgsl
// kestrel:prelude TM TT
// kestrel:example TM=8 TT=2

override WG: u32 = 16u;

const TM4 = TM / 4u;
// input columns of TT neighbouring tiles
const SEG = 2u * TT + 2u;
const ACC = TM4 * 16u * TT;

@group(0) @binding(0) var<uniform> params: WinogradParams;
@group(0) @binding(1) var<storage, read_write> x: array<elem_t>;
@group(0) @binding(2) var<storage, read_write> u: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> out: array<elem_t>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
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
  // U's vec4 columns of this block (clamped past the group's end; those channels are never stored)
  var u_col: array<u32, TM4>;
  for (var r = 0u; r < TM4; r++) {
    u_col[r] = min(oc0 / 4u + r, params.cout_g4 - 1u);
  }
  var x_chan = (n * params.cin + g * params.cin_g) * hw;
  var u_at = g * params.cin_g * 16u * params.cout_g4;
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
    // the 16 elementwise products written out so every index into v and acc is a constant
    mac(0u, u_at, &v, &acc, u_col);
    mac(1u, u_at, &v, &acc, u_col);
    mac(2u, u_at, &v, &acc, u_col);
    mac(3u, u_at, &v, &acc, u_col);
    mac(4u, u_at, &v, &acc, u_col);
    mac(5u, u_at, &v, &acc, u_col);
    mac(6u, u_at, &v, &acc, u_col);
    mac(7u, u_at, &v, &acc, u_col);
    mac(8u, u_at, &v, &acc, u_col);
    mac(9u, u_at, &v, &acc, u_col);
    mac(10u, u_at, &v, &acc, u_col);
    mac(11u, u_at, &v, &acc, u_col);
    mac(12u, u_at, &v, &acc, u_col);
    mac(13u, u_at, &v, &acc, u_col);
    mac(14u, u_at, &v, &acc, u_col);
    mac(15u, u_at, &v, &acc, u_col);
    x_chan += hw;
    u_at += 16u * params.cout_g4;
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

// Transformed element e of every tile: acc[r][e][t] += U[c][e][block r] * V_t[e].
fn mac(e: u32, u_at: u32, v: ptr<function, array<vec4<f32>, 4u * TT>>, acc: ptr<function, array<vec4<f32>, ACC>>, u_col: array<u32, TM4>) {
  let i = e / 4u;
  let j = e % 4u;
  for (var r = 0u; r < TM4; r++) {
    let uw = u[u_at + e * params.cout_g4 + u_col[r]];
    for (var t = 0u; t < TT; t++) {
      (*acc)[(r * 16u + e) * TT + t] = fma(uw, vec4<f32>((*v)[4u * t + j][i]), (*acc)[(r * 16u + e) * TT + t]);
    }
  }
}
