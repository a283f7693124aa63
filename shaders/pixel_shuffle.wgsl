// Pixel shuffle of 32-bit words: [planes, KH, KW, H, W] -> [planes, H, KH, W, KW] (the transpose after a
// conv-transpose rewritten as a 1x1 conv), KH and KW powers of two. Output rows (H*KH per plane) on the
// grid's y, planes on z, four output columns per lane stored as one vec4: no index division.

override WG_X: u32 = 16u;
override WG_Y: u32 = 4u;

@group(0) @binding(0) var<uniform> params: PixelShuffleParams;
@group(0) @binding(1) var<storage, read_write> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<vec4<u32>>;

fn source(plane_base: u32, row_base: u32, col: u32) -> u32 {
  let dx = col & ((1u << params.shift_w) - 1u);
  return src[plane_base + dx * params.hw + row_base + (col >> params.shift_w)];
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= params.cols4 || gid.y >= params.rows) {
    return;
  }
  let row = gid.y;
  let dy = row & ((1u << params.shift_h) - 1u);
  let kw = 1u << params.shift_w;
  // plane start, then the (dy, 0) sub-image, then input row y = row >> shift_h
  let plane_base = gid.z * params.rows * kw * params.w + dy * kw * params.hw;
  let row_base = (row >> params.shift_h) * params.w;
  let col = gid.x * 4u;
  dst[(gid.z * params.rows + row) * params.cols4 + gid.x] = vec4<u32>(
    source(plane_base, row_base, col),
    source(plane_base, row_base, col + 1u),
    source(plane_base, row_base, col + 2u),
    source(plane_base, row_base, col + 3u),
  );
}
