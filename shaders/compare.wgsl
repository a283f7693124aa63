// Elementwise comparisons and logical ops with numpy broadcasting; writes bool as u32 0/1.
// kestrel:requires lib/indexing.wgsl
// kestrel:prelude in_t

override OP: u32 = 0u;
override WG: u32 = 256u;
// operand addressing as in binary.wgsl: 1 same-shape contiguous, 2 rank <= 4 right-aligned, 0 any rank
override DIRECT: u32 = 0u;

@group(0) @binding(0) var<uniform> params: BroadcastParams;
@group(0) @binding(1) var<storage, read_write> a: array<in_t>;
@group(0) @binding(2) var<storage, read_write> b: array<in_t>;
@group(0) @binding(3) var<storage, read_write> out: array<u32>;

fn compare_op(x: in_t, y: in_t) -> bool {
  switch OP {
    case 0u: { return x == y; }
    case 1u: { return x < y; }
    case 2u: { return x > y; }
    case 3u: { return x <= y; }
    case 4u: { return x >= y; }
    case 5u: { return x != in_t(0) && y != in_t(0); }
    case 6u: { return x != in_t(0) || y != in_t(0); }
    case 7u: { return (x != in_t(0)) != (y != in_t(0)); }
    default: { return false; }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg, WG);
  if (i >= params.count) {
    return;
  }
  var x: in_t;
  var y: in_t;
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
  out[i] = select(0u, 1u, compare_op(x, y));
}
