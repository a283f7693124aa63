// Depthwise conv2d (group == C == OC) without private arrays: each lane owns 4 consecutive output pixels of
// one row of one channel in a vec4 register and walks the kernel taps reading 4 input pixels and one weight
// per tap. Drivers that keep indexed private arrays in memory (SwiftShader) run it at register speed.
// Any kernel size, stride, pad and dilation. Stored as elem_t (f32 or f16), computed in f32.
// kestrel:requires lib/conv_pixel.wgsl lib/activations.wgsl lib/epilogue.wgsl lib/weights.wgsl

override WG: u32 = 64u;

@group(0) @binding(0) var<uniform> params: ConvParams;
@group(0) @binding(1) var<storage, read_write> x: array<elem_t>;
@group(0) @binding(3) var<storage, read_write> out: array<elem_t>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let n = wid.z;
  let c = wid.y;
  let q = wid.x * WG + lid.x;
  let qc = min(q, params.lanes - 1u);
  let oh = qc / params.ow_blocks;
  let ow0 = (qc % params.ow_blocks) * 4u;
  let ih0 = i32(oh * params.stride_h) - params.pad_t;
  let iw0 = i32(ow0 * params.stride_w) - params.pad_l;
  let sw = i32(params.stride_w);
  let plane = (n * params.cin + c) * params.h * params.w;
  var wi = c * params.kh * params.kw;
  var acc = vec4<f32>(0.0);
  for (var ky = 0u; ky < params.kh; ky++) {
    let row = ih0 + i32(ky * params.dil_h);
    for (var kx = 0u; kx < params.kw; kx++) {
      let col = iw0 + i32(kx * params.dil_w);
      let xv = vec4<f32>(
        x_at(plane, row, col), x_at(plane, row, col + sw), x_at(plane, row, col + 2 * sw),
        x_at(plane, row, col + 3 * sw));
      acc = fma(vec4<f32>(w_at(wi)), xv, acc);
      wi++;
    }
  }
  if (q >= params.lanes) {
    return;
  }
  let o = ((n * params.cout + c) * params.oh + oh) * params.ow + ow0;
  for (var j = 0u; j < 4u; j++) {
    if (ow0 + j < params.ow) {
      out[o + j] = elem_t(apply_epilogue(acc[j], c, o + j));
    }
  }
}
