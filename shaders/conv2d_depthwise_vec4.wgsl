// Depthwise conv2d (group == C == OC) for rows that are whole vec4s (W % 4 == 0, OW % 4 == 0): each lane
// owns a TM x TN output block of one channel. It walks the NR input rows the block needs once, loading
// each row segment as vec4s (buffer loads are the cost on lavapipe), and adds every row into all the
// output rows that use it; outputs are stored as vec4s. Kernel size, stride, dilation and the segment's
// offset inside its first vec4 (OFF = -pad_l mod 4) are prelude consts so every window index folds.
// kestrel:requires lib/conv_params.wgsl lib/epilogue.wgsl lib/weights.wgsl
// kestrel:prelude elem_t TN TM KH KW SH SW DH DW OFF

override WG: u32 = 64u;

const SEG = (TN - 1u) * SW + (KW - 1u) * DW + 1u;
const NV = (OFF + SEG + 3u) / 4u;
const NR = (TM - 1u) * SH + (KH - 1u) * DH + 1u;

@group(0) @binding(0) var<uniform> params: ConvParams;
@group(0) @binding(1) var<storage, read_write> x: array<vec4<elem_t>>;
@group(0) @binding(3) var<storage, read_write> out: array<vec4<elem_t>>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let n = wid.z;
  let c = wid.y;
  let q = wid.x * WG + lid.x;
  let qc = min(q, params.lanes - 1u);
  let oh0 = (qc / params.ow_blocks) * TM;
  let ow0 = (qc % params.ow_blocks) * TN;
  let ih0 = i32(oh0 * SH) - params.pad_t;
  // first vec4 column of the segment (the segment starts OFF elements into it)
  let v0 = (i32(ow0 * SW) - params.pad_l - i32(OFF)) / 4;
  let w4 = params.w / 4u;
  let x_chan = (n * params.cin + c) * params.h * w4;
  var col_ok: array<bool, NV>;
  var col_at: array<u32, NV>;
  for (var v = 0u; v < NV; v++) {
    let col = v0 + i32(v);
    col_ok[v] = col >= 0 && col < i32(w4);
    col_at[v] = clamp_index(col, w4);
  }
  var wk: array<f32, KH * KW>;
  for (var k = 0u; k < KH * KW; k++) {
    wk[k] = w_at(c * KH * KW + k);
  }
  var acc: array<f32, TM * TN>;
  for (var r = 0u; r < NR; r++) {
    let ih = ih0 + i32(r);
    let row_ok = ih >= 0 && ih < i32(params.h);
    let x_row = x_chan + clamp_index(ih, params.h) * w4;
    var win: array<f32, NV * 4u>;
    for (var v = 0u; v < NV; v++) {
      let q4 = select(vec4<f32>(0.0), vec4<f32>(x[x_row + col_at[v]]), row_ok && col_ok[v]);
      win[v * 4u] = q4.x;
      win[v * 4u + 1u] = q4.y;
      win[v * 4u + 2u] = q4.z;
      win[v * 4u + 3u] = q4.w;
    }
    for (var m = 0u; m < TM; m++) {
      for (var ky = 0u; ky < KH; ky++) {
        if (m * SH + ky * DH == r) {
          for (var kx = 0u; kx < KW; kx++) {
            let wv = wk[ky * KW + kx];
            for (var j = 0u; j < TN; j++) {
              acc[m * TN + j] = fma(wv, win[OFF + j * SW + kx * DW], acc[m * TN + j]);
            }
          }
        }
      }
    }
  }
  if (q >= params.lanes) {
    return;
  }
  let ow4 = params.ow / 4u;
  for (var m = 0u; m < TM; m++) {
    let oh = oh0 + m;
    if (oh < params.oh) {
      let row = ((n * params.cout + c) * params.oh + oh) * params.ow;
      for (var b = 0u; b < TN / 4u; b++) {
        let ow = ow0 + b * 4u;
        if (ow < params.ow) {
          let i = row + ow;
          let a = m * TN + b * 4u;
          out[i / 4u] = vec4<elem_t>(vec4<f32>(
            apply_epilogue(acc[a], c, i),
            apply_epilogue(acc[a + 1u], c, i + 1u),
            apply_epilogue(acc[a + 2u], c, i + 2u),
            apply_epilogue(acc[a + 3u], c, i + 3u),
          ));
        }
      }
    }
  }
}
