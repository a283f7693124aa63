// conv2d as an implicit GEMM without subgroups or private arrays: each lane owns 8 output channels x 4
// consecutive pixels of one output row in eight vec4 registers and walks (channel, kernel row, kernel
// column) reading 4 input pixels and 8 weights per step. Drivers that keep indexed private arrays in memory
// (SwiftShader) run it at register speed. Any kernel size, stride, pad, dilation and groups.
// Stored as elem_t (f32 or f16), computed in f32.
// kestrel:requires lib/conv_pixel.wgsl lib/activations.wgsl lib/epilogue.wgsl lib/weights.wgsl

override WG: u32 = 64u;

@group(0) @binding(0) var<uniform> params: ConvParams;
@group(0) @binding(1) var<storage, read_write> x: array<elem_t>;
@group(0) @binding(3) var<storage, read_write> out: array<elem_t>;

// Weight offset of output channel oc of group g (clamped into the group) at reduction index 0.
fn w_base(g: u32, oc: u32) -> u32 {
  return (g * params.cout_g + min(oc, params.cout_g - 1u)) * params.cin_g * params.kh * params.kw;
}

// The epilogue and store of channel oc's 4 pixels starting at output index o (past the row or group: skipped).
fn store4(g: u32, oc: u32, o: u32, ow0: u32, v: vec4<f32>) {
  if (oc >= params.cout_g) {
    return;
  }
  let channel = g * params.cout_g + oc;
  for (var j = 0u; j < 4u; j++) {
    if (ow0 + j < params.ow) {
      out[o + j] = elem_t(apply_epilogue(v[j], channel, o + j));
    }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let n = wid.z;
  let g = wid.y / params.oc_blocks;
  let oc0 = (wid.y % params.oc_blocks) * 8u;
  let q = wid.x * WG + lid.x;
  // out-of-range lanes compute a clamped block and skip the store
  let qc = min(q, params.lanes - 1u);
  let oh = qc / params.ow_blocks;
  let ow0 = (qc % params.ow_blocks) * 4u;
  let ih0 = i32(oh * params.stride_h) - params.pad_t;
  let iw0 = i32(ow0 * params.stride_w) - params.pad_l;
  let sw = i32(params.stride_w);
  let hw = params.h * params.w;
  let taps = params.kh * params.kw;
  var plane = (n * params.cin + g * params.cin_g) * hw;
  let wb0 = w_base(g, oc0);
  let wb1 = w_base(g, oc0 + 1u);
  let wb2 = w_base(g, oc0 + 2u);
  let wb3 = w_base(g, oc0 + 3u);
  let wb4 = w_base(g, oc0 + 4u);
  let wb5 = w_base(g, oc0 + 5u);
  let wb6 = w_base(g, oc0 + 6u);
  let wb7 = w_base(g, oc0 + 7u);
  var a0 = vec4<f32>(0.0);
  var a1 = vec4<f32>(0.0);
  var a2 = vec4<f32>(0.0);
  var a3 = vec4<f32>(0.0);
  var a4 = vec4<f32>(0.0);
  var a5 = vec4<f32>(0.0);
  var a6 = vec4<f32>(0.0);
  var a7 = vec4<f32>(0.0);
  var k = 0u;
  for (var c = 0u; c < params.cin_g; c++) {
    for (var ky = 0u; ky < params.kh; ky++) {
      let row = ih0 + i32(ky * params.dil_h);
      for (var kx = 0u; kx < params.kw; kx++) {
        let col = iw0 + i32(kx * params.dil_w);
        let xv = vec4<f32>(
          x_at(plane, row, col), x_at(plane, row, col + sw), x_at(plane, row, col + 2 * sw),
          x_at(plane, row, col + 3 * sw));
        a0 = fma(vec4<f32>(w_at(wb0 + k)), xv, a0);
        a1 = fma(vec4<f32>(w_at(wb1 + k)), xv, a1);
        a2 = fma(vec4<f32>(w_at(wb2 + k)), xv, a2);
        a3 = fma(vec4<f32>(w_at(wb3 + k)), xv, a3);
        a4 = fma(vec4<f32>(w_at(wb4 + k)), xv, a4);
        a5 = fma(vec4<f32>(w_at(wb5 + k)), xv, a5);
        a6 = fma(vec4<f32>(w_at(wb6 + k)), xv, a6);
        a7 = fma(vec4<f32>(w_at(wb7 + k)), xv, a7);
        k++;
      }
    }
    plane += hw;
  }
  if (q >= params.lanes) {
    return;
  }
  let plane_out = params.oh * params.ow;
  let o = ((n * params.cout + g * params.cout_g + oc0) * params.oh + oh) * params.ow + ow0;
  store4(g, oc0, o, ow0, a0);
  store4(g, oc0 + 1u, o + plane_out, ow0, a1);
  store4(g, oc0 + 2u, o + 2u * plane_out, ow0, a2);
  store4(g, oc0 + 3u, o + 3u * plane_out, ow0, a3);
  store4(g, oc0 + 4u, o + 4u * plane_out, ow0, a4);
  store4(g, oc0 + 5u, o + 5u * plane_out, ow0, a5);
  store4(g, oc0 + 6u, o + 6u * plane_out, ow0, a6);
  store4(g, oc0 + 7u, o + 7u * plane_out, ow0, a7);
}
