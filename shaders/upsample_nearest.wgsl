// Nearest upsampling of the last two dims by power-of-two factors on a 2-D grid (output rows in y, four
// output columns per lane, stored as one vec4): out[row, x] = in[row >> log2(fh), x >> log2(fw)]. Rows of
// stacked planes shift straight to input rows (out_h = in_h << shift_h), so there is no division.
// 32-bit words of any dtype; the output row length is a multiple of 4.

// a workgroup covers WG_Y rows of WG_X vec4 columns (short rows still fill it)
override WG_X: u32 = 64u;
override WG_Y: u32 = 1u;

@group(0) @binding(0) var<uniform> params: UpsampleParams;
@group(0) @binding(1) var<storage, read_write> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<vec4<u32>>;

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.y;
  if (gid.x >= params.out_w4 || row >= params.rows) {
    return;
  }
  let src_row = (row >> params.shift_h) * params.in_w;
  let x = gid.x * 4u;
  dst[row * params.out_w4 + gid.x] = vec4<u32>(
    src[src_row + (x >> params.shift_w)],
    src[src_row + ((x + 1u) >> params.shift_w)],
    src[src_row + ((x + 2u) >> params.shift_w)],
    src[src_row + ((x + 3u) >> params.shift_w)],
  );
}
