// convTranspose2d (NCHW, weight [C, OC/g, KH, KW]) as a gather: each output pixel sums the input
// pixels that map onto it. The grid is split by output phase (oh mod SH, ow mod SW): within one
// phase the kernel taps that contribute are the same for every pixel (a uniform branch), and
// consecutive phase columns read consecutive input columns, so a lane owns TM output channels x
// TN phase columns of one phase row. Any stride, pad, dilation, group and output padding.
// Stored as elem_t (f32 or f16), computed in f32.
// kestrel:requires lib/conv_params.wgsl lib/conv_transpose_taps.wgsl lib/epilogue.wgsl lib/weights.wgsl
// kestrel:prelude TM TN

override WG: u32 = 64u;

@group(0) @binding(0) var<uniform> params: ConvParams;
@group(0) @binding(1) var<storage, read_write> x: array<elem_t>;
@group(0) @binding(3) var<storage, read_write> out: array<elem_t>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
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
  let hw = params.h * params.w;
  let taps = params.kh * params.kw;
  var acc: array<array<f32, TM>, TN>;
  for (var c = 0u; c < params.cin_g; c++) {
    let cin = g * params.cin_g + c;
    let x_chan = (n * params.cin + cin) * hw;
    let w_chan = (cin * params.cout_g) * taps;
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
        for (var i = 0u; i < TM; i++) {
          let wv = w_at(w_tap + min(oc0 + i, params.cout_g - 1u) * taps);
          for (var j = 0u; j < TN; j++) {
            acc[j][i] = fma(wv, xv[j], acc[j][i]);
          }
        }
      }
    }
  }
  if (q >= params.lanes || oh >= params.oh) {
    return;
  }
  let plane = params.oh * params.ow;
  let rows = min(TM, params.cout_g - oc0);
  var res = acc;
  for (var i = 0u; i < rows; i++) {
    let channel = g * params.cout_g + oc0 + i;
    let row = ((n * params.cout + channel) * params.oh + oh) * params.ow;
    for (var j = 0u; j < TN; j++) {
      let ow = pw + (pcol0 + j) * params.stride_w;
      if (ow < params.ow) {
        out[row + ow] = elem_t(apply_epilogue(res[j][i], channel, row + ow));
      }
    }
  }
}
