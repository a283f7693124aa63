// 1x1 stride-1 unpadded conv2d as a GEMM per image and group without subgroups: out[oc, p] =
// sum_c W[oc, c] * X[c, p], H*W a multiple of 4. Each lane owns 8 output channels x 4 pixels in eight
// vec4 registers (no private arrays, no loop over the block): drivers that keep indexed private arrays in
// memory (SwiftShader) run it at register speed. All lanes of a workgroup read the same weights.
// Stored as elem_t (f32 or f16), computed in f32.
// kestrel:requires lib/conv_params.wgsl lib/activations.wgsl lib/epilogue.wgsl lib/weights.wgsl

override WG: u32 = 64u;

@group(0) @binding(0) var<uniform> params: ConvParams;
@group(0) @binding(1) var<storage, read_write> x: array<vec4<elem_t>>;
@group(0) @binding(3) var<storage, read_write> out: array<vec4<elem_t>>;

// Row offset of output channel oc of group g in the [cout][cin_g] weights (clamped into the group).
fn w_row(g: u32, oc: u32) -> u32 {
  return (g * params.cout_g + min(oc, params.cout_g - 1u)) * params.cin_g;
}

// alpha-free epilogue and vec4 store of channel oc's 4 pixels at vec4 index o (channels past the group skipped).
fn store4(g: u32, oc: u32, o: u32, v: vec4<f32>) {
  if (oc >= params.cout_g) {
    return;
  }
  let channel = g * params.cout_g + oc;
  var r: vec4<f32>;
  for (var j = 0u; j < 4u; j++) {
    r[j] = apply_epilogue(v[j], channel, o * 4u + j);
  }
  out[o] = vec4<elem_t>(r);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let n = wid.z;
  let g = wid.y / params.oc_blocks;
  let oc0 = (wid.y % params.oc_blocks) * 8u;
  let q = wid.x * WG + lid.x;
  let hw4 = params.h * params.w / 4u;
  // out-of-range lanes compute a clamped block and skip the store
  let p4 = min(q, hw4 - 1u);
  var xi = (n * params.cin + g * params.cin_g) * hw4 + p4;
  let w0 = w_row(g, oc0);
  let w1 = w_row(g, oc0 + 1u);
  let w2 = w_row(g, oc0 + 2u);
  let w3 = w_row(g, oc0 + 3u);
  let w4 = w_row(g, oc0 + 4u);
  let w5 = w_row(g, oc0 + 5u);
  let w6 = w_row(g, oc0 + 6u);
  let w7 = w_row(g, oc0 + 7u);
  var a0 = vec4<f32>(0.0);
  var a1 = vec4<f32>(0.0);
  var a2 = vec4<f32>(0.0);
  var a3 = vec4<f32>(0.0);
  var a4 = vec4<f32>(0.0);
  var a5 = vec4<f32>(0.0);
  var a6 = vec4<f32>(0.0);
  var a7 = vec4<f32>(0.0);
  for (var c = 0u; c < params.cin_g; c++) {
    let xv = vec4<f32>(x[xi]);
    xi += hw4;
    a0 = fma(vec4<f32>(w_at(w0 + c)), xv, a0);
    a1 = fma(vec4<f32>(w_at(w1 + c)), xv, a1);
    a2 = fma(vec4<f32>(w_at(w2 + c)), xv, a2);
    a3 = fma(vec4<f32>(w_at(w3 + c)), xv, a3);
    a4 = fma(vec4<f32>(w_at(w4 + c)), xv, a4);
    a5 = fma(vec4<f32>(w_at(w5 + c)), xv, a5);
    a6 = fma(vec4<f32>(w_at(w6 + c)), xv, a6);
    a7 = fma(vec4<f32>(w_at(w7 + c)), xv, a7);
  }
  if (q >= hw4) {
    return;
  }
  let o = ((n * params.cout + g * params.cout_g + oc0) * hw4) + p4;
  store4(g, oc0, o, a0);
  store4(g, oc0 + 1u, o + hw4, a1);
  store4(g, oc0 + 2u, o + 2u * hw4, a2);
  store4(g, oc0 + 3u, o + 3u * hw4, a3);
  store4(g, oc0 + 4u, o + 4u * hw4, a4);
  store4(g, oc0 + 5u, o + 5u * hw4, a5);
  store4(g, oc0 + 6u, o + 6u * hw4, a6);
  store4(g, oc0 + 7u, o + 7u * hw4, a7);
}
