// conv2d as a register-blocked implicit GEMM for JITs that do not unroll loops (SwiftShader): M = output
// channels of a group, N = output pixels, K = C/group * KH * KW. Each lane owns TM output channels x TN
// consecutive pixels of one output row (a 1x1 stride-1 unpadded conv passes its image as one row). Every
// index into the lane's registers is a constant: SwiftShader's spirv-opt inlines the helpers below and
// folds their constant arguments, but keeps loops rolled, and a private array indexed by a loop counter
// becomes per-lane gathers from memory there. No subgroups, no shared memory, no barriers.
// TM is 4, 8, 12 or 16; TN is 4 or 8; SEG (the input columns per kernel row) at most 12: SwiftShader's compile
// grows past bounds with the window (3x3 stride 2 at 8 pixels, 17 columns: over 0.6 GB and climbing; 9-10 columns:
// 130-170 MB), so wider windows run 4 pixels per lane (conv-tiled.ts).
// Stored as elem_t (f32 or f16), computed in f32.
// kestrel:requires lib/conv_params.wgsl lib/epilogue.wgsl lib/weights.wgsl
// kestrel:prelude TM TN KW SW DW

override WG: u32 = 64u;
// false where every segment lies inside the image (no padding, whole blocks): loads skip the edge tests
override EDGES: bool = true;
// one kernel row (1xK): the kernel-row loop, one more rolled loop per channel, goes away
override ONE_ROW: bool = false;
// channels per trip of the channel loop (1 or 2): fewer trips of a rolled loop for small-K bodies
override C_UNROLL: u32 = 1u;

// input columns one lane reads per kernel row
const SEG = (TN - 1u) * SW + (KW - 1u) * DW + 1u;
const TM4 = TM / 4u;
const TN4 = TN / 4u;

@group(0) @binding(0) var<uniform> params: ConvParams;
@group(0) @binding(1) var<storage, read_write> x: array<elem_t>;
@group(0) @binding(3) var<storage, read_write> out: array<elem_t>;

// acc[r4 * 2 + j4][j][i]: output channel oc0 + 4 * r4 + i at pixel ow0 + 4 * j4 + j
var<private> acc: array<mat4x4<f32>, 8>;
// the input row segment of the current (channel, kernel row)
var<private> win: array<f32, 12>;
// per-lane constants the helpers read
var<private> x_row: u32;
var<private> x_chan: u32;
var<private> ih_base: i32;
var<private> row_ok: bool;
var<private> iw0: i32;
var<private> w_base: u32;
var<private> k_len: u32;
var<private> oc_left: u32;

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
  iw0 = i32(ow0 * SW) - params.pad_l;
  let hw = params.h * params.w;
  k_len = params.cin_g * params.kh * KW;
  w_base = (g * params.cout_g + oc0) * k_len;
  // channels past the group's last re-read its last row (clamped, never stored)
  oc_left = params.cout_g - 1u - oc0;
  x_chan = (n * params.cin + g * params.cin_g) * hw;
  ih_base = ih0;
  var k = 0u;
  var c = 0u;
  if (C_UNROLL == 2u) {
    for (; c + 1u < params.cin_g; c += 2u) {
      channel(k);
      k += params.kh * KW;
      x_chan += hw;
      channel(k);
      k += params.kh * KW;
      x_chan += hw;
    }
  }
  for (; c < params.cin_g; c++) {
    channel(k);
    k += params.kh * KW;
    x_chan += hw;
  }
  if (q >= params.lanes) {
    return;
  }
  // the store loop indexes a copy, so acc itself keeps constant indices (and stays in registers)
  var res = acc;
  let rows = min(TM, params.cout_g - oc0);
  let plane = params.oh * params.ow;
  var idx = ((n * params.cout + g * params.cout_g + oc0) * params.oh + oh) * params.ow + ow0;
  let cols = min(TN, params.ow - ow0);
  for (var i = 0u; i < rows; i++) {
    let channel = g * params.cout_g + oc0 + i;
    for (var j = 0u; j < cols; j++) {
      out[idx + j] = elem_t(apply_epilogue(res[(i / 4u) * 2u + j / 4u][j % 4u][i % 4u], channel, idx + j));
    }
    idx += plane;
  }
}

