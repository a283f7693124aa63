// conv2d as an implicit GEMM without subgroups (see conv2d_igemm_sg.wgsl for the fast path on
// lavapipe): M = output channels of a group, N = output pixels, K = C/group * KH * KW. Each lane
// owns TM output channels x TN consecutive pixels of one output row and loads the input segment
// it needs for all KW taps of a kernel row once. Handles groups, strides, asymmetric pads and
// dilation. TM must be a multiple of 4 and KW at most 7. Stored as elem_t (f32 or f16), computed in f32.
// kestrel:requires lib/conv_params.wgsl lib/epilogue.wgsl lib/weights.wgsl
// kestrel:prelude TM TN KW SW DW

override WG: u32 = 64u;

// input columns one lane reads per kernel row
const SEG = (TN - 1u) * SW + (KW - 1u) * DW + 1u;
const TM4 = TM / 4u;
const ACC = TM4 * TN;

@group(0) @binding(0) var<uniform> params: ConvParams;
@group(0) @binding(1) var<storage, read_write> x: array<elem_t>;
@group(0) @binding(3) var<storage, read_write> out: array<elem_t>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let n = wid.z;
  let g = wid.y / params.oc_blocks;
  let oc0 = (wid.y % params.oc_blocks) * TM;
  let q = wid.x * WG + lid.x;
  // out-of-range lanes compute a clamped block and skip the store
  let qc = min(q, params.lanes - 1u);
  let oh = qc / params.ow_blocks;
  let ow0 = (qc % params.ow_blocks) * TN;
  let ih0 = i32(oh * params.stride_h) - params.pad_t;
  let iw0 = i32(ow0 * SW) - params.pad_l;
  let hw = params.h * params.w;
  let x_base = (n * params.cin + g * params.cin_g) * hw;
  // column validity does not change with channel or kernel row
  var col_ok: array<bool, SEG>;
  var col_at: array<u32, SEG>;
  for (var s = 0u; s < SEG; s++) {
    let col = iw0 + i32(s);
    col_ok[s] = col >= 0 && col < i32(params.w);
    col_at[s] = clamp_index(col, params.w);
  }
  // acc[r4 * TN + j]: output channels oc0 + 4*r4 .. +3 at pixel j
  var acc: array<vec4<f32>, ACC>;
  var k = 0u;
  for (var c = 0u; c < params.cin_g; c++) {
    let x_chan = x_base + c * hw;
    for (var ky = 0u; ky < params.kh; ky++) {
      let ih = ih0 + i32(ky * params.dil_h);
      let row_ok = ih >= 0 && ih < i32(params.h);
      let x_row = x_chan + clamp_index(ih, params.h) * params.w;
      var win: array<f32, SEG>;
      for (var s = 0u; s < SEG; s++) {
        win[s] = select(0.0, f32(x[x_row + col_at[s]]), row_ok && col_ok[s]);
      }
      // taps written out (not a loop) so every index into win and acc is a constant even when
      // Mesa's unroller would give up on a loop body this large (KW <= 7)
      tap(0u, k, &win, &acc, g, oc0);
      tap(1u, k, &win, &acc, g, oc0);
      tap(2u, k, &win, &acc, g, oc0);
      tap(3u, k, &win, &acc, g, oc0);
      tap(4u, k, &win, &acc, g, oc0);
      tap(5u, k, &win, &acc, g, oc0);
      tap(6u, k, &win, &acc, g, oc0);
      k += KW;
    }
  }
  if (q >= params.lanes) {
    return;
  }
  // A data-dependent trip count discourages unrolling TM*TN copies of the epilogue (each a few
  // per-lane loads and a store on lavapipe); the loop reads a copy so acc itself stays in registers.
  var res = acc;
  let rows = min(TM, params.cout_g - oc0);
  let plane = params.oh * params.ow;
  var idx = ((n * params.cout + g * params.cout_g + oc0) * params.oh + oh) * params.ow + ow0;
  for (var i = 0u; i < rows; i++) {
    let channel = g * params.cout_g + oc0 + i;
    for (var j = 0u; j < TN; j++) {
      if (ow0 + j < params.ow) {
        out[idx + j] = elem_t(apply_epilogue(res[(i / 4u) * TN + j][i % 4u], channel, idx + j));
      }
    }
    idx += plane;
  }
}

// Weights of output channels oc .. oc+3 of group g (clamped into it) at reduction index k.
fn load_weights4(g: u32, oc: u32, k: u32) -> vec4<f32> {
  let k_len = params.cin_g * params.kh * KW;
  let base = g * params.cout_g;
  let last = params.cout_g - 1u;
  return vec4<f32>(
    w_at((base + min(oc, last)) * k_len + k), w_at((base + min(oc + 1u, last)) * k_len + k),
    w_at((base + min(oc + 2u, last)) * k_len + k), w_at((base + min(oc + 3u, last)) * k_len + k));
}

// Kernel column kx of one kernel row: acc += W[:, k + kx] (x) win[j * SW + kx * DW]. No-op past KW.
fn tap(kx: u32, k: u32, win: ptr<function, array<f32, SEG>>, acc: ptr<function, array<vec4<f32>, ACC>>, g: u32,
    oc0: u32) {
  if (kx >= KW) {
    return;
  }
  for (var r4 = 0u; r4 < TM4; r4++) {
    let w4 = load_weights4(g, oc0 + r4 * 4u, k + kx);
    for (var j = 0u; j < TN; j++) {
      (*acc)[r4 * TN + j] = fma(w4, vec4<f32>((*win)[j * SW + kx * DW]), (*acc)[r4 * TN + j]);
    }
  }
}
