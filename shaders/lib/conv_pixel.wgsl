// One input pixel of the register conv kernels, read through the ConvParams image size. The including file
// declares `params: ConvParams` and `x: array<elem_t>`.
// kestrel:requires lib/conv_params.wgsl

// x at (row, col) of one channel plane, zero outside the image.
fn x_at(plane: u32, row: i32, col: i32) -> f32 {
  let ok = row >= 0 && row < i32(params.h) && col >= 0 && col < i32(params.w);
  let v = x[plane + clamp_index(row, params.h) * params.w + clamp_index(col, params.w)];
  return select(0.0, f32(v), ok);
}
