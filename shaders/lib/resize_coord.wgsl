// Resize coordinate transforms (ONNX coordinate_transformation_mode), one axis at a time. The host folds
// every mode, and its degenerate cases, into x_src = (x + half) * num / den + add (src/kernels/resize.ts):
// one branch-free formula, because per-lane branching is what CPU adapters (lavapipe) run slowest.

fn resize_source_coord(a: ResizeAxis, x: u32) -> f32 {
  return (f32(x) + a.half) * a.num / a.den + a.add;
}

// tf_crop_and_resize: a source coordinate outside the input yields the extrapolation value.
fn resize_outside(a: ResizeAxis, c: f32) -> bool {
  return c < 0.0 || c > f32(a.in_len) - 1.0;
}

// Nearest source index (ONNX nearest_mode 0 round_prefer_floor, 1 round_prefer_ceil, 2 floor, 3 ceil),
// clamped into the input as the ONNX reference's edge padding does.
fn resize_nearest_index(c: f32, mode: u32, in_len: u32) -> u32 {
  let f = floor(c);
  let r = c - f;
  let up = select(select(select(r > 0.0, false, mode == 2u), r >= 0.5, mode == 1u), r > 0.5, mode == 0u);
  return u32(clamp(f + select(0.0, 1.0, up), 0.0, f32(in_len) - 1.0));
}
