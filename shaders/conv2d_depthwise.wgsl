// Depthwise conv2d (group == C == OC): each lane owns TN consecutive output pixels of one row of one
// channel and, per kernel row, loads the input segment all KW taps need once (buffer loads are the
// cost on lavapipe; the math is tiny). Any kernel height, stride, pad and dilation; KW, SW and DW are
// prelude consts so the window indices fold.
// kestrel:requires lib/conv_params.wgsl lib/activations.wgsl lib/epilogue.wgsl
// kestrel:prelude TN KW SW DW

override WG: u32 = 64u;

const SEG = (TN - 1u) * SW + (KW - 1u) * DW + 1u;

@group(0) @binding(0) var<uniform> params: ConvParams;
@group(0) @binding(1) var<storage, read_write> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> wt: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let n = wid.z;
  let c = wid.y;
  let q = wid.x * WG + lid.x;
  let qc = min(q, params.lanes - 1u);
  let oh = qc / params.ow_blocks;
  let ow0 = (qc % params.ow_blocks) * TN;
  let ih0 = i32(oh * params.stride_h) - params.pad_t;
  let iw0 = i32(ow0 * SW) - params.pad_l;
  let x_chan = (n * params.cin + c) * params.h * params.w;
  var col_ok: array<bool, SEG>;
  var col_at: array<u32, SEG>;
  for (var s = 0u; s < SEG; s++) {
    let col = iw0 + i32(s);
    col_ok[s] = col >= 0 && col < i32(params.w);
    col_at[s] = clamp_index(col, params.w);
  }
  var acc: array<f32, TN>;
  var w_idx = c * params.kh * KW;
  for (var ky = 0u; ky < params.kh; ky++) {
    let ih = ih0 + i32(ky * params.dil_h);
    let row_ok = ih >= 0 && ih < i32(params.h);
    let x_row = x_chan + clamp_index(ih, params.h) * params.w;
    var win: array<f32, SEG>;
    for (var s = 0u; s < SEG; s++) {
      win[s] = select(0.0, x[x_row + col_at[s]], row_ok && col_ok[s]);
    }
    for (var kx = 0u; kx < KW; kx++) {
      let wv = wt[w_idx + kx];
      for (var j = 0u; j < TN; j++) {
        acc[j] = fma(wv, win[j * SW + kx * DW], acc[j]);
      }
    }
    w_idx += KW;
  }
  if (q >= params.lanes) {
    return;
  }
  let row = ((n * params.cout + c) * params.oh + oh) * params.ow;
  for (var j = 0u; j < TN; j++) {
    if (ow0 + j < params.ow) {
      let idx = row + ow0 + j;
      out[idx] = apply_epilogue(acc[j], c, idx);
    }
  }
}