// All kernel rows of the current input channel, from reduction index k.
fn channel(k: u32) {
  if (ONE_ROW) {
    kernel_row(ih_base, k);
    return;
  }
  for (var ky = 0u; ky < params.kh; ky++) {
    kernel_row(ih_base + i32(ky * params.dil_h), k + ky * KW);
  }
}

// One kernel row of the current channel at input row ih: load its segment, then run its taps.
fn kernel_row(ih: i32, k: u32) {
  row_ok = !EDGES || (ih >= 0 && ih < i32(params.h));
  x_row = x_chan + select(u32(ih), clamp_index(ih, params.h), EDGES) * params.w;
  ld(0u); ld(1u); ld(2u); ld(3u); ld(4u); ld(5u); ld(6u); ld(7u); ld(8u); ld(9u); ld(10u); ld(11u);
  tap(0u, k); tap(1u, k); tap(2u, k); tap(3u, k); tap(4u, k); tap(5u, k); tap(6u, k);
}

// Input column s of the segment (zero outside the image). No-op past SEG.
fn ld(s: u32) {
  if (s >= SEG) {
    return;
  }
  let col = iw0 + i32(s);
  if (!EDGES) {
    win[s] = f32(x[x_row + u32(col)]);
    return;
  }
  let ok = row_ok && col >= 0 && col < i32(params.w);
  win[s] = select(0.0, f32(x[x_row + clamp_index(col, params.w)]), ok);
}

// Weights of the lane's output channels 4 * r4 .. +3 at reduction index k.
fn weights4(r4: u32, k: u32) -> vec4<f32> {
  let i = 4u * r4;
  return vec4<f32>(
    w_at(w_base + min(i, oc_left) * k_len + k), w_at(w_base + min(i + 1u, oc_left) * k_len + k),
    w_at(w_base + min(i + 2u, oc_left) * k_len + k), w_at(w_base + min(i + 3u, oc_left) * k_len + k));
}

// The lane's pixels 4 * j4 .. +3 for kernel column kx.
fn pixels4(j4: u32, kx: u32) -> vec4<f32> {
  let s = 4u * j4 * SW + kx * DW;
  return vec4<f32>(win[s], win[s + SW], win[s + 2u * SW], win[s + 3u * SW]);
}

// acc[b] += w (x) p: one 4x4 block of the outer product.
fn block(b: u32, w: vec4<f32>, p: vec4<f32>) {
  acc[b][0] = fma(w, vec4<f32>(p.x), acc[b][0]);
  acc[b][1] = fma(w, vec4<f32>(p.y), acc[b][1]);
  acc[b][2] = fma(w, vec4<f32>(p.z), acc[b][2]);
  acc[b][3] = fma(w, vec4<f32>(p.w), acc[b][3]);
}

// Kernel column kx of one kernel row: acc += W[:, k + kx] (x) pixels. No-op past KW.
fn tap(kx: u32, k: u32) {
  if (kx >= KW) {
    return;
  }
  let p0 = pixels4(0u, kx);
  var p1 = vec4<f32>();
  if (TN4 > 1u) {
    p1 = pixels4(1u, kx);
  }
  rows4(0u, k + kx, p0, p1);
  rows4(1u, k + kx, p0, p1);
  rows4(2u, k + kx, p0, p1);
  rows4(3u, k + kx, p0, p1);
}

// Output channels 4 * r4 .. +3 against the lane's pixels. No-op past TM.
fn rows4(r4: u32, k: u32, p0: vec4<f32>, p1: vec4<f32>) {
  if (r4 >= TM4) {
    return;
  }
  let w = weights4(r4, k);
  block(r4 * 2u, w, p0);
  if (TN4 > 1u) {
    block(r4 * 2u + 1u, w, p1);
  }
}
