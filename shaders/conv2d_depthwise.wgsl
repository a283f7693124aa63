// Depthwise conv2d (group == C == OC), any row alignment: each lane owns two output rows x TN columns
// of one channel. It walks the input rows the pair needs once, loading each row's segment once, and adds
// it into both output rows with the kernel row each one needs. KW, SH, SW, DH, DW are prelude consts so
// the window indices fold; the kernel height is a uniform, which leaves the row loop rolled: lavapipe's
// compile time grows with unrolled loads, and this kernel serves the small maps (rows not whole vec4s)
// where the unrolled form saves little. Rows that are whole vec4s take conv2d_depthwise_vec4.wgsl.
// kestrel:requires lib/conv_params.wgsl lib/epilogue.wgsl lib/weights.wgsl
// kestrel:prelude elem_t TN KW SH SW DH DW

override WG: u32 = 64u;

const SEG = (TN - 1u) * SW + (KW - 1u) * DW + 1u;

@group(0) @binding(0) var<uniform> params: ConvParams;
@group(0) @binding(1) var<storage, read_write> x: array<elem_t>;
@group(0) @binding(3) var<storage, read_write> out: array<elem_t>;

// acc += w[kernel row ky] * window, for one output row
fn add_row(acc: ptr<function, array<f32, TN>>, win: ptr<function, array<f32, SEG>>, w_row: u32) {
  for (var kx = 0u; kx < KW; kx++) {
    let wv = w_at(w_row + kx);
    for (var j = 0u; j < TN; j++) {
      (*acc)[j] = fma(wv, (*win)[j * SW + kx * DW], (*acc)[j]);
    }
  }
}

fn store_row(acc: ptr<function, array<f32, TN>>, c: u32, oh: u32, ow0: u32, n: u32) {
  if (oh >= params.oh) {
    return;
  }
  let row = ((n * params.cout + c) * params.oh + oh) * params.ow;
  for (var j = 0u; j < TN; j++) {
    if (ow0 + j < params.ow) {
      let idx = row + ow0 + j;
      out[idx] = elem_t(apply_epilogue((*acc)[j], c, idx));
    }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let n = wid.z;
  let c = wid.y;
  let q = wid.x * WG + lid.x;
  let qc = min(q, params.lanes - 1u);
  let oh0 = (qc / params.ow_blocks) * 2u;
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
  let kh = params.kh;
  let w_chan = c * kh * KW;
  var acc0: array<f32, TN>;
  var acc1: array<f32, TN>;
  // input row r serves output row 0 with kernel row r / DH and output row 1 with (r - SH) / DH
  let rows = SH + (kh - 1u) * DH + 1u;
  for (var r = 0u; r < rows; r++) {
    let ih = ih0 + i32(r);
    let row_ok = ih >= 0 && ih < i32(params.h);
    let x_row = x_chan + clamp_index(ih, params.h) * params.w;
    var win: array<f32, SEG>;
    for (var s = 0u; s < SEG; s++) {
      win[s] = select(0.0, f32(x[x_row + col_at[s]]), row_ok && col_ok[s]);
    }
    if (r % DH == 0u && r / DH < kh) {
      add_row(&acc0, &win, w_chan + (r / DH) * KW);
    }
    if (r >= SH && (r - SH) % DH == 0u && (r - SH) / DH < kh) {
      add_row(&acc1, &win, w_chan + ((r - SH) / DH) * KW);
    }
  }
  if (q >= params.lanes) {
    return;
  }
  store_row(&acc0, c, oh0, ow0, n);
  store_row(&acc1, c, oh0 + 1u, ow0, n);
}
