// Nearest upsampling of the last two dims by power-of-two factors on a 2-D grid (output rows in y):
// out[row, x] = in[row >> log2(fh), x >> log2(fw)] with shifts, no division (FPN-style x2 upsampling).
// kestrel:requires lib/indexing.wgsl

override WG: u32 = 64u;

struct Params {
  out_w: u32,
  in_w: u32,
  shift_h: u32,
  shift_w: u32,
  out_h: u32,
  in_h: u32,
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= params.out_w) {
    return;
  }
  let row = gid.y;
  let plane = row / params.out_h;
  let y = row - plane * params.out_h;
  dst[row * params.out_w + gid.x] = src[(plane * params.in_h + (y >> params.shift_h)) * params.in_w + (gid.x >> params.shift_w)];
}
