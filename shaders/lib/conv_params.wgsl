// The one uniform layout every conv2d / conv_transpose2d shader reads (built by convParams in
// src/kernels/conv.ts). Lanes of a dispatch cover `lanes` pixel blocks of one (image, channel block).

struct ConvParams {
  cin: u32,
  h: u32,
  w: u32,
  cout: u32,
  oh: u32,
  ow: u32,
  kh: u32,
  kw: u32,
  stride_h: u32,
  stride_w: u32,
  dil_h: u32,
  dil_w: u32,
  pad_t: i32,
  pad_l: i32,
  cin_g: u32,
  cout_g: u32,
  // output-channel blocks per group (grid y = group * oc_blocks)
  oc_blocks: u32,
  // pixel blocks per output row
  ow_blocks: u32,
  // pixel blocks per (image, channel block): the lanes that do work
  lanes: u32,
  // convTranspose: output rows/cols of one phase sub-grid, and phases along W
  phase_rows: u32,
  phase_cols: u32,
  phases_w: u32,
  _pad0: u32,
  _pad1: u32,
}

// Index of `v` clamped into [0, n), so a masked lane still loads from inside the tensor.
fn clamp_index(v: i32, n: u32) -> u32 {
  return u32(clamp(v, 0, i32(n) - 1));
}
