// clamp_index for the conv kernels (their ConvParams uniform is generated from src/kernels/uniforms.ts).

// Index of `v` clamped into [0, n), so a masked lane still loads from inside the tensor.
fn clamp_index(v: i32, n: u32) -> u32 {
  return u32(clamp(v, 0, i32(n) - 1));
}
