// The uniform both Winograd F(2x2, 3x3) conv shaders read (built by winogradParams in
// src/kernels/conv-winograd.ts). Transformed weights U are f32 [group][cin_g][oc_blocks][16][tm]: the
// 16 x TM values one input channel contributes to one block of TM output channels, contiguous.

struct WinogradParams {
  cin: u32,
  h: u32,
  w: u32,
  cout: u32,
  oh: u32,
  ow: u32,
  pad_t: i32,
  pad_l: i32,
  cin_g: u32,
  cout_g: u32,
  // output-channel blocks of TM per group (grid y = group * oc_blocks)
  oc_blocks: u32,
  // blocks of TT tiles per tile row
  tile_blocks_w: u32,
  // tile blocks per (image, channel block): the lanes that do work
  lanes: u32,
  // output channels per workgroup (the kernel's TM)
  tm: u32,
  // weight transform: (group, channel, padded output channel) triples
  u_lanes: u32,
  _pad0: u32,
}
