// Which kernel taps of a convTranspose reach an output phase (output index mod stride), shared by
// conv_transpose2d*.wgsl. Within one phase the answer is the same for every output pixel.

const NO_TAP = -(1 << 20);

// The input offset of tap k for output phase `phase` (input index = phase-grid index + offset), or
// NO_TAP when the tap does not reach that phase.
fn tap_offset(phase: u32, pad: i32, k: u32, dil: u32, stride: u32, k_span: u32) -> i32 {
  // shift by a multiple of the stride so the remainder is taken of a non-negative number
  let shift = i32(stride * k_span * dil);
  let v = i32(phase) + pad - i32(k * dil) + shift;
  if (v % i32(stride) != 0) {
    return NO_TAP;
  }
  return v / i32(stride) - i32(k_span * dil);
}
