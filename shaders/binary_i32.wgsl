// Elementwise binary arithmetic on i32 (ONNX int32/int64 narrowed) with numpy broadcasting.
// kestrel:requires lib/indexing.wgsl

override OP: u32 = 0u;
override WG: u32 = 256u;
// operand addressing as in binary.wgsl: 1 same-shape contiguous, 2 rank <= 4 right-aligned, 0 any rank
override DIRECT: u32 = 0u;

@group(0) @binding(0) var<uniform> params: BroadcastParams;
@group(0) @binding(1) var<storage, read_write> a: array<i32>;
@group(0) @binding(2) var<storage, read_write> b: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<i32>;

fn ipow(x: i32, y: i32) -> i32 {
  var r = 1;
  for (var k = 0; k < y; k++) {
    r *= x;
  }
  return r;
}

fn binary_op(x: i32, y: i32) -> i32 {
  switch OP {
    case 0u: { return x + y; }
    case 1u: { return x - y; }
    case 2u: { return x * y; }
    case 3u: { return select(0, x / y, y != 0); }
    case 4u: { return ipow(x, y); }
    case 5u: { return max(x, y); }
    case 6u: { return min(x, y); }
    case 7u: {
      // Mod (fmod=0): result takes the divisor's sign
      if (y == 0) { return 0; }
      let r = x % y;
      return select(r, r + y, r != 0 && ((r < 0) != (y < 0)));
    }
    case 8u: { return select(0, x % y, y != 0); }
    default: { return x; }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg, WG);
  if (i >= params.count) {
    return;
  }
  var x: i32;
  var y: i32;
  if (DIRECT == 1u) {
    x = a[i];
    y = b[i];
  } else if (DIRECT == 2u) {
    x = a[strided_offset4(i, params.shape[0], params.a_strides[0])];
    y = b[strided_offset4(i, params.shape[0], params.b_strides[0])];
  } else {
    x = a[strided_offset(i, params.rank, params.shape, params.a_strides)];
    y = b[strided_offset(i, params.rank, params.shape, params.b_strides)];
  }
  out[i] = binary_op(x, y);
}
