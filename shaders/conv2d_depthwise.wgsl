// Depthwise conv2d (group == C == OC), any row alignment: each lane owns a TM x TN output block of one
// channel. It walks the NR input rows the block needs once, loading each row's segment once (buffer
// loads are the cost on lavapipe; the math is tiny), and adds every row into all the output rows that
// use it. Kernel size, stride and dilation are prelude consts so every window index folds. Rows that
// are whole vec4s take conv2d_depthwise_vec4.wgsl instead.
// kestrel:requires lib/conv_params.wgsl lib/activations.wgsl lib/epilogue.wgsl
// kestrel:prelude elem_t TN TM KH KW SH SW DH DW

override WG: u32 = 64u;

const SEG = (TN - 1u) * SW + (KW - 1u) * DW + 1u;
const NR = (TM - 1u) * SH + (KH - 1u) * DH + 1u;

@group(0) @binding(0) var<uniform> params: ConvParams;
@group(0) @binding(1) var<storage, read_write> x: array<elem_t>;
@group(0) @binding(2) var<storage, read_write> wt: array<elem_t>;
@group(0) @binding(3) var<storage, read_write> out: array<elem_t>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let n = wid.z;
  let c = wid.y;
  let q = wid.x * WG + lid.x;
  let qc = min(q, params.lanes - 1u);
  let oh0 = (qc / params.ow_blocks) * TM;
  let ow0 = (qc % params.ow_blocks) * TN;
  let ih0 = i32(oh0 * SH) - params.pad_t;
  let iw0 = i32(ow0 * SW) - params.pad_l;
  let x_chan = (n * params.cin + c) * params.h * params.w;
  var col_ok: array<bool, SEG>;
  var col_at: array<u32, SEG>;
  for (var s = 0u; s < SEG; s++) {
    let col = iw0 + i32(s);
    col_ok[s] = col >= 0 && col < i32(params.w);
    col_at[s] = clamp_index(col, params.w);
  }
  var wk: array<f32, KH * KW>;
  for (var k = 0u; k < KH * KW; k++) {
    wk[k] = f32(wt[c * KH * KW + k]);
  }
  var acc: array<f32, TM * TN>;
  for (var r = 0u; r < NR; r++) {
    let ih = ih0 + i32(r);
    let row_ok = ih >= 0 && ih < i32(params.h);
    let x_row = x_chan + clamp_index(ih, params.h) * params.w;
    var win: array<f32, SEG>;
    for (var s = 0u; s < SEG; s++) {
      win[s] = select(0.0, f32(x[x_row + col_at[s]]), row_ok && col_ok[s]);
    }
    for (var m = 0u; m < TM; m++) {
      for (var ky = 0u; ky < KH; ky++) {
        if (m * SH + ky * DH == r) {
          for (var kx = 0u; kx < KW; kx++) {
            let wv = wk[ky * KW + kx];
            for (var j = 0u; j < TN; j++) {
              acc[m * TN + j] = fma(wv, win[j * SW + kx * DW], acc[m * TN + j]);
            }
          }
        }
      }
    }
  }
  if (q >= params.lanes) {
    return;
  }
  for (var m = 0u; m < TM; m++) {
    let oh = oh0 + m;
    if (oh < params.oh) {
      let row = ((n * params.cout + c) * params.oh + oh) * params.ow;
      for (var j = 0u; j < TN; j++) {
        if (ow0 + j < params.ow) {
          let idx = row + ow0 + j;
          out[idx] = elem_t(apply_epilogue(acc[m * TN + j], c, idx));
        }
      }
    }
  }
}
