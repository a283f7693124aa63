// Index and broadcast math, in one place. Shapes and strides travel in uniforms as
// array<vec4<u32>, 2> (rank <= 8); signed strides as array<vec4<i32>, 2>.

fn dim_at(a: array<vec4<u32>, 2>, i: u32) -> u32 {
  return a[i >> 2u][i & 3u];
}

fn idim_at(a: array<vec4<i32>, 2>, i: u32) -> i32 {
  return a[i >> 2u][i & 3u];
}

// Linear invocation index of 1-D work spread over a 2-D grid (see grid1d in kernels/params.ts).
fn linear_index(gid: vec3<u32>, num_wg: vec3<u32>, wg_size: u32) -> u32 {
  return gid.x + gid.y * num_wg.x * wg_size;
}

// Element offset, under `strides`, of the element at row-major linear index `i` of `shape`.
// Rank <= 4, dims right-aligned in one vec4 (unused outer lanes: dim 1, stride 0): no array copies and
// no dynamic indexing, which lavapipe turns into slow per-lane code. The fast path after dim collapsing.
fn strided_offset4(i: u32, shape: vec4<u32>, strides: vec4<u32>) -> u32 {
  var rem = i;
  var off = (rem % shape.w) * strides.w;
  rem = rem / shape.w;
  off += (rem % shape.z) * strides.z;
  rem = rem / shape.z;
  off += (rem % shape.y) * strides.y;
  rem = rem / shape.y;
  return off + rem * strides.x;
}

// A fixed 8-step loop with a uniform guard: lavapipe runs it 2-4x faster than a loop bounded by `rank`.
fn strided_offset(i: u32, rank: u32, shape: array<vec4<u32>, 2>, strides: array<vec4<u32>, 2>) -> u32 {
  var rem = i;
  var off = 0u;
  for (var k = 0u; k < 8u; k++) {
    if (k < rank) {
      let d = rank - 1u - k;
      let n = dim_at(shape, d);
      off += (rem % n) * dim_at(strides, d);
      rem = rem / n;
    }
  }
  return off;
}

// The same with signed strides (negative-step slices), relative to a base offset.
fn strided_offset_signed(i: u32, rank: u32, shape: array<vec4<u32>, 2>, strides: array<vec4<i32>, 2>,
    base: i32) -> u32 {
  var rem = i;
  var off = base;
  for (var k = 0u; k < 8u; k++) {
    if (k < rank) {
      let d = rank - 1u - k;
      let n = dim_at(shape, d);
      off += i32(rem % n) * idim_at(strides, d);
      rem = rem / n;
    }
  }
  return u32(off);
}
