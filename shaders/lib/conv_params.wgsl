// The one uniform layout every conv2d / conv_transpose2d shader reads (built by convParams in
// src/kernels/conv.ts). Lanes of a dispatch cover `lanes` pixel blocks of one (image, channel block).

// Index of `v` clamped into [0, n), so a masked lane still loads from inside the tensor.
fn clamp_index(v: i32, n: u32) -> u32 {
  return u32(clamp(v, 0, i32(n) - 1));
}
