// One conv2d output element computed with every loop bound from the uniform. Expects the including
// shader to declare `params: ConvParams`, `x: array<elem_t>` and requires lib/weights.wgsl (wt, w_at); math in f32.
// kestrel:prelude elem_t
// kestrel:requires lib/conv_params.wgsl lib/weights.wgsl

fn conv_output(n: u32, oc: u32, oh: u32, ow: u32) -> f32 {
  let g = oc / params.cout_g;
  let ih0 = i32(oh * params.stride_h) - params.pad_t;
  let iw0 = i32(ow * params.stride_w) - params.pad_l;
  let hw = params.h * params.w;
  var w_idx = oc * params.cin_g * params.kh * params.kw;
  var acc = 0.0;
  for (var c = 0u; c < params.cin_g; c++) {
    let x_chan = (n * params.cin + g * params.cin_g + c) * hw;
    for (var ky = 0u; ky < params.kh; ky++) {
      let ih = ih0 + i32(ky * params.dil_h);
      let row_ok = ih >= 0 && ih < i32(params.h);
      let x_row = x_chan + clamp_index(ih, params.h) * params.w;
      for (var kx = 0u; kx < params.kw; kx++) {
        let iw = iw0 + i32(kx * params.dil_w);
        let ok = row_ok && iw >= 0 && iw < i32(params.w);
        acc = fma(w_at(w_idx), select(0.0, f32(x[x_row + clamp_index(iw, params.w)]), ok), acc);
        w_idx++;
      }
    }
  }
  return acc;
}
